#!/usr/bin/env bash
# tramtin-admin against a real mosquitto: keys; assets/content built as
# channel ht, signed and published, and the broker then retains the
# manifest (the signed bytes of manifest.json) and every blob (the bytes
# of its file); a second publish sends nothing; a v2 with one page changed
# sends exactly that page's blob; gc clears the old page's blob and
# nothing else; a bundle in small chunks arrives whole on a commune
# channel; usage errors, a missing key, an unsigned or changed folder and
# a chunk above --max-message exit 2 with one line naming the culprit.
# Staff messages: an announcement to a commune is retained on its content
# root as the signed wire form of the fields given (text made NFC); a
# survey with 3 answers on the province's; one for a kiosk on K/down/;
# a command reaches a kiosk's topic not retained; --clear empties a
# retained announcement; bad answers, commands, keys, targets and times
# exit 2 with one line.
# usage: admin.sh ADMIN SRCDIR OUTDIR
ADMIN=$(realpath "$1") src=$2 dir=$3/admin
source "$src/tests/integration/lib.sh"
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir" || exit 2
passed=0
ok() { passed=$((passed+1)); echo "admin: $*"; }
port=$(free_port)
start_broker "$dir" "$port"
root=tramtin/v1/ht/content
conn=(--host 127.0.0.1 --port "$port")

# retained ROOT: every topic retained under a content root, sorted
retained() { mosquitto_sub -h 127.0.0.1 -p "$port" -t "$1/#" --retained-only -W 2 -F '%t' 2>/dev/null | sort; }
# payload TOPIC FILE: the retained payload of one topic, exactly
payload() { mosquitto_sub -h 127.0.0.1 -p "$port" -t "$1" --retained-only -C 1 -W 2 -N > "$2" 2>/dev/null; }
hashes() { grep -o '"sha256":[[:space:]]*"[0-9a-f]*"' "$1/manifest.json" | grep -o '[0-9a-f]\{64\}' | sort -u; }
# expect_fail STATUS WORD CMD...: exits STATUS with one stderr line containing WORD
expect_fail() {
  local want=$1 word=$2; shift 2
  "$@" > fail.out 2> fail.err; local rc=$?
  [ "$rc" = "$want" ] || die "'$*' exited $rc, expected $want: $(cat fail.err)"
  [ "$(wc -l < fail.err)" = 1 ] || die "'$*' wrote $(wc -l < fail.err) lines on stderr, expected one: $(cat fail.err)"
  grep -qF -- "$word" fail.err || die "'$*' did not name '$word': $(cat fail.err)"
}

# 1. keys
"$ADMIN" keygen --kind sign --out staff > keygen.out || die "keygen failed"
[ -s staff.key ] && [ -s staff.pub ] || die "keygen wrote no staff.key/staff.pub"
[ "$(stat -c %a staff.key)" = 600 ] || die "staff.key is not 0600"
grep -qF "$(cat staff.pub)" keygen.out || die "keygen did not print the public key"
expect_fail 2 staff.key "$ADMIN" keygen --kind sign --out staff
expect_fail 2 "'rsa'" "$ADMIN" keygen --kind rsa --out other
ok "keygen writes a key pair and never overwrites one"

# 2. build, sign, publish: the broker holds the manifest and every blob
"$ADMIN" bundle build "$src/assets/content" --out b --channel ht --version 1 > build.out || die "build failed"
grep -q '"version":[[:space:]]*1,' b/manifest.json || die "b/manifest.json is not version 1"
"$ADMIN" bundle sign b --key staff.key > sign.out || die "sign failed"
[ -s b/manifest.sig ] || die "no b/manifest.sig"
"$ADMIN" bundle publish b "${conn[@]}" > pub1.out 2> pub1.err || die "publish failed: $(cat pub1.err)"
hashes b > h1
n=$(wc -l < h1)
[ "$n" -ge 40 ] || die "only $n distinct blobs in b/manifest.json"
[ "$(grep -c '^sent ' pub1.out)" = "$n" ] || die "first publish sent $(grep -c '^sent ' pub1.out) blobs, expected $n"
{ echo "$root/manifest"; sed "s|.*|$root/blob/&/0|" h1; } | sort > want1
retained "$root" > got1
diff -u want1 got1 > diff1 || die "retained topics differ from the bundle: $(cat diff1)"
payload "$root/manifest" wire.json
sed 's/.*"manifest":"\([^"]*\)".*/\1/' wire.json | base64 -d > manifest.back || die "the manifest payload is not base64"
cmp -s manifest.back b/manifest.json || die "the retained manifest is not b/manifest.json"
img=$(sha256sum "$src/assets/content/images/tong-quan.png" | cut -c1-64)
grep -q "$img" h1 || die "images/tong-quan.png is not in the manifest"
payload "$root/blob/$img/0" img.back
cmp -s img.back "$src/assets/content/images/tong-quan.png" || die "the retained blob is not images/tong-quan.png"
ok "published: the manifest and all $n blobs are retained, byte for byte"

