#!/usr/bin/env bash
# Signed content over a real mosquitto: tramtin-admin builds, signs and
# publishes; the kiosk (headless, scripted) fetches, checks and shows.
#  1. v1 arrives and is shown;
#  2. v2 with one changed page: shown, and only that page's file fetched;
#  3. a tampered blob, 4. a manifest signed with an unknown key,
#  5. a commune's key signing the province's bundle, 6. an older version,
#  7. a transfer cut half-way (a blob missing, broker kill -9):
#     each leaves v2 on screen and a clear reason in the kiosk's status;
#  8. the commune's own bundle is shown beside the province's, first.
# usage: content.sh TRAMTIN ADMIN STANDIN SRCDIR OUTDIR
TRAMTIN=$(realpath "$1") ADMIN=$(realpath "$2") STANDIN=$(realpath "$3") src=$4 dir=$5/content
source "$src/tests/integration/lib.sh"
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir" || exit 2
passed=0
ok() { passed=$((passed+1)); echo "content: $*"; }
port=$(free_port)
start_broker "$dir" "$port"
"$STANDIN" keygen "$dir/collector" || die "keygen"
kiosk_config "$dir" "$port" k1
for k in prov comm rogue; do "$ADMIN" keygen --kind sign --out "$k" || die "admin keygen $k"; done
printf '[trust]\ncontent_keys = ht=%s ht/test=%s\n' "$(cat prov.pub)" "$(cat comm.pub)" >> k1.ini

# publish SRC VERSION KEY [CHANNEL]: build, sign, publish; prints the publish output
publish() {
  local s=$1 v=$2 key=$3 ch=${4:-ht}
  rm -rf "b$v-$ch"
  "$ADMIN" bundle build "$s" --out "b$v-${ch//\//_}" --channel "$ch" --version "$v" ${CHUNK:+--chunk "$CHUNK"} > /dev/null || die "build v$v"
  "$ADMIN" bundle sign "b$v-${ch//\//_}" --key "$key.key" > /dev/null || die "sign v$v"
  "$ADMIN" bundle publish "b$v-${ch//\//_}" --host 127.0.0.1 --port "$port" || die "publish v$v"
}
# kiosk NAME: runs the kiosk on NAME.script (written by the caller), log in NAME.log
kiosk() { "$TRAMTIN" --headless --config k1.ini --script "$1.script" > "$1.out" 2> "$1.log" || die "kiosk $1: $(tail -5 "$1.log")"; }
status() { mosquitto_sub -h 127.0.0.1 -p "$port" -t tramtin/v1/ht/test/k1/status -C 1 -W 5; }
# the script that opens the programme page and expects TEXT on it, once
# the new content is on screen (WAIT: the script's first line; a refused
# bundle never swaps in, so those cases wait for the kiosk to report the
# failure instead)
page_script() { # NAME TEXT [NOT-TEXT]
  { echo "${WAIT:-wait-content 60000}"
    echo "expect-screen home"
    echo "tap @home.policies"
    echo "tap \"Chương trình giảm nghèo\""
    echo "tap @list.item.1"
    echo "expect \"$2\""
  } > "$1.script"
}

cp -r "$src/assets/content" src1
publish src1 1 prov > pub1.out
page_script v1 "Chương trình giảm nghèo bền vững 2021–2025"
kiosk v1
grep -q "content ht: version 1 installed" v1.log || die "v1 not installed: $(grep content v1.log)"
[ "$(readlink k1-state/content/ht/current)" = v1 ] || die "current is $(readlink k1-state/content/ht/current)"
ok "v1 published, fetched, installed and shown"

cp -r src1 src2
sed -i '1a\\n**Cập nhật ngày 5/12:** họp thôn bàn danh sách hộ nghèo.' src2/pages/tong-quan.vi.md
publish src2 2 prov > pub2.out
[ "$(grep -c '^sent ' pub2.out)" = 1 ] || die "publishing v2 sent $(grep -c '^sent ' pub2.out) blobs, expected 1: $(cat pub2.out)"
page_script v2 "Cập nhật ngày 5/12"
kiosk v2
grep -q "fetching 1 of" v2.log || die "v2 fetched more than the changed page: $(grep fetching v2.log)"
ok "v2 with one changed page: only its file sent and fetched, and shown"

