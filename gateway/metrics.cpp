#include "gateway/metrics.hpp"

#include <cstdio>

namespace xiaoqu::gateway {
namespace {
std::size_t status_index(int status) {
  for (std::size_t i = 0; i + 1 < Metrics::kStatuses.size(); ++i)
    if (Metrics::kStatuses[i] == status) return i;
  return Metrics::kStatuses.size() - 1;  // "other"
}
}  // namespace

void Metrics::observe_request(Route route, int status, double seconds) noexcept {
  auto r = static_cast<std::size_t>(route);
  requests_[r][status_index(status)].fetch_add(1, std::memory_order_relaxed);
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  latency_buckets_[r][b].fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_[r].fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Metrics::count_callback(std::string_view kind) {
  std::lock_guard lk(kinds_mu_);
  auto it = callbacks_by_kind_.find(kind);
  if (it == callbacks_by_kind_.end()) callbacks_by_kind_.emplace(std::string(kind), 1);
  else ++it->second;
}

void Metrics::count_rejection(Rejection r) noexcept {
  rejections_[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render() const {
  std::string out;
  out.reserve(8192);
  char line[640];
  out += "# HELP xiaoqu_http_requests_total HTTP requests by route and status.\n# TYPE xiaoqu_http_requests_total counter\n";
  for (std::size_t r = 0; r < kRoutes; ++r)
    for (std::size_t s = 0; s < kStatuses.size(); ++s) {
      auto v = requests_[r][s].load(std::memory_order_relaxed);
      if (!v) continue;
      std::string status = kStatuses[s] ? std::to_string(kStatuses[s]) : "other";
      std::snprintf(line, sizeof line, "xiaoqu_http_requests_total{route=\"%s\",status=\"%s\"} %llu\n",
                    label(static_cast<Route>(r)), status.c_str(), static_cast<unsigned long long>(v));
      out += line;
    }
  out += "# HELP xiaoqu_http_request_duration_seconds Time from a complete request to its response.\n"
         "# TYPE xiaoqu_http_request_duration_seconds histogram\n";
  for (std::size_t r = 0; r < kRoutes; ++r) {
    std::uint64_t cumulative = 0;
    std::uint64_t total = 0;
    for (const auto& b : latency_buckets_[r]) total += b.load(std::memory_order_relaxed);
    if (!total) continue;
    const char* route = label(static_cast<Route>(r));
    for (std::size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += latency_buckets_[r][b].load(std::memory_order_relaxed);
      std::snprintf(line, sizeof line, "xiaoqu_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n", route,
                    kBuckets[b], static_cast<unsigned long long>(cumulative));
      out += line;
    }
    std::snprintf(line, sizeof line,
                  "xiaoqu_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
                  "xiaoqu_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                  "xiaoqu_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                  route, static_cast<unsigned long long>(total), route,
                  latency_sum_us_[r].load(std::memory_order_relaxed) / 1e6, route, static_cast<unsigned long long>(total));
    out += line;
  }
  out += "# HELP xiaoqu_callbacks_total Authenticated callbacks by message kind.\n# TYPE xiaoqu_callbacks_total counter\n";
  {
    std::lock_guard lk(kinds_mu_);
    for (const auto& [kind, v] : callbacks_by_kind_) {
      std::snprintf(line, sizeof line, "xiaoqu_callbacks_total{kind=\"%s\"} %llu\n", kind.c_str(), static_cast<unsigned long long>(v));
      out += line;
    }
  }
  out += "# HELP xiaoqu_rejections_total Refused requests by reason.\n# TYPE xiaoqu_rejections_total counter\n";
  for (std::size_t i = 0; i < rejections_.size(); ++i) {
    std::snprintf(line, sizeof line, "xiaoqu_rejections_total{reason=\"%s\"} %llu\n",
                  std::string(info(static_cast<Rejection>(i)).label).c_str(),
                  static_cast<unsigned long long>(rejections_[i].load(std::memory_order_relaxed)));
    out += line;
  }
  std::snprintf(line, sizeof line,
                "# HELP xiaoqu_callback_duplicates_total Platform retries answered from the de-duplication record.\n"
                "# TYPE xiaoqu_callback_duplicates_total counter\nxiaoqu_callback_duplicates_total %llu\n"
                "# HELP xiaoqu_open_connections Open client connections.\n# TYPE xiaoqu_open_connections gauge\n"
                "xiaoqu_open_connections %lld\n",
                static_cast<unsigned long long>(duplicates_.load()), static_cast<long long>(connections_.load()));
  out += line;
  return out;
}

}  // namespace xiaoqu::gateway
