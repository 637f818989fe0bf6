#pragma once
// The resident side, served by the gateway under /r/: the community's entry link (OAuth
// web authorization with a state bound to the community), the verification form, the
// owner's review page, the printable QR poster, and their JSON endpoints under /r/api/.
// Everything runs on the worker pool: it reads and writes the store and calls WeChat.
#include <memory>
#include <string_view>

#include "config/config.hpp"
#include "gateway/http_types.hpp"
#include "store/database.hpp"
#include "store/secret_box.hpp"

namespace xiaoqu::community {
class PersonalData;
}

namespace xiaoqu::gateway {

class Platform;

class ResidentPages {
 public:
  ResidentPages(const config::Config& cfg, store::Database& db, const store::SecretBox& box, Platform& platform);
  ~ResidentPages();

  static bool owns(std::string_view path) noexcept { return path == "/r" || path.substr(0, 3) == "/r/"; }
  /// Answers on a worker thread.
  void handle(Request&& req, Respond respond);
  /// The whole answer, blocking.
  Response answer(const Request& req);

 private:
  const config::Config& cfg_;
  store::Database& db_;
  Platform& platform_;
  std::unique_ptr<community::PersonalData> personal_data_;
};

}  // namespace xiaoqu::gateway