# 3. publishing again sends no blob
"$ADMIN" bundle publish b "${conn[@]}" > pub2.out 2> pub2.err || die "second publish failed: $(cat pub2.err)"
[ "$(grep -c '^kept ' pub2.out)" = "$n" ] || die "second publish kept $(grep -c '^kept ' pub2.out) of $n blobs"
! grep -q '^sent ' pub2.out || die "second publish re-sent: $(grep '^sent ' pub2.out)"
ok "a second publish keeps every blob and sends none"

# 4. one page changed: v2 (the next version on its own) sends one blob
cp -r "$src/assets/content" src2
echo "Thêm một dòng." >> src2/pages/tong-quan.vi.md
old=$(sha256sum "$src/assets/content/pages/tong-quan.vi.md" | cut -c1-64)
new=$(sha256sum src2/pages/tong-quan.vi.md | cut -c1-64)
"$ADMIN" bundle build src2 --out b --channel ht > build2.out || die "v2 build failed"
grep -q '"version":[[:space:]]*2,' b/manifest.json || die "the rebuild is not version 2: $(cat build2.out)"
"$ADMIN" bundle publish b "${conn[@]}" > unsigned.out 2> unsigned.err
[ $? = 2 ] || die "publishing the unsigned rebuild did not exit 2"
grep -q manifest.sig unsigned.err || die "publish of an unsigned folder did not name manifest.sig: $(cat unsigned.err)"
"$ADMIN" bundle sign b --key staff.key > /dev/null || die "sign v2 failed"
"$ADMIN" bundle publish b "${conn[@]}" > pub3.out 2> pub3.err || die "v2 publish failed: $(cat pub3.err)"
[ "$(grep -c '^sent ' pub3.out)" = 1 ] || die "v2 sent $(grep -c '^sent ' pub3.out) blobs, expected 1: $(cat pub3.out)"
grep -q "^sent $new " pub3.out || die "v2 did not send the changed page ($new): $(cat pub3.out)"
[ "$(grep -c '^kept ' pub3.out)" = $((n - 1)) ] || die "v2 kept $(grep -c '^kept ' pub3.out), expected $((n - 1))"
payload "$root/manifest" wire2.json
sed 's/.*"manifest":"\([^"]*\)".*/\1/' wire2.json | base64 -d | cmp -s - b/manifest.json || die "the retained manifest is not v2"
ok "v2 with one page changed sends exactly that page"

# 5. gc removes the old page's blob and nothing else
"$ADMIN" bundle gc --channel ht "${conn[@]}" > gc.out 2> gc.err || die "gc failed: $(cat gc.err)"
[ "$(grep -c '^removed ' gc.out)" = 1 ] || die "gc removed $(grep -c '^removed ' gc.out) blobs, expected 1: $(cat gc.out)"
grep -q "^removed $old " gc.out || die "gc did not remove the old page ($old): $(cat gc.out)"
hashes b > h2
{ echo "$root/manifest"; sed "s|.*|$root/blob/&/0|" h2; } | sort > want2
retained "$root" > got2
diff -u want2 got2 > diff2 || die "after gc the retained topics differ from v2: $(cat diff2)"
"$ADMIN" bundle gc --channel ht "${conn[@]}" > gc2.out || die "second gc failed"
! grep -q '^removed ' gc2.out || die "a second gc removed more: $(cat gc2.out)"
ok "gc cleared the old page's blob only"

