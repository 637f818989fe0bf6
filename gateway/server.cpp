#include "gateway/server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <future>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "config/log.hpp"
#include "gateway/listener.hpp"
#include "gateway/session_context.hpp"

namespace xiaoqu::gateway {
namespace net = boost::asio;

// One io_context per thread (concurrency hint 1): a connection's handlers stay on one
// thread, with no strand and no cross-thread wake-ups. The first context also carries the
// acceptor, the timers and the signals.
struct Server::Impl {
  Impl(const config::ServerConfig& c, Handler h, Metrics& m) : cfg(c), ctx(std::make_shared<SessionContext>(c, std::move(h), m)) {
    for (unsigned i = 0; i < threads_for(c); ++i) {
      iocs.push_back(std::make_unique<net::io_context>(1));
      guards.push_back(net::make_work_guard(*iocs.back()));
    }
    std::random_device rd;
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%06x-", rd() & 0xffffff);
    ctx->request_id_prefix = prefix;
  }
  static unsigned threads_for(const config::ServerConfig& c) {
    unsigned n = c.threads ? c.threads : std::thread::hardware_concurrency();
    return n ? n : 1;
  }

  net::io_context& main() { return *iocs.front(); }

  config::ServerConfig cfg;
  std::vector<std::unique_ptr<net::io_context>> iocs;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  std::shared_ptr<SessionContext> ctx;
  std::shared_ptr<Listener> listener;
  std::vector<std::thread> threads;
  std::vector<std::shared_ptr<net::steady_timer>> timers;
  std::mutex stop_mu;
  bool stopped = false;
};

Server::Server(const config::ServerConfig& cfg, Handler handler, Metrics& metrics)
    : impl_(std::make_unique<Impl>(cfg, std::move(handler), metrics)) {}

Server::~Server() { stop(); }

unsigned short Server::start() {
  auto address = net::ip::make_address(impl_->cfg.listen);
  std::vector<net::io_context*> workers;
  for (auto& c : impl_->iocs) workers.push_back(c.get());
  impl_->listener = std::make_shared<Listener>(impl_->main(), workers, net::ip::tcp::endpoint(address, impl_->cfg.port), impl_->ctx);
  impl_->listener->run();
  unsigned n = static_cast<unsigned>(impl_->iocs.size());
  for (unsigned i = 0; i < n; ++i) impl_->threads.emplace_back([this, i] { impl_->iocs[i]->run(); });
  unsigned short port = impl_->listener->port();
  log::info("server.listening", {{"address", impl_->cfg.listen}, {"port", std::to_string(port)}, {"threads", std::to_string(n)}});
  return port;
}

void Server::every(std::chrono::milliseconds period, std::function<void()> task) {
  auto timer = std::make_shared<net::steady_timer>(impl_->main());
  impl_->timers.push_back(timer);
  auto tick = std::make_shared<std::function<void(boost::system::error_code)>>();
  std::weak_ptr<std::function<void(boost::system::error_code)>> weak_tick = tick;
  *tick = [timer, period, task = std::move(task), weak_tick](boost::system::error_code ec) {
    if (ec) return;
    try {
      task();
    } catch (const std::exception& e) {
      log::error("server.task_failed", {{"error", e.what()}});
    }
    timer->expires_after(period);
    // The pending wait holds the tick: a copy of *t would hold only the weak pointer, and the
    // third tick would find it expired and stop re-arming.
    if (auto t = weak_tick.lock()) timer->async_wait([t](boost::system::error_code e) { (*t)(e); });
  };
  timer->expires_after(period);
  timer->async_wait([tick](boost::system::error_code ec) { (*tick)(ec); });
}

void Server::wait_for_signal() {
  net::signal_set signals(impl_->main(), SIGINT, SIGTERM);
  std::promise<int> got;
  signals.async_wait([&got](boost::system::error_code ec, int sig) { got.set_value(ec ? 0 : sig); });
  int sig = got.get_future().get();
  log::info("server.stopping", {{"signal", std::to_string(sig)}});
  stop();
}

void Server::stop() {
  std::lock_guard lk(impl_->stop_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  auto& ctx = *impl_->ctx;
  ctx.stopping = true;
  if (impl_->listener) impl_->listener->stop();
  for (auto& t : impl_->timers) net::post(impl_->main(), [t] { t->cancel(); });
  std::vector<std::function<void()>> closers;
  {
    std::lock_guard clk(ctx.closers_mu);
    for (auto& [id, c] : ctx.closers) closers.push_back(c);
  }
  for (auto& c : closers) c();
  // In-flight requests finish and close their connections; wait for them within the grace period.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(impl_->cfg.shutdown_grace_ms);
  while (ctx.sessions.load() > 0 && std::chrono::steady_clock::now() < deadline && !impl_->threads.empty())
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (ctx.sessions.load() > 0) log::warn("server.stop_forced", {{"open_sessions", std::to_string(ctx.sessions.load())}});
  impl_->guards.clear();
  for (auto& c : impl_->iocs) c->stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  impl_->threads.clear();
  impl_->timers.clear();
  impl_->listener.reset();
}

}  // namespace xiaoqu::gateway
