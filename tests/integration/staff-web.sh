#!/usr/bin/env bash
# The province's staff pages with curl against a real collector on a real
# mosquitto, fed by a real kiosk (an anonymous complaint through its UI,
# sealed and signed) and the kiosk service (a feedback with a name):
# accounts from the CLI (password on stdin), a wrong password, lockout,
# cookies' flags, CSRF refused, the inbox and its filters, an anonymous
# submission showing nothing it did not hold, assign / status / answer
# with the lifecycle's refusals, the answer on POST /api/track and on the
# no-JavaScript form for the receipt's code, the audit rows (page, CLI,
# table), fleet, reports, the language switch, logout.
# usage: staff-web.sh TRAMTIN COLLECTOR LOADGEN STANDIN SRCDIR OUTDIR
TRAMTIN=$(realpath "$1") COLLECTOR=$(realpath "$2") LOADGEN=$(realpath "$3") STANDIN=$(realpath "$4") src=$5 dir=$6/staff-web
source "$src/tests/integration/lib.sh"
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir" || exit 2
export RETRY_S=1
passed=0
ok() { passed=$((passed+1)); echo "staff-web: $*"; }
port=$(free_port); http=$(free_port)
start_broker "$dir" "$port"
"$STANDIN" keygen "$dir/collector" || die "keygen"
kiosk_config "$dir" "$port" k1
sed -i "s|^followup_url = .*|followup_url = http://127.0.0.1:$http/t|" k1.ini
collector_config "$port" "$http" $'[staff]\nidle_min = 30'
stop_collector() { if [ -n "${COLLECTOR_PID:-}" ]; then kill "$COLLECTOR_PID" 2>/dev/null; wait "$COLLECTOR_PID" 2>/dev/null; fi; COLLECTOR_PID=; }
trap 'stop_collector; cleanup' EXIT
q() { sqlite3 collector.db "$1"; }

# accounts first (the CLI makes the schema), then the collector
printf '%s\n' 'đúng-mật-khẩu-1' | "$COLLECTOR" staff add --db collector.db alice 2> add.err || die "staff add: $(cat add.err)"
printf '%s\n' 'mật-khẩu-của-bob' | "$COLLECTOR" staff add --db collector.db bob 2>> add.err || die "staff add bob"
printf '%s\n' 'đúng-mật-khẩu-1' | "$COLLECTOR" staff add --db collector.db alice 2> dup.err && die "a second alice was added"
grep -q "exists already" dup.err || die "no clear line for a duplicate: $(cat dup.err)"
"$COLLECTOR" staff add --db collector.db carol < /dev/null 2> nopw.err; [ $? = 2 ] || die "no password: not exit 2"
q "SELECT hash FROM staff WHERE user = 'alice'" | grep -q '^\$argon2id\$' || die "not an Argon2id hash"
q "SELECT hash FROM staff" | grep -q 'mật-khẩu' && die "a password stored in clear"
"$COLLECTOR" staff list --db collector.db | grep -q "^alice .*active" || die "staff list: $("$COLLECTOR" staff list --db collector.db)"
ok "staff add (password on stdin, Argon2id), duplicate refused, list"

start_collector
U=http://127.0.0.1:$http

