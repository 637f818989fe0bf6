#include "store/database.hpp"

#include <atomic>
#include <filesystem>
#include <future>
#include <unordered_map>
#include <vector>

#include "config/log.hpp"
#include "store/migrations.hpp"

namespace xiaoqu::store {
namespace {
std::atomic<std::uint64_t> g_next_id{1};
// Bounds one group so that the first job of a burst does not wait for thousands.
constexpr std::size_t kMaxGroup = 512;
}  // namespace

Database::Database(std::string path) : path_(std::move(path)), id_(g_next_id++) {
  auto parent = std::filesystem::path(path_).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  writer_ = std::make_unique<Connection>(path_);
  int ran = migrate(*writer_);
  if (ran > 0) log::info("store.migrated", {{"path", path_}, {"version", std::to_string(schema_version(*writer_))}});
  thread_ = std::thread([this] { run(); });
}

Database::~Database() { stop(); }

void Database::submit(Job job, Done done) {
  {
    std::lock_guard lk(mu_);
    if (!stopping_) {
      queue_.push_back({std::move(job), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  if (done) done(std::make_exception_ptr(StoreError(0, "store is shutting down")));
}

void Database::write(Job job) {
  std::promise<void> p;
  auto f = p.get_future();
  submit(std::move(job), [&p](std::exception_ptr e) {
    if (e) p.set_exception(e);
    else p.set_value();
  });
  f.get();
}

Connection& Database::reader() {
  // Keyed by a never-reused id so a new Database at an old address gets its own connection.
  thread_local std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> readers;
  auto& c = readers[id_];
  if (!c) c = std::make_unique<Connection>(path_, true);
  return *c;
}

void Database::stop() {
  {
    std::lock_guard lk(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void Database::run() {
  std::vector<Pending> group;
  std::vector<std::exception_ptr> results;
  for (;;) {
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && group.size() < kMaxGroup) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    results.assign(group.size(), nullptr);
    try {
      Transaction tx(*writer_);
      for (std::size_t i = 0; i < group.size(); ++i) {
        // Cached statements: the savepoint SQL is parsed once, not twice per job.
        writer_->exec_cached("SAVEPOINT job");
        try {
          group[i].job(*writer_);
          writer_->exec_cached("RELEASE job");
        } catch (...) {
          results[i] = std::current_exception();
          writer_->exec_cached("ROLLBACK TO job");
          writer_->exec_cached("RELEASE job");
        }
      }
      tx.commit();
    } catch (...) {
      // The whole group failed to commit: nothing of it is stored, every caller is told.
      auto e = std::current_exception();
      for (auto& r : results) r = e;
    }
    for (std::size_t i = 0; i < group.size(); ++i) {
      if (!group[i].done) continue;
      try {
        group[i].done(results[i]);
      } catch (...) {
        log::error("store.done_callback_threw");
      }
    }
    group.clear();
  }
}

}  // namespace xiaoqu::store
