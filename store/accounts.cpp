#include "store/accounts.hpp"

#include <nlohmann/json.hpp>

namespace xiaoqu::store {
namespace {
void bind_secret(Statement& s, int i, const SecretBox& box, const std::string& v) {
  if (v.empty()) s.bind_null(i);
  else s.bind_blob(i, box.seal(v));
}
std::string open_secret(const Statement& s, int i, const SecretBox& box) {
  return s.is_null(i) ? std::string() : box.open(s.text(i));
}
}  // namespace

void save_configured_accounts(Connection& c, const SecretBox& box, const config::Config& cfg, std::int64_t now) {
  for (const auto& a : cfg.official_accounts) {
    Statement s(c,
                "INSERT INTO official_accounts (appid, name, mode, token_enc, aes_key_enc, app_secret_enc, updated_at) "
                "VALUES (?,?,?,?,?,?,?) ON CONFLICT (appid) DO UPDATE SET name = excluded.name, mode = excluded.mode, "
                "token_enc = excluded.token_enc, aes_key_enc = excluded.aes_key_enc, "
                "app_secret_enc = excluded.app_secret_enc, updated_at = excluded.updated_at");
    s.bind(1, a.appid).bind(2, a.name).bind(3, config::to_string(a.mode)).bind_blob(4, box.seal(a.token));
    bind_secret(s, 5, box, a.encoding_aes_key);
    bind_secret(s, 6, box, a.app_secret);
    s.bind(7, now).run();
  }
  for (const auto& a : cfg.components) {
    Statement s(c,
                "INSERT INTO components (appid, token_enc, aes_key_enc, app_secret_enc, updated_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT (appid) DO UPDATE SET token_enc = excluded.token_enc, aes_key_enc = excluded.aes_key_enc, "
                "app_secret_enc = excluded.app_secret_enc, updated_at = excluded.updated_at");
    s.bind(1, a.appid).bind_blob(2, box.seal(a.token)).bind_blob(3, box.seal(a.encoding_aes_key));
    bind_secret(s, 4, box, a.app_secret);
    s.bind(5, now).run();
  }
  for (const auto& e : cfg.wecom) {
    Statement s(c,
                "INSERT INTO wecom_endpoints (id, kind, corp_id, agent_id, suite_id, receive_ids, token_enc, aes_key_enc, "
                "secret_enc, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, "
                "corp_id = excluded.corp_id, agent_id = excluded.agent_id, suite_id = excluded.suite_id, "
                "receive_ids = excluded.receive_ids, token_enc = excluded.token_enc, aes_key_enc = excluded.aes_key_enc, "
                "secret_enc = excluded.secret_enc, updated_at = excluded.updated_at");
    s.bind(1, e.id).bind(2, e.kind == config::WecomEndpoint::Kind::suite ? "suite" : "corp").bind(3, e.corp_id)
        .bind(4, e.agent_id).bind(5, e.suite_id).bind(6, nlohmann::json(e.receive_ids).dump())
        .bind_blob(7, box.seal(e.token)).bind_blob(8, box.seal(e.encoding_aes_key));
    bind_secret(s, 9, box, e.secret);
    s.bind(10, now).run();
  }
}

Accounts load_accounts(Connection& c, const SecretBox& box) {
  Accounts out;
  {
    Statement s(c, "SELECT appid, name, mode, token_enc, aes_key_enc, app_secret_enc FROM official_accounts ORDER BY appid");
    while (s.step()) {
      config::OfficialAccount a;
      a.appid = s.text(0);
      a.name = s.text(1);
      std::string mode = s.text(2);
      a.mode = mode == "plaintext" ? config::MessageMode::plaintext
               : mode == "compatible" ? config::MessageMode::compatible
                                      : config::MessageMode::safe;
      a.token = box.open(s.text(3));
      a.encoding_aes_key = open_secret(s, 4, box);
      a.app_secret = open_secret(s, 5, box);
      out.official_accounts.push_back(std::move(a));
    }
  }
  {
    Statement s(c, "SELECT appid, token_enc, aes_key_enc, app_secret_enc FROM components ORDER BY appid");
    while (s.step()) {
      config::Component a;
      a.appid = s.text(0);
      a.token = box.open(s.text(1));
      a.encoding_aes_key = box.open(s.text(2));
      a.app_secret = open_secret(s, 3, box);
      out.components.push_back(std::move(a));
    }
  }
  {
    Statement s(c,
                "SELECT id, kind, corp_id, agent_id, suite_id, receive_ids, token_enc, aes_key_enc, secret_enc "
                "FROM wecom_endpoints ORDER BY id");
    while (s.step()) {
      config::WecomEndpoint e;
      e.id = s.text(0);
      e.kind = s.text(1) == "suite" ? config::WecomEndpoint::Kind::suite : config::WecomEndpoint::Kind::corp;
      e.corp_id = s.text(2);
      e.agent_id = s.text(3);
      e.suite_id = s.text(4);
      e.receive_ids = nlohmann::json::parse(s.text(5)).get<std::vector<std::string>>();
      e.token = box.open(s.text(6));
      e.encoding_aes_key = box.open(s.text(7));
      e.secret = open_secret(s, 8, box);
      out.wecom.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace xiaoqu::store
