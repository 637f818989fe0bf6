#include "wechat/message.hpp"

#include "wechat/xml_fields.hpp"

namespace xiaoqu::wechat {
namespace {

using detail::iequals;

std::string with_agent(std::string key, const Header& h) {
  // One WeCom corp callback can serve several apps whose MsgIds are not shared.
  if (!h.agent_id.empty()) {
    key += ":a";
    key += h.agent_id;
  }
  return key;
}

std::string message_key(const Header& h, std::int64_t msg_id) { return with_agent("m:" + std::to_string(msg_id), h); }

std::string event_key(const Header& h, std::string_view event, std::string_view key_part) {
  std::string key = "e:";
  key += h.from_user;
  key += ':';
  key += std::to_string(h.create_time);
  key += ':';
  key += event;
  key += ':';
  key += key_part;
  return with_agent(std::move(key), h);
}

void append_cdata(std::string& out, std::string_view s) {
  out += "<![CDATA[";
  // "]]>" cannot appear inside CDATA: close the section between "]]" and ">".
  for (auto pos = s.find("]]>"); pos != std::string_view::npos; pos = s.find("]]>")) {
    out.append(s.substr(0, pos));
    out += "]]]]><![CDATA[>";
    s.remove_prefix(pos + 3);
  }
  out.append(s);
  out += "]]>";
}

// Event names use the platform's own spelling, so keys read like docs/protocol/official-account-callback.md.
std::string key_of(const SubscribeEvent& e, std::string_view) { return event_key(e.header, "subscribe", ""); }
std::string key_of(const SubscribeScanEvent& e, std::string_view) {
  return event_key(e.header, "subscribe", "qrscene_" + e.scene);
}
std::string key_of(const UnsubscribeEvent& e, std::string_view) { return event_key(e.header, "unsubscribe", ""); }
std::string key_of(const ScanEvent& e, std::string_view) { return event_key(e.header, "SCAN", e.scene); }
std::string key_of(const ClickEvent& e, std::string_view) { return event_key(e.header, "CLICK", e.event_key); }
std::string key_of(const ViewEvent& e, std::string_view) { return event_key(e.header, "VIEW", e.url); }
std::string key_of(const LocationEvent& e, std::string_view) { return event_key(e.header, "LOCATION", ""); }
std::string key_of(const TemplateSendJobFinishEvent& e, std::string_view) {
  return event_key(e.header, "TEMPLATESENDJOBFINISH", std::to_string(e.msg_id));
}
std::string key_of(const CertificationEvent& e, std::string_view) {
  return event_key(e.header, e.event, std::to_string(e.expired_time));
}
std::string key_of(const UnknownMessage& u, std::string_view) {
  if (u.msg_id != 0) return message_key(u.header, u.msg_id);
  return event_key(u.header, u.event.empty() ? u.msg_type : u.event, u.event_key);
}
// Messages; one without MsgId (not forbidden by the docs) falls back to the event form.
template <class M>
std::string key_of(const M& m, std::string_view kind) {
  return m.msg_id != 0 ? message_key(m.header, m.msg_id) : event_key(m.header, kind, "");
}

}  // namespace

namespace detail {

Message message_from_fields(const XmlFields& f) {
  Header h{f.id("ToUserName"), f.id("FromUserName"), f.i64("CreateTime"), f.id("AgentID")};
  const std::string_view type = f.token("MsgType");

  if (iequals(type, "text")) return TextMessage{std::move(h), f.i64("MsgId"), f.str("Content")};
  if (iequals(type, "image")) return ImageMessage{std::move(h), f.i64("MsgId"), f.id("PicUrl"), f.id("MediaId")};
  if (iequals(type, "voice")) {
    return VoiceMessage{std::move(h), f.i64("MsgId"), f.id("MediaId"), f.id("Format"), f.str("Recognition")};
  }
  if (iequals(type, "video")) return VideoMessage{std::move(h), f.i64("MsgId"), f.id("MediaId"), f.id("ThumbMediaId")};
  if (iequals(type, "shortvideo")) {
    return ShortVideoMessage{std::move(h), f.i64("MsgId"), f.id("MediaId"), f.id("ThumbMediaId")};
  }
  if (iequals(type, "location")) {
    return LocationMessage{
        std::move(h), f.i64("MsgId"), f.f64("Location_X"), f.f64("Location_Y"), f.i32("Scale"), f.str("Label")};
  }
  if (iequals(type, "link")) {
    return LinkMessage{std::move(h), f.i64("MsgId"), f.str("Title"), f.str("Description"), f.id("Url")};
  }

  const std::string_view event = f.token("Event");
  const std::string_view key = f.token("EventKey");
  if (iequals(type, "event")) {
    if (iequals(event, "subscribe")) {
      constexpr std::string_view prefix = "qrscene_";
      if (key.starts_with(prefix)) {
        return SubscribeScanEvent{std::move(h), std::string(key.substr(prefix.size())), f.id("Ticket")};
      }
      return SubscribeEvent{std::move(h)};
    }
    if (iequals(event, "unsubscribe")) return UnsubscribeEvent{std::move(h)};
    if (iequals(event, "SCAN")) return ScanEvent{std::move(h), std::string(key), f.id("Ticket")};
    if (iequals(event, "CLICK")) return ClickEvent{std::move(h), std::string(key)};
    if (iequals(event, "VIEW")) return ViewEvent{std::move(h), std::string(key), f.id("MenuId")};
    if (iequals(event, "LOCATION")) {
      return LocationEvent{std::move(h), f.f64("Latitude"), f.f64("Longitude"), f.f64("Precision")};
    }
    if (iequals(event, "TEMPLATESENDJOBFINISH")) {
      return TemplateSendJobFinishEvent{std::move(h), f.i64("MsgID"), f.id("Status")};
    }
    // The certification events that say when it ends; the failures (FailTime, FailReason) change
    // no date and stay unknown messages.
    for (std::string_view kind : {"qualification_verify_success", "naming_verify_success", "annual_renew", "verify_expired"})
      if (iequals(event, kind)) return CertificationEvent{std::move(h), std::string(kind), f.i64("ExpiredTime")};
  }
  return UnknownMessage{std::move(h), std::string(type), std::string(event), std::string(key), f.i64("MsgId")};
}

}  // namespace detail

Message parse_message(std::string_view xml) { return detail::message_from_fields(detail::XmlFields(xml)); }

const Header& header_of(const Message& m) noexcept {
  return std::visit([](const auto& v) -> const Header& { return v.header; }, m);
}

std::string_view kind_label(const Message& m) noexcept {
  // Same order as the Message alternatives.
  static constexpr std::string_view labels[] = {"text",
                                                "image",
                                                "voice",
                                                "video",
                                                "shortvideo",
                                                "location",
                                                "link",
                                                "event.subscribe",
                                                "event.subscribe_scan",
                                                "event.unsubscribe",
                                                "event.scan",
                                                "event.click",
                                                "event.view",
                                                "event.location",
                                                "event.templatesendjobfinish",
                                                "event.certification",
                                                "unknown"};
  static_assert(std::size(labels) == std::variant_size_v<Message>);
  return labels[m.index()];
}

std::string dedup_key(const Message& m) {
  return std::visit([&m](const auto& v) { return key_of(v, kind_label(m)); }, m);
}

Envelope parse_envelope(std::string_view xml) {
  const detail::XmlFields f(xml);
  return Envelope{f.id("ToUserName"), f.id("Encrypt"), f.id("AgentID")};
}

std::string render_text_reply(const Header& inbound, std::string_view content, std::int64_t now) {
  std::string out;
  out.reserve(200 + inbound.from_user.size() + inbound.to_user.size() + content.size());
  out += "<xml><ToUserName>";
  append_cdata(out, inbound.from_user);
  out += "</ToUserName><FromUserName>";
  append_cdata(out, inbound.to_user);
  out += "</FromUserName><CreateTime>";
  out += std::to_string(now);
  out += "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>";
  append_cdata(out, content);
  out += "</Content></xml>";
  return out;
}

}  // namespace xiaoqu::wechat