# 6. small chunks on a commune channel: every chunk retained, then kept
"$ADMIN" bundle build "$src/assets/content" --out c --channel ht/camxuyen --chunk 4096 > /dev/null || die "chunked build failed"
"$ADMIN" bundle sign c --key staff.key > /dev/null || die "chunked sign failed"
expect_fail 2 "--max-message" "$ADMIN" bundle publish c "${conn[@]}" --max-message 2048
"$ADMIN" bundle publish c "${conn[@]}" > pub4.out 2> pub4.err || die "chunked publish failed: $(cat pub4.err)"
chunks=0
for k in $(sed -n 's/^sent .* bytes, \([0-9]*\) chunks\{0,1\})$/\1/p' pub4.out); do chunks=$((chunks + k)); done
[ "$chunks" -gt "$n" ] || die "4 KiB chunks gave only $chunks chunks for $n blobs"
got=$(retained tramtin/v1/ht/camxuyen/content | grep -c '/blob/')
[ "$got" = "$chunks" ] || die "the broker retains $got chunks of ht/camxuyen, expected $chunks"
"$ADMIN" bundle publish c "${conn[@]}" > pub5.out || die "chunked republish failed"
[ "$(grep -c '^kept ' pub5.out)" = "$n" ] || die "chunked republish kept $(grep -c '^kept ' pub5.out) of $n"
[ "$(retained "$root" | wc -l)" = "$(wc -l < want2)" ] || die "the commune's bundle touched the province's topics"
ok "$chunks chunks of 4 KiB retained on ht/camxuyen, and kept on a second publish"

# 7. usage errors and bad files: exit 2, one line naming the culprit
expect_fail 2 "command" "$ADMIN"
expect_fail 2 "'frob'" "$ADMIN" bundle frob
expect_fail 2 "SRC" "$ADMIN" bundle build --out x --channel ht
expect_fail 2 "--channel" "$ADMIN" bundle build "$src/assets/content" --out x
expect_fail 2 "'HT'" "$ADMIN" bundle build "$src/assets/content" --out x --channel HT
expect_fail 2 "'--colour'" "$ADMIN" bundle build "$src/assets/content" --out x --channel ht --colour red
expect_fail 2 "'abc'" "$ADMIN" bundle build "$src/assets/content" --out x --channel ht --version abc
expect_fail 2 "'notaport'" "$ADMIN" bundle publish b --host 127.0.0.1 --port notaport
expect_fail 2 "--host" "$ADMIN" bundle gc --channel ht --port "$port"
expect_fail 2 "missing.key" "$ADMIN" bundle sign b --key missing.key
echo "not a key" > bad.key
expect_fail 2 "bad.key" "$ADMIN" bundle sign b --key bad.key
expect_fail 2 "no-such-dir" "$ADMIN" bundle publish no-such-dir "${conn[@]}"
rm -rf src3; cp -r "$src/assets/content" src3; rm src3/pages/du-an-1.en.md
expect_fail 2 "du-an-1.en.md" "$ADMIN" bundle build src3 --out x --channel ht
[ ! -e x ] || die "a refused build left x behind"
echo "changed" >> b/pages/tong-quan.en.md
expect_fail 2 "pages/tong-quan.en.md" "$ADMIN" bundle publish b "${conn[@]}"
nobody=$(free_port)
expect_fail 1 "127.0.0.1:$nobody" "$ADMIN" bundle publish c --host 127.0.0.1 --port "$nobody"
ok "usage errors and bad files exit 2 with one line; no broker exits 1"

# 8. announce to a commune: the signed wire form, retained on its content root
croot=tramtin/v1/ht/camxuyen/content
ann=$croot/announce
# msg FILE: the message inside a wire form; sig FILE: its signature's bytes
msg() { sed 's/.*"msg":"\([^"]*\)".*/\1/' "$1" | base64 -d; }
sig() { sed 's/.*"sig":"\([^"]*\)".*/\1/' "$1" | base64 -d; }
# has FILE TEXT...: FILE contains each TEXT
has() { local f=$1; shift; for t in "$@"; do grep -qF -- "$t" "$f" || die "$f lacks $t: $(cat "$f")"; done; }
"$ADMIN" announce --key staff.key --target ht/camxuyen --text-vi "Họp dân lúc 8 giờ sáng Chủ nhật" \
  --text-en "Village meeting at 8 am on Sunday" --to "2026-11-30 12:00" "${conn[@]}" > ann.out 2> ann.err \
  || die "announce failed: $(cat ann.err)"
[ "$(wc -l < ann.out)" = 1 ] || die "announce printed more than one line: $(cat ann.out)"
id=$(sed -n "s|^sent announce \([0-9a-f]\{8\}-[0-9a-f]\{4\}-4[0-9a-f]\{3\}-[89ab][0-9a-f]\{3\}-[0-9a-f]\{12\}\) to $ann\$|\1|p" ann.out)
[ -n "$id" ] || die "announce did not print 'sent announce UUID to $ann': $(cat ann.out)"
[ "$(mosquitto_sub -h 127.0.0.1 -p "$port" -t '#' --retained-only -W 2 -F '%t' 2>/dev/null | grep -c '/announce$')" = 1 ] \
  || die "the announcement is not retained on exactly one topic"
