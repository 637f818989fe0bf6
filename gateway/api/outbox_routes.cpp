// The outbox as admins see it: what was sent to whom (masked), what failed and why, and a
// retry for a failed message once its cause is fixed (the template restored, the user
// following again, ...).
#include <ctime>
#include <nlohmann/json.hpp>

#include "community/shared/audit.hpp"
#include "gateway/api/services.hpp"
#include "notify/outbox_store.hpp"

namespace xiaoqu::gateway::api {
namespace {
constexpr int kDefaultPage = 50;
constexpr int kMaxPage = 200;

nlohmann::json to_json(const notify::OutboxView& v) {
  nlohmann::json j = {{"id", v.id},
                      {"purpose", v.purpose},
                      {"channel", v.channel},
                      {"account", v.account},
                      {"recipient", v.recipient_masked},
                      {"status", v.status},
                      {"attempts", v.attempts},
                      {"last_error", v.last_error},
                      {"delivery_status", v.delivery_status},
                      {"created_at", v.created_at},
                      {"updated_at", v.updated_at},
                      {"next_attempt_at", v.next_attempt_at},
                      {"sent_at", v.sent_at ? nlohmann::json(*v.sent_at) : nlohmann::json()}};
  return j;
}

int page_size(const ApiRequest& req) {
  auto text = req.query("limit");
  if (!text) return kDefaultPage;
  try {
    std::size_t used = 0;
    int n = std::stoi(*text, &used);
    if (used == text->size() && n >= 1 && n <= kMaxPage) return n;
  } catch (const std::exception&) {
  }
  throw ApiError(400, "invalid_limit", "limit 必须是 1 到 200 之间的整数", "limit");
}

std::int64_t before_id(const ApiRequest& req) {
  auto text = req.query("before");
  if (!text) return 0;
  try {
    std::size_t used = 0;
    long long n = std::stoll(*text, &used);
    if (used == text->size() && n > 0) return n;
  } catch (const std::exception&) {
  }
  throw ApiError(400, "invalid_before", "before 必须是正整数（上一页最后一条的 id）", "before");
}
}  // namespace

void register_outbox_routes(Router& r, Services& s) {
  r.add("GET", "/api/v1/communities/{community}/outbox", Access::signed_in, [&s](ApiRequest& req) {
    std::string status = req.query("status").value_or("");
    if (!status.empty() && status != "pending" && status != "sending" && status != "sent" && status != "delivered" && status != "failed")
      throw ApiError(400, "invalid_status", "status 只能是 pending、sending、sent、delivered 或 failed", "status");
    int limit = page_size(req);
    auto rows = notify::list_outbox(s.db.reader(), req.community(), status, limit, before_id(req));
    nlohmann::json items = nlohmann::json::array();
    for (const auto& v : rows) items.push_back(to_json(v));
    nlohmann::json body = {{"items", std::move(items)}};
    if (static_cast<int>(rows.size()) == limit) body["next_before"] = rows.back().id;
    return ApiResponse::json(body);
  });

  r.add("POST", "/api/v1/communities/{community}/outbox/{item}/retry", Access::signed_in, [&s](ApiRequest& req) {
    std::int64_t community = req.community(), id = req.id("item");
    std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    std::optional<std::string> before;
    s.db.write([&](store::Connection& c) {
      before = notify::retry_failed(c, community, id, now);
      if (before && *before == "failed")
        community::audit(c, {req.principal.actor(), "outbox.retry", "outbox", id, community, {{"status", "failed"}}, {{"status", "pending"}}},
                         now);
    });
    if (!before) throw ApiError(404, "not_found", "没有这条消息");
    if (*before != "failed")
      throw ApiError(409, "not_failed", "只有发送失败的消息可以重试，这条消息的状态是 " + *before);
    auto rows = notify::list_outbox(s.db.reader(), community, "", 1, id + 1);
    return ApiResponse::json({{"item", rows.empty() ? nlohmann::json() : to_json(rows.front())}});
  });
}

}  // namespace xiaoqu::gateway::api
