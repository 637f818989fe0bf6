// The per-message hot path of a safe-mode Official Account push, without the network:
// parse_envelope → verify_msg_signature → decrypt → parse_message → dedup_key, each step
// alone, the encrypted reply, and the whole Callbacks::wechat handler (no socket, no Beast).
//
//   cmake --build build --target callback_parse_bench && build/callback_parse_bench --benchmark_min_time=1
//   (on a busy machine add --benchmark_repetitions=5 and read the _min rows)
//
// 1024 distinct pushes (contents 100..300 bytes, Chinese/ASCII) are generated up front and
// cycled through, so branch predictors and caches do not see the same bytes every time.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "bench/callback_fixture.hpp"
#include "config/config.hpp"
#include "config/log.hpp"
#include "gateway/callbacks.hpp"
#include "gateway/http_types.hpp"
#include "gateway/metrics.hpp"
#include "store/accounts.hpp"
#include "store/database.hpp"
#include "store/secret_box.hpp"
#include "wechat/message.hpp"
#include "wechat/msg_crypt.hpp"

namespace {
using namespace xiaoqu;
using bench::Push;

constexpr std::size_t kMessages = 1024;  // power of two: the index wraps with a mask
constexpr std::size_t kMask = kMessages - 1;
const char* const kReplyText = "已收到，物业将尽快处理";  // what App's default text handler answers

struct Corpus {
  std::vector<Push> safe, plain;
  std::vector<wechat::Message> parsed;  // parse_message(safe[i].inner)
  std::size_t inner_bytes = 0, body_bytes = 0, content_min = ~std::size_t{0}, content_max = 0;

  Corpus() {
    bench::PushGenerator gen(20240601);
    for (std::size_t i = 0; i < kMessages; ++i) {
      safe.push_back(gen.make(true, i));
      plain.push_back(gen.make(false, kMessages + i));
      parsed.push_back(wechat::parse_message(safe.back().inner));
      const auto& t = std::get<wechat::TextMessage>(parsed.back());
      content_min = std::min(content_min, t.content.size());
      content_max = std::max(content_max, t.content.size());
      inner_bytes += safe.back().inner.size();
      body_bytes += safe.back().body.size();
    }
  }
};

const Corpus& corpus() {
  static const Corpus c;
  return c;
}

const wechat::MsgCrypt& crypt() {
  static const wechat::MsgCrypt c(bench::kSafeToken, bench::kSafeKey);
  return c;
}

// On a shared machine the minimum of --benchmark_repetitions=N runs is the figure least
// disturbed by other processes; it is reported next to mean/median/stddev.
double min_of(const std::vector<double>& v) { return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end()); }
#define XQ_BENCHMARK(fn) BENCHMARK(fn)->ComputeStatistics("min", min_of)

void describe(benchmark::State& state, std::size_t bytes_per_item) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes_per_item));
}

void fail_if(benchmark::State& state, bool bad, const char* what) {
  if (bad) state.SkipWithError(what);
}

// --- the whole per-message path (what Callbacks::wechat does between query and handler) ---

// One message, out of line so that profilers (perf, callgrind --toggle-collect=*safe_full_path*)
// can attribute and count exactly the per-message work.
[[gnu::noinline]] bool safe_full_path(const wechat::MsgCrypt& mc, const Push& p, std::string& key) {
  wechat::Envelope env = wechat::parse_envelope(p.body);
  if (!mc.verify_msg_signature(p.msg_signature, p.timestamp, p.nonce, env.encrypt)) return false;
  wechat::MsgCrypt::Decrypted d;  // fresh per message, as in Callbacks::open_encrypted
  if (mc.decrypt(env.encrypt, d) != wechat::CryptError::ok || d.receive_id != bench::kSafeAppid) return false;
  wechat::Message msg = wechat::parse_message(d.message);
  key = wechat::dedup_key(msg);
  return std::holds_alternative<wechat::TextMessage>(msg);
}

void BM_SafeFullPath(benchmark::State& state) {
  const Corpus& c = corpus();
  const wechat::MsgCrypt& mc = crypt();
  std::size_t i = 0;
  for (auto _ : state) {
    std::string key;
    if (!safe_full_path(mc, c.safe[i++ & kMask], key)) {
      state.SkipWithError("signature, decryption or parse failed");
      break;
    }
    benchmark::DoNotOptimize(key.data());
  }
  describe(state, c.body_bytes / kMessages);
}
XQ_BENCHMARK(BM_SafeFullPath);

