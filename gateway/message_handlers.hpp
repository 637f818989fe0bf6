#pragma once
// The handler registry: one handler per inbound message kind. A handler decides the
// passive reply and the store effects of a message; the callback pipeline commits the
// effects together with the de-duplication record before it answers, so a crash never
// leaves an acknowledged message unhandled.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "store/database.hpp"
#include "wechat/message.hpp"

namespace xiaoqu::gateway {

struct CallbackContext {
  std::string_view appid;       ///< the account the message was sent to
  std::string_view request_id;
  std::int64_t now = 0;
};

struct Outcome {
  std::optional<std::string> reply_text;  ///< passive text reply; none → "success"
  store::Database::Job effects;           ///< committed before the answer; may be empty
  /// When the answer depends on what the store holds (a one-time binding token: bound, or
  /// expired?), it is decided inside the same transaction, after `effects`, and replaces
  /// reply_text. Rare events only: the reply is then encrypted on the writer's completion.
  std::function<std::optional<std::string>(store::Connection&)> reply_in_transaction;
};

namespace detail {
template <class T, class V> struct index_in;
template <class T, class... Ts> struct index_in<T, std::variant<Ts...>> {
  static constexpr std::size_t value = [] {
    constexpr bool match[] = {std::is_same_v<T, Ts>...};
    for (std::size_t i = 0; i < sizeof...(Ts); ++i)
      if (match[i]) return i;
    return sizeof...(Ts);
  }();
  static_assert(value < sizeof...(Ts), "not a wechat::Message alternative");
};
}  // namespace detail

class MessageHandlers {
 public:
  template <class T>
  void on(std::function<Outcome(const CallbackContext&, const T&)> handler) {
    handlers_[detail::index_in<T, wechat::Message>::value] =
        [h = std::move(handler)](const CallbackContext& ctx, const wechat::Message& m) { return h(ctx, std::get<T>(m)); };
  }

  /// No handler for the kind → an empty outcome (answered with "success").
  Outcome dispatch(const CallbackContext& ctx, const wechat::Message& m) const {
    const auto& h = handlers_[m.index()];
    return h ? h(ctx, m) : Outcome{};
  }

 private:
  std::array<std::function<Outcome(const CallbackContext&, const wechat::Message&)>, std::variant_size_v<wechat::Message>>
      handlers_;
};

}  // namespace xiaoqu::gateway
