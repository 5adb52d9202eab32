#!/usr/bin/env bash
# The follow-up web server against a real store: the page, the JSON
# lookup in every spelling a person or a QR reader produces, the neutral
# answer for wrong and malformed codes, the form for phones without
# JavaScript, HTTP hygiene (methods, sizes, security headers), the rate
# limit, /healthz, and a log that never holds a code or its hash.
# Needs curl only.
# usage: http.sh HTTP_FILL HTTP_SERVE OUTDIR
set -u
FILL=$(realpath "$1") SERVE=$(realpath "$2") dir=$3/http
export LC_ALL=C.UTF-8
export TRAMTIN_NOW=${TRAMTIN_NOW:-2026-11-27T09:00:00+07:00}
CODE=7KQ2-M9XD-4TRB-HV3N
OTHER=0AB1-2CD3-4EF5-6GH0
ANSWER="Xã đã kiểm tra và bổ sung tên vào danh sách."
passed=0 failed=0 SERVE_PID=

die() { echo "http: $*" >&2; exit 1; }
ok() { passed=$((passed + 1)); }
bad() { echo "http: FAIL: $*" >&2; failed=$((failed + 1)); }
check() { # description command...
  local what=$1; shift
  if "$@"; then ok; else bad "$what"; fi
}

free_port() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo $p; return; fi
  done
  die "no free port"
}

