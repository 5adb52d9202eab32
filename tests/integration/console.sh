#!/usr/bin/env bash
# tramtin-admin console against a real mosquitto and a headless kiosk of
# the channel, driven with curl as the page drives it:
#  1. security: a wrong or missing token is 403, a foreign Host header is
#     403, the token URL sets a SameSite=Strict HttpOnly cookie, paths
#     that try to leave the draft are not served;
#  2. a notice with a bad field is refused with 400 naming the field
#     (posting.to, title.vi, body.vi), and nothing is written;
#  3. a notice is created; a poster is uploaded (scaled to the kiosk,
#     turned upright, its metadata gone); an oversize upload is 413, a
#     file that is no image 415;
#  4. preview: the kiosk draws the notice in 1920x1080 and 1080x1920;
#  5. publish: progress until done; the kiosk (a separate tramtin, as in
#     a commune hall) fetches, installs and shows the notice, and the
#     console's status lists that kiosk as applied;
#  6. an announcement is signed and retained on the channel; one that
#     ends in the past is 400 naming "to".
# usage: console.sh TRAMTIN ADMIN STANDIN SRCDIR OUTDIR
TRAMTIN=$(realpath "$1") ADMIN=$(realpath "$2") STANDIN=$(realpath "$3") src=$4 dir=$5/console
source "$src/tests/integration/lib.sh"
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir" || exit 2
passed=0
ok() { passed=$((passed+1)); echo "console: $*"; }
CONSOLE_PID=
stop_console() { if [ -n "$CONSOLE_PID" ]; then kill "$CONSOLE_PID" 2>/dev/null; wait "$CONSOLE_PID" 2>/dev/null; fi; CONSOLE_PID=; }
trap 'stop_console; cleanup' EXIT

