#!/usr/bin/env bash
# Staff messages over a real mosquitto (tramtin-admin announce | survey |
# cmd, signed): the kiosk shows a commune's announcement; runs a
# province's survey whose answer reaches the collector stand-in; obeys
# screen-off (a touch wakes it) and restart; ignores a replayed command
# and an announcement signed with an unknown key.
# usage: staff.sh TRAMTIN ADMIN STANDIN SRCDIR OUTDIR
TRAMTIN=$(realpath "$1") ADMIN=$(realpath "$2") STANDIN=$(realpath "$3") src=$4 dir=$5/staff
source "$src/tests/integration/lib.sh"
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir" || exit 2
passed=0
ok() { passed=$((passed+1)); echo "staff: $*"; }
port=$(free_port)
start_broker "$dir" "$port"
"$STANDIN" keygen "$dir/collector" || die "keygen"
kiosk_config "$dir" "$port" k1
start_standin "$dir" "$port"
for k in prov comm rogue; do "$ADMIN" keygen --kind sign --out "$k" || die "admin keygen $k"; done
printf '[trust]\ncontent_keys = ht=%s ht/test=%s\n' "$(cat prov.pub)" "$(cat comm.pub)" >> k1.ini
mq=(--host 127.0.0.1 --port "$port")
kiosk() { # NAME [EXPECTED-EXIT]
  "$TRAMTIN" --headless --config k1.ini --script "$1.script" > "$1.out" 2> "$1.log"
  local rc=$?
  [ "$rc" = "${2:-0}" ] || die "kiosk $1 exited $rc, expected ${2:-0}: $(tail -5 "$1.log")"
}
# a first run: the kiosk's persistent session subscribes to its topics
printf 'sleep 1500\n' > first.script
kiosk first

# 1. the commune's announcement on the home screen
"$ADMIN" announce --key comm.key --target ht/test --text-vi "Chiều nay 14 giờ họp dân tại nhà văn hóa thôn." \
  --text-en "Village meeting at 2 pm today in the community hall." "${mq[@]}" > ann.out || die "announce: $(cat ann.out)"
printf 'sleep 2500\nexpect-screen home\nexpect "Chiều nay 14 giờ họp dân"\nscreenshot home-announce.png\n' > ann.script
kiosk ann
ok "the commune's announcement is on the home screen"

# 2. the province's survey; the answer is a submission of kind survey
"$ADMIN" survey --key prov.key --target ht --question-vi "Bà con biết chính sách hỗ trợ nhà ở chưa?" \
  --answer "Đã biết rõ|I know it well" --answer "Nghe nói qua|I have heard of it" --answer "Chưa biết|Not yet" \
  "${mq[@]}" > sv.out || die "survey: $(cat sv.out)"
sid=$(sed -n 's/^sent survey \([0-9a-f-]*\) .*/\1/p' sv.out)
[ ${#sid} = 36 ] || die "no survey id in: $(cat sv.out)"
printf 'sleep 2500\ntap @home.survey\nexpect-screen survey\nexpect "Bà con biết chính sách hỗ trợ nhà ở chưa?"\nscreenshot survey.png\ntap @survey.answer.2\nexpect "Câu trả lời đã được lưu"\nwait-delivered 10000\ntap @survey.done\nexpect-screen home\n' > sv.script
kiosk sv
inner=$(sqlite3 collector.db "SELECT inner FROM submissions")
echo "$inner" | grep -q '"kind":"survey"' || die "no survey answer stored: $inner"
echo "$inner" | grep -q "\"ref\":\"$sid\"" || die "the answer does not name the survey: $inner"
echo "$inner" | grep -q 'Nghe nói qua' || die "the answer text is not stored: $inner"
ok "a survey answered on the kiosk reached the collector stand-in with the survey's id"

# 3. screen-off: a blank screen, woken by a touch; the replayed command is refused
mosquitto_sub -h 127.0.0.1 -p "$port" -t tramtin/v1/ht/test/k1/down/cmd -C 1 -W 10 > cmd.wire & SUBP=$!
sleep 0.3
"$ADMIN" cmd --key comm.key --target ht/test/k1 --cmd screen-off "${mq[@]}" > cmd.out || die "cmd: $(cat cmd.out)"
wait $SUBP
printf 'sleep 2500\ndump off.json\ntouch 960 540\nexpect-screen home\nexpect "Chính sách"\n' > off.script
kiosk off
grep -q "screen off by staff command" off.log || die "screen-off not obeyed: $(cat off.log)"
grep -q '"id"' off.json && die "the blank screen still shows widgets: $(head -c 300 off.json)"
ok "screen-off blanks the screen; a touch wakes it"
mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t tramtin/v1/ht/test/k1/down/cmd -f cmd.wire
printf 'sleep 2500\nexpect "Chính sách"\n' > replay.script
kiosk replay
grep -q "refused: .*replay" replay.log || die "the replayed command was not refused: $(cat replay.log)"
grep -q "screen off by staff command" replay.log && die "the replayed command was obeyed"
ok "a replayed command is refused: $(grep -o 'refused: .*' replay.log | head -1)"

# 4. an announcement signed with a key nobody trusts is not shown
"$ADMIN" announce --key rogue.key --target ht/test --text-vi "Tin giả: không phải của xã." "${mq[@]}" > rogue.out || die "announce: $(cat rogue.out)"
printf 'sleep 2500\nexpect-screen home\ndump rogue.json\n' > rogue.script
kiosk rogue
grep -q "ht/test/content/announce: refused: " rogue.log || die "the rogue announcement was not refused: $(cat rogue.log)"
grep -q "Tin giả" rogue.json && die "the rogue announcement is shown"
ok "an announcement signed with an unknown key is refused: $(grep -o 'refused: .*' rogue.log | head -1)"

# 5. restart: the kiosk leaves with 75 for its service manager to start it again
"$ADMIN" cmd --key prov.key --target ht/test/k1 --cmd restart "${mq[@]}" > rs.out || die "cmd: $(cat rs.out)"
printf 'sleep 5000\n' > restart.script
kiosk restart 75
ok "restart: the kiosk exits with 75"
echo "$passed passed, 0 failed"
