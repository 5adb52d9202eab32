#!/usr/bin/env bash
# tramtin-collector against a real mosquitto: kiosks' submissions stored
# once and acknowledged; repeats stored once; tampered, unsealed,
# oversized, wrong-kiosk and unknown-kiosk envelopes quarantined with the
# right reason (and acknowledged); collector kill -9 mid-stream loses
# nothing; the follow-up API and the kiosk's Track screen see a real
# code's status; the CLI answers it; two collectors in a shared
# subscription split the load and store each submission once.
# usage: collector.sh TRAMTIN COLLECTOR LOADGEN STANDIN SRCDIR OUTDIR
TRAMTIN=$(realpath "$1") COLLECTOR=$(realpath "$2") LOADGEN=$(realpath "$3") STANDIN=$(realpath "$4") src=$5 dir=$6/collector
NOTIFY_LISTEN=${7:+$(realpath "$7")}
source "$src/tests/integration/lib.sh"
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir" || exit 2
export TT_LOADGEN_TIMEOUT=120 RETRY_S=2
passed=0
ok() { passed=$((passed+1)); echo "collector: $*"; }
port=$(free_port); http=$(free_port)
start_broker "$dir" "$port"
"$STANDIN" keygen "$dir/collector" || die "keygen"
kiosk_config "$dir" "$port" k1
kiosk_config "$dir" "$port" k2
sed -i "s|^followup_url = .*|followup_url = http://127.0.0.1:$http/t|" k1.ini
collector_config "$port" "$http"
stop_collector() { if [ -n "${COLLECTOR_PID:-}" ]; then kill -9 "$COLLECTOR_PID" 2>/dev/null; wait "$COLLECTOR_PID" 2>/dev/null; fi; COLLECTOR_PID=; }
trap 'stop_collector; cleanup' EXIT
q() { sqlite3 collector.db "$1"; }
# under systemd (Type=notify) the collector says READY=1 once serving
if [ -n "$NOTIFY_LISTEN" ] && grep -q "TT_HAVE_SYSTEMD 1" "$(dirname "$COLLECTOR")/../../tt_build.h" 2>/dev/null; then
  "$NOTIFY_LISTEN" "$dir/notify.sock" 20 > notify.out & NL=$!
  for _ in $(seq 50); do grep -q listening notify.out && break; sleep 0.05; done
  export NOTIFY_SOCKET=$dir/notify.sock
  start_collector
  unset NOTIFY_SOCKET
  wait $NL || die "the collector did not notify READY=1: $(cat notify.out)"
  ok "started, and told systemd it is ready ($(grep -o 'STATUS=[a-z]*' notify.out | head -1))"
else
  start_collector
  ok "started"
fi

# 1. a stream of submissions, stored once each and acknowledged
"$LOADGEN" k1.ini submit 200 > ids1 2> lg1.err || die "not all acknowledged: $(cat lg1.err)"
[ "$(q 'SELECT count(*) FROM submissions')" = 200 ] || die "stored $(q 'SELECT count(*) FROM submissions'), expected 200"
ok "200 submissions stored and acknowledged"

# 2. repeats: the same envelope published again is stored once and acked
mosquitto_sub -h 127.0.0.1 -p "$port" -t 'tramtin/v1/+/+/k1/up/submission' -C 1 -W 10 > one.json &
SUBP=$!
sleep 0.3
"$LOADGEN" k1.ini submit 1 > ids2 2> lg2.err || die "the single submission was not acknowledged: $(cat lg2.err)"
echo "collector: after one more: $(q "SELECT count(*) FROM submissions")"
wait $SUBP
for _ in 1 2 3; do mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t tramtin/v1/ht/test/k1/up/submission -f one.json; done
# then one new submission: the collector takes messages in order, so once
# it is acknowledged the repeats before it have been dealt with
"$LOADGEN" k1.ini submit 1 >> ids2 2> lg2b.err || die "the submission after the repeats was not acknowledged: $(cat lg2b.err)"
n=$(q 'SELECT count(*) FROM submissions')
[ "$n" = 202 ] || die "after repeats the collector holds $n submissions, expected 202"
ok "repeats stored once"