# a real anonymous complaint from the kiosk's UI, with its receipt's code,
# and a feedback with a name from the kiosk service
"$TRAMTIN" --headless --config k1.ini --script "$src/tests/integration/receipt.script" 2> kiosk.err || die "kiosk: $(cat kiosk.err)"
code=$(grep -A3 '"id":[[:space:]]*"receipt.code"' receipt.json | sed -n 's/.*"label":[[:space:]]*"\([0-9A-Z-]*\)".*/\1/p')
[ ${#code} = 19 ] || die "no code on the receipt"
"$LOADGEN" k1.ini submit 1 > fb.id 2> lg.err || die "loadgen: $(cat lg.err)"
for _ in $(seq 100); do [ "$(q 'SELECT count(*) FROM submissions')" = 2 ] && break; sleep 0.1; done
anon=$(q "SELECT id FROM submissions WHERE kind = 'complaint'")
fb=$(cat fb.id)
[ -n "$anon" ] && [ "$(q "SELECT count(*) FROM submissions WHERE id = '$fb'")" = 1 ] || die "submissions not stored"
ok "a kiosk's anonymous complaint (code $code) and a feedback stored"

# req METHOD PATH [curl args]: $status, body in body.html, headers in headers
req() {
  local m=$1 p=$2; shift 2
  status=$(curl -s -o body.html -D headers -w '%{http_code}' -X "$m" "$@" "$U$p")
}
has() { grep -q -- "$1" body.html; }
lacks() { ! grep -q -- "$1" body.html; }
csrf() { grep -o 'name="csrf" value="[0-9a-f]*"' body.html | head -1 | sed 's/.*value="//; s/"$//'; }

req GET /staff/inbox
[ "$status" = 303 ] && grep -qi '^Location: /staff/login' headers || die "inbox without a session: $status"
req GET /staff/login
[ "$status" = 200 ] && has 'id="login-form"' && has 'id="user"' && has 'id="password"' || die "login page: $status"
grep -qi "^Content-Security-Policy: default-src 'none'" headers || die "no CSP on the staff pages"
req POST /staff/login --data-urlencode user=alice --data-urlencode 'password=sai-mật-khẩu'
[ "$status" = 401 ] && has 'id="login-error"' && ! grep -qi '^Set-Cookie: tt_staff' headers || die "bad password: $status"
req POST /staff/login -H 'Origin: http://evil.example' --data-urlencode user=alice --data-urlencode 'password=đúng-mật-khẩu-1'
[ "$status" = 403 ] && ! grep -qi '^Set-Cookie: tt_staff' headers || die "a login from another site's page: $status"
req POST /staff/login -H 'Origin: null' --data-urlencode user=alice --data-urlencode 'password=đúng-mật-khẩu-1'
[ "$status" = 403 ] || die "a login with Origin: null: $status"
req POST /staff/login -H "Origin: http://127.0.0.1:$http" --data-urlencode user=nobody --data-urlencode 'password=sai-mật-khẩu'
[ "$status" = 401 ] || die "a login with this server's Origin: $status"
ok "a wrong password: 401, no cookie; a POST with another site's Origin: 403"

req POST /staff/login -c alice.jar --data-urlencode user=alice --data-urlencode 'password=đúng-mật-khẩu-1'
[ "$status" = 303 ] || die "login: $status $(cat body.html)"
cookie=$(grep -i '^Set-Cookie: tt_staff=' headers)
echo "$cookie" | grep -q 'HttpOnly' && echo "$cookie" | grep -q 'SameSite=Strict' && echo "$cookie" | grep -q 'Path=/staff' ||
  die "cookie flags: $cookie"
echo "$cookie" | grep -q 'Secure' && die "Secure without TLS: $cookie"
sid=$(echo "$cookie" | sed 's/.*tt_staff=\([0-9a-f]*\).*/\1/')
q "SELECT count(*) FROM staff_sessions WHERE id_hash = '$sid'" | grep -q '^0$' || die "the session id stored in clear"
ok "login: session cookie HttpOnly, SameSite=Strict, Path=/staff (no Secure without TLS), stored hashed"

# lockout: five wrong passwords for bob lock bob (and this address)
for i in 1 2 3 4 5; do
  req POST /staff/login --data-urlencode user=bob --data-urlencode "password=wrong-$i-password"
  [ "$status" = 401 ] || die "failure $i: $status"
done
req POST /staff/login --data-urlencode user=bob --data-urlencode 'password=mật-khẩu-của-bob'
[ "$status" = 429 ] && has 'id="login-error"' && has 'id="retry"' || die "bob not locked: $status"
ok "lockout: 5 failures, then 429 even with the right password"

A=(-b alice.jar)
req GET /staff/inbox "${A[@]}"
[ "$status" = 200 ] && has "id=\"row-$anon\"" && has "id=\"row-$fb\"" && has 'id="filters"' && has 'id="whoami">alice' ||
  die "inbox: $status"
req GET "/staff/inbox?kind=complaint" "${A[@]}"
has "id=\"row-$anon\"" && lacks "id=\"row-$fb\"" || die "kind filter"
req GET "/staff/inbox?status=responded" "${A[@]}"
lacks "id=\"row-" && has 'id="empty"' || die "status filter"
req GET "/staff/inbox?commune=test&overdue=1" "${A[@]}"
[ "$status" = 200 ] && lacks "id=\"row-" || die "overdue filter"
req GET "/staff/inbox?after=$anon" "${A[@]}"
[ "$status" = 200 ] || die "paging after an id: $status"
ok "inbox: both rows, kind / status / overdue filters, paging"

# the anonymous complaint shows what it held and nothing else
req GET "/staff/s/$anon" "${A[@]}"
[ "$status" = 200 ] && has 'id="sub-text">Danh sách h' && has 'id="sub-anonymous"' || die "anonymous page: $status"
for f in sub-contact-name sub-contact-phone sub-kiosk sub-rating; do lacks "id=\"$f\"" || die "anonymous shows $f"; done
grep -o 'id="sub-received">[^<]*' body.html | grep -q ':' && die "anonymous shows a time of day"
req GET "/staff/s/$fb" "${A[@]}"
has 'id="sub-contact-name">Nguyễn Văn A' && has 'id="sub-kiosk">k1' || die "feedback page lacks its contact"
ok "anonymous submission: text, no contact, kiosk, rating or time of day; a named one shows its name"

# CSRF: none or another's token -> 403, nothing changed
req GET "/staff/s/$anon" "${A[@]}"; tok=$(csrf)
[ ${#tok} = 64 ] || die "no CSRF token in the forms"
req POST "/staff/s/$anon/answer" "${A[@]}" --data-urlencode 'answer=không có mã'
[ "$status" = 403 ] && has 'id="forbidden"' || die "no CSRF: $status"
last=${tok: -1}; [ "$last" = 0 ] && other=${tok%?}1 || other=${tok%?}0 # one character changed
req POST "/staff/s/$anon/answer" "${A[@]}" --data-urlencode "csrf=$other" --data-urlencode 'answer=mã sai'
[ "$status" = 403 ] || die "wrong CSRF: $status"
req POST "/staff/s/$anon/answer" --data-urlencode "csrf=$tok" --data-urlencode 'answer=không có phiên'
[ "$status" = 403 ] || die "no session: $status"
[ -z "$(q "SELECT answer FROM submissions WHERE id = '$anon'")" ] || die "an answer stored without CSRF"
ok "POST without or with a wrong CSRF token, or without a session: 403, nothing stored"

# the lifecycle as the CLI enforces it: received -> closed is refused
req POST "/staff/s/$anon/status" "${A[@]}" --data-urlencode "csrf=$tok" --data-urlencode status=assigned
[ "$status" = 409 ] && has 'id="error"' || die "received -> assigned allowed: $status"
req POST "/staff/s/$anon/status" "${A[@]}" --data-urlencode "csrf=$tok" --data-urlencode status=accepted \
  --data-urlencode 'reason=Thuộc thẩm quyền của xã'
[ "$status" = 303 ] || die "accept: $status"
req GET "/staff/s/$anon?msg=saved" "${A[@]}"
has 'id="flash"' && has 'id="assign-form"' || die "no assign form after accepting"
req POST "/staff/s/$anon/assign" "${A[@]}" --data-urlencode "csrf=$tok" --data-urlencode 'agency=UBND xã Cẩm Xuyên'
[ "$status" = 303 ] && [ "$(q "SELECT status, agency FROM submissions WHERE id = '$anon'")" = "assigned|UBND xã Cẩm Xuyên" ] ||
  die "assign: $status $(q "SELECT status, agency FROM submissions WHERE id = '$anon'")"
ok "status: a move the lifecycle forbids is 409; accept, assign to an agency"

ANSWER='Xã đã rà soát lại danh sách <b>và</b> bổ sung tên.'
req POST "/staff/s/$anon/answer" "${A[@]}" --data-urlencode "csrf=$tok" --data-urlencode "answer=$ANSWER"
[ "$status" = 303 ] || die "answer: $status"
req GET "/staff/s/$anon" "${A[@]}"
has 'id="sub-answer">Xã đã rà soát lại danh sách &lt;b&gt;và&lt;/b&gt; bổ sung tên.' || die "the answer is not shown escaped"
track=$(curl -s -X POST -H 'Content-Type: application/json' --data "{\"code\":\"$code\"}" "$U/api/track")
echo "$track" | grep -q '"status":"responded"' && echo "$track" | grep -q 'rà soát lại danh sách' ||
  die "the answer is not on POST /api/track: $track"
curl -s "$U/t" --data-urlencode "code=$code" | grep -q 'rà soát lại danh sách' || die "the answer is not on the form page"
ok "answer: stored, shown escaped, on POST /api/track and the no-JavaScript page for the receipt's code"
head -c 70000 /dev/zero | tr '\0' 'a' > big.txt
req POST "/staff/s/$anon/answer" "${A[@]}" --data-urlencode "csrf=$tok" --data-urlencode "answer@big.txt"
[ "$status" = 413 ] || die "a 70 kB form: $status"
printf 'csrf=%s&answer=%%ff%%fe' "$tok" > bad.form
req POST "/staff/s/$anon/answer" "${A[@]}" --data-binary @bad.form
[ "$status" = 400 ] && has 'id="error"' || die "an answer that is not UTF-8: $status"
q "SELECT answer FROM submissions WHERE id = '$anon'" | grep -q 'rà soát lại danh sách' || die "the answer changed"
ok "a form over 64 kB: 413; an answer that is not UTF-8: 400; the answer unchanged"

q "SELECT actor || ' ' || action FROM audit WHERE id = '$anon' ORDER BY seq" > audit.rows
grep -q "^staff:alice answer" audit.rows && grep -q "^staff:alice status" audit.rows || die "audit rows: $(cat audit.rows)"
"$COLLECTOR" audit --db collector.db > audit.out || die "audit CLI"
grep -q "staff:alice.*$anon.*answer" audit.out && grep -q "alice.*login" audit.out && grep -q "bob.*login_lock" audit.out ||
  die "audit CLI: $(cat audit.out)"
req GET /staff/audit "${A[@]}"
[ "$status" = 200 ] && has 'id="audit"' && has "staff:alice" || die "audit page"
ok "audit: every change as staff:alice (table, CLI, page); logins and the lock"

req GET /staff/fleet "${A[@]}"
[ "$status" = 200 ] && has 'id="kiosk-k1"' || die "fleet: $status"
req GET "/staff/reports?from=2026-01-01&to=2026-12-31" "${A[@]}"
[ "$status" = 200 ] && has 'id="report"' && has '<svg class="chart"' && has 'id="r-half"' && has 'id="r-year"' || die "reports: $status"
req GET "/staff/reports?from=01/01/2026" "${A[@]}"
[ "$status" = 400 ] || die "a bad date: $status"
ok "fleet lists k1; reports with charts; a bad date is 400"

req GET "/staff/lang?to=en" "${A[@]}" -c alice.jar
[ "$status" = 303 ] || die "lang: $status"
req GET /staff/inbox "${A[@]}"
has 'lang="en"' && has '>Inbox<' || die "no English after the switch"
ok "language switch to English"

req POST /staff/logout "${A[@]}" --data-urlencode "csrf=$tok"
[ "$status" = 303 ] || die "logout: $status"
req GET /staff/inbox --cookie "tt_staff=$sid"
[ "$status" = 303 ] || die "the session lives on after logout: $status"
ok "logout ends the session"

"$COLLECTOR" staff disable --db collector.db alice 2>/dev/null || die "disable"
req POST /staff/login --interface 127.0.0.1 --data-urlencode user=alice --data-urlencode 'password=đúng-mật-khẩu-1'
[ "$status" = 401 ] || [ "$status" = 429 ] || die "a disabled account logs in: $status"
ok "a disabled account cannot log in"

grep -q "$code" collector.err && die "the collector logged a tracking code"

# HTTPS: [http] tls_cert / tls_key (scripts/mkcerts), and the cookie is Secure
if command -v openssl > /dev/null; then
  "$src/scripts/mkcerts" tls 127.0.0.1 > /dev/null 2>&1 || die "mkcerts"
  stop_collector
  printf 'tls_cert = tls/server.crt\ntls_key = tls/server.key\n' > tls.ini
  sed -i '/^\[http\]$/r tls.ini' collector.ini
  start_collector
  "$COLLECTOR" staff enable --db collector.db alice 2>/dev/null || die "enable"
  U=https://127.0.0.1:$http
  # 127.0.0.1 is still locked from the lockout check: another loopback address
  req POST /staff/login --cacert tls/ca.crt --interface 127.0.0.2 --data-urlencode user=alice \
    --data-urlencode 'password=đúng-mật-khẩu-1'
  [ "$status" = 303 ] || die "login over HTTPS: $status $(tail -3 collector.err)"
  grep -i '^Set-Cookie: tt_staff=' headers | grep -q '; Secure' || die "no Secure cookie over HTTPS: $(grep -i set-cookie headers)"
  curl -s --cacert tls/ca.crt -X POST -H 'Content-Type: application/json' --data "{\"code\":\"$code\"}" "$U/api/track" |
    grep -q '"found":true' || die "the follow-up API over HTTPS"
  curl -s -o /dev/null "http://127.0.0.1:$http/healthz" && die "plain HTTP answered on the HTTPS port"
  ok "HTTPS with [http] tls_cert/tls_key: Secure session cookie, the follow-up API too"
fi
kill "$COLLECTOR_PID"; wait "$COLLECTOR_PID"; rc=$?; COLLECTOR_PID=
[ "$rc" = 0 ] || die "the collector stopped with status $rc (a leak or error under the sanitizers?): $(tail -3 collector.err)"
ok "the collector stops with status 0"
echo "staff-web: $passed checks passed"
