#pragma once
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace xiaoqu::gateway {
struct SessionContext;

/// A connection bound to its worker's io_context: handlers call that context directly,
/// without the type-erased executor of `tcp::socket`.
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

/// Serves one accepted connection (keep-alive, limits, deadlines). `over_capacity` answers
/// 503 and closes.
void start_session(Socket socket, std::shared_ptr<SessionContext> ctx, bool over_capacity);
}  // namespace xiaoqu::gateway