// Same plus the query parsing and the encrypted reply: the complete per-message crypto+XML work.
[[gnu::noinline]] bool safe_full_path_with_query_and_reply(const wechat::MsgCrypt& mc, const Push& p, std::mt19937_64& rng,
                                                            std::string& key, std::string& out) {
  const std::string_view target = p.target;
  gateway::QueryParams q(target.substr(target.find('?') + 1));
  auto sig = q.get("msg_signature");
  auto ts = q.get("timestamp");
  auto nonce = q.get("nonce");
  wechat::Envelope env = wechat::parse_envelope(p.body);
  if (!sig || !ts || !nonce || !mc.verify_msg_signature(*sig, *ts, *nonce, env.encrypt)) return false;
  wechat::MsgCrypt::Decrypted d;
  if (mc.decrypt(env.encrypt, d) != wechat::CryptError::ok || d.receive_id != bench::kSafeAppid) return false;
  wechat::Message msg = wechat::parse_message(d.message);
  key = wechat::dedup_key(msg);
  const std::int64_t now = std::time(nullptr);
  std::string reply = wechat::render_text_reply(wechat::header_of(msg), kReplyText, now);
  out = mc.reply_envelope(reply, bench::kSafeAppid, std::to_string(now),
                          std::to_string(1'000'000'000 + rng() % 9'000'000'000ULL));
  return true;
}

void BM_SafeFullPathWithQueryAndReply(benchmark::State& state) {
  const Corpus& c = corpus();
  const wechat::MsgCrypt& mc = crypt();
  std::mt19937_64 rng{7};
  std::size_t i = 0;
  for (auto _ : state) {
    std::string key, out;
    if (!safe_full_path_with_query_and_reply(mc, c.safe[i++ & kMask], rng, key, out)) {
      state.SkipWithError("signature, decryption or parse failed");
      break;
    }
    benchmark::DoNotOptimize(out.data());
  }
  describe(state, c.body_bytes / kMessages);
}
XQ_BENCHMARK(BM_SafeFullPathWithQueryAndReply);

// Plaintext mode: plain signature + parse_message + dedup_key.
[[gnu::noinline]] bool plain_full_path(const Push& p, std::string& key) {
  if (!wechat::signatures_equal(wechat::sha1_signature({bench::kPlainToken, p.timestamp, p.nonce}), p.signature))
    return false;
  wechat::Message msg = wechat::parse_message(p.body);
  key = wechat::dedup_key(msg);
  return std::holds_alternative<wechat::TextMessage>(msg);
}

void BM_PlainFullPath(benchmark::State& state) {
  const Corpus& c = corpus();
  std::size_t i = 0;
  for (auto _ : state) {
    std::string key;
    if (!plain_full_path(c.plain[i++ & kMask], key)) {
      state.SkipWithError("signature or parse failed");
      break;
    }
    benchmark::DoNotOptimize(key.data());
  }
  describe(state, c.inner_bytes / kMessages);
}
XQ_BENCHMARK(BM_PlainFullPath);

// --- the steps alone ---

void BM_ParseEnvelope(benchmark::State& state) {
  const Corpus& c = corpus();
  std::size_t i = 0;
  for (auto _ : state) {
    wechat::Envelope env = wechat::parse_envelope(c.safe[i++ & kMask].body);
    benchmark::DoNotOptimize(env.encrypt.data());
  }
  describe(state, c.body_bytes / kMessages);
}
XQ_BENCHMARK(BM_ParseEnvelope);

void BM_VerifyMsgSignature(benchmark::State& state) {
  const Corpus& c = corpus();
  const wechat::MsgCrypt& mc = crypt();
  std::size_t i = 0;
  bool all = true;
  for (auto _ : state) {
    const Push& p = c.safe[i++ & kMask];
    all &= mc.verify_msg_signature(p.msg_signature, p.timestamp, p.nonce, p.encrypt);
  }
  fail_if(state, !all, "signature");
  describe(state, c.body_bytes / kMessages);
}
XQ_BENCHMARK(BM_VerifyMsgSignature);

