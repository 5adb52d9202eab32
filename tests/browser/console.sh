#!/usr/bin/env bash
# The commune console in a real browser (tests/browser/console.mjs): a real
# mosquitto, a headless kiosk of the channel (a separate tramtin, as in a
# commune hall, running tests/browser/console-kiosk.script), and
# tramtin-admin console; the clerk's whole round in Chromium.  Screenshots
# of every console state and of the kiosk land in OUTDIR/console-browser/.
# usage: console.sh TRAMTIN ADMIN STANDIN SRCDIR OUTDIR
TRAMTIN=$(realpath "$1") ADMIN=$(realpath "$2") STANDIN=$(realpath "$3") src=$(realpath "$4") dir=$5/console-browser
source "$src/tests/integration/lib.sh"
# as meson's environment for tests (also when run by tests/bench/console.sh)
export LC_ALL=C.UTF-8 SDL_AUDIODRIVER=dummy TRAMTIN_NOW=${TRAMTIN_NOW:-2026-11-27T09:00:00+07:00}
rm -rf "$dir"; mkdir -p "$dir"; dir=$(realpath "$dir"); cd "$dir" || exit 2
CONSOLE_PID= KIOSK_PID=
stop() { # PID-VARIABLE: SIGTERM; SIGKILL if still running 10 s later
  local p=${!1}
  if [ -n "$p" ]; then
    kill "$p" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null
  fi
  eval "$1="
}
trap 'stop KIOSK_PID; stop CONSOLE_PID; cleanup' EXIT

# no attract screen on the kiosk while it waits
console_fixture '[idle]\ntimeout_s = 86400\n'

# The kiosk waits for each published version, then opens the notice and
# leaves a screenshot and a dump of the screen (kiosk-v1.*, kiosk-v2.*).
"$TRAMTIN" --headless --config k1.ini --script "$src/tests/browser/console-kiosk.script" > kiosk.out 2> kiosk.log &
KIOSK_PID=$!
for _ in $(seq 200); do grep -q "connected" kiosk.log && break; sleep 0.05; done

TT_CONSOLE_URL=$url TT_KIOSK_DIR=$dir TT_KIOSK_ID=k1 TT_KIOSK_PID=$KIOSK_PID TT_BROWSER_OUT=$dir/shots \
  "$src/tests/browser/run.sh" "$src/tests/browser/console.mjs"
st=$?
if [ "$st" != 0 ]; then
  echo "console-browser: the kiosk's log ends with:" >&2; tail -5 kiosk.log >&2
  echo "console-browser: the console's log ends with:" >&2; tail -5 console.err >&2
  exit "$st"
fi
grep -q "content ht/test: version 1 installed" kiosk.log || die "the kiosk did not install version 1: $(grep content kiosk.log)"
grep -q "content ht/test: version 2 installed" kiosk.log || die "the kiosk did not install version 2: $(grep content kiosk.log)"
stop KIOSK_PID
kill "$CONSOLE_PID"; wait "$CONSOLE_PID"; st=$?; CONSOLE_PID=
[ "$st" = 0 ] || die "the console stopped with status $st: $(tail -5 console.err)"
exit 0
