#!/usr/bin/env bash
# The kiosk as a service and its admin screen, against a real mosquitto:
# 1. under systemd (Type=notify) it says READY=1 and feeds the watchdog
#    from its event loop (a stand-in notify socket);
# 2. staff open the admin screen (gesture + PIN): it shows the live link,
#    a test submission goes end to end (stored by the collector in category
#    kiosk-test, acknowledged), "sync now" publishes the status again, and
#    the status says whether the clock is synchronized;
# 3. "exit to desktop" ends the kiosk with status 3 (not restarted).
# usage: kiosk-life.sh TRAMTIN STANDIN ADMIN NOTIFY_LISTEN SRCDIR OUTDIR
TRAMTIN=$(realpath "$1") STANDIN=$(realpath "$2") ADMIN=$(realpath "$3") NOTIFY_LISTEN=$(realpath "$4") src=$5
dir=$6/kiosk-life
source "$src/tests/integration/lib.sh"
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir" || exit 2
passed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
port=$(free_port)
start_broker "$dir" "$port"
"$STANDIN" keygen "$dir/collector" || die "keygen"
kiosk_config "$dir" "$port" ht-life-01
{ echo "[admin]"; echo 2468 | "$ADMIN" pin-hash; echo "allow_exit = true"; } >> ht-life-01.ini
start_standin "$dir" "$port"

# 1. READY=1, then WATCHDOG=1 again and again while it waits for a touch
if grep -q "TT_HAVE_SYSTEMD 1" "$(dirname "$TRAMTIN")/../../tt_build.h" 2>/dev/null; then
  "$NOTIFY_LISTEN" "$dir/notify.sock" 20 > ready.out & NL=$!
  for _ in $(seq 50); do grep -q listening ready.out && break; sleep 0.05; done
  NOTIFY_SOCKET=$dir/notify.sock WATCHDOG_USEC=600000 "$TRAMTIN" --headless --config ht-life-01.ini 2> kiosk1.err &
  KIOSK=$!
  wait $NL || { kill $KIOSK; die "the kiosk did not notify READY=1: $(cat ready.out)"; }
  # the loop wakes at least every half watchdog period and feeds it
  "$NOTIFY_LISTEN" "$dir/notify.sock" 10 WATCHDOG=1 > dog1.out && "$NOTIFY_LISTEN" "$dir/notify.sock" 10 WATCHDOG=1 > dog2.out \
    || { kill $KIOSK; die "no WATCHDOG=1 from the idle kiosk: $(cat dog1.out dog2.out 2>/dev/null)"; }
  kill -TERM $KIOSK; wait $KIOSK; rc=$?
  [ $rc = 0 ] || die "the kiosk ended with $rc on SIGTERM: $(tail -3 kiosk1.err)"
  ok "READY=1 ($(grep -o 'STATUS=.*' ready.out | head -1)), the watchdog fed while idle, a clean stop on SIGTERM"
else
  echo "skip: built without libsystemd"
fi

# 2. the admin screen over the live link
mosquitto_sub -h 127.0.0.1 -p "$port" -t 'tramtin/v1/ht/test/ht-life-01/status' -v -V mqttv5 > status.txt 2>/dev/null &
SNIFF_PID=$!
cat > admin.script <<'SCRIPT'
wait-for "Về trang chủ" 2000
hold 10 10 5000
expect-screen admin
tap @admin.key.2
tap @admin.key.4
tap @admin.key.6
tap @admin.key.8
tap @admin.key.ok
wait-for "đã kết nối tới 127.0.0.1" 10000
tap @admin.test
wait-for "đã đến máy chủ tiếp nhận" 15000
tap @admin.sync
expect "Đã yêu cầu đồng bộ"
sleep 1000
dump admin.json
tap @admin.exit
SCRIPT
"$TRAMTIN" --headless --config ht-life-01.ini --script admin.script 2> kiosk2.err; rc=$?
[ $rc = 3 ] || die "exit to desktop: status $rc, expected 3: $(tail -5 kiosk2.err)"
kill "$SNIFF_PID"; SNIFF_PID=
n=$(sqlite3 collector.db "SELECT count(*) FROM submissions WHERE json_extract(inner,'$.category')='kiosk-test'")
[ "$n" = 1 ] || die "the collector stored $n test submissions, expected 1"
ok "admin screen: connected, a test submission stored (category kiosk-test) and acknowledged"
boot=$(grep -o '"boot":[0-9]*' status.txt | tail -1)
online=$(grep -c "\"state\":\"online\",$boot," status.txt)
[ "$online" -ge 2 ] || die "sync now did not publish the status again ($online online statuses for $boot): $(cat status.txt)"
grep -q '"clock_synced":true,"clock":"fixed (TRAMTIN_NOW)"' status.txt || die "the status does not say where the time comes from: $(tail -1 status.txt)"
ok "sync now published the status again ($online times); the status reports the clock"
grep -q "admin screen: exit to desktop" kiosk2.err || die "the exit was not logged"
ok "exit to desktop ends the kiosk with status 3"
echo "$passed passed, 0 failed"
