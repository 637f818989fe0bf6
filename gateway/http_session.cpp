// One HTTP/1.1 connection, after Beast's advanced_server: do_/on_ pairs, shared_from_this
// in every completion, a fresh body-limited parser and a deadline per request.
// Per request it does only what the request needs (bench/run_callback_bench.sh measures it
// against a floor server): one recvmsg (the read buffer is reserved once), no timer
// operation (a deadline is a stored time that one timer per connection checks now and
// then), a response head written into a reused string and sent with the body in one writev.
#include "gateway/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <array>
#include <charconv>
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
using std::chrono::milliseconds;

// A callback's whole request fits, so it arrives in one read (Beast reads at most what the
// buffer has room for, 512 bytes when it starts empty). Larger bodies grow the buffer.
constexpr std::size_t kReadBuffer = 16 * 1024;

// 1xx, 204 and 304 answers carry neither a body nor Content-Length (RFC 9110, 8.6).
bool bodiless(int status) { return status / 100 == 1 || status == 204 || status == 304; }

void append_number(std::string& out, std::uint64_t n) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Socket&& socket, std::shared_ptr<SessionContext> ctx)
      : socket_(std::move(socket)),
        deadline_timer_(socket_.get_executor()),
        ctx_(std::move(ctx)),
        id_(ctx_->next_session++),
        check_period_(std::max(1u, std::min(ctx_->cfg.read_timeout_ms, ctx_->cfg.idle_timeout_ms) / 4)) {
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
    net::dispatch(socket_.get_executor(), [self = shared_from_this(), over_capacity] { self->on_run(over_capacity); });
  }

 private:
  void on_run(bool over_capacity) {
    {
      std::weak_ptr<HttpSession> weak = shared_from_this();
      std::lock_guard lk(ctx_->closers_mu);
      ctx_->closers.emplace(id_, [weak] {
        if (auto self = weak.lock()) net::dispatch(self->socket_.get_executor(), [self] { self->close_if_idle(); });
      });
    }
    buffer_.reserve(kReadBuffer);
    if (over_capacity || ctx_->stopping) {
      send_rejection(Rejection::connection_limit);
    } else {
      // The peer's address, once per connection: login throttling counts failures by it.
      beast::error_code ec;
      auto peer = socket_.remote_endpoint(ec);
      if (!ec) remote_ = peer.address().to_string();
      do_read();
    }
    watch_deadline();
  }

  // The connection's one timer. A read, a handler and a write only store their deadline;
  // the timer wakes every check_period_ (a quarter of the shortest timeout) or at the
  // deadline, whichever is first, so a deadline is enforced at most check_period_ late and
  // the hot path never touches the timer queue. It holds the session weakly: a connection
  // with nothing pending ends, and its timer with it.
  void watch_deadline() {
    auto now = Clock::now();
    if (deadline_ <= now) {
      // The read, write or drain in progress completes with operation_aborted.
      beast::error_code ec;
      socket_.close(ec);
      return;
    }
    deadline_timer_.expires_at(std::min(deadline_, now + check_period_));
    deadline_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      if (auto self = weak.lock(); self && !ec) self->watch_deadline();
    });
  }

  void do_read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(ctx_->cfg.max_header_bytes));
    // The header comes first, so the body limit can follow the route: spreadsheet uploads to
    // the admin API may be larger than anything else. Until then the larger limit applies
    // (Beast checks Content-Length against it while parsing the header).
    parser_->body_limit(std::max(ctx_->cfg.max_body_bytes, ctx_->cfg.max_upload_bytes));
    // An upload grew the buffer: give the memory back once it is consumed.
    if (buffer_.size() == 0 && buffer_.capacity() > 4 * kReadBuffer) {
      buffer_.shrink_to_fit();
      buffer_.reserve(kReadBuffer);
    }
    deadline_ = Clock::now() + milliseconds(first_ ? ctx_->cfg.read_timeout_ms : ctx_->cfg.idle_timeout_ms);
    http::async_read_header(socket_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t n) {
    if (ec) return on_read(ec, n);
    const auto& h = parser_->get();
    const bool upload = h.method() == http::verb::post && h.target().substr(0, 8) == "/api/v1/";
    const std::uint64_t limit = upload ? ctx_->cfg.max_upload_bytes : ctx_->cfg.max_body_bytes;
    if (auto length = parser_->content_length(); length && *length > limit) return on_read(http::error::body_limit, n);
    parser_->body_limit(limit);
    if (parser_->is_done()) return on_read({}, n);
    http::async_read(socket_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return do_close();
    // Closed by the deadline or by a shutdown.
    if (ec == net::error::operation_aborted || ec == net::error::bad_descriptor) return;
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
    // The handler may answer later (after a commit); no deadline until it has.
    deadline_ = Clock::time_point::max();
    auto msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    head_request_ = msg.method() == http::verb::head;

    Request req;
    req.method.assign(msg.method_string());
    std::string_view target = msg.target();
    auto q = target.find('?');
    req.path.assign(target.substr(0, q));
    if (q != std::string_view::npos) req.query.assign(target.substr(q + 1));
    req.body = std::move(msg.body());
    req.request_id.assign(ctx_->request_id_prefix);
    append_number(req.request_id, ++ctx_->next_request);
    req.headers.reserve(static_cast<std::size_t>(std::distance(msg.begin(), msg.end())));
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (auto& ch : name) ch = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;  // ASCII only, inline
      req.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request_id_ = req.request_id;
    req.remote = remote_;
    ctx_->handler(std::move(req), [self = shared_from_this()](Response&& res) {
      net::dispatch(self->socket_.get_executor(), [self, res = std::move(res)]() mutable { self->do_write(std::move(res)); });
    });
  }

  void send_rejection(Rejection r) {
    ctx_->metrics.count_rejection(r);
    log::info("http.rejected", {{"reason", info(r).label}});
    keep_alive_ = false;
    busy_ = true;
    started_ = Clock::now();
    do_write(reject(r, Route::not_found));
  }

  // One header line; a name or value that would break the framing is dropped and logged.
  void add_field(std::string_view name, std::string_view value) {
    // (A plain loop: find_first_of calls memchr once per character.)
    const auto breaks = [](std::string_view s, bool name) {
      return std::any_of(s.begin(), s.end(), [name](char c) { return c == '\r' || c == '\n' || (name && c == ':'); });
    };
    if (breaks(name, true) || breaks(value, false)) {
      log::error("http.header_dropped", {{"name", name}});
      return;
    }
    head_.append(name).append(": ").append(value).append("\r\n");
  }

  void do_write(Response&& r) {
    const bool keep_alive = keep_alive_ && !ctx_->stopping;
    const bool no_body = bodiless(r.status);
    body_ = no_body ? std::string() : std::move(r.body);
    head_.assign("HTTP/1.1 ");
    append_number(head_, static_cast<std::uint64_t>(r.status));
    head_.push_back(' ');
    head_.append(http::obsolete_reason(static_cast<http::status>(r.status)));
    head_.append("\r\nServer: xiaoqu\r\n");
    if (!r.content_type.empty()) add_field("Content-Type", r.content_type);
    for (const auto& [name, value] : r.headers) add_field(name, value);
    if (!request_id_.empty()) add_field("X-Request-Id", request_id_);
    if (!keep_alive) head_.append("Connection: close\r\n");
    if (!no_body) {
      head_.append("Content-Length: ");
      append_number(head_, body_.size());
      head_.append("\r\n");
    }
    head_.append("\r\n");
    if (head_request_) body_.clear();  // HEAD: the length of the body it would have had, no body
    close_after_write_ = !keep_alive;

    const auto now = Clock::now();
    ctx_->metrics.observe_request(r.route, r.status, std::chrono::duration<double>(now - started_).count());
    if (log::enabled(log::Level::debug))
      log::debug("http.request", {{"rid", request_id_}, {"route", label(r.route)}, {"status", std::to_string(r.status)}});
    deadline_ = now + milliseconds(ctx_->cfg.read_timeout_ms);
    // Head and body in one writev.
    std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(body_)};
    net::async_write(socket_, buffers, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    busy_ = false;
    request_id_.clear();
    // A large download's memory goes back; a callback's answer keeps its capacity for the next.
    if (body_.capacity() > kReadBuffer) std::string().swap(body_);
    if (ec) {
      log::debug("http.write_failed", {{"error", ec.message()}});
      return;
    }
    if (close_after_write_ || ctx_->stopping) return do_close();
    do_read();
  }

  void close_if_idle() {
    // A request being handled finishes first; its response carries Connection: close.
    if (busy_) return;
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

  void do_close() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    // Lingering close: a client still sending a refused body must get to read our answer,
    // which an immediate close would destroy with a reset. Bounded by a short deadline.
    deadline_ = Clock::now() + std::chrono::seconds(2);
    do_drain();
  }

  void do_drain() {
    socket_.async_read_some(net::buffer(drain_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        beast::error_code ignored;
        self->socket_.close(ignored);
        return;
      }
      self->do_drain();
    });
  }

  Socket socket_;
  net::steady_timer deadline_timer_;
  beast::flat_buffer buffer_;
  std::array<char, 4096> drain_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<SessionContext> ctx_;
  std::uint64_t id_;
  milliseconds check_period_;
  Clock::time_point deadline_ = Clock::time_point::max();
  std::string request_id_;
  std::string remote_;  ///< the peer's IP address
  std::string head_;    ///< the response's status line and headers, reused
  std::string body_;    ///< the response's body while it is written
  Clock::time_point started_{};
  bool first_ = true, busy_ = false, keep_alive_ = true, head_request_ = false, close_after_write_ = false;
};
}  // namespace

void start_session(Socket socket, std::shared_ptr<SessionContext> ctx, bool over_capacity) {
  std::make_shared<HttpSession>(std::move(socket), std::move(ctx))->run(over_capacity);
}

}  // namespace xiaoqu::gateway
