#include "config/worker_pool.hpp"

#include "config/log.hpp"

namespace xiaoqu {

WorkerPool::WorkerPool(unsigned threads) {
  for (unsigned i = 0; i < (threads ? threads : 1); ++i)
    threads_.emplace_back([this] {
      for (;;) {
        std::function<void()> job;
        {
          std::unique_lock lk(mu_);
          cv_.wait(lk, [&] { return stopping_ || !jobs_.empty(); });
          if (jobs_.empty()) return;
          job = std::move(jobs_.front());
          jobs_.pop_front();
        }
        try {
          job();
        } catch (const std::exception& e) {
          log::error("worker.job_failed", {{"error", e.what()}});
        }
      }
    });
}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::post(std::function<void()> job) {
  std::lock_guard lk(mu_);
  if (stopping_) return;
  jobs_.push_back(std::move(job));
  cv_.notify_one();
}

void WorkerPool::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

}  // namespace xiaoqu
