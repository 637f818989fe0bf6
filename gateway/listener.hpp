#pragma once
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gateway/http_session.hpp"

namespace xiaoqu::gateway {
struct SessionContext;

/// Accepts connections and starts a session for each; over the connection cap a session
/// only answers 503. Connections are spread round-robin over `workers`: each is an
/// io_context run by one thread, so a session's handlers never cross threads.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  /// Binds and listens; throws boost::system::system_error naming the address on failure.
  Listener(boost::asio::io_context& ioc, std::vector<boost::asio::io_context*> workers,
           const boost::asio::ip::tcp::endpoint& endpoint, std::shared_ptr<SessionContext> ctx);
  unsigned short port() const;
  void run();
  void stop();

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, Socket socket);

  boost::asio::io_context& ioc_;
  std::vector<boost::asio::io_context*> workers_;
  std::size_t next_ = 0;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<SessionContext> ctx_;
};

}  // namespace xiaoqu::gateway