void BM_Decrypt(benchmark::State& state) {
  const Corpus& c = corpus();
  const wechat::MsgCrypt& mc = crypt();
  std::size_t i = 0;
  bool all = true;
  for (auto _ : state) {
    wechat::MsgCrypt::Decrypted d;
    all &= mc.decrypt(c.safe[i++ & kMask].encrypt, d) == wechat::CryptError::ok;
    benchmark::DoNotOptimize(d.message.data());
  }
  fail_if(state, !all, "decrypt");
  describe(state, c.body_bytes / kMessages);
}
XQ_BENCHMARK(BM_Decrypt);

// decrypt() into a reused Decrypted (no allocation): the floor of base64 + AES-CBC.
void BM_DecryptReused(benchmark::State& state) {
  const Corpus& c = corpus();
  const wechat::MsgCrypt& mc = crypt();
  wechat::MsgCrypt::Decrypted d;
  d.message.reserve(4096);
  d.receive_id.reserve(64);
  std::size_t i = 0;
  bool all = true;
  for (auto _ : state) {
    all &= mc.decrypt(c.safe[i++ & kMask].encrypt, d) == wechat::CryptError::ok;
    benchmark::DoNotOptimize(d.message.data());
  }
  fail_if(state, !all, "decrypt");
  describe(state, c.body_bytes / kMessages);
}
XQ_BENCHMARK(BM_DecryptReused);

void BM_ParseMessage(benchmark::State& state) {
  const Corpus& c = corpus();
  std::size_t i = 0;
  for (auto _ : state) {
    wechat::Message msg = wechat::parse_message(c.safe[i++ & kMask].inner);
    benchmark::DoNotOptimize(msg);
  }
  describe(state, c.inner_bytes / kMessages);
}
XQ_BENCHMARK(BM_ParseMessage);

void BM_DedupKey(benchmark::State& state) {
  const Corpus& c = corpus();
  std::size_t i = 0;
  for (auto _ : state) {
    std::string key = wechat::dedup_key(c.parsed[i++ & kMask]);
    benchmark::DoNotOptimize(key.data());
  }
  describe(state, 0);
}
XQ_BENCHMARK(BM_DedupKey);

// The plain signature alone (sha1 over token, timestamp, nonce): plaintext mode's only check.
void BM_PlainSignature(benchmark::State& state) {
  const Corpus& c = corpus();
  std::size_t i = 0;
  bool all = true;
  for (auto _ : state) {
    const Push& p = c.plain[i++ & kMask];
    all &= wechat::signatures_equal(wechat::sha1_signature({bench::kPlainToken, p.timestamp, p.nonce}), p.signature);
  }
  fail_if(state, !all, "signature");
  describe(state, 0);
}
XQ_BENCHMARK(BM_PlainSignature);

// The encrypted passive reply: render_text_reply + reply_envelope (encrypt + sign + XML),
// with a fresh timestamp and nonce as Callbacks::render makes them.
void BM_BuildEncryptedReply(benchmark::State& state) {
  const Corpus& c = corpus();
  const wechat::MsgCrypt& mc = crypt();
  std::mt19937_64 rng{11};
  std::size_t i = 0;
  for (auto _ : state) {
    const std::int64_t now = std::time(nullptr);
    std::string reply = wechat::render_text_reply(wechat::header_of(c.parsed[i++ & kMask]), kReplyText, now);
    std::string out = mc.reply_envelope(reply, bench::kSafeAppid, std::to_string(now),
                                        std::to_string(1'000'000'000 + rng() % 9'000'000'000ULL));
    benchmark::DoNotOptimize(out.data());
  }
  describe(state, 0);
}
XQ_BENCHMARK(BM_BuildEncryptedReply);

void BM_RenderTextReply(benchmark::State& state) {
  const Corpus& c = corpus();
  std::size_t i = 0;
  for (auto _ : state) {
    std::string reply = wechat::render_text_reply(wechat::header_of(c.parsed[i++ & kMask]), kReplyText, 1717171717);
    benchmark::DoNotOptimize(reply.data());
  }
  describe(state, 0);
}
XQ_BENCHMARK(BM_RenderTextReply);

// --- the real handler: gateway::Callbacks::wechat with dedup off (no store on the path) ---

struct Handler {
  std::filesystem::path dir;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<store::SecretBox> box;
  gateway::Metrics metrics;
  std::unique_ptr<gateway::Callbacks> callbacks;

