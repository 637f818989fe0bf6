#pragma once
// A thin RAII layer over the SQLite C API: connections, prepared statements, transactions.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace xiaoqu::store {

class StoreError : public std::runtime_error {
 public:
  StoreError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const noexcept { return code_; }

 private:
  int code_;
};

class Statement;

class Connection {
 public:
  /// Opens (creating when `create`) the file, WAL mode, busy timeout, foreign keys on.
  Connection(const std::string& path, bool read_only = false);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void exec(std::string_view sql);
  /// The statement for `sql`, prepared on first use and kept for the life of the connection;
  /// returned reset with no bindings. For statements run often (the writer's savepoints).
  Statement& cached(std::string_view sql);
  /// Runs a cached statement without parameters to completion (SAVEPOINT, RELEASE, ...).
  void exec_cached(std::string_view sql);
  sqlite3* handle() const noexcept { return db_; }
  std::int64_t last_insert_id() const noexcept;
  int changes() const noexcept;

 private:
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>, SqlHash, std::equal_to<>> cache_;
};

class Statement {
 public:
  /// `persistent`: a hint to SQLite that the statement is kept and reused (SQLITE_PREPARE_PERSISTENT).
  Statement(Connection& c, std::string_view sql, bool persistent = false);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }

  /// true while a row is available.
  bool step();
  /// Runs to completion (for writes).
  void run();
  void reset();

  std::string text(int col) const;
  std::int64_t integer(int col) const;
  bool is_null(int col) const;

 private:
  friend class Connection;  // exec_cached steps the statement with exec()'s error reporting

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed uncommitted.
class Transaction {
 public:
  explicit Transaction(Connection& c);
  ~Transaction();
  void commit();

 private:
  Connection& c_;
  bool done_ = false;
};

}  // namespace xiaoqu::store
