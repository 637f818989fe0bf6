#pragma once
// The resident-facing H5 pages (Simplified Chinese, mobile first, no external assets: the
// WeChat browser may not reach a CDN). Each page reads its start-up data from a JSON block
// the server fills in (BOOT_JSON, with '<' escaped) and talks to /r/api/{community}/....
#include <string_view>

namespace xiaoqu::gateway::web {

inline constexpr std::string_view kStyle = R"css(
*{box-sizing:border-box}body{margin:0;font:16px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f4f5f7;color:#222}
header{background:#07c160;color:#fff;padding:16px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;opacity:.9;font-size:14px}
main{padding:12px;max-width:560px;margin:0 auto}.card{background:#fff;border-radius:8px;padding:14px;margin-bottom:12px}
label{display:block;margin:10px 0 4px;font-size:14px;color:#555}input,select{width:100%;padding:10px;border:1px solid #ddd;border-radius:6px;font-size:16px;background:#fff}
.row{display:flex;gap:8px}.row>*{flex:1}button{width:100%;padding:12px;border:0;border-radius:6px;background:#07c160;color:#fff;font-size:17px;margin-top:14px}
button.secondary{background:#eee;color:#333}button:disabled{opacity:.5}.hint{font-size:13px;color:#888}.error{color:#d93025;font-size:14px;min-height:1em}
.ok{color:#07c160}.pending{color:#e37400}.rejected{color:#d93025}li{margin:6px 0}ul{padding-left:18px;margin:6px 0}
.qr{text-align:center}.qr img{width:80%;max-width:360px}
)css";

inline constexpr std::string_view kFormPage = R"html(<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>住户认证</title><style>STYLE</style></head><body>
<script id="boot" type="application/json">BOOT_JSON</script>
<header><h1 id="title">住户认证</h1><p>填写与物业登记一致的信息，即可立即通过认证</p></header>
<main>
<div class="card" id="history" hidden><b>我的认证记录</b><ul id="history-list"></ul><a id="review-link" hidden>审核本房间住户的申请</a></div>
<form class="card" id="form" novalidate>
  <div id="structure-box"><label for="structure">区域</label><select id="structure"></select></div>
  <div id="levels"></div>
  <label for="name">姓名</label><input id="name" autocomplete="name" maxlength="50" required>
  <label for="phone">手机号</label><input id="phone" type="tel" inputmode="numeric" maxlength="20" required>
  <div id="otp-box" hidden><label for="otp">短信验证码</label>
    <div class="row"><input id="otp" inputmode="numeric" maxlength="6"><button type="button" class="secondary" id="send-otp" style="margin-top:0">获取验证码</button></div></div>
  <label for="identity">身份</label>
  <select id="identity"><option value="owner">业主</option><option value="family">家属</option><option value="tenant">长期租客</option><option value="fixed_term_tenant">限期租客</option></select>
  <div id="lease-box" hidden><label for="lease_end">租期截止日期</label><input id="lease_end" type="date"></div>
  <label for="id_type">证件类型（选填）</label>
  <select id="id_type"><option value="">不填写</option><option value="resident_id">身份证</option><option value="passport">护照</option><option value="other">其他</option></select>
  <div id="id-box" hidden><label for="id_number">证件号码</label><input id="id_number" maxlength="32"></div>
  <p class="error" id="error"></p>
  <button id="submit" type="submit">提交认证</button>
  <p class="hint">您的手机号和证件号码仅用于核对住户身份，不会公开。</p>
</form>
<div class="card" id="result" hidden></div>
</main>
<script>
const boot = JSON.parse(document.getElementById('boot').textContent);
const $ = (id) => document.getElementById(id);
const api = (path, opts = {}) => fetch('/r/api/' + boot.community_id + path, Object.assign({credentials: 'same-origin',
  headers: {'Content-Type': 'application/json', 'X-CSRF-Token': boot.csrf}}, opts)).then(async (r) => {
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw (body.error || {message: '网络异常，请稍后再试'});
  return body;
});
$('title').textContent = boot.community_name + ' 住户认证';
$('otp-box').hidden = !boot.sms_otp;
let structures = [];
function levelSelect(depth, nodes, names) {
  const box = document.createElement('div');
  box.dataset.depth = depth;
  const label = document.createElement('label');
  label.textContent = names[depth] || ('第' + (depth + 1) + '级');
  const sel = document.createElement('select');
  sel.innerHTML = '<option value="">请选择</option>' + nodes.map((n, i) => '<option value="' + i + '"></option>').join('');
  nodes.forEach((n, i) => { sel.options[i + 1].textContent = n.name; });
  sel.onchange = () => {
    [...$('levels').children].filter((c) => +c.dataset.depth > depth).forEach((c) => c.remove());
    const n = nodes[sel.value];
    sel.dataset.room = n && (!n.children || n.children.length === 0) && depth === names.length - 1 ? n.id : '';
    if (n && n.children && n.children.length) levelSelect(depth + 1, n.children, names);
  };
  box.append(label, sel);
  $('levels').append(box);
}
function showStructure() {
  $('levels').innerHTML = '';
  const s = structures[$('structure').value || 0];
  if (s) levelSelect(0, s.nodes || [], s.levels);
}
function roomId() {
  const sels = $('levels').querySelectorAll('select');
  const last = sels[sels.length - 1];
  return last && last.dataset.room ? +last.dataset.room : 0;
}
const statusText = {approved: '已通过', pending: '待审核', rejected: '未通过'};
function showHistory(items) {
  $('history').hidden = items.length === 0 && !boot.owner_reviewer;
  $('history-list').innerHTML = '';
  items.forEach((r) => {
    const li = document.createElement('li');
    li.className = r.status === 'approved' ? 'ok' : r.status;
    li.textContent = r.room + ' ' + r.name + '（' + r.identity_label + '）：' + (statusText[r.status] || r.status) +
      (r.status === 'pending' && r.reason_text ? '，' + r.reason_text : '') + (r.decision_note ? '，' + r.decision_note : '');
    $('history-list').append(li);
  });
}
api('/structure').then((b) => {
  structures = b.structures;
  $('structure-box').hidden = structures.length < 2;
  $('structure').innerHTML = structures.map((s, i) => '<option value="' + i + '"></option>').join('');
  structures.forEach((s, i) => { $('structure').options[i].textContent = s.name; });
  $('structure').onchange = showStructure;
  showStructure();
}).catch((e) => { $('error').textContent = e.message; });
api('/submissions').then((b) => {
  boot.owner_reviewer = b.owner_reviewer;
  if (b.owner_reviewer) { $('review-link').hidden = false; $('review-link').href = '/r/' + boot.community_id + '/review'; }
  showHistory(b.submissions);
}).catch(() => {});
$('identity').onchange = () => { $('lease-box').hidden = $('identity').value !== 'fixed_term_tenant'; };
$('id_type').onchange = () => { $('id-box').hidden = $('id_type').value === ''; };
$('send-otp').onclick = () => {
  $('error').textContent = '';
  api('/otp', {method: 'POST', body: JSON.stringify({phone: $('phone').value})}).then(() => {
    let left = 60; const b = $('send-otp'); b.disabled = true;
    const t = setInterval(() => { b.textContent = (--left) + ' 秒'; if (left <= 0) { clearInterval(t); b.disabled = false; b.textContent = '获取验证码'; } }, 1000);
  }).catch((e) => { $('error').textContent = e.message; });
};
$('form').onsubmit = (ev) => {
  ev.preventDefault();
  $('error').textContent = '';
  const room = roomId();
  if (!room) { $('error').textContent = '请选择到最后一级（房间）'; return; }
  const body = {room_id: room, name: $('name').value, phone: $('phone').value, identity: $('identity').value,
    lease_end: $('identity').value === 'fixed_term_tenant' ? $('lease_end').value : '', id_type: $('id_type').value,
    id_number: $('id_type').value ? $('id_number').value : '', otp: $('otp').value};
  $('submit').disabled = true;
  api('/submissions', {method: 'POST', body: JSON.stringify(body)}).then((r) => {
    $('result').hidden = false;
    $('result').innerHTML = r.approved ? '<h2 class="ok">认证成功</h2><p>您已通过住户认证，欢迎回家。</p>'
      : '<h2 class="pending">已提交，等待审核</h2><p></p>';
    if (!r.approved) $('result').querySelector('p').textContent = (r.reason_text || '') + '。审核结果会通过公众号通知您。';
    $('form').hidden = true;
    return api('/submissions').then((b) => showHistory(b.submissions));
  }).catch((e) => { $('error').textContent = e.message || '提交失败'; }).finally(() => { $('submit').disabled = false; });
};
</script></body></html>
)html";

inline constexpr std::string_view kReviewPage = R"html(<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>住户申请审核</title><style>STYLE</style></head><body>
<script id="boot" type="application/json">BOOT_JSON</script>
<header><h1>住户申请审核</h1><p>作为业主，您可以审核本房间家属和租客的认证申请</p></header>
<main><div id="list"></div><p class="hint" id="empty" hidden>暂无待审核的申请</p></main>
<script>
const boot = JSON.parse(document.getElementById('boot').textContent);
const api = (path, opts = {}) => fetch('/r/api/' + boot.community_id + path, Object.assign({credentials: 'same-origin',
  headers: {'Content-Type': 'application/json', 'X-CSRF-Token': boot.csrf}}, opts)).then(async (r) => {
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw (body.error || {message: '网络异常，请稍后再试'});
  return body;
});
function load() {
  api('/reviews').then((b) => {
    const list = document.getElementById('list');
    list.innerHTML = '';
    document.getElementById('empty').hidden = b.requests.length > 0;
    b.requests.forEach((r) => {
      const card = document.createElement('div');
      card.className = 'card';
      card.innerHTML = '<b></b><p></p><input placeholder="拒绝原因（拒绝时必填）"><p class="error"></p>' +
        '<div class="row"><button class="secondary">拒绝</button><button>同意</button></div>';
      card.querySelector('b').textContent = r.room + ' ' + r.name + '（' + r.identity_label + '）';
      card.querySelector('p').textContent = '手机 ' + r.phone + (r.lease_end ? '，租期至 ' + r.lease_end : '') + '。' + (r.reason_text || '');
      const [reject, approve] = card.querySelectorAll('button');
      const decide = (decision) => api('/reviews/' + r.id, {method: 'POST', body: JSON.stringify({decision, reason: card.querySelector('input').value})})
        .then(load).catch((e) => { card.querySelector('.error').textContent = e.message; });
      reject.onclick = () => decide('reject');
      approve.onclick = () => decide('approve');
      list.append(card);
    });
  }).catch((e) => { document.getElementById('empty').hidden = false; document.getElementById('empty').textContent = e.message; });
}
load();
</script></body></html>
)html";

inline constexpr std::string_view kPosterPage = R"html(<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>住户认证二维码</title><style>STYLE
@media print{header{-webkit-print-color-adjust:exact;print-color-adjust:exact}}</style></head><body>
<script id="boot" type="application/json">BOOT_JSON</script>
<header><h1 id="title"></h1><p>微信扫一扫，关注公众号并完成住户认证</p></header>
<main><div class="card qr"><img id="qr" alt="住户认证二维码"><p class="hint" id="link"></p>
<p>扫码后点击公众号发来的“住户认证”链接，填写姓名、手机号和房号。与物业登记一致即可立即通过。</p></div></main>
<script>
const boot = JSON.parse(document.getElementById('boot').textContent);
document.getElementById('title').textContent = boot.community_name + ' 住户认证';
document.getElementById('qr').src = boot.qr_image_url;
document.getElementById('link').textContent = boot.entry_url;
</script></body></html>
)html";

inline constexpr std::string_view kMessagePage = R"html(<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>住户认证</title><style>STYLE</style></head><body>
<header><h1>住户认证</h1></header><main><div class="card"><p>MESSAGE</p></div></main></body></html>
)html";

}  // namespace xiaoqu::gateway::web
