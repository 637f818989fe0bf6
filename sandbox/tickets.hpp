#pragma once
// The tickets the sandbox pushes and later checks: component_verify_ticket (Open Platform)
// and suite_ticket (WeCom suites), as the platform does every 10 minutes.
#include <map>
#include <string>

#include "sandbox/sandbox.hpp"

namespace xiaoqu::sandbox {

struct Tickets {
  std::map<std::string, std::string> component_verify_ticket;  ///< by component appid
  std::map<std::string, std::string> suite_ticket;             ///< by suite id
};

/// Makes a new ticket, remembers it and pushes it to the gateway; returns the HTTP status.
int push_component_verify_ticket(Sandbox& sb, const std::string& component_appid);
int push_suite_ticket(Sandbox& sb, const std::string& suite_id);

}  // namespace xiaoqu::sandbox
