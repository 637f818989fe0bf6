#pragma once
// The SQLite store: one writer thread that owns the only write connection and commits
// queued jobs in groups (one transaction, a savepoint per job), and one read-only
// connection per reading thread. Writes never run on the caller's thread, so the server's
// io threads never block on the disk.
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite.hpp"

namespace xiaoqu::store {

class Database {
 public:
  using Job = std::function<void(Connection&)>;
  /// Called on the writer thread once the job's transaction committed (nullptr) or failed.
  using Done = std::function<void(std::exception_ptr)>;

  /// Opens or creates the file (and its folder) and applies missing migrations.
  explicit Database(std::string path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const noexcept { return path_; }

  /// Queues a write. A job that throws is rolled back alone; the others in its group commit.
  void submit(Job job, Done done);
  /// Queues a write and waits for its commit; rethrows the job's error. Not for io threads.
  void write(Job job);
  /// This thread's read-only connection to the same file.
  Connection& reader();
  /// Commits what is queued, then stops the writer. Later submits fail.
  void stop();

 private:
  struct Pending {
    Job job;
    Done done;
  };
  void run();

  std::string path_;
  std::uint64_t id_;
  std::unique_ptr<Connection> writer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace xiaoqu::store
