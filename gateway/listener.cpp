#include "gateway/listener.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "config/log.hpp"
#include "gateway/http_session.hpp"
#include "gateway/session_context.hpp"

namespace xiaoqu::gateway {
namespace net = boost::asio;
using tcp = net::ip::tcp;

Listener::Listener(net::io_context& ioc, std::vector<net::io_context*> workers, const tcp::endpoint& endpoint,
                   std::shared_ptr<SessionContext> ctx)
    : ioc_(ioc), workers_(std::move(workers)), acceptor_(ioc), ctx_(std::move(ctx)) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
}

unsigned short Listener::port() const { return acceptor_.local_endpoint().port(); }

void Listener::run() {
  net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void Listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
  });
}

void Listener::do_accept() {
  // The socket lives on the next worker's io_context (and is typed with its executor); one
  // thread per context needs no strand.
  net::io_context& target = *workers_[next_++ % workers_.size()];
  acceptor_.async_accept(target, boost::beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(boost::system::error_code ec, Socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    log::warn("http.accept_failed", {{"error", ec.message()}});
  } else {
    socket.set_option(tcp::no_delay(true), ec);
    bool over = ctx_->sessions.load() >= static_cast<std::int64_t>(ctx_->cfg.max_connections);
    start_session(std::move(socket), ctx_, over);
  }
  do_accept();
}

}  // namespace xiaoqu::gateway