console_fixture
base=${url%%/?token=*} token=${url##*token=} hostport=${base#http://}
[ -f draft/manifest.json ] && [ -f draft/pages/tong-quan.vi.md ] || die "the draft was not made from assets/content"
grep -q '"channel":[[:space:]]*"ht/test"' draft/manifest.json || die "the draft's channel is not ht/test"

# code METHOD PATH [curl args...]: prints the HTTP status, body in last.json
code() { local m=$1 p=$2; shift 2; curl -s -o last.json -w '%{http_code}' -X "$m" "$@" "$base$p"; }
C=(-b "tt_console=$token")

# 1. security
[ "$(code GET /api/content)" = 403 ] || die "no token: $(cat last.json)"
[ "$(code GET /api/content -b "tt_console=$(printf '%064d' 7)")" = 403 ] || die "wrong token: $(cat last.json)"
grep -q '"error":"missing or wrong token' last.json || die "wrong token: $(cat last.json)"
[ "$(code GET /api/content "${C[@]}" -H 'Host: attacker.example')" = 403 ] || die "foreign Host: $(cat last.json)"
[ "$(code GET /api/content "${C[@]}" -H "Host: localhost:${hostport##*:}")" = 200 ] || die "localhost Host refused"
[ "$(code GET "/?token=$(printf '%064d' 7)")" = 403 ] || die "the page took a wrong token"
curl -s -D hdr -o /dev/null "$url"
grep -qi "^set-cookie: tt_console=$token; Path=/; HttpOnly; SameSite=Strict" hdr || die "token URL: $(cat hdr)"
grep -q "^HTTP/1.1 303" hdr || die "token URL: no redirect: $(head -1 hdr)"
[ "$(code GET /)" = 200 ] && grep -q 'console.js' last.json || die "the page: $(head -c 200 last.json)"
[ "$(code GET /console.js)" = 200 ] || die "console.js not served"
for p in /draft/manifest.json /draft/../comm.key /draft/images/../../comm.key /preview/../../comm.key /draft/images/%2e%2e/x.png; do
  s=$(code GET "$p" --path-as-is "${C[@]}")
  [ "$s" = 404 ] || [ "$s" = 403 ] || die "$p: $s $(head -c 100 last.json)"
done
[ "$(code POST /api/page "${C[@]}" -H "Origin: http://attacker.example" --data '{}')" = 403 ] || die "cross-origin POST accepted"
ok "wrong or missing token 403, foreign Host 403, token URL sets a SameSite=Strict cookie, no way out of the draft"

# 2. bad fields: 400, the field named, nothing written
notice() { # TITLE TO-DATE [BODY]
  printf '{"id":"kiem-tra","type":"notice","order":0,"title":{"vi":"%s","en":"Console check"},"summary":{"vi":"Thử bảng điều khiển."},"body":{"vi":"%s","en":"# Console check\\n\\nMade by the console test.\\n"},"posting":{"from":"2026-11-20","to":"%s"}}' \
    "$1" "${3:-# Kiểm tra bảng điều khiển\\n\\nThông báo do bài kiểm tra tạo.\\n}" "$2"
}
cp draft/manifest.json manifest.before
[ "$(code POST '/api/page?new=1' "${C[@]}" --data "$(notice 'Kiểm tra bảng điều khiển' 2026-13-40)")" = 400 ] || die "bad date: $(cat last.json)"
grep -q '"field":"posting.to"' last.json && grep -q "posting.to '2026-13-40' is not a date" last.json || die "bad date: $(cat last.json)"
[ "$(code POST '/api/page?new=1' "${C[@]}" --data "$(notice '' 2026-12-20)")" = 400 ] || die "no title: $(cat last.json)"
grep -q '"field":"title.vi"' last.json || die "no title: $(cat last.json)"
[ "$(code POST '/api/page?new=1' "${C[@]}" --data "$(notice 'X' 2026-12-20 '# X\\n\\n![a](../images/none.png)\\n')")" = 400 ] || die "missing image: $(cat last.json)"
grep -q '"field":"body.vi"' last.json || die "missing image: $(cat last.json)"
[ "$(code POST '/api/page?new=1' "${C[@]}" --data "$(notice 'X' 2026-12-20 | sed 's/"id":"kiem-tra"/"id":"..\/x"/')")" = 400 ] || die "bad id"
grep -q '"field":"id"' last.json || die "bad id: $(cat last.json)"
[ "$(code POST '/api/page?new=1' "${C[@]}" --data 'not json')" = 400 ] || die "not JSON accepted"
cmp -s manifest.before draft/manifest.json && [ ! -e draft/pages/kiem-tra.vi.md ] || die "a refused page was written"
ok "bad fields refused with 400 naming posting.to, title.vi, body.vi, id; nothing written"

# 3. the notice, a poster
[ "$(code POST '/api/page?new=1' "${C[@]}" --data "$(notice 'Kiểm tra bảng điều khiển' 2026-12-20)")" = 200 ] || die "create: $(cat last.json)"
[ "$(code POST '/api/page?new=1' "${C[@]}" --data "$(notice 'Kiểm tra bảng điều khiển' 2026-12-20)")" = 409 ] || die "created twice"
grep -q '"kiem-tra"' draft/manifest.json && grep -q 'Thông báo do bài kiểm tra tạo' draft/pages/kiem-tra.vi.md || die "not written"
# a phone photo: 3000x2000 stored sideways (EXIF orientation 6), with a comment and a GPS-like tag
convert -size 3000x2000 gradient:navy-gold -set comment "taken at home" -quality 90 photo.jpg
# the orientation tag, as a camera writes it (APP1 Exif, little-endian TIFF, one entry)
printf '\xff\xd8\xff\xe1\x00\x22Exif\x00\x00II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00\x00\x00\x00\x00' > exif.bin
{ cat exif.bin; tail -c +3 photo.jpg; } > phone.jpg
[ "$(code POST '/api/image?name=%C3%81p%20ph%C3%ADch%20T%E1%BA%BFt.jpg' "${C[@]}" -H 'Content-Type: image/jpeg' --data-binary @phone.jpg)" = 200 ] ||
  die "upload: $(cat last.json)"
grep -q '"path":"images/ap-phich-tet.jpg","width":720,"height":1080,"src_width":2000,"src_height":3000' last.json || die "upload: $(cat last.json)"
[ "$(identify -format '%wx%h' draft/images/ap-phich-tet.jpg)" = 720x1080 ] || die "stored poster is $(identify -format '%wx%h' draft/images/ap-phich-tet.jpg)"
if grep -qa "taken at home\|Exif" draft/images/ap-phich-tet.jpg; then die "metadata kept in the poster"; fi
[ "$(code GET /draft/images/ap-phich-tet.jpg "${C[@]}")" = 200 ] || die "the poster is not served"
head -c $((17 * 1024 * 1024)) /dev/zero > big.bin
[ "$(code POST '/api/image?name=big.png' "${C[@]}" --data-binary @big.bin)" = 413 ] || die "oversize upload: $(cat last.json)"
printf 'not an image' > x.txt
[ "$(code POST '/api/image?name=x.png' "${C[@]}" --data-binary @x.txt)" = 415 ] || die "non-image: $(cat last.json)"
# the notice shows the poster as its cover
[ "$(code POST /api/page "${C[@]}" --data "$(notice 'Kiểm tra bảng điều khiển' 2026-12-20 | sed 's/"posting"/"image":"images\/ap-phich-tet.jpg","posting"/')")" = 200 ] ||
  die "save with the poster: $(cat last.json)"
ok "notice created; a sideways 3000x2000 phone photo stored upright as 720x1080 without metadata; 17 MB is 413, text 415"

# 4. preview, drawn by the kiosk
[ "$(code POST '/api/preview?id=kiem-tra&lang=vi' "${C[@]}")" = 200 ] || die "preview: $(cat last.json)"
size() { od -An -tu1 -j16 -N8 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8}'; }
for s in 1920x1080 1080x1920; do
  f=draft/.console/preview/kiem-tra-vi-$s.png
  [ -f "$f" ] || die "no preview $f: $(cat last.json)"
  [ "$(size "$f")" = "$s" ] || die "$f is $(size "$f")"
  grep -q "\"url\":\"/preview/kiem-tra-vi-$s.png" last.json || die "preview URL: $(cat last.json)"
done
u=$(sed -n 's/.*"landscape":{"url":"\([^"]*\)".*/\1/p' last.json)
[ "$(code GET "$u" "${C[@]}")" = 200 ] && [ "$(size last.json)" = 1920x1080 ] || die "preview not served"
grep -q "tap @home.notices" draft/.console/preview/landscape/preview.script || die "preview script"
ok "preview: the kiosk drew the notice at 1920x1080 and 1080x1920"

# 5. publish; the kiosk shows it; the console sees that it has
[ "$(code POST /api/publish "${C[@]}")" = 202 ] || die "publish: $(cat last.json)"
for _ in $(seq 300); do
  code GET /api/publish "${C[@]}" > /dev/null
  grep -q '"state":"\(done\|failed\)"' last.json && break; sleep 0.1
done
grep -q '"state":"done","version":1' last.json || die "publish: $(cat last.json)"
grep -q 'published ht/test version 1' last.json || die "publish log: $(cat last.json)"
{ echo "wait-content 60000"; echo "expect-screen home"; echo "tap @home.notices"
  echo 'wait-for "Kiểm tra bảng điều khiển" 20000'; echo "tap @list.item.1"; echo 'expect "Thông báo do bài kiểm tra tạo"'
  echo "sleep 1000"; } > kiosk.script
"$TRAMTIN" --headless --config k1.ini --script kiosk.script > kiosk.out 2> kiosk.log || die "kiosk: $(tail -5 kiosk.log)"
grep -q "content ht/test: version 1 installed" kiosk.log || die "kiosk did not install: $(grep content kiosk.log)"
for _ in $(seq 100); do
  code GET /api/kiosks "${C[@]}" > /dev/null
  grep -q '"id":"k1","state":"[a-z]*","content":1,"applied":true' last.json && break; sleep 0.1
done
grep -q '"id":"k1","state":"[a-z]*","content":1,"applied":true' last.json || die "kiosks: $(cat last.json)"
grep -q '"published":1,"published_by_this_key":true' last.json || die "kiosks: $(cat last.json)"
ok "published version 1 with progress; kiosk k1 fetched and showed the notice; the console lists k1 as applied"

# 6. an announcement
[ "$(code POST /api/announce "${C[@]}" --data '{"text":{"vi":"Họp thôn 19 giờ tối nay"},"from":"2026-11-27T08:00","to":"2026-11-28T22:00"}')" = 200 ] ||
  die "announce: $(cat last.json)"
mosquitto_sub -h 127.0.0.1 -p "$port" -t tramtin/v1/ht/test/content/announce -C 1 -W 5 > ann.json || die "no retained announcement"
grep -q '"msg":' ann.json && grep -q '"sig":' ann.json || die "announcement: $(cat ann.json)"
[ "$(code POST /api/announce "${C[@]}" --data '{"text":{"vi":"Cũ"},"to":"2026-11-01T08:00"}')" = 400 ] || die "past announce: $(cat last.json)"
grep -q '"field":"to"' last.json || die "past announce: $(cat last.json)"
[ "$(code POST /api/survey "${C[@]}" --data '{"question":{"vi":"Có ích không?"},"answers":[{"vi":"Có"}]}')" = 400 ] || die "one answer"
grep -q '"field":"answers"' last.json || die "one answer: $(cat last.json)"
ok "an announcement signed and retained on the channel; one ending in the past is 400 naming 'to'"

# a clean stop: SIGTERM ends it with status 0 (and, in the sanitizer
# build, no leak or error report)
kill "$CONSOLE_PID"; wait "$CONSOLE_PID"; st=$?; CONSOLE_PID=
[ "$st" = 0 ] || die "the console stopped with status $st: $(tail -5 console.err)"
ok "SIGTERM stops the console with status 0"
echo "$passed passed, 0 failed"
