#pragma once
// The HTTP/1.1 server: an io_context run by one thread per core, the listener and its
// sessions, periodic tasks, and a graceful stop. This header keeps Asio and Beast out of
// the files that only need to start and stop it.
#include <chrono>
#include <functional>
#include <memory>

#include "config/config.hpp"
#include "gateway/http_types.hpp"
#include "gateway/metrics.hpp"

namespace xiaoqu::gateway {

class Server {
 public:
  Server(const config::ServerConfig& cfg, Handler handler, Metrics& metrics);
  ~Server();

  /// Binds and starts the io threads; returns the bound port (useful with port 0).
  unsigned short start();
  /// Runs `task` on the io threads every `period` until stop.
  void every(std::chrono::milliseconds period, std::function<void()> task);
  /// Blocks until SIGINT or SIGTERM, then stops gracefully.
  void wait_for_signal();
  /// Stops accepting, lets in-flight requests finish (up to the grace period), closes idle
  /// connections, joins the io threads. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xiaoqu::gateway