# 3. bad envelopes end in quarantine with their reason
pub() { mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t "$1" -m "$2"; }
env=$(cat one.json)
pub tramtin/v1/ht/test/k1/up/submission "$(echo "$env" | sed 's/"sig":"./"sig":"A/')"
"$LOADGEN" k1.ini forge-wrong-seal > wrong-seal.json || die "cannot forge"
mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t tramtin/v1/ht/test/k1/up/submission -f wrong-seal.json
pub tramtin/v1/ht/test/k2/up/submission "$env"
pub tramtin/v1/ht/test/k9/up/submission "$(echo "$env" | sed 's/"kiosk":"k1"/"kiosk":"k9"/')"
pub tramtin/v1/ht/test/k1/up/submission "not json at all"
head -c 70000 /dev/zero | tr '\0' 'x' > big.txt
mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t tramtin/v1/ht/test/k1/up/submission -f big.txt
"$LOADGEN" k1.ini submit 1 >> ids2 2> lg2c.err || die "the submission after the bad ones was not acknowledged: $(cat lg2c.err)"
for reason in "bad signature" "seal does not open" "kiosk in the topic" "not registered" "not JSON" "too large"; do
  [ "$(q "SELECT count(*) FROM quarantine WHERE reason LIKE '%$reason%'")" -ge 1 ] || die "no quarantine row for '$reason': $(q 'SELECT reason FROM quarantine')"
done
[ "$(q 'SELECT count(*) FROM submissions')" = 203 ] || die "a bad envelope was stored"
ok "tampered, unsealed, wrong-kiosk, unknown-kiosk, non-JSON and oversized envelopes quarantined"

# 3b. never an ack before the commit: while another process holds the
# database's write lock the collector cannot commit, so the kiosk hears
# nothing; once the lock goes, the submission is committed, then acked.
mosquitto_sub -h 127.0.0.1 -p "$port" -t 'tramtin/v1/ht/test/k1/down/ack' > acks3.txt & ASUB=$!
sleep 0.3
{ echo ".timeout 5000"; echo "BEGIN IMMEDIATE;"; echo "SELECT 'locked';"; sleep 2.5; echo "COMMIT;"; } | sqlite3 collector.db > lock3.out & LOCK=$!
for _ in $(seq 100); do grep -q locked lock3.out && break; sleep 0.02; done
grep -q locked lock3.out || die "could not take the database's write lock"
"$LOADGEN" k1.ini submit 1 > ids3 2> lg3.err & LG=$!
sleep 1.5
[ -s acks3.txt ] && die "acknowledged while the database could not commit: $(cat acks3.txt)"
[ "$(q 'SELECT count(*) FROM submissions')" = 203 ] || die "stored while another process held the write lock"
wait $LOCK
wait $LG || die "not acknowledged after the lock went: $(cat lg3.err)"
[ "$(q "SELECT count(*) FROM submissions WHERE id = '$(cat ids3)'")" = 1 ] || die "acknowledged but not stored: $(cat ids3)"
for _ in $(seq 50); do grep -q "$(cat ids3)" acks3.txt && break; sleep 0.05; done
kill $ASUB; wait $ASUB 2>/dev/null
grep -q "$(cat ids3)" acks3.txt || die "the ack on the broker does not name $(cat ids3): $(cat acks3.txt)"
ok "no ack while the database was locked; committed, then acknowledged"

# 4. collector kill -9 in the middle of a stream, then restart
"$LOADGEN" k2.ini submit 500 > ids4 2> lg4.err & LG=$!
for _ in $(seq 200); do [ "$(q 'SELECT count(*) FROM submissions')" -ge 260 ] && break; sleep 0.02; done
kill -9 $COLLECTOR_PID; wait $COLLECTOR_PID 2>/dev/null
sleep 0.3
start_collector
wait $LG || die "after the collector's restart not everything was acknowledged: $(cat lg4.err)"
cat ids1 ids2 ids3 ids4 | sort > want
q "SELECT id FROM submissions ORDER BY id" > got
cmp -s want got || die "committed $(wc -l < want), stored $(wc -l < got)"
ok "collector kill -9 mid-stream: $(wc -l < want) committed == $(wc -l < got) stored"

