#pragma once
#include <memory>

#include <boost/asio/ip/tcp.hpp>

namespace xiaoqu::gateway {
struct SessionContext;
/// Serves one accepted connection (keep-alive, limits, deadlines). `over_capacity` answers
/// 503 and closes.
void start_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<SessionContext> ctx, bool over_capacity);
}  // namespace xiaoqu::gateway