payload "$ann" ann.wire
msg ann.wire > ann.json || die "the retained announcement's msg is not base64: $(cat ann.wire)"
[ "$(sig ann.wire | wc -c)" = 64 ] || die "the retained announcement's sig is not 64 bytes"
has ann.json '"v":1' '"type":"announce"' "\"id\":\"$id\"" '"created":"2026-11-27T02:00:00Z"' '"ttl":604800' \
  '"target":"ht/camxuyen"' '"to":"2026-11-30T05:00:00Z"' \
  '"text":{"vi":"Họp dân lúc 8 giờ sáng Chủ nhật","en":"Village meeting at 8 am on Sunday"}'
! grep -q '"from"' ann.json || die "announce sent a \"from\" nobody gave: $(cat ann.json)"
# typed decomposed (e + combining marks), sent NFC; to one kiosk, on its own topic
"$ADMIN" announce --key staff.key --target ht/camxuyen/k1 --text-vi "$(printf 'Vie\xcc\xa3\xcc\x82t Nam')" \
  --from "2026-11-27T03:00:00Z" --ttl 7200 "${conn[@]}" > ann2.out 2> ann2.err || die "kiosk announce failed: $(cat ann2.err)"
grep -q "^sent announce .* to tramtin/v1/ht/camxuyen/k1/down/announce\$" ann2.out || die "kiosk announce: $(cat ann2.out)"
payload tramtin/v1/ht/camxuyen/k1/down/announce ann2.wire
msg ann2.wire > ann2.json
has ann2.json '"text":{"vi":"Việt Nam"}' '"from":"2026-11-27T03:00:00Z"' '"ttl":7200' '"target":"ht/camxuyen/k1"'
ok "announce: signed, retained on $ann and on K/down/announce, fields as given, text NFC"

# 9. a survey with 3 answers to the province
sur=$root/survey
"$ADMIN" survey --key staff.key --target ht --question-vi "Bạn có hài lòng với bộ phận một cửa không?" \
  --question-en "Are you satisfied with the one-stop desk?" --answer "Hài lòng|Satisfied" \
  --answer "Bình thường|Neutral" --answer "Chưa hài lòng" "${conn[@]}" > sur.out 2> sur.err \
  || die "survey failed: $(cat sur.err)"
grep -q "^sent survey [0-9a-f-]\{36\} to $sur\$" sur.out || die "survey printed: $(cat sur.out)"
payload "$sur" sur.wire
msg sur.wire > sur.json || die "the retained survey's msg is not base64"
has sur.json '"type":"survey"' '"target":"ht"' '"ttl":604800' \
  '"question":{"vi":"Bạn có hài lòng với bộ phận một cửa không?","en":"Are you satisfied with the one-stop desk?"}' \
  '"answers":[{"vi":"Hài lòng","en":"Satisfied"},{"vi":"Bình thường","en":"Neutral"},{"vi":"Chưa hài lòng"}]'
ok "survey: 3 answers retained on $sur"

# 10. a command reaches a kiosk's topic, not retained
ktopic=tramtin/v1/ht/camxuyen/k1/down/cmd
# the subscriber is ready once it has the retained probe, subscribed after $ktopic
mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -r -t test/probe -m probe || die "cannot publish the probe"
mosquitto_sub -h 127.0.0.1 -p "$port" -q 1 -t "$ktopic" -t test/probe -C 2 -W 15 -F 'MSG %t %r %p' > cmd.sub 2>&1 &
sub=$!
for _ in $(seq 100); do grep -q '^MSG test/probe' cmd.sub && break; sleep 0.05; done
grep -q '^MSG test/probe' cmd.sub || die "mosquitto_sub did not subscribe to $ktopic"
"$ADMIN" cmd --key staff.key --target ht/camxuyen/k1 --cmd restart "${conn[@]}" > cmd.out 2> cmd.err \
  || die "cmd failed: $(cat cmd.err)"
wait "$sub" || die "the subscriber saw no command on $ktopic: $(cat cmd.sub)"
mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -r -t test/probe -n
cid=$(sed -n "s|^sent cmd \([0-9a-f-]\{36\}\) to $ktopic\$|\1|p" cmd.out)
[ -n "$cid" ] || die "cmd printed: $(cat cmd.out)"
grep "^MSG $ktopic " cmd.sub | sed 's/^MSG [^ ]* [01] //' > cmd.wire
grep -q "^MSG $ktopic 0 {" cmd.sub || die "the command did not arrive on $ktopic, not retained: $(cat cmd.sub)"
msg cmd.wire > cmd.json
has cmd.json '"type":"cmd"' "\"id\":\"$cid\"" '"ttl":600' '"target":"ht/camxuyen/k1"' '"cmd":"restart"'
[ -z "$(mosquitto_sub -h 127.0.0.1 -p "$port" -t "$ktopic" --retained-only -W 1 2>/dev/null)" ] \
  || die "the command was retained on $ktopic"
