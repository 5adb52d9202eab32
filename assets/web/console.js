/* console.js - the commune console's page (tramtin-admin console).
 *
 * Plain JavaScript, no build step, no outside resources; the DOM is built
 * with textContent only.  Vietnamese first, English by #lang-toggle (kept in
 * localStorage).  Every call goes to the console's JSON API on the same
 * origin; the session cookie (set by the token URL printed at start) rides
 * along by itself.
 *
 * Stable element ids (for people and for browser tests; keep them):
 *   #lang-toggle            switches Vietnamese / English
 *   #broker-state           broker connection pill
 *   #no-session             shown when the API answers 403 (no or wrong token)
 *   #flash                  the last success or error message
 *   #tab-content #tab-messages #tab-publish        tabs
 *   #view-content #view-messages #view-publish     their panels
 *   #sample-warning         the draft is still sample content
 *   #list-notice #list-campaign #list-policy       page lists; each row is
 *                           li#item-<page id> with button#edit-<page id>
 *   #new-notice #new-campaign #new-policy          open an empty editor
 *   #editor                 the page editor (form); fields:
 *     #f-id #f-type #f-category #f-title-vi #f-title-en #f-summary-vi
 *     #f-summary-en #f-posting-from #f-posting-to #f-attract-on
 *     #f-attract-day-1 .. #f-attract-day-7 #f-attract-from #f-attract-to
 *     #f-attract-seconds #f-image #f-upload (file input) #f-body-vi #f-body-en
 *     field errors: #err-<API field name>, e.g. #err-posting.to, #err-body.vi
 *     (aria-invalid="true" on the field); #f-error for the whole form
 *   #f-save #f-preview #preview-lang #f-cancel #f-delete   editor actions
 *   #preview #preview-landscape #preview-portrait #preview-note  the preview
 *   #announce-form #a-text-vi #a-text-en #a-from #a-to #a-target #a-send
 *     #a-clear #a-result
 *   #survey-form #s-question-vi #s-question-en #s-answer-N-vi #s-answer-N-en
 *     (N = 1..6) #s-from #s-to #s-target #s-send #s-clear #s-result
 *   #publish-button #publish-state #publish-log #published-version
 *   #kiosk-table #kiosk-rows (rows tr#kiosk-<kiosk id>) #kiosk-empty
 * Links: #edit=<page id> opens that page's editor, #tab=messages|publish a tab.
 * The page sets document.body.dataset.ready = "1" once the first API call
 * has answered (data-ready-ms: milliseconds since navigation start), and
 * data-busy on body while a call is running. */
"use strict";