# 3. a tampered blob
cp -r src2 src3
sed -i 's/Cập nhật ngày 5\/12/Bản số 3/' src3/pages/tong-quan.vi.md
publish src3 3 prov > pub3.out
sha=$(sed -n 's/^sent \([0-9a-f]\{64\}\).*/\1/p' pub3.out | head -1)
[ ${#sha} = 64 ] || die "no blob sent for v3: $(cat pub3.out)"
mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -r -t "tramtin/v1/ht/content/blob/$sha/0" -m "not the page at all"
WAIT="wait-content-error 60000" page_script v3 "Cập nhật ngày 5/12"
kiosk v3
status > st3.json
grep -q '"content_error":"content ht: version 3: .*showing version 2"' st3.json || die "tampered blob: status $(cat st3.json)"
ok "a tampered blob: v2 stays, status says $(sed -n 's/.*"content_error":"\([^"]*\)".*/\1/p' st3.json)"

# 4. signed with a key nobody trusts; 5. the commune's key for the province; 6. older
expect_refused() { # NAME WHAT
  WAIT="wait-content-error 60000" page_script "$1" "Cập nhật ngày 5/12"
  kiosk "$1"
  status > "$1.json"
  grep -q "\"content_error\":\"content ht: manifest refused: .*$2.*showing version 2\"" "$1.json" || die "$1: status $(cat "$1.json")"
  grep -q '"content":{[^}]*"ht":2' "$1.json" || die "$1: content versions $(cat "$1.json")"
  ok "$1: v2 stays, status says $(sed -n 's/.*"content_error":"\([^"]*\)".*/\1/p' "$1.json")"
}
publish src3 4 rogue > pub4.out
expect_refused wrong-key "signature"
publish src3 5 comm > pub5.out
expect_refused commune-key-for-province "signature"
publish src1 1 prov > pub6.out
expect_refused older "not newer"

# 7. a transfer cut half-way: v7's page never arrives, the broker dies
cp -r src2 src7
sed -i 's/Cập nhật ngày 5\/12/Bản số 7/' src7/pages/tong-quan.vi.md
publish src7 7 prov > pub7.out
sha=$(sed -n 's/^sent \([0-9a-f]\{64\}\).*/\1/p' pub7.out | head -1)
mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -r -t "tramtin/v1/ht/content/blob/$sha/0" -n
sleep 1 # let the broker save the cleared chunk before it dies
kill_broker
start_broker "$dir" "$port"
{ echo "sleep 3000"; echo "advance 31000"; echo "wait-content-error 60000"; } > cut.script
cat v2.script | sed 's/^\(sleep\|wait-content\) .*/sleep 100/' >> cut.script
kiosk cut
status > cut.json
grep -q '"content_error":"content ht: version 7: waiting for 1 of .*showing version 2"' cut.json || die "cut transfer: status $(cat cut.json)"
ok "a transfer cut half-way: v2 stays, status says $(sed -n 's/.*"content_error":"\([^"]*\)".*/\1/p' cut.json)"

# 8. the commune's bundle beside the province's, its pages first
mkdir -p srcc/pages srcc/images
cp src1/images/tong-quan.png srcc/images/ # a file both channels carry
cat > srcc/manifest.json <<'JSON'
{
  "format": 1,
  "id": "xa-test",
  "channel": "ht/test",
  "version": 1,
  "title": {"vi": "Xã thử nghiệm", "en": "Test commune"},
  "categories": [],
  "pages": [
    {"id": "hop-thon-12", "type": "notice", "order": 1,
     "title": {"vi": "Họp thôn tháng 12", "en": "December village meeting"},
     "summary": {"vi": "Bàn danh sách hộ nghèo năm 2027.", "en": "The 2027 list of poor households."},
     "body": {"vi": "pages/hop-thon-12.vi.md", "en": "pages/hop-thon-12.en.md"},
     "image": "images/tong-quan.png",
     "posting": {"from": "2026-11-20", "to": "2026-12-20"}}
  ]
}
JSON
printf '# Họp thôn tháng 12\n\nThôn họp lúc 19 giờ tại nhà văn hóa.\n' > srcc/pages/hop-thon-12.vi.md
printf '# December village meeting\n\nThe village meets at 7 pm in the community hall.\n' > srcc/pages/hop-thon-12.en.md
# small chunks: the kiosk puts a file together from several (and 9. fetches it in both channels)
CHUNK=4096 publish srcc 1 comm ht/test > pubc.out
{ echo "wait-content 60000"; echo "expect-screen home"; echo "tap @home.notices"; echo "expect \"Họp thôn tháng 12\""; echo "tap @list.item.1"; echo "expect \"Thôn họp lúc 19 giờ\""; } > commune.script
kiosk commune
grep -q "content ht/test: version 1 installed" commune.log || die "commune bundle not installed: $(grep content commune.log)"
ok "the commune's bundle is shown with the province's, its notice first"

# 9. a new kiosk gets both channels at once, a file shared by both included
publish src2 8 prov > pub8.out # complete again after the cut of v7
kiosk_config "$dir" "$port" k2
printf '[trust]\ncontent_keys = ht=%s ht/test=%s\n' "$(cat prov.pub)" "$(cat comm.pub)" >> k2.ini
# two channels: one swap or two, so wait for each at its version
sed 's/^wait-content .*/wait-content 60000 ht\/test=1\nwait-content 60000 ht=8/' commune.script > both.script
"$TRAMTIN" --headless --config k2.ini --script both.script > both.out 2> both.log || die "kiosk k2: $(tail -5 both.log)"
grep -q "content ht/test: version 1 installed" both.log && grep -q "content ht: version 8 installed" both.log ||
  die "a new kiosk did not install both channels: $(grep content both.log)"
ok "a new kiosk installs both channels at once, a file they share included"
echo "$passed passed, 0 failed"