ok "cmd: restart reached a subscriber on $ktopic, not retained"

# 11. --clear empties the retained announcement, and only that
"$ADMIN" announce --key staff.key --target ht/camxuyen --clear "${conn[@]}" > clear.out 2> clear.err \
  || die "announce --clear failed: $(cat clear.err)"
grep -q "^cleared announce on $ann\$" clear.out || die "announce --clear printed: $(cat clear.out)"
[ -z "$(mosquitto_sub -h 127.0.0.1 -p "$port" -t "$ann" --retained-only -W 1 2>/dev/null)" ] \
  || die "the announcement is still retained on $ann"
payload "$sur" sur2.wire
cmp -s sur.wire sur2.wire || die "clearing the commune's announcement touched the province's survey"
payload tramtin/v1/ht/camxuyen/k1/down/announce ann3.wire
cmp -s ann2.wire ann3.wire || die "clearing the commune's announcement touched the kiosk's"
ok "--clear removed the retained announcement on $ann only"

# 12. bad staff messages: exit 2 with one line; nothing sent
m=(--key staff.key --target ht/camxuyen)
expect_fail 2 "--answer given 1 time" "$ADMIN" survey "${m[@]}" --question-vi "Q?" --answer "Có" "${conn[@]}"
seven=(); for i in 1 2 3 4 5 6 7; do seven+=(--answer "Ý $i"); done
expect_fail 2 "--answer given 7 times" "$ADMIN" survey "${m[@]}" --question-vi "Q?" "${seven[@]}" "${conn[@]}"
expect_fail 2 "'reboot'" "$ADMIN" cmd --key staff.key --target ht/camxuyen/k1 --cmd reboot "${conn[@]}"
expect_fail 2 "missing.key" "$ADMIN" announce --key missing.key --target ht --text-vi "x" "${conn[@]}"
expect_fail 2 "bad.key" "$ADMIN" cmd --key bad.key --target ht/camxuyen/k1 --cmd sync "${conn[@]}"
expect_fail 2 "'ht/camxuyen'" "$ADMIN" cmd "${m[@]}" --cmd sync "${conn[@]}"
expect_fail 2 "'HT'" "$ADMIN" announce --key staff.key --target HT --text-vi "x" "${conn[@]}"
expect_fail 2 "--text-vi" "$ADMIN" announce "${m[@]}" "${conn[@]}"
expect_fail 2 "--text-vi has 281 characters" "$ADMIN" announce "${m[@]}" --text-vi "$(printf 'ệ%.0s' $(seq 281))" "${conn[@]}"
expect_fail 2 "--text-vi" "$ADMIN" announce "${m[@]}" --clear --text-vi "x" "${conn[@]}"
expect_fail 2 "'tomorrow'" "$ADMIN" announce "${m[@]}" --text-vi "x" --to tomorrow "${conn[@]}"
expect_fail 2 "--to 2026-11-01 08:00" "$ADMIN" announce "${m[@]}" --text-vi "x" --to "2026-11-01 08:00" "${conn[@]}"
expect_fail 2 "--ttl" "$ADMIN" announce "${m[@]}" --text-vi "x" --ttl 60 --to "2026-11-28 08:00" "${conn[@]}"
expect_fail 2 "'0'" "$ADMIN" cmd --key staff.key --target ht/camxuyen/k1 --cmd sync --ttl 0 "${conn[@]}"
expect_fail 2 "'--clear'" "$ADMIN" cmd --key staff.key --target ht/camxuyen/k1 --cmd sync --clear "${conn[@]}"
[ -z "$(mosquitto_sub -h 127.0.0.1 -p "$port" -t "$ann" --retained-only -W 1 2>/dev/null)" ] \
  || die "a refused announcement reached the broker"
expect_fail 1 "127.0.0.1:$nobody" "$ADMIN" announce "${m[@]}" --text-vi "x" --host 127.0.0.1 --port "$nobody"
ok "bad answers, commands, keys, targets, texts and times exit 2 with one line; no broker exits 1"

echo "admin: all $passed checks passed"
