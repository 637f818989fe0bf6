// One HTTP/1.1 connection, after Beast's advanced_server: do_/on_ pairs, shared_from_this
// in every completion, a fresh body-limited parser and a deadline per request.
#include "gateway/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <optional>

#include "config/log.hpp"
#include "gateway/rejection.hpp"
#include "gateway/session_context.hpp"

namespace xiaoqu::gateway {
namespace {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, std::shared_ptr<SessionContext> ctx)
      : stream_(std::move(socket)), ctx_(std::move(ctx)), id_(ctx_->next_session++) {
    ctx_->metrics.set_connections(++ctx_->sessions);
  }

  ~HttpSession() {
    {
      std::lock_guard lk(ctx_->closers_mu);
      ctx_->closers.erase(id_);
    }
    ctx_->metrics.set_connections(--ctx_->sessions);
  }

  void run(bool over_capacity) {
    net::dispatch(stream_.get_executor(), [self = shared_from_this(), over_capacity] { self->on_run(over_capacity); });
  }

 private:
  void on_run(bool over_capacity) {
    {
      std::weak_ptr<HttpSession> weak = shared_from_this();
      std::lock_guard lk(ctx_->closers_mu);
      ctx_->closers.emplace(id_, [weak] {
        if (auto self = weak.lock()) net::dispatch(self->stream_.get_executor(), [self] { self->close_if_idle(); });
      });
    }
    if (over_capacity || ctx_->stopping) return send_rejection(Rejection::connection_limit);
    // The peer's address, once per connection: login throttling counts failures by it.
    beast::error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = peer.address().to_string();
    do_read();
  }

  void do_read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(ctx_->cfg.max_header_bytes));
    // The header comes first, so the body limit can follow the route: spreadsheet uploads to
    // the admin API may be larger than anything else. Until then the larger limit applies
    // (Beast checks Content-Length against it while parsing the header).
    parser_->body_limit(std::max(ctx_->cfg.max_body_bytes, ctx_->cfg.max_upload_bytes));
    stream_.expires_after(std::chrono::milliseconds(first_ ? ctx_->cfg.read_timeout_ms : ctx_->cfg.idle_timeout_ms));
    http::async_read_header(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t n) {
    if (ec) return on_read(ec, n);
    const auto& h = parser_->get();
    const bool upload = h.method() == http::verb::post && h.target().substr(0, 8) == "/api/v1/";
    const std::uint64_t limit = upload ? ctx_->cfg.max_upload_bytes : ctx_->cfg.max_body_bytes;
    if (auto length = parser_->content_length(); length && *length > limit) return on_read(http::error::body_limit, n);
    parser_->body_limit(limit);
    if (parser_->is_done()) return on_read({}, n);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return do_close();
    if (ec == beast::error::timeout || ec == net::error::operation_aborted) return;  // the stream is already closed
    if (ec == http::error::body_limit) return send_rejection(Rejection::body_too_large);
    if (ec == http::error::header_limit) return send_rejection(Rejection::header_too_large);
    if (ec == http::error::partial_message || ec == net::error::connection_reset || ec == net::error::eof) return;
    if (ec.category() == beast::error_code(http::error::bad_method).category()) return send_rejection(Rejection::bad_request);
    if (ec) {
      log::debug("http.read_failed", {{"error", ec.message()}});
      return;
    }
    first_ = false;
    busy_ = true;
    started_ = Clock::now();
    auto msg = parser_->release();
    keep_alive_ = msg.keep_alive();

    Request req;
    req.method.assign(msg.method_string());
    std::string_view target = msg.target();
    auto q = target.find('?');
    req.path.assign(target.substr(0, q));
    if (q != std::string_view::npos) req.query.assign(target.substr(q + 1));
    req.body = std::move(msg.body());
    req.request_id = ctx_->request_id_prefix + std::to_string(++ctx_->next_request);
    req.headers.reserve(static_cast<std::size_t>(std::distance(msg.begin(), msg.end())));
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      req.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request_id_ = req.request_id;
    req.remote = remote_;
    // The handler may answer later (after a commit); the read deadline no longer applies.
    stream_.expires_never();
    ctx_->handler(std::move(req), [self = shared_from_this()](Response&& res) {
      net::dispatch(self->stream_.get_executor(), [self, res = std::move(res)]() mutable { self->do_write(std::move(res)); });
    });
  }

  void send_rejection(Rejection r) {
    ctx_->metrics.count_rejection(r);
    log::info("http.rejected", {{"reason", info(r).label}});
    keep_alive_ = false;
    started_ = Clock::now();
    do_write(reject(r, Route::not_found));
  }

  void do_write(Response&& r) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), 11);
    res->set(http::field::server, "xiaoqu");
    if (!r.content_type.empty()) res->set(http::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) res->insert(name, value);
    if (!request_id_.empty()) res->set("X-Request-Id", request_id_);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_ && !ctx_->stopping);
    res->prepare_payload();
    double secs = std::chrono::duration<double>(Clock::now() - started_).count();
    ctx_->metrics.observe_request(r.route, r.status, secs);
    if (log::enabled(log::Level::debug))
      log::debug("http.request", {{"rid", request_id_}, {"route", label(r.route)}, {"status", std::to_string(r.status)}});
    stream_.expires_after(std::chrono::milliseconds(ctx_->cfg.read_timeout_ms));
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      self->on_write(ec, res->need_eof());
    });
  }

  void on_write(beast::error_code ec, bool close) {
    busy_ = false;
    request_id_.clear();
    if (ec) {
      log::debug("http.write_failed", {{"error", ec.message()}});
      return;
    }
    if (close || ctx_->stopping) return do_close();
    do_read();
  }

  void close_if_idle() {
    // A request being handled finishes first; its response carries Connection: close.
    if (busy_) return;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  void do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    // Lingering close: a client still sending a refused body must get to read our answer,
    // which an immediate close would destroy with a reset. Bounded by a short deadline.
    stream_.expires_after(std::chrono::seconds(2));
    do_drain();
  }

  void do_drain() {
    stream_.async_read_some(net::buffer(drain_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->stream_.close();
        return;
      }
      self->do_drain();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::array<char, 4096> drain_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<SessionContext> ctx_;
  std::uint64_t id_;
  std::string request_id_;
  std::string remote_;  ///< the peer's IP address
  Clock::time_point started_{};
  bool first_ = true, busy_ = false, keep_alive_ = true;
};
}  // namespace

void start_session(tcp::socket socket, std::shared_ptr<SessionContext> ctx, bool over_capacity) {
  std::make_shared<HttpSession>(std::move(socket), std::move(ctx))->run(over_capacity);
}

}  // namespace xiaoqu::gateway