# 5. a real code: the kiosk's receipt, the follow-up API, the CLI, the Track screen
"$TRAMTIN" --headless --config k1.ini --script "$src/tests/integration/receipt.script" 2> kiosk.err || die "kiosk: $(cat kiosk.err)"
code=$(grep -A3 '"id":[[:space:]]*"receipt.code"' receipt.json | sed -n 's/.*"label":[[:space:]]*"\([0-9A-Z-]*\)".*/\1/p')
[ ${#code} = 19 ] || die "no code on the receipt"
track() { curl -s -X POST -H 'Content-Type: application/json' --data "{\"code\":\"$1\"}" "http://127.0.0.1:$http/api/track"; }
for _ in $(seq 50); do track "$code" | grep -q '"found":true' && break; sleep 0.1; done
track "$code" | grep -q '"status":"received"' || die "the API does not know the code: $(track "$code")"
[ "$(track 7KQ2-M9XD-4TRB-HV3N)" = '{"found":false}' ] || die "a wrong code is not neutral: $(track 7KQ2-M9XD-4TRB-HV3N)"
id=$(q "SELECT id FROM submissions WHERE kind = 'complaint'")
"$COLLECTOR" set-status --db collector.db "$id" accepted > /dev/null || die "set-status failed"
"$COLLECTOR" respond --db collector.db "$id" --text "Xã đã kiểm tra, sẽ trả lời tại buổi họp thôn." > /dev/null || die "respond failed"
track "$code" | grep -q 'sẽ trả lời tại buổi họp thôn' || die "the answer is not on the follow-up API: $(track "$code")"
ok "a receipt's code: received, then answered, on the follow-up API; wrong codes neutral"
# the retained track topic reaches the kiosk's Track screen
sed "s/CODE/$code/" "$src/tests/integration/track.script" > track.script
"$TRAMTIN" --headless --config k1.ini --script track.script 2> track.err || die "Track screen: $(cat track.err)"
ok "the kiosk's Track screen shows the answered status from the retained topic"
grep -q "$code" collector.err && die "the collector logged a tracking code"
kill $COLLECTOR_PID; wait $COLLECTOR_PID; COLLECTOR_PID=
grep -q "stored" collector.err || die "no clean stop line"

# 6. two collectors in one MQTT v5 shared subscription, one database:
# each submission stored once, and both took a share of the load
before=$(q 'SELECT count(*) FROM submissions')
for c in a b; do
  sed -e "s/^\[mqtt\]/[mqtt]\nclient_id = collector-$c\nshare_group = tt/" -e "s/^port = $http/port = 0/" collector.ini > "shared-$c.ini"
  "$COLLECTOR" serve --config "shared-$c.ini" > "shared-$c.out" 2> "shared-$c.err" & eval "PID_$c=\$!"
  for _ in $(seq 100); do grep -q "serving" "shared-$c.out" 2>/dev/null && break; sleep 0.05; done
  grep -q "subscribed to \$share/tt/" "shared-$c.err" || die "collector $c: not in the shared group: $(cat "shared-$c.err")"
done
"$LOADGEN" k2.ini submit 400 > ids6 2> lg6.err || die "shared group: not all acknowledged: $(cat lg6.err)"
kill "$PID_a" "$PID_b"; wait "$PID_a" "$PID_b"
[ "$(q 'SELECT count(*) FROM submissions')" = $((before + 400)) ] || die "shared group: stored $(q 'SELECT count(*) FROM submissions'), expected $((before + 400))"
sort ids6 > want6
q "SELECT id FROM submissions WHERE kiosk = 'k2'" | sort > got6
comm -23 want6 got6 | grep -q . && die "shared group: a committed submission is missing"
na=$(sed -n 's/.*stopping: \([0-9]*\) stored.*/\1/p' shared-a.err) nb=$(sed -n 's/.*stopping: \([0-9]*\) stored.*/\1/p' shared-b.err)
[ "${na:-0}" -gt 0 ] && [ "${nb:-0}" -gt 0 ] && [ $((na + nb)) = 400 ] || die "shared group: collector a stored ${na:-none}, b ${nb:-none}"
ok "two collectors in a shared subscription: 400 stored once, $na by one and $nb by the other"
echo "$passed passed, 0 failed"
