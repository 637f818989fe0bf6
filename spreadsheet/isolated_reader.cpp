#include "spreadsheet/isolated_reader.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "spreadsheet/read_error.hpp"

namespace xiaoqu::spreadsheet::detail {
namespace {

// Records on the pipe: 'R' row, 'E' error, 'D' done. Both ends are this same binary, so
// integers travel in native byte order.
constexpr char kRow = 'R', kError = 'E', kDone = 'D';
constexpr std::uint32_t kMaxCells = 1u << 16;

template <typename T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
void put_text(std::string& out, const std::string& s) {
  put<std::uint32_t>(out, static_cast<std::uint32_t>(s.size()));
  out += s;
}

void write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ::_exit(3);  // the parent has gone: nothing left to do
    done += static_cast<std::size_t>(n);
  }
}

[[noreturn]] void run_child(int fd, const std::function<void(const RowSink&)>& produce) {
  std::string out;
  try {
    produce([&](const Row& row) {
      out += kRow;
      put<std::uint32_t>(out, row.number);
      put<std::uint32_t>(out, static_cast<std::uint32_t>(row.cells.size()));
      for (const Cell& c : row.cells) {
        put<std::uint8_t>(out, static_cast<std::uint8_t>(c.kind));
        put<std::uint8_t>(out, c.date_format ? 1 : 0);
        put<double>(out, c.number);
        put_text(out, c.text);
      }
      if (out.size() >= (64u << 10)) {
        write_all(fd, out);
        out.clear();
      }
      return true;
    });
    out += kDone;
  } catch (const SheetError& e) {
    out += kError;
    put<std::uint8_t>(out, static_cast<std::uint8_t>(e.code()));
    put_text(out, e.what());
  } catch (const std::exception& e) {
    out += kError;
    put<std::uint8_t>(out, static_cast<std::uint8_t>(SheetError::Code::corrupt));
    put_text(out, std::string("文件已损坏，无法读取：") + e.what());
  }
  write_all(fd, out);
  ::_exit(0);  // no atexit handlers, no flushing the parent's stdio buffers
}

// Decodes records from the bytes read so far; stops at a record not yet complete.
class Decoder {
 public:
  void append(const char* data, std::size_t n) { buf_.append(data, n); }

  enum class Next { need_more, row, error, done };
  Next next(Row& row, SheetError::Code& code, std::string& message) {
    pos_ = start_;
    if (!have(1)) return Next::need_more;
    char kind = buf_[pos_++];
    if (kind == kDone) return consume(Next::done);
    if (kind == kError) {
      std::uint8_t c;
      if (!get(c) || !get_text(message)) return Next::need_more;
      if (c > static_cast<std::uint8_t>(SheetError::Code::too_many_columns)) c = static_cast<std::uint8_t>(SheetError::Code::corrupt);
      code = static_cast<SheetError::Code>(c);
      return consume(Next::error);
    }
    if (kind != kRow) fail_corrupt(".xls 解析进程输出无效");
    std::uint32_t count;
    if (!get(row.number) || !get(count)) return Next::need_more;
    // A child that corrupted its own memory may send anything: never size by it unchecked.
    if (count > kMaxCells) fail_corrupt(".xls 解析进程输出无效");
    row.cells.resize(count);
    for (Cell& cell : row.cells) {
      std::uint8_t k, date;
      if (!get(k) || !get(date) || !get(cell.number) || !get_text(cell.text)) return Next::need_more;
      cell.kind = static_cast<Cell::Kind>(k);
      cell.date_format = date != 0;
    }
    return consume(Next::row);
  }

 private:
  bool have(std::size_t n) const { return buf_.size() - pos_ >= n; }
  template <typename T>
  bool get(T& v) {
    if (!have(sizeof v)) return false;
    std::memcpy(&v, buf_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return true;
  }
  bool get_text(std::string& s) {
    std::uint32_t n;
    if (!get(n) || !have(n)) return false;
    s.assign(buf_, pos_, n);
    pos_ += n;
    return true;
  }
  Next consume(Next result) {
    start_ = pos_;
    if (start_ > (1u << 20)) {  // drop what has been decoded so the buffer stays small
      buf_.erase(0, start_);
      start_ = pos_ = 0;
    }
    return result;
  }
  std::string buf_;
  std::size_t start_ = 0, pos_ = 0;
};

// Kills and reaps the child whichever way the parent leaves.
class Child {
 public:
  Child(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  ~Child() {
    ::close(fd_);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  int fd() const { return fd_; }
  /// The child's wait status once it has exited.
  int wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_;
  int fd_;
};

}  // namespace

void read_rows_isolated(const std::function<void(const RowSink& emit)>& produce, const RowSink& on_row,
                        std::chrono::milliseconds timeout) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    run_child(fds[1], produce);
  }
  ::close(fds[1]);
  Child child(pid, fds[0]);

  auto deadline = std::chrono::steady_clock::now() + timeout;
  Decoder decoder;
  Row row;
  SheetError::Code code{};
  std::string message;
  char chunk[64 * 1024];
  for (;;) {
    for (;;) {
      switch (decoder.next(row, code, message)) {
        case Decoder::Next::need_more: break;
        case Decoder::Next::row:
          if (!on_row(row)) return;  // Child's destructor stops the rest
          continue;
        case Decoder::Next::error: throw SheetError(code, message);
        case Decoder::Next::done: return;
      }
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{child.fd(), POLLIN, 0};
    int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) fail_corrupt(".xls 解析超时");
    ssize_t n = ::read(child.fd(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // The child went away without finishing: it crashed on this file.
      int status = child.wait();
      fail_corrupt(WIFSIGNALED(status) ? ".xls 解析失败（解析进程异常退出）" : ".xls 解析失败");
    }
    decoder.append(chunk, static_cast<std::size_t>(n));
  }
}

}  // namespace xiaoqu::spreadsheet::detail