const T = {
  "app.title": ["Quản lý nội dung trạm tin", "Information kiosk content"],
  "broker.unknown": ["Đang kết nối…", "Connecting…"],
  "broker.ok": ["Đã nối máy chủ tin", "Broker connected"],
  "broker.bad": ["Mất kết nối máy chủ tin", "Broker not connected"],
  "session.missing": ["Phiên làm việc chưa mở. Hãy mở đường dẫn có mã (token) được in ra khi khởi động chương trình.",
    "No session. Open the link with the token that the program printed when it started."],
  "tab.content": ["Trang và thông báo", "Pages and notices"],
  "tab.messages": ["Tin nhắn và khảo sát", "Announcements and surveys"],
  "tab.publish": ["Đăng lên các máy", "Publish to kiosks"],
  "content.sample": ["Nội dung này đang là nội dung mẫu. Hãy sửa hoặc xoá các trang mẫu trước khi đăng.",
    "This is still sample content. Edit or delete the sample pages before publishing."],
  "type.notice.plural": ["Thông báo", "Notices"],
  "type.campaign.plural": ["Chiến dịch, tuyên truyền", "Campaigns"],
  "type.policy.plural": ["Chính sách", "Policies"],
  "new.notice": ["+ Thông báo mới", "+ New notice"],
  "new.campaign": ["+ Bài chiến dịch mới", "+ New campaign item"],
  "new.policy": ["+ Trang chính sách mới", "+ New policy page"],
  "editor.new": ["Trang mới", "New page"],
  "editor.edit": ["Sửa trang", "Edit page"],
  "f.id": ["Mã trang (chữ thường không dấu, số, gạch ngang)", "Page id (lower-case a-z, 0-9, '-')"],
  "f.category": ["Nhóm chính sách", "Policy category"],
  "f.title.vi": ["Tiêu đề (tiếng Việt)", "Title (Vietnamese)"],
  "f.title.en": ["Tiêu đề (tiếng Anh, không bắt buộc)", "Title (English, optional)"],
  "f.summary.vi": ["Tóm tắt một câu (tiếng Việt)", "One-sentence summary (Vietnamese)"],
  "f.summary.en": ["Tóm tắt (tiếng Anh)", "Summary (English)"],
  "f.posting": ["Thời gian niêm yết (cả hai ngày đều tính)", "Posting window (both days included)"],
  "f.from.date": ["Từ ngày", "From"], "f.to.date": ["Đến hết ngày", "To (included)"],
  "f.attract": ["Cho hiện trên màn hình chờ", "Show on the idle (attract) screen"],
  "f.days": ["Các ngày:", "Days:"],
  "day.1": ["Thứ Hai", "Mon"], "day.2": ["Thứ Ba", "Tue"], "day.3": ["Thứ Tư", "Wed"], "day.4": ["Thứ Năm", "Thu"],
  "day.5": ["Thứ Sáu", "Fri"], "day.6": ["Thứ Bảy", "Sat"], "day.7": ["Chủ nhật", "Sun"],
  "f.from.time": ["Từ giờ", "From (time)"], "f.to.time": ["Đến giờ", "To (time)"],
  "f.seconds": ["Số giây mỗi lượt", "Seconds per turn"],
  "f.image": ["Ảnh bìa, áp phích", "Cover image, poster"],
  "f.upload": ["Tải ảnh lên (PNG, JPEG, tối đa 16 MB)", "Upload an image (PNG, JPEG, up to 16 MB)"],
  "f.noimage": ["(không có ảnh)", "(no image)"],
  "f.body.vi": ["Nội dung (tiếng Việt, Markdown)", "Body (Vietnamese, Markdown)"],
  "f.body.en": ["Nội dung (tiếng Anh, không bắt buộc)", "Body (English, optional)"],
  "f.body.hint": ["Dòng đầu: “# Tiêu đề”. Mục nhỏ: “## …”. Danh sách: “- …”. Chữ đậm: **chữ**. Chèn ảnh đã tải lên: ![mô tả](../images/tên-ảnh.jpg). Dòng cuối: **Nguồn:** văn bản căn cứ.",
    "First line: “# Title”. Subheadings: “## …”. Lists: “- …”. Bold: **text**. An uploaded image: ![what it shows](../images/name.jpg). Last line: **Source:** the legal document."],
  "f.save": ["Lưu", "Save"], "f.preview": ["Lưu và xem trước", "Save and preview"],
  "f.close": ["Đóng", "Close"], "f.delete": ["Xoá trang", "Delete page"],
  "preview.title": ["Xem trước, đúng như trên máy", "Preview, exactly as the kiosk shows it"],
  "preview.landscape": ["Màn hình ngang 1920×1080", "Landscape 1920×1080"],
  "preview.portrait": ["Màn hình dọc 1080×1920", "Portrait 1080×1920"],
  "preview.busy": ["Máy đang vẽ trang…", "The kiosk is drawing the page…"],
  "preview.shown_on": ["Thông báo này chưa (hoặc không còn) trong thời gian niêm yết; ảnh cho thấy máy hiện nó ngày ", "This notice is outside its posting window today; shown as on "],
  "a.title": ["Tin nhắn chạy chữ ở trang chủ", "Announcement at the foot of the home screen"],
  "a.hint": ["Hiện ở chân trang chủ của các máy trong thời gian đã chọn. Tối đa 280 ký tự.", "Shown at the foot of the kiosks' home screen in the chosen window. At most 280 characters."],
  "a.text.vi": ["Nội dung (tiếng Việt)", "Text (Vietnamese)"], "a.text.en": ["Nội dung (tiếng Anh, không bắt buộc)", "Text (English, optional)"],
  "m.from": ["Bắt đầu (giờ Việt Nam)", "From (Vietnam time)"], "m.to": ["Kết thúc", "To"],
  "m.target": ["Gửi tới", "Send to"], "m.all": ["Tất cả các máy của xã", "Every kiosk of the commune"],
  "m.send": ["Ký và gửi", "Sign and send"],
  "a.clear": ["Gỡ tin nhắn đang hiện", "Remove the current announcement"],
  "s.title": ["Khảo sát một chạm", "One-touch survey"],
  "s.q.vi": ["Câu hỏi (tiếng Việt)", "Question (Vietnamese)"], "s.q.en": ["Câu hỏi (tiếng Anh)", "Question (English)"],
  "s.answer": ["Câu trả lời", "Answer"],
  "s.clear": ["Gỡ khảo sát đang hiện", "Remove the current survey"],
  "m.sent": ["Đã ký và gửi.", "Signed and sent."], "m.cleared": ["Đã gỡ.", "Removed."],
  "p.title": ["Đăng nội dung lên các máy", "Publish the content to the kiosks"],
  "p.published": ["Phiên bản đang đăng trên máy chủ tin:", "Version on the broker:"],
  "p.hint": ["Nội dung được đóng gói, ký bằng khoá của xã trên máy tính này, rồi gửi tới máy chủ tin. Các máy tự tải về và đổi khi không có người dùng.",
    "The content is built, signed with the commune's key on this computer, and sent to the broker. Kiosks fetch it and switch when nobody is using them."],
  "p.button": ["Đăng bản mới", "Publish a new version"], "p.log": ["Chi tiết", "Details"],
  "p.queued": ["Đang chuẩn bị…", "Starting…"], "p.building": ["Đang đóng gói…", "Building…"],
  "p.signing": ["Đang ký…", "Signing…"], "p.publishing": ["Đang gửi tới máy chủ tin…", "Sending to the broker…"],
  "p.done": ["Đã đăng phiên bản ", "Published version "], "p.failed": ["Không đăng được: ", "Publishing failed: "],
  "p.confirm": ["Đăng bản nháp hiện tại lên tất cả các máy của xã?", "Publish the current draft to every kiosk of the commune?"],
  "k.title": ["Các máy của xã", "The commune's kiosks"], "k.id": ["Máy", "Kiosk"], "k.state": ["Kết nối", "Connection"],
  "k.version": ["Phiên bản đang hiện", "Version shown"], "k.applied": ["Đã nhận bản mới?", "Has the new version?"],
  "k.error": ["Lỗi gần nhất", "Last error"], "k.seen": ["Báo lần cuối", "Last report"],
  "k.none": ["Chưa có máy nào báo trạng thái.", "No kiosk has reported yet."],
  "k.yes": ["Đã nhận", "Yes"], "k.no": ["Chưa", "Not yet"], "k.online": ["Đang chạy", "Online"], "k.lost": ["Mất kết nối", "Lost"],
  "saved": ["Đã lưu.", "Saved."], "deleted": ["Đã xoá.", "Deleted."],
  "confirm.delete": ["Xoá trang này khỏi bản nháp?", "Delete this page from the draft?"],
  "uploading": ["Đang tải ảnh lên…", "Uploading…"],
  "uploaded": ["Đã tải lên: ", "Uploaded: "],
  "state.posted": ["Đang niêm yết", "Posted"], "state.upcoming": ["Sắp niêm yết", "Upcoming"], "state.ended": ["Hết hạn", "Ended"],
  "attract.badge": ["Màn hình chờ", "Attract"],
  "edit": ["Sửa", "Edit"], "error": ["Lỗi: ", "Error: "],
  "check.fields": ["Có ô chưa đúng, xem chữ đỏ bên dưới.", "Some fields need fixing; see the red text below."]
};

