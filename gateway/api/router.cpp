// Matching /api/v1 paths to routes: literal segments and {param} segments. When several
// patterns match, the one whose first differing segment is literal wins, so
// ".../residents/template" is not taken for ".../residents/{resident}".
#include <algorithm>
#include <stdexcept>

#include "gateway/api/api.hpp"

namespace xiaoqu::gateway::api {
namespace {

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Whether `route` matches the split path; fills params (still percent-encoded) when it does.
bool matches(const Router::Route& route, const std::vector<std::string_view>& parts,
             std::map<std::string, std::string, std::less<>>* params) {
  if (route.segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = route.segments[i];
    if (is_param(seg)) {
      if (parts[i].empty()) return false;
      if (params) (*params)[seg.substr(1, seg.size() - 2)] = percent_decode(parts[i]);
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return true;
}

// True when a is the more specific pattern: literal where b has a parameter, earliest first.
bool more_specific(const Router::Route& a, const Router::Route& b) {
  for (std::size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    bool pa = is_param(a.segments[i]), pb = is_param(b.segments[i]);
    if (pa != pb) return !pa;
  }
  return false;
}

}  // namespace

void Router::add(std::string_view method, std::string_view pattern, Access access, ApiHandler handler) {
  if (pattern.substr(0, 8) != "/api/v1/") throw std::logic_error("admin API route outside /api/v1/: " + std::string(pattern));
  for (const auto& r : routes_)
    if (r.method == method && r.pattern == pattern)
      throw std::logic_error("admin API route registered twice: " + std::string(method) + " " + std::string(pattern));
  Route r{std::string(method), std::string(pattern), access, std::move(handler), {}};
  for (auto seg : split(pattern)) {
    if (seg.empty()) throw std::logic_error("empty segment in admin API route " + std::string(pattern));
    r.segments.emplace_back(seg);
  }
  routes_.push_back(std::move(r));
}

const Router::Route* Router::match(std::string_view method, std::string_view path,
                                   std::map<std::string, std::string, std::less<>>& params) const {
  auto parts = split(path);
  const Route* best = nullptr;
  for (const auto& r : routes_) {
    if (r.method != method || !matches(r, parts, nullptr)) continue;
    if (!best || more_specific(r, *best)) best = &r;
  }
  if (best) matches(*best, parts, &params);
  return best;
}

std::vector<std::string> Router::allowed_methods(std::string_view path) const {
  auto parts = split(path);
  std::vector<std::string> out;
  for (const auto& r : routes_)
    if (matches(r, parts, nullptr) && std::find(out.begin(), out.end(), r.method) == out.end()) out.push_back(r.method);
  return out;
}

}  // namespace xiaoqu::gateway::api
