#!/usr/bin/env bash
# Nothing a citizen sent is lost, and nothing is stored twice, when:
#  1. the broker is killed (kill -9) in the middle of 1,000 submissions and restarted;
#  2. the collector is offline, then the broker is killed and restarted;
#  3. the kiosk is killed between the outbox commit and the publish;
#  4. the kiosk is killed between the publish and the collector's ack.
# Each step ends with: ids the kiosk committed == ids the collector stored.
# usage: faults.sh TRAMTIN STANDIN LOADGEN SRCDIR OUTDIR
TRAMTIN=$(realpath "$1") STANDIN=$(realpath "$2") LOADGEN=$(realpath "$3") src=$4 dir=$5/faults
source "$src/tests/integration/lib.sh"
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir" || exit 2
export TT_LOADGEN_TIMEOUT=120 RETRY_S=2
port=$(free_port)
start_broker "$dir" "$port"
"$STANDIN" keygen "$dir/collector" || die "keygen"
kiosk_config "$dir" "$port" k1
start_standin "$dir" "$port"
: > all-ids
count() { sqlite3 "$dir/collector.db" "SELECT count(*) FROM submissions" 2>/dev/null || echo 0; }
check() { # step
  sort -u all-ids > want; stored_ids "$dir" | sort > got
  if ! cmp -s want got; then
    echo "faults: step $1: committed $(wc -l < want), stored $(wc -l < got)" >&2
    diff want got | head -5 >&2
    exit 1
  fi
  [ "$(count)" = "$(wc -l < want)" ] || die "step $1: duplicates stored"
  echo "faults: step $1: $(wc -l < want) committed == $(count) stored"
}

# 1. broker kill -9 mid-stream of 1,000
"$LOADGEN" k1.ini submit 1000 > ids1 2> lg1.err & LG=$!
for _ in $(seq 400); do [ "$(count)" -ge 100 ] && break; sleep 0.05; done
kill_broker
sleep 0.5
start_broker "$dir" "$port"
wait $LG || die "step 1: the kiosk did not get every submission acknowledged ($(cat lg1.err))"
cat ids1 >> all-ids
[ "$(wc -l < ids1)" = 1000 ] || die "step 1: only $(wc -l < ids1) committed"
check 1

# 2. collector offline, then broker kill -9
stop_standin
"$LOADGEN" k1.ini submit 200 > ids2 2> lg2.err & LG=$!
sleep 1.5
kill_broker
start_broker "$dir" "$port"
start_standin "$dir" "$port"
wait $LG || die "step 2: not every submission acknowledged ($(cat lg2.err))"
cat ids2 >> all-ids
check 2

# 3. kiosk killed between commit and publish
"$LOADGEN" k1.ini submit 100 --no-network --hang > ids3 2> lg3.err & LG=$!
for _ in $(seq 200); do [ "$(wc -l < ids3)" -ge 100 ] && break; sleep 0.05; done
kill -9 $LG; wait $LG 2>/dev/null
cat ids3 >> all-ids
"$LOADGEN" k1.ini deliver 2> lg3b.err || die "step 3: the restarted kiosk did not deliver ($(cat lg3b.err))"
check 3

# 4. kiosk killed between publish and ack
stop_standin
"$LOADGEN" k1.ini submit 100 --hang > ids4 2> lg4.err & LG=$!
for _ in $(seq 200); do [ "$(wc -l < ids4)" -ge 100 ] && break; sleep 0.05; done
sleep 1
kill -9 $LG; wait $LG 2>/dev/null
cat ids4 >> all-ids
start_standin "$dir" "$port"
"$LOADGEN" k1.ini deliver 2> lg4b.err || die "step 4: the restarted kiosk did not deliver ($(cat lg4b.err))"
check 4
[ -s "$dir/mosq/mosquitto.db" ] || die "the broker wrote no persistence file: the test did not test persistence"
grep -q "Error" "$dir/mosquitto.log" && die "the broker logged errors: $(grep Error "$dir/mosquitto.log" | head -3)"
echo "4 passed, 0 failed"