let lang = localStorage.getItem("tt-console-lang") === "en" ? "en" : "vi";
const $ = (id) => document.getElementById(id);
const tr = (k) => (T[k] ? T[k][lang === "en" ? 1 : 0] : k);
const pick = (o) => (o ? (lang === "en" && o.en ? o.en : o.vi || o.en || "") : "");
const state = { content: null, session: null, editing: null, kiosks: [], pollPublish: null, watchApplied: null, opening: 0 };

function el(tag, props, ...kids) {
  const e = document.createElement(tag);
  Object.assign(e, props || {});
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

function applyLang() {
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = tr(e.dataset.i18n);
  $("lang-toggle").textContent = lang === "en" ? "Tiếng Việt" : "English";
  $("f-image").setAttribute("aria-label", tr("f.image"));
  if (state.content) renderLists();
  renderKiosks();
}

function flash(text, bad) {
  const f = $("flash");
  f.textContent = text;
  f.className = "banner" + (bad ? " error" : "");
  f.hidden = !text;
}

async function api(method, path, body, type) {
  const opt = { method, headers: {}, credentials: "same-origin" };
  if (body !== undefined) {
    opt.body = type ? body : JSON.stringify(body);
    opt.headers["Content-Type"] = type || "application/json";
  }
  document.body.dataset.busy = "1";
  let r;
  try {
    r = await fetch(path, opt);
  } finally {
    delete document.body.dataset.busy;
  }
  let data = {};
  try { data = await r.json(); } catch (e) { data = {}; }
  if (r.status === 403) { $("no-session").hidden = false; document.body.classList.add("no-session"); }
  if (!r.ok) {
    const err = new Error(lang === "en" ? data.error || r.statusText : data.error_vi || data.error || r.statusText);
    err.field = data.field || ""; err.status = r.status; err.detail = data.error || "";
    throw err;
  }
  return data;
}

/* ---- tabs ---------------------------------------------------------------- */
function showTab(name) {
  flash("", false); /* "Saved." belongs to the tab it was said on */
  for (const t of ["content", "messages", "publish"]) {
    $("tab-" + t).setAttribute("aria-selected", String(t === name));
    $("view-" + t).hidden = t !== name;
  }
  if (name === "publish") refreshKiosks();
}

/* ---- content lists ---------------------------------------------------------- */
async function loadContent() {
  state.content = await api("GET", "/api/content");
  $("sample-warning").hidden = !state.content.sample;
  $("published-version").textContent = state.content.published || "–";
  setBroker(state.content.connected);
  renderLists();
  fillImages();
}

function setBroker(ok) {
  const b = $("broker-state");
  b.dataset.i18n = ok ? "broker.ok" : "broker.bad";
  b.textContent = tr(b.dataset.i18n);
  b.className = "pill " + (ok ? "ok" : "bad");
}

function renderLists() {
  for (const type of ["notice", "campaign", "policy"]) {
    const ul = $("list-" + type);
    ul.replaceChildren();
    const pages = state.content.pages.filter((p) => p.type === type).sort((a, b) => (a.order || 0) - (b.order || 0));
    for (const p of pages) {
      const meta = [];
      if (p.posting) meta.push(p.posting.from + " → " + p.posting.to);
      if (type === "policy") {
        const c = state.content.categories.find((c) => c.id === p.category);
        if (c) meta.push(pick(c.title));
      }
      const badges = el("span", { className: "badges" });
      if (p.state) badges.append(el("span", { className: "state " + p.state, textContent: tr("state." + p.state) }));
      if (p.attract) badges.append(el("span", { className: "state", textContent: tr("attract.badge") }));
      const li = el("li", { id: "item-" + p.id },
        el("span", { className: "t" }, pick(p.title), el("small", {}, meta.join(" · ") || p.id), badges));
      const b = el("button", { id: "edit-" + p.id, type: "button", className: "btn small", textContent: tr("edit") });
      b.addEventListener("click", () => openEditor(p.id));
      li.append(b);
      ul.append(li);
    }
  }
}

/* ---- editor ------------------------------------------------------------------- */
function clearErrors() {
  $("f-error").hidden = true;
  for (const e of document.querySelectorAll("#editor .field-error")) e.textContent = "";
  for (const e of document.querySelectorAll("#editor [aria-invalid]")) e.removeAttribute("aria-invalid");
}

const fieldInput = {
  "id": "f-id", "category": "f-category", "title.vi": "f-title-vi", "title.en": "f-title-en",
  "summary.vi": "f-summary-vi", "summary.en": "f-summary-en", "posting.from": "f-posting-from",
  "posting.to": "f-posting-to", "attract.from": "f-attract-from", "attract.to": "f-attract-to",
  "attract.seconds": "f-attract-seconds", "attract.days": "f-attract-day-1", "image": "f-image",
  "body.vi": "f-body-vi", "body.en": "f-body-en", "file": "f-upload"
};

function showError(err, prefix) {
  const p = prefix || "";
  const box = $("err-" + p + err.field);
  if (err.field && box) {
    box.textContent = err.message;
    const input = $(p ? p + err.field.replace(".", "-") : fieldInput[err.field]);
    if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
    return true;
  }
  return false;
}

function fillImages(selected) {
  const s = $("f-image");
  const cur = selected !== undefined ? selected : s.value;
  s.replaceChildren(el("option", { value: "", textContent: tr("f.noimage") }));
  for (const path of state.content.images || []) s.append(el("option", { value: path, textContent: path.replace(/^images\//, "") }));
  s.value = cur || "";
  showThumb();
}

function showThumb() {
  const v = $("f-image").value, img = $("f-image-thumb");
  img.hidden = !v;
  if (v) { img.src = "/draft/" + v; img.alt = v; }
}

function setAttractEnabled() {
  const on = $("f-attract-on").checked;
  for (const e of document.querySelectorAll("#attract-fields input")) e.disabled = !on;
}

function fillCategories(cur) {
  const s = $("f-category");
  s.replaceChildren();
  for (const c of state.content.categories) s.append(el("option", { value: c.id, textContent: pick(c.title) }));
  if (cur) s.value = cur;
}

function showTypeRows(type) {
  $("row-category").hidden = type !== "policy";
  $("row-posting").hidden = type === "policy";
  $("row-attract").hidden = type === "policy";
  $("f-delete").hidden = !state.editing;
}

/* The editor's fields take no typing while a page loads into them: what the
 * clerk typed would be overwritten when it arrives. */
function lockEditor(on) {
  for (const e of $("editor").elements) e.disabled = on;
  if (!on) setAttractEnabled();
}

async function openEditor(id, type) {
  clearErrors();
  $("preview").hidden = true;
  const f = $("editor");
  const mine = ++state.opening; /* a later click wins over a slower earlier load */
  let p = { type: type || "notice", title: {}, summary: {}, body: {} };
  if (id) {
    lockEditor(true);
    try {
      p = await api("GET", "/api/page?id=" + encodeURIComponent(id));
    } catch (err) {
      if (mine === state.opening) { lockEditor(false); flash(tr("error") + err.message, true); }
      return;
    }
    if (mine !== state.opening) return;
  }
  lockEditor(false); /* also when a new page takes over from a load still under way */
  state.editing = id || null;
  $("editor-title").dataset.i18n = id ? "editor.edit" : "editor.new";
  $("editor-title").textContent = tr($("editor-title").dataset.i18n);
  $("f-type").value = p.type;
  $("f-id").value = p.id || "";
  $("f-id").readOnly = !!id;
  fillCategories(p.category);
  $("f-title-vi").value = (p.title || {}).vi || "";
  $("f-title-en").value = (p.title || {}).en || "";
  $("f-summary-vi").value = (p.summary || {}).vi || "";
  $("f-summary-en").value = (p.summary || {}).en || "";
  $("f-body-vi").value = (p.body || {}).vi || (id ? "" : "# \n\n");
  $("f-body-en").value = (p.body || {}).en || "";
  $("f-posting-from").value = (p.posting || {}).from || "";
  $("f-posting-to").value = (p.posting || {}).to || "";
  const a = p.attract;
  $("f-attract-on").checked = !!a;
  for (let d = 1; d <= 7; d++) $("f-attract-day-" + d).checked = !a || !a.days || a.days.includes(d);
  $("f-attract-from").value = (a && a.from) || "";
  $("f-attract-to").value = (a && a.to) || "";
  $("f-attract-seconds").value = (a && a.seconds) || 10;
  setAttractEnabled();
  fillImages(p.image || "");
  showTypeRows(p.type);
  f.hidden = false;
  f.scrollIntoView({ behavior: "smooth", block: "start" });
  $("f-title-vi").focus(); /* new or edited, the title comes first */
}

/* a page id from a Vietnamese title: "Họp thôn tháng 12" -> "hop-thon-thang-12" */
function slug(s) {
  return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60);
}

function formPage() {
  const type = $("f-type").value;
  const page = {
    id: $("f-id").value.trim(), type,
    title: { vi: $("f-title-vi").value, en: $("f-title-en").value },
    summary: { vi: $("f-summary-vi").value, en: $("f-summary-en").value },
    body: { vi: $("f-body-vi").value, en: $("f-body-en").value },
    image: $("f-image").value
  };
  if (type === "policy") page.category = $("f-category").value;
  else {
    if ($("f-posting-from").value || $("f-posting-to").value || type === "notice")
      page.posting = { from: $("f-posting-from").value, to: $("f-posting-to").value };
    if ($("f-attract-on").checked) {
      const days = [];
      for (let d = 1; d <= 7; d++) if ($("f-attract-day-" + d).checked) days.push(d);
      page.attract = { days, seconds: Number($("f-attract-seconds").value) };
      if ($("f-attract-from").value) page.attract.from = $("f-attract-from").value;
      if ($("f-attract-to").value) page.attract.to = $("f-attract-to").value;
    }
  }
  return page;
}

async function save() {
  clearErrors();
  const page = formPage();
  if (!page.id && page.title.vi) { page.id = slug(page.title.vi); $("f-id").value = page.id; }
  try {
    await api("POST", "/api/page" + (state.editing ? "" : "?new=1"), page);
  } catch (err) {
    if (!showError(err)) { $("f-error").textContent = tr("error") + err.message; $("f-error").hidden = false; }
    else { $("f-error").textContent = tr("check.fields"); $("f-error").hidden = false; }
    flash("", false);
    return false;
  }
  state.editing = page.id;
  $("f-id").readOnly = true;
  showTypeRows(page.type);
  flash(tr("saved"));
  await loadContent();
  return true;
}

async function preview() {
  if (!(await save())) return;
  const btn = $("f-preview");
  btn.disabled = true;
  $("preview").hidden = false;
  $("preview-note").textContent = tr("preview.busy");
  try {
    const r = await api("POST", "/api/preview?id=" + encodeURIComponent(state.editing) + "&lang=" + $("preview-lang").value);
    $("preview-landscape").src = r.landscape.url;
    $("preview-portrait").src = r.portrait.url;
    $("preview-note").textContent = r.shown_on ? tr("preview.shown_on") + r.shown_on : "";
  } catch (err) {
    $("preview-note").textContent = tr("error") + err.message;
  } finally {
    btn.disabled = false;
  }
}

async function remove() {
  if (!state.editing || !confirm(tr("confirm.delete"))) return;
  try {
    await api("POST", "/api/page/delete?id=" + encodeURIComponent(state.editing));
    $("editor").hidden = true;
    state.editing = null;
    flash(tr("deleted"));
    await loadContent();
  } catch (err) { flash(tr("error") + err.message, true); }
}

async function upload() {
  const file = $("f-upload").files[0];
  if (!file) return;
  $("err-file").textContent = "";
  if (file.size > 16 * 1024 * 1024) { $("err-file").textContent = tr("f.upload"); return; }
  $("upload-state").textContent = tr("uploading");
  try {
    const r = await api("POST", "/api/image?name=" + encodeURIComponent(file.name), file, file.type || "application/octet-stream");
    $("upload-state").textContent = tr("uploaded") + r.path + " (" + r.width + "×" + r.height + ")";
    await loadContent();
    fillImages(r.path);
  } catch (err) {
    $("upload-state").textContent = "";
    $("err-file").textContent = err.message;
  }
  $("f-upload").value = "";
}

/* ---- announcements and surveys ------------------------------------------------ */
function buildAnswers() {
  const box = $("s-answers");
  for (let i = 1; i <= 6; i++) {
    box.append(el("div", { className: "answer" },
      el("div", { className: "row" }, el("label", { htmlFor: "s-answer-" + i + "-vi", textContent: tr("s.answer") + " " + i + " (VI)" }),
        el("input", { id: "s-answer-" + i + "-vi", type: "text", maxLength: 280 })),
      el("div", { className: "row" }, el("label", { htmlFor: "s-answer-" + i + "-en", textContent: tr("s.answer") + " " + i + " (EN)" }),
        el("input", { id: "s-answer-" + i + "-en", type: "text", maxLength: 280 }))));
  }
  $("s-answer-1-vi").value = "Có"; $("s-answer-1-en").value = "Yes";
  $("s-answer-2-vi").value = "Không"; $("s-answer-2-en").value = "No";
}

function fillTargets() {
  for (const id of ["a-target", "s-target"]) {
    const s = $(id), cur = s.value;
    s.replaceChildren(el("option", { value: "", textContent: tr("m.all") }));
    for (const k of state.kiosks) s.append(el("option", { value: k.id, textContent: k.id }));
    s.value = cur;
  }
}

async function sendMessage(kind, clear) {
  const p = kind === "announce" ? "a-" : "s-", res = $(p + "result");
  for (const e of document.querySelectorAll("#" + kind + "-form .field-error")) e.textContent = "";
  for (const e of document.querySelectorAll("#" + kind + "-form [aria-invalid]")) e.removeAttribute("aria-invalid");
  let body = { target: $(p + "target").value };
  if (clear) body.clear = true;
  else if (kind === "announce") {
    body.text = { vi: $("a-text-vi").value, en: $("a-text-en").value };
    body.from = $("a-from").value; body.to = $("a-to").value;
  } else {
    body.question = { vi: $("s-question-vi").value, en: $("s-question-en").value };
    body.answers = [];
    for (let i = 1; i <= 6; i++) {
      const vi = $("s-answer-" + i + "-vi").value.trim(), en = $("s-answer-" + i + "-en").value.trim();
      if (vi || en) body.answers.push({ vi, en });
    }
    body.from = $("s-from").value; body.to = $("s-to").value;
  }
  res.className = "result";
  try {
    await api("POST", "/api/" + kind, body);
    res.textContent = tr(clear ? "m.cleared" : "m.sent");
    res.className = "result good";
  } catch (err) {
    if (!showError(err, p)) { res.textContent = tr("error") + err.message; res.className = "result bad"; }
    else res.textContent = "";
  }
}

/* ---- publish and kiosks ---------------------------------------------------------- */
async function publish() {
  if (!confirm(tr("p.confirm"))) return;
  $("publish-button").disabled = true;
  /* the last run's result must not look like this one's */
  $("publish-state").textContent = tr("p.queued"); $("publish-state").className = "result";
  $("publish-log").textContent = "";
  try {
    await api("POST", "/api/publish");
    pollPublish();
  } catch (err) {
    $("publish-state").textContent = tr("p.failed") + err.message;
    $("publish-button").disabled = false;
  }
}

async function pollPublish() {
  clearTimeout(state.pollPublish);
  let j;
  try { j = await api("GET", "/api/publish"); } catch (err) { return; }
  const st = $("publish-state");
  $("publish-log").textContent = (j.log || []).join("\n");
  st.className = "result";
  if (j.state === "done") {
    st.textContent = tr("p.done") + j.version; st.className = "result good";
    $("publish-button").disabled = false;
    loadContent();
    watchApplied(j.version);
    return;
  } else if (j.state === "failed") {
    st.textContent = tr("p.failed") + j.error; st.className = "result bad";
    $("publish-button").disabled = false;
  } else if (j.state !== "idle") {
    st.textContent = tr("p." + j.state);
    state.pollPublish = setTimeout(pollPublish, 400);
    return;
  }
  refreshKiosks();
}

/* after a publish: the kiosks' answers as they come (every 0.5 s while an
 * online kiosk has not applied it, for a minute), not at the next 3 s tick */
function watchApplied(version) {
  clearTimeout(state.watchApplied);
  const until = Date.now() + 60000;
  const tick = async () => {
    await refreshKiosks();
    if (state.kiosks.some((k) => k.state === "online" && (!k.applied || !(k.content >= version))) && Date.now() < until)
      state.watchApplied = setTimeout(tick, 500);
  };
  tick();
}

async function refreshKiosks() {
  try {
    const k = await api("GET", "/api/kiosks");
    state.kiosks = k.kiosks || [];
    state.target = k.target;
    setBroker(k.connected);
    $("published-version").textContent = k.published || "–";
    renderKiosks();
    fillTargets();
  } catch (err) { /* shown by the next call */ }
}

function renderKiosks() {
  const body = $("kiosk-rows");
  if (!body) return;
  body.replaceChildren();
  for (const k of state.kiosks) {
    const applied = el("td", { className: k.applied ? "yes" : "no", textContent: tr(k.applied ? "k.yes" : "k.no") });
    body.append(el("tr", { id: "kiosk-" + k.id },
      el("td", { textContent: k.id }),
      el("td", { textContent: k.state === "online" ? tr("k.online") : k.state === "lost" ? tr("k.lost") : k.state }),
      el("td", { textContent: k.content == null ? "–" : String(k.content) }),
      applied,
      el("td", { textContent: k.content_error || k.error || "" }),
      el("td", { textContent: k.seen ? new Date(k.seen).toLocaleString(lang === "en" ? "en-GB" : "vi-VN") : "" })));
  }
  $("kiosk-empty").hidden = state.kiosks.length > 0;
}

/* ---- start -------------------------------------------------------------------------- */
function wire() {
  $("lang-toggle").addEventListener("click", () => {
    lang = lang === "en" ? "vi" : "en";
    localStorage.setItem("tt-console-lang", lang);
    applyLang();
  });
  for (const t of ["content", "messages", "publish"]) $("tab-" + t).addEventListener("click", () => showTab(t));
  for (const t of ["notice", "campaign", "policy"]) $("new-" + t).addEventListener("click", () => openEditor(null, t));
  $("editor").addEventListener("submit", (e) => { e.preventDefault(); save(); });
  $("f-preview").addEventListener("click", preview);
  $("f-cancel").addEventListener("click", () => { $("editor").hidden = true; state.editing = null; });
  $("f-delete").addEventListener("click", remove);
  $("f-upload").addEventListener("change", upload);
  $("f-image").addEventListener("change", showThumb);
  $("f-attract-on").addEventListener("change", setAttractEnabled);
  $("f-title-vi").addEventListener("input", () => { if (!state.editing) $("f-id").value = slug($("f-title-vi").value); });
  $("announce-form").addEventListener("submit", (e) => { e.preventDefault(); sendMessage("announce", false); });
  $("a-clear").addEventListener("click", () => sendMessage("announce", true));
  $("survey-form").addEventListener("submit", (e) => { e.preventDefault(); sendMessage("survey", false); });
  $("s-clear").addEventListener("click", () => sendMessage("survey", true));
  $("publish-button").addEventListener("click", publish);
}

async function start() {
  wire();
  buildAnswers();
  applyLang();
  try {
    /* both at once: the page is usable when both have answered */
    const [session] = await Promise.all([api("GET", "/api/session"), loadContent()]);
    state.session = session;
    $("channel-name").textContent = "– " + state.session.channel;
    pollPublish();
    /* #edit=<page id> or #tab=<name>: a link straight to a page or tab */
    const h = decodeURIComponent(location.hash.slice(1));
    if (h.startsWith("edit=")) await openEditor(h.slice(5));
    else if (h.startsWith("tab=") && $("tab-" + h.slice(4))) showTab(h.slice(4));
  } catch (err) {
    if (err.status !== 403) flash(tr("error") + err.message, true);
  }
  document.body.dataset.ready = "1";
  /* navigation start -> usable, for tests/bench/console.sh */
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  setInterval(() => { if (!$("view-publish").hidden) refreshKiosks(); }, 3000);
}

start();