# serve BIND PORT RATE NAME: starts the server, waits for "http: ready"
serve() {
  "$SERVE" "$1" "$2" /t "$dir/store.db" "$3" > "$dir/$4.out" 2> "$dir/$4.err" &
  SERVE_PID=$!
  for _ in $(seq 100); do
    grep -q "^http: ready$" "$dir/$4.out" 2>/dev/null && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.05
  done
  SERVE_PID=
  return 1
}
# stop: SIGTERM, and the server must exit 0
stop() {
  local rc
  kill -TERM "$SERVE_PID"; wait "$SERVE_PID"; rc=$?; SERVE_PID=
  return $rc
}
cleanup() { [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null; true; }
trap cleanup EXIT

# req METHOD PATH [curl args...]: status in $status, body in $dir/body,
# headers in $dir/headers; every body is also kept in $dir/bodies.
req() {
  local m=(-X "$1") p=$2; shift 2
  [ "${m[1]}" = HEAD ] && m=(--head) # -X HEAD would wait for a body
  status=$(curl -s --max-time 10 "${m[@]}" -D "$dir/headers" -o "$dir/body" -w '%{http_code}' "$@" "$B$p")
  cat "$dir/body" >> "$dir/bodies"; echo >> "$dir/bodies"
}
track() { # JSON-string-escaped code
  req POST /api/track -H 'Content-Type: application/json' --data-binary "{\"code\":\"$1\"}"
}
body() { cat "$dir/body"; }
body_is() { [ "$(body)" = "$1" ]; }
body_has() { grep -qF -- "$1" "$dir/body"; }
body_lacks() { ! grep -qF -- "$1" "$dir/body"; }
header_has() { grep -qi -- "$1" "$dir/headers"; }
status_is() { [ "$status" = "$1" ]; }

# Every security header, on whatever answer is in $dir/headers.
secure_headers() {
  header_has "^Content-Security-Policy: default-src 'none'" && header_has "^Content-Security-Policy: .*script-src" &&
    header_has "^Cache-Control: no-store" && header_has "^Referrer-Policy: no-referrer" &&
    header_has "^X-Content-Type-Options: nosniff"
}

rm -rf "$dir"; mkdir -p "$dir" || exit 2
"$FILL" "$dir/store.db" > "$dir/fill.out" || die "http_fill failed"
check "http_fill prints nothing" test ! -s "$dir/fill.out"
HASH=$("$FILL" --hash "$CODE") || die "http_fill --hash failed"
HASH2=$("$FILL" --hash "$OTHER") || die "http_fill --hash failed"

port=$(free_port)
B=http://127.0.0.1:$port
# A generous rate here; the limit has a server of its own below.
serve 127.0.0.1 "$port" 1000 serve || die "the server did not start: $(cat "$dir/serve.err")"

# --- the page ------------------------------------------------------------
req GET /t
check "GET /t is 200 HTML" eval 'status_is 200 && header_has "^Content-Type: text/html; charset=utf-8"'
check "the page is Vietnamese" body_has '<html lang="vi">'
check "the page has its script inline" eval 'body_has "<script>" && body_has "location.hash" && body_has "/api/track"'
check "the page has the form without JavaScript" body_has '<form id="f" method="post" action="/t"'
check "the page has the English switch" body_has 'href="/t?lang=en"'
check "the page loads nothing from elsewhere" eval '! grep -qiE "(src|href)=\"?(https?:)?//" "$dir/body" && ! grep -qi "<script src" "$dir/body"'
check "the page carries the security headers" secure_headers
check "the page has no code and no lookup in it" body_lacks "$CODE"
req GET "/t?lang=en"
check "GET /t?lang=en is English" eval 'status_is 200 && body_has "<html lang=\"en\">" && body_has "Tracking code"'
req HEAD /t
check "HEAD /t: 200 with the headers" eval 'status_is 200 && secure_headers'
# curl reads no body after HEAD; a raw HTTP/1.0 exchange shows none is sent
raw_head() {
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'HEAD /t HTTP/1.0\r\nHost: x\r\n\r\n' >&3
  timeout 5 cat <&3 > "$dir/head.raw"; exec 3<&-
  grep -q "^HTTP/1.[01] 200" "$dir/head.raw" && ! grep -q "<html" "$dir/head.raw"
}
check "HEAD /t sends no body" raw_head

# --- the lookup ----------------------------------------------------------
DATE='"[0-9]{4}-[0-9]{2}-[0-9]{2}"'
D_OR_NULL="($DATE|null)"
answer_re=$(printf '%s' "$ANSWER" | sed 's/[.]/[.]/g')
FOUND_RE="^\\{\"found\":true,\"status\":\"responded\",\"status_vi\":\"Đã trả lời\",\"status_en\":\"Responded\",\"received\":\"2026-11-27\",\"updated\":$D_OR_NULL,\"accept_due\":$D_OR_NULL,\"settle_due\":$D_OR_NULL,\"overdue\":(true|false),\"answer\":\"$answer_re\",\"kind\":\"complaint\"\\}$"
OTHER_RE="^\\{\"found\":true,\"status\":\"received\",\"status_vi\":\"Đã nhận\",\"status_en\":\"Received\",\"received\":\"2026-11-27\",\"updated\":$D_OR_NULL,\"accept_due\":$D_OR_NULL,\"settle_due\":$D_OR_NULL,\"overdue\":(true|false),\"answer\":null,\"kind\":\"feedback\"\\}$"
found_answered() { status_is 200 && [[ $(body) =~ $FOUND_RE ]] && header_has "^Content-Type: application/json"; }
found_other() { status_is 200 && [[ $(body) =~ $OTHER_RE ]]; }
for spelling in "$CODE" "7kq2-m9xd-4trb-hv3n" "7KQ2M9XD4TRBHV3N" "7kq2m9xd4trbhv3n" "7KQ2 M9XD 4TRB HV3N" " 7kq2 - m9xd - 4trb - hv3n "; do
  track "$spelling"
  check "'$spelling' finds the answered complaint, with exactly the listed fields" found_answered
done
check "the lookup carries the security headers" secure_headers
# O for 0 and I / L for 1, as people read a receipt.
for spelling in "$OTHER" "OAB1-2CD3-4EF5-6GHO" "oabl2cd34ef56gho" "0ABI 2CD3 4EF5 6GH0"; do
  track "$spelling"
  check "'$spelling' finds the feedback, received, no answer" found_other
done
for wrong in "7KQ2-M9XD-4TRB-HV3M" "0000-0000-0000-0000" "ZZZZ-ZZZZ-ZZZZ-ZZZZ"; do
  track "$wrong"
  check "a wrong well-formed code '$wrong' gets exactly {\"found\":false}" eval 'status_is 200 && body_is "{\"found\":false}"'
done
for garbage in "garbage" "" "7KQ2-M9XD-4TRB-HV3U" "7KQ2-M9XD-4TRB-HV3N-7" "7KQ2-M9XD-4TRB" \
  "<script>alert(1)</script>" "Mã của tôi" "$CODE$(printf '%0200d' 0)" "' OR 1=1 --" "$HASH"; do
  track "$garbage"
  check "garbage '${garbage:0:30}' gets exactly {\"found\":false}" eval 'status_is 200 && body_is "{\"found\":false}"'
done
req POST /api/track -H 'Content-Type: application/json' --data-binary '{"code":7}'
check "a code that is not a string: 400" status_is 400
req POST /api/track --data-binary 'code=7KQ2M9XD4TRBHV3N'
check "a body that is not JSON: 400" status_is 400

# --- the form, without JavaScript ---------------------------------------
req POST /t --data-urlencode "code=7kq2 m9xd 4trb hv3n"
check "the form answers with a page holding the answer" eval 'status_is 200 && body_has "$ANSWER" && body_has "Đã trả lời" && body_has "$CODE"'
check "the form's page carries the security headers" secure_headers
req POST "/t?lang=en" --data-urlencode "code=$CODE"
check "the form in English" eval 'status_is 200 && body_has "<html lang=\"en\">" && body_has ">Responded<" && body_has "$ANSWER"'
req POST /t --data-urlencode "code=7KQ2-M9XD-4TRB-HV3M"
check "the form: a wrong code is not found" eval 'status_is 200 && body_has "Không tìm thấy mã này" && body_lacks "$ANSWER"'
req POST /t --data-urlencode 'code="><script>alert(1)</script>'
check "the form escapes what was typed" eval 'status_is 200 && body_has "&quot;&gt;&lt;script&gt;alert(1)" && body_lacks "<script>alert(1)"'

# --- what is never shown -------------------------------------------------
for secret in "Cán bộ thôn" "Đường vào thôn" "Nguyễn Văn A" "0912345678" "ht-camxuyen" "camxuyen" "6f1c2a4e" \
  "ho-ngheo" "ha-tang" "$HASH" "$HASH2" '"text":' '"contact' '"id":' '"kiosk":' '"rating":' '"code_hash'; do
  check "no answer ever shows '$secret'" eval '! grep -qF -- "$secret" "$dir/bodies"'
done

# --- HTTP hygiene ----------------------------------------------------------
req GET /api/track
check "GET /api/track: 405, Allow: POST" eval 'status_is 405 && header_has "^Allow: POST"'
req DELETE /t
check "DELETE /t: 405" status_is 405
req POST /healthz
check "POST /healthz: 405" status_is 405
req GET /nope
check "an unknown path: 404, with the security headers" eval 'status_is 404 && secure_headers'
req GET /t/
check "/t/ is not /t: 404" status_is 404
big="{\"code\":\"$(printf '%02000d' 0)\"}"
req POST /api/track -H 'Content-Type: application/json' --data-binary "$big"
check "a body over 1 KiB: 413" status_is 413
req POST /api/track -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary "$big"
check "a chunked body over 1 KiB: 413" status_is 413
req GET /healthz
check "/healthz: 200 ok" eval 'status_is 200 && body_is "ok" && secure_headers'
req HEAD /healthz
check "HEAD /healthz: 200" status_is 200
# keep-alive: the page and the lookup that follows on one connection
n=$(curl -sv --max-time 10 "$B/t" "$B/healthz" -o /dev/null -o /dev/null 2>&1 | grep -c "Re-using existing connection")
check "a phone keeps its connection from the page to the lookup" [ "$n" -ge 1 ]

# a second server on the same port says why it cannot start
"$SERVE" 127.0.0.1 "$port" /t "$dir/store.db" 30 > /dev/null 2> "$dir/taken.err"
rc=$?
check "a taken port: exit 2 and one line naming the port" eval '[ $rc = 2 ] && grep -q "port $port" "$dir/taken.err" && [ "$(wc -l < "$dir/taken.err")" = 1 ]'
"$SERVE" 127.0.0.1 "$port" /api/track "$dir/store.db" 30 > /dev/null 2> /dev/null
check "a page path that hides the API is refused" [ $? = 2 ]

check "SIGTERM stops the server cleanly" stop

# --- the rate limit: 30 a minute from one address ----------------------------
port=$(free_port)
B=http://127.0.0.1:$port
serve 127.0.0.1 "$port" 30 limited || die "the server did not start: $(cat "$dir/limited.err")"
# one curl, one kept-alive connection: 35 lookups in well under the 2 s
# a token takes to come back, even on a loaded machine (35 processes
# were not)
outs=(); for i in $(seq 35); do outs+=(-o /dev/null "$B/api/track"); done
codes=" $(curl -s --max-time 30 -w '%{http_code} ' -H 'Content-Type: application/json' \
  --data-binary "{\"code\":\"$CODE\"}" "${outs[@]}")"
codes=${codes% }
# The bucket refills one lookup every 2 s: on a slow machine one of the
# last five may pass, none of the first thirty may fail.
first=$(echo "$codes" | tr ' ' '\n' | grep -v '^$' | head -30 | sort -u | tr '\n' ' ')
n429=$(echo "$codes" | tr ' ' '\n' | tail -5 | grep -c '^429$')
check "35 rapid lookups at rate 30: the first 30 pass, then 429 (got$codes)" eval '[ "$first" = "200 " ] && [ "$n429" -ge 4 ]'
req POST /api/track -H 'Content-Type: application/json' --data-binary "{\"code\":\"$CODE\"}"
check "429: neutral, Retry-After, security headers" eval 'status_is 429 && body_is "{\"error\":\"too_many_requests\"}" && header_has "^Retry-After: [1-9]" && secure_headers'
req POST /t --data-urlencode "code=$CODE"
check "the form is limited too, with a page that says so" eval 'status_is 429 && body_has "quá nhiều lần" && body_lacks "$ANSWER"'
req GET /t
check "the page itself is not limited" status_is 200
req GET /healthz
check "/healthz is not limited" status_is 200
check "SIGTERM stops the limited server cleanly" stop

# --- IPv6 loopback, where the machine has it ---------------------------------
port=$(free_port)
if serve ::1 "$port" 30 v6; then
  B="http://[::1]:$port"
  track "$CODE"
  check "over IPv6 (::1) the lookup works" found_answered
  check "SIGTERM stops the IPv6 server cleanly" stop
fi

# --- the logs ------------------------------------------------------------
cat "$dir"/serve.err "$dir"/limited.err "$dir"/v6.err "$dir"/serve.out "$dir"/limited.out > "$dir/logs" 2>/dev/null
for secret in "$CODE" "7KQ2M9XD4TRBHV3N" "7kq2" "M9XD" "HV3N" "$OTHER" "0AB12CD34EF56GH0" "$HASH" "$HASH2" "${HASH:0:12}"; do
  check "the server's log never holds '$secret'" eval '! grep -qiF -- "$secret" "$dir/logs"'
done
check "the server logged no error" eval '! grep -qi "error" "$dir/logs"'

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
