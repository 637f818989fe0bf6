#pragma once
// A fixed pool of threads for blocking work (outbound HTTP, bulk store reads), so the
// server's io threads never block. Jobs run in submission order per free worker.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace xiaoqu {

class WorkerPool {
 public:
  explicit WorkerPool(unsigned threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues a job; a job that throws is logged and dropped.
  void post(std::function<void()> job);
  /// Runs what is queued, then joins. Later posts are dropped.
  void stop();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace xiaoqu
