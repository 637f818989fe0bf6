#pragma once
// Typed inbound Official Account messages and events (docs/protocol/official-account-callback.md).
// One struct per kind; parse_message() returns a variant that ends in UnknownMessage,
// so an unknown kind is kept and answered, never an error.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

namespace xiaoqu::wechat {

/// Raised for bytes that are not a well-formed flat <xml> document (or that carry a DTD).
class XmlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Fields every push carries.
struct Header {
  std::string to_user;    ///< ToUserName: the account's gh_ id (or corp id for WeCom)
  std::string from_user;  ///< FromUserName: the sender's openid / userid
  std::int64_t create_time = 0;
  std::string agent_id;   ///< AgentID, WeCom only; empty otherwise
};

struct TextMessage { Header header; std::int64_t msg_id = 0; std::string content; };
struct ImageMessage { Header header; std::int64_t msg_id = 0; std::string pic_url, media_id; };
struct VoiceMessage { Header header; std::int64_t msg_id = 0; std::string media_id, format, recognition; };
struct VideoMessage { Header header; std::int64_t msg_id = 0; std::string media_id, thumb_media_id; };
struct ShortVideoMessage { Header header; std::int64_t msg_id = 0; std::string media_id, thumb_media_id; };
struct LocationMessage { Header header; std::int64_t msg_id = 0; double latitude = 0, longitude = 0; int scale = 0; std::string label; };
struct LinkMessage { Header header; std::int64_t msg_id = 0; std::string title, description, url; };

/// Follow without a QR scene (search, card, ...).
struct SubscribeEvent { Header header; };
/// Follow through a parametric QR code: EventKey "qrscene_X" normalised to scene "X".
struct SubscribeScanEvent { Header header; std::string scene, ticket; };
struct UnsubscribeEvent { Header header; };
/// Scan of a parametric QR code by a follower: EventKey is the scene as is.
struct ScanEvent { Header header; std::string scene, ticket; };
struct ClickEvent { Header header; std::string event_key; };
struct ViewEvent { Header header; std::string url; std::string menu_id; };
struct LocationEvent { Header header; double latitude = 0, longitude = 0, precision = 0; };
/// Note the platform spells the id `MsgID` here.
struct TemplateSendJobFinishEvent { Header header; std::int64_t msg_id = 0; std::string status; bool failed() const { return status.rfind("failed", 0) == 0; } };
/// WeChat certification (微信认证) news pushed by the platform from a system account:
/// qualification_verify_success, naming_verify_success, annual_renew (年审通知) and
/// verify_expired, each with ExpiredTime, the moment the certification ends (or ended).
struct CertificationEvent { Header header; std::string event; std::int64_t expired_time = 0; };
/// Any other MsgType / Event: kept with its type names.
struct UnknownMessage { Header header; std::string msg_type, event, event_key; std::int64_t msg_id = 0; };

using Message = std::variant<TextMessage, ImageMessage, VoiceMessage, VideoMessage, ShortVideoMessage,
                             LocationMessage, LinkMessage, SubscribeEvent, SubscribeScanEvent,
                             UnsubscribeEvent, ScanEvent, ClickEvent, ViewEvent, LocationEvent,
                             TemplateSendJobFinishEvent, CertificationEvent, UnknownMessage>;

/// Parse a decrypted (or plaintext-mode) message. Throws XmlError.
Message parse_message(std::string_view xml);

const Header& header_of(const Message& m) noexcept;

/// Metric/log label of the kind: "text", "event.subscribe", "event.SCAN", "unknown", ...
std::string_view kind_label(const Message& m) noexcept;

/// De-duplication key (docs/protocol/official-account-callback.md): "m:<MsgId>" for messages, otherwise
/// "e:<FromUserName>:<CreateTime>:<Event>:<EventKey>". The caller prefixes the account.
std::string dedup_key(const Message& m);

/// The outer envelope of an encrypted push: <xml><ToUserName/><Encrypt/>[<AgentID/>]</xml>
/// (compatible mode also carries the plaintext fields, which are ignored).
struct Envelope {
  std::string to_user;
  std::string encrypt;
  std::string agent_id;
};
/// Throws XmlError when the body is not XML; `encrypt` is empty when there is no Encrypt element.
Envelope parse_envelope(std::string_view xml);

/// Passive text reply with the addresses swapped from the inbound header (docs/protocol/official-account-callback.md).
std::string render_text_reply(const Header& inbound, std::string_view content, std::int64_t now);

}  // namespace xiaoqu::wechat
