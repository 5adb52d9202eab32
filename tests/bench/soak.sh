#!/usr/bin/env bash
# Soak: the kiosk (release build, software renderer, headless) under the
# monkey for MINUTES minutes with its RSS sampled every minute (target: no
# growth after the first minute), then its CPU while idle on the attract
# loop (target <= 3% of one core).  Prints figures; never fails on them.
# usage: soak.sh BUILDDIR [MINUTES] [IDLE_SECONDS]
set -euo pipefail
B=$1 minutes=${2:-30} idle_s=${3:-60}
tramtin=$(realpath "$B/src/kiosk/tramtin")
tmp=$(mktemp -d); trap 'kill $KP 2>/dev/null || true; rm -rf "$tmp"' EXIT
KP=
export XDG_STATE_HOME="$tmp/state"
# the environment the kiosk's systemd unit gives it (malloc's huge pages)
GLIBC_TUNABLES=$(sed -n 's/^Environment=GLIBC_TUNABLES=//p' "$(dirname "$0")/../../kiosk-config/systemd/tramtin.service")
export GLIBC_TUNABLES
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime

# Far more monkey rounds than fit in the time; each round re-seeds and ends
# on the home button.
for seed in $(seq 1 20000); do
  printf 'monkey 1000 %d\ntap @nav.home\nexpect-screen home\n' "$seed"
done > "$tmp/soak.script"

echo "soak: monkey for $minutes min, RSS every minute"
"$tramtin" --headless --script "$tmp/soak.script" 2> "$tmp/monkey.err" &
KP=$!
samples=()
for m in $(seq 0 "$minutes"); do
  [ "$m" -gt 0 ] && sleep 60
  kill -0 $KP 2>/dev/null || { echo "soak: the kiosk stopped after $m min:"; tail -3 "$tmp/monkey.err"; exit 1; }
  r=$(rss $KP); samples+=("$r")
  echo "bench: soak minute $m: RSS $r KiB"
done
kill $KP; wait $KP 2>/dev/null || true; KP=
first=${samples[1]:-${samples[0]}} max=$first
for r in "${samples[@]:1}"; do [ "$r" -gt "$max" ] && max=$r; done
last=${samples[-1]}
echo "bench: soak RSS after minute 1: $first KiB, at the end: $last KiB, peak: $max KiB; growth after the first minute: $((last - first)) KiB (target: none)"

echo "soak: idle on the attract loop for $idle_s s"
cat > "$tmp/idle.ini" <<INI
[collector]
public_key = $(cat "$(dirname "$0")/../../kiosk-config/demo/collector.pub")
[idle]
timeout_s = 5
warning_s = 3
INI
"$tramtin" --headless --config "$tmp/idle.ini" 2> "$tmp/idle.err" &
KP=$!
sleep 15 # home, then the attract loop after 5 s without a touch
hz=$(getconf CLK_TCK)
t0=$(cpu_ticks $KP); s0=$(date +%s%N)
sleep "$idle_s"
t1=$(cpu_ticks $KP); s1=$(date +%s%N)
kill $KP; wait $KP 2>/dev/null || true; KP=
awk -v d=$((t1 - t0)) -v hz="$hz" -v ns=$((s1 - s0)) \
  'BEGIN { printf "bench: idle CPU on the attract loop: %.2f%% of one core over %.0f s (target <= 3%%)\n", 100 * d / hz / (ns / 1e9), ns / 1e9 }'