  explicit Handler(bool dedup) {
    log::set_level(log::Level::error);
    char tmpl[] = "/tmp/xiaoqu-bench-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    db = std::make_unique<store::Database>((dir / "bench.db").string());
    std::array<unsigned char, 32> key{};
    for (std::size_t k = 0; k < key.size(); ++k) key[k] = static_cast<unsigned char>(k * 7 + 1);
    box = std::make_unique<store::SecretBox>(key);
    config::CallbackConfig cfg;
    cfg.timestamp_window_seconds = 0;
    cfg.dedup = dedup;
    store::Accounts accounts;
    config::OfficialAccount safe;
    safe.appid = bench::kSafeAppid;
    safe.mode = config::MessageMode::safe;
    safe.token = bench::kSafeToken;
    safe.encoding_aes_key = bench::kSafeKey;
    accounts.official_accounts.push_back(safe);
    config::OfficialAccount plain;
    plain.appid = bench::kPlainAppid;
    plain.mode = config::MessageMode::plaintext;
    plain.token = bench::kPlainToken;
    accounts.official_accounts.push_back(plain);
    callbacks = std::make_unique<gateway::Callbacks>(cfg, accounts, *db, *box, metrics);
    // As App::register_default_handlers: a text message gets a short acknowledgement.
    callbacks->official_account_handlers().on<wechat::TextMessage>(
        [](const gateway::CallbackContext&, const wechat::TextMessage&) {
          return gateway::Outcome{std::string(kReplyText), {}};
        });
  }
  ~Handler() {
    callbacks.reset();
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

[[gnu::noinline]] void handle_one(gateway::Callbacks& callbacks, const gateway::Request& request, const char* appid,
                                  const gateway::Respond& respond) {
  gateway::Request r = request;  // the copy stands in for Beast's parse into strings
  callbacks.wechat(std::move(r), appid, respond);
}

void run_handler(benchmark::State& state, const std::vector<Push>& pushes, const char* appid) {
  Handler h(false);
  std::vector<gateway::Request> requests;
  for (const Push& p : pushes) {
    gateway::Request r;
    r.method = "POST";
    const std::string_view t = p.target;
    r.path.assign(t.substr(0, t.find('?')));
    r.query.assign(t.substr(t.find('?') + 1));
    r.body = p.body;
    r.request_id = "bench-000001";
    requests.push_back(std::move(r));
  }
  int status = 0;
  std::size_t reply_bytes = 0;
  const gateway::Respond respond = [&](gateway::Response&& res) {
    status = res.status;
    reply_bytes = res.body.size();
  };
  std::size_t i = 0;
  for (auto _ : state) {
    handle_one(*h.callbacks, requests[i++ & kMask], appid, respond);
    if (status != 200) {
      state.SkipWithError("handler did not answer 200");
      break;
    }
  }
  state.counters["reply_bytes"] = static_cast<double>(reply_bytes);
  describe(state, 0);
}

void BM_CallbacksWechatSafe(benchmark::State& state) { run_handler(state, corpus().safe, bench::kSafeAppid); }
XQ_BENCHMARK(BM_CallbacksWechatSafe);

void BM_CallbacksWechatPlain(benchmark::State& state) { run_handler(state, corpus().plain, bench::kPlainAppid); }
XQ_BENCHMARK(BM_CallbacksWechatPlain);

// Baseline for the copy in run_handler.
void BM_RequestCopy(benchmark::State& state) {
  const Corpus& c = corpus();
  std::vector<gateway::Request> requests(kMessages);
  for (std::size_t k = 0; k < kMessages; ++k) {
    requests[k].method = "POST";
    requests[k].query = c.safe[k].target;
    requests[k].body = c.safe[k].body;
    requests[k].path = "/wechat/callback/wx5d3c9a1b7e20f468";
    requests[k].request_id = "bench-000001";
  }
  std::size_t i = 0;
  for (auto _ : state) {
    gateway::Request r = requests[i++ & kMask];
    benchmark::DoNotOptimize(r.body.data());
  }
  describe(state, 0);
}
XQ_BENCHMARK(BM_RequestCopy);

// Sizes of the corpus, printed once so figures can be read per byte.
void BM_CorpusInfo(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) benchmark::DoNotOptimize(c.safe.size());
  state.counters["content_min"] = static_cast<double>(c.content_min);
  state.counters["content_max"] = static_cast<double>(c.content_max);
  state.counters["inner_avg"] = static_cast<double>(c.inner_bytes) / kMessages;
  state.counters["body_avg"] = static_cast<double>(c.body_bytes) / kMessages;
}
BENCHMARK(BM_CorpusInfo)->Iterations(1);

}  // namespace
