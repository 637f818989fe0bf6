// Writes distinct, valid Official Account text pushes for wrk (bench/callback_wrk.lua):
//
//   callback_gen [--mode safe|plain] [--count N] [--out FILE] [--seed S] [--first-index I]
//
// One request per line: "<path>?<query>\t<body>\n"; bodies are single-line XML.
//   safe : POST /wechat/callback/wx5d3c9a1b7e20f468?signature&timestamp&nonce&openid&encrypt_type=aes&msg_signature
//          body <xml><ToUserName/><Encrypt/></xml>
//   plain: POST /wechat/callback/wxplain0000000001?signature&timestamp&nonce&openid, body the message XML
// Text messages with 100..300-byte contents (Chinese and ASCII), a distinct MsgId and openid
// per request (MsgId = base + index; --first-index shifts the range so runs do not collide).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <string>

#include "bench/callback_fixture.hpp"

namespace {

void usage() {
  std::fputs(
      "usage: callback_gen [--mode safe|plain] [--count N] [--out FILE] [--seed S] [--first-index I]\n"
      "  defaults: --mode safe --count 20000 --out - (stdout) --seed 1 --first-index 0\n",
      stderr);
}

bool parse_u64(const char* s, unsigned long long& out) {
  if (!s || !*s) return false;
  char* end = nullptr;
  out = std::strtoull(s, &end, 10);
  return end && *end == '\0';
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "safe", out_path = "-";
  unsigned long long count = 20000, seed = 1, first = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    bool ok = true;
    if (a == "--mode" && v) mode = v, ++i;
    else if (a == "--out" && v) out_path = v, ++i;
    else if (a == "--count") ok = parse_u64(v, count), ++i;
    else if (a == "--seed") ok = parse_u64(v, seed), ++i;
    else if (a == "--first-index") ok = parse_u64(v, first), ++i;
    else if (a == "-h" || a == "--help") return usage(), 0;
    else ok = false;
    if (!ok) {
      std::fprintf(stderr, "callback_gen: bad argument %s\n", a.c_str());
      usage();
      return 2;
    }
  }
  if (mode != "safe" && mode != "plain") {
    std::fprintf(stderr, "callback_gen: --mode must be safe or plain\n");
    return 2;
  }
  if (count == 0) {
    std::fprintf(stderr, "callback_gen: --count must be positive\n");
    return 2;
  }
  const bool encrypted = mode == "safe";

  std::FILE* out = out_path == "-" ? stdout : std::fopen(out_path.c_str(), "wb");
  if (!out) {
    std::fprintf(stderr, "callback_gen: cannot open %s: %s\n", out_path.c_str(), std::strerror(errno));
    return 1;
  }
  try {
    xiaoqu::bench::PushGenerator gen(seed * 0x9E3779B97F4A7C15ULL + (encrypted ? 1 : 2));
    std::string line;
    for (unsigned long long k = 0; k < count; ++k) {
      const xiaoqu::bench::Push p = gen.make(encrypted, first + k);
      line.clear();
      line.append(p.target).push_back('\t');
      line.append(p.body).push_back('\n');
      // The file format relies on it; the generator never produces them, but check anyway.
      if (line.find_first_of("\t\r\n", p.target.size() + 1) != line.size() - 1) {
        std::fprintf(stderr, "callback_gen: request %llu contains a tab or newline\n", first + k);
        return 1;
      }
      if (std::fwrite(line.data(), 1, line.size(), out) != line.size()) {
        std::fprintf(stderr, "callback_gen: write failed: %s\n", std::strerror(errno));
        return 1;
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "callback_gen: %s\n", e.what());
    return 1;
  }
  if (out != stdout ? std::fclose(out) != 0 : std::fflush(out) != 0) {
    std::fprintf(stderr, "callback_gen: close failed: %s\n", std::strerror(errno));
    return 1;
  }
  return 0;
}
