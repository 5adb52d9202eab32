#!/usr/bin/env bash
# The province's staff pages in a real browser (tests/browser/staff.mjs): a
# real mosquitto, a headless kiosk sending an anonymous complaint through
# its UI (sealed, signed, with its receipt's code) and the collector with
# its HTTP server; a staff account made with the CLI.  Screenshots of every
# page land in OUTDIR/staff-browser/shots/.
# usage: staff.sh TRAMTIN COLLECTOR STANDIN SRCDIR OUTDIR
TRAMTIN=$(realpath "$1") COLLECTOR=$(realpath "$2") STANDIN=$(realpath "$3") src=$(realpath "$4") dir=$5/staff-browser
source "$src/tests/integration/lib.sh"
rm -rf "$dir"; mkdir -p "$dir"; dir=$(realpath "$dir"); cd "$dir" || exit 2
export RETRY_S=1
COLLECTOR_PID=
stop_collector() { if [ -n "$COLLECTOR_PID" ]; then kill "$COLLECTOR_PID" 2>/dev/null; wait "$COLLECTOR_PID" 2>/dev/null; fi; COLLECTOR_PID=; }
trap 'stop_collector; cleanup' EXIT

port=$(free_port); http=$(free_port)
start_broker "$dir" "$port"
"$STANDIN" keygen "$dir/collector" || die "keygen"
kiosk_config "$dir" "$port" k1
collector_config "$port" "$http"
printf '%s\n' 'mật-khẩu-tỉnh-2026' | "$COLLECTOR" staff add --db collector.db canbo 2> add.err || die "staff add: $(cat add.err)"
start_collector
sed -i "s|^followup_url = .*|followup_url = http://127.0.0.1:$http/t|" k1.ini

"$TRAMTIN" --headless --config k1.ini --script "$src/tests/integration/receipt.script" 2> kiosk.err || die "kiosk: $(cat kiosk.err)"
code=$(grep -A3 '"id":[[:space:]]*"receipt.code"' receipt.json | sed -n 's/.*"label":[[:space:]]*"\([0-9A-Z-]*\)".*/\1/p')
[ ${#code} = 19 ] || die "no code on the receipt"
for _ in $(seq 100); do [ "$(sqlite3 collector.db 'SELECT count(*) FROM submissions')" = 1 ] && break; sleep 0.1; done
id=$(sqlite3 collector.db "SELECT id FROM submissions WHERE kind = 'complaint'")
[ -n "$id" ] || die "the complaint was not stored"

TT_BASE=http://127.0.0.1:$http TT_RECEIPT_URL="http://127.0.0.1:$http/t#$code" TT_CODE=$code TT_SUB_ID=$id \
  TT_STAFF_USER=canbo TT_STAFF_PASSWORD='mật-khẩu-tỉnh-2026' TT_BROWSER_OUT=$dir/shots \
  "$src/tests/browser/run.sh" "$src/tests/browser/staff.mjs"
st=$?
[ "$st" = 0 ] || { echo "staff-browser: the collector's log ends with:" >&2; tail -5 collector.err >&2; exit "$st"; }
sqlite3 collector.db "SELECT actor, action FROM audit WHERE id = '$id'" | grep -q "staff:canbo|answer" ||
  die "no audit row for the answer"
exit 0
