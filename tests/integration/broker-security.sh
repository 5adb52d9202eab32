#!/usr/bin/env bash
# The province's broker as shipped (kiosk-config/mosquitto/: TLS only, a
# listener for kiosks and one for the collector and staff, each with its
# password file and ACL), with certificates from scripts/mkcerts and kiosk
# accounts from tramtin-admin provision: no anonymous, wrong-password,
# wrong-listener, plain-TCP or wrong-CA client gets in; a kiosk cannot
# publish as another, read another's acks or commands, take over another's
# (or the collector's) session, or write acks or content; a clerk publishes
# for its own commune only; the collector writes acks and tracking status;
# and a real kiosk delivers a submission over TLS to the real collector,
# itself on TLS with a password.  Only paths and ports of the shipped files
# are changed (and a test-only "observer" staff account reads everything).
# usage: broker-security.sh TRAMTIN ADMIN COLLECTOR SRCDIR OUTDIR
TRAMTIN=$(realpath "$1") ADMIN=$(realpath "$2") COLLECTOR=$(realpath "$3") src=$4 dir=$5/broker-security
source "$src/tests/integration/lib.sh"
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir" || exit 2
passed=0
ok() { passed=$((passed+1)); echo "broker-security: $*"; }
SUBS=()
stop_all() {
  for p in "${SUBS[@]}" ${COLLECTOR_PID:-}; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  SUBS=(); COLLECTOR_PID=
  cleanup
}
trap stop_all EXIT

# 1. certificates: a CA and a server certificate for 127.0.0.1; a second run keeps them
"$src/scripts/mkcerts" tls 127.0.0.1 localhost > mkcerts.out || die "mkcerts: $(cat mkcerts.out)"
sum=$(cat tls/ca.crt tls/server.crt | sha256sum)
"$src/scripts/mkcerts" tls 127.0.0.1 localhost > mkcerts2.out || die "mkcerts again: $(cat mkcerts2.out)"
[ "$(cat tls/ca.crt tls/server.crt | sha256sum)" = "$sum" ] || die "mkcerts made new certificates on a second run"
openssl verify -CAfile tls/ca.crt tls/server.crt > /dev/null || die "server.crt does not verify against ca.crt"
"$src/scripts/mkcerts" 2> usage.err; [ $? = 2 ] && [ "$(wc -l < usage.err)" = 2 ] || die "mkcerts usage: $(cat usage.err)"
"$src/scripts/mkcerts" other 127.0.0.1 > /dev/null || die "mkcerts (a second CA)"
ok "mkcerts makes a CA and a server certificate, keeps them on a second run, and says its usage in 2 lines"

# 2. the shipped broker config, its paths and ports changed; staff accounts for the
# collector, the province staff and two clerks (the shipped staff.acl has clerk-camxuyen;
# clerk-thachha's block is made from it, as an operator would); the observer reads everything
pw() { openssl rand -hex 16; }
PW_collector=$(pw) PW_admin=$(pw) PW_camxuyen=$(pw) PW_thachha=$(pw) PW_observer=$(pw)
mosquitto_passwd -c -b staff.passwd collector "$PW_collector"
mosquitto_passwd -b staff.passwd admin "$PW_admin"
mosquitto_passwd -b staff.passwd clerk-camxuyen "$PW_camxuyen"
mosquitto_passwd -b staff.passwd clerk-thachha "$PW_thachha"
mosquitto_passwd -b staff.passwd observer "$PW_observer"
touch kiosks.passwd
cp "$src/kiosk-config/mosquitto/kiosks.acl" "$src/kiosk-config/mosquitto/staff.acl" .
{ echo; sed -n '/^user clerk-camxuyen$/,/^$/p' staff.acl | sed 's/camxuyen/thachha/g'
  printf '\n# test only\nuser observer\ntopic read #\n'; } >> staff.acl
grep -q '^topic write tramtin/v1/ht/thachha/content/#$' staff.acl || die "no clerk-thachha block made from the shipped ACL"
mkdir -p mosq; touch mosquitto.log
if [ "$(id -u)" = 0 ] && id mosquitto > /dev/null 2>&1; then
  # as root, mosquitto reads its files as its own user (and again on SIGHUP)
  chown mosquitto: kiosks.passwd staff.passwd kiosks.acl staff.acl tls/server.key mosq mosquitto.log
  chmod o+x "$dir" tls
fi
start_secure_broker() {
  for _try in 1 2 3 4 5; do
    kport=$(free_port) sport=$(free_port)
    [ "$kport" = "$sport" ] && continue
    sed -e "s|^listener 8883$|listener $kport 127.0.0.1|" -e "s|^listener 8884$|listener $sport 127.0.0.1|" \
        -e "s#^\(cafile\|certfile\|keyfile\) /etc/tramtin/tls/#\1 $dir/tls/#" \
        -e "s#^\(password_file\|acl_file\) /etc/tramtin/#\1 $dir/#" \
        -e "s|^persistence_location .*|persistence_location $dir/mosq/|" \
        -e "s|^log_dest stderr$|log_dest file $dir/mosquitto.log|" \
        "$src/kiosk-config/mosquitto/mosquitto.conf" > mosquitto.conf
    echo "log_type debug" >> mosquitto.conf
    [ "$(diff "$src/kiosk-config/mosquitto/mosquitto.conf" mosquitto.conf | grep -c '^>')" = 15 ] ||
      die "the shipped mosquitto.conf no longer has the lines this test changes: $(diff "$src/kiosk-config/mosquitto/mosquitto.conf" mosquitto.conf)"
    local seen; seen=$(wc -l < mosquitto.log)
    mosquitto -c mosquitto.conf & BROKER_PID=$!
    for _ in $(seq 100); do
      tail -n +"$((seen + 1))" mosquitto.log | grep -q "mosquitto version .* running" && return 0
      kill -0 "$BROKER_PID" 2>/dev/null || break
      sleep 0.05
    done
    wait "$BROKER_PID" 2>/dev/null; BROKER_PID=
    tail -n +"$((seen + 1))" mosquitto.log | grep -q "Address already in use" || break
  done
  die "mosquitto did not start: $(tail -5 mosquitto.log)"
}
start_secure_broker
KTLS=(-h 127.0.0.1 -p "$kport" --cafile "$dir/tls/ca.crt" -q 1) # kiosks
STLS=(-h 127.0.0.1 -p "$sport" --cafile "$dir/tls/ca.crt" -q 1) # the collector and staff
refused() { # WHY ARGS...: mosquitto_pub must fail to connect
  local why=$1; shift
  mosquitto_pub "$@" -t tramtin/v1/ht/camxuyen/ka/status -m x 2> refused.err &&
    die "$why: connected and published"
  true
}

# 3. two kiosks of camxuyen provisioned while the broker runs; SIGHUP makes it read them
"$ADMIN" keygen --kind box --out collector > /dev/null || die "keygen"
for k in ka kb; do
  "$ADMIN" provision $k --province ht --commune camxuyen --passwd kiosks.passwd --host 127.0.0.1 --port "$kport" \
    --tls-ca tls/ca.crt --collector-key "$(cat collector.pub)" --followup-url http://127.0.0.1:8080/t \
    --out $k.ini > $k.prov 2>&1 || die "provision $k: $(cat $k.prov)"
done
[ "$(stat -c %a ka.ini)" = 600 ] || die "ka.ini is not 0600"
PW_ka=$(sed -n 's/^password = //p' ka.ini) PW_kb=$(sed -n 's/^password = //p' kb.ini)
[ ${#PW_ka} = 32 ] && [ "$PW_ka" != "$PW_kb" ] || die "no random password in ka.ini: $(cat ka.ini)"
grep -q '^ka:\$7\$101\$[A-Za-z0-9+/]\{16\}\$[A-Za-z0-9+/]\{86\}==$' kiosks.passwd ||
  die "no \$7\$ line for ka in the password file: $(cat kiosks.passwd)"
grep -q "$PW_ka" kiosks.passwd && die "the password itself is in the password file"
"$ADMIN" provision ka --province ht --commune camxuyen --passwd kiosks.passwd > dup.out 2> dup.err
rc=$?
[ $rc = 2 ] && [ "$(wc -l < dup.err)" = 1 ] && grep -q "'ka' already has an account in kiosks.passwd" dup.err ||
  die "a duplicate id: exit $rc, $(cat dup.err)"
[ -s dup.out ] && die "a refused duplicate printed a kiosk.ini"
[ "$(grep -c '^ka:' kiosks.passwd)" = 1 ] || die "the duplicate changed the password file"
"$ADMIN" provision 'k+b' --province ht --commune camxuyen 2> bad.err; rc=$?
[ $rc = 2 ] && grep -q "KIOSK_ID 'k+b' is not an id" bad.err || die "a bad id: exit $rc, $(cat bad.err)"
"$ADMIN" provision tramtin-collector --province ht --commune camxuyen 2> bad.err; rc=$?
[ $rc = 2 ] && grep -q "beginning with 'tramtin-'" bad.err || die "a kiosk named like the collector: exit $rc, $(cat bad.err)"
refused "ka before the broker reads the password file again" "${KTLS[@]}" -u ka -P "$PW_ka"
kill -HUP "$BROKER_PID"
for _ in $(seq 100); do
  mosquitto_pub "${KTLS[@]}" -u ka -P "$PW_ka" -t tramtin/v1/ht/camxuyen/ka/status -m probe 2> /dev/null && break
  sleep 0.05
done || true
mosquitto_pub "${KTLS[@]}" -u ka -P "$PW_ka" -t tramtin/v1/ht/camxuyen/ka/status -m probe || die "ka cannot connect after SIGHUP"
ok "provision adds \$7\$ accounts with random passwords only in kiosk.ini (0600), refuses a duplicate id or a bad one in one line (exit 2); the broker takes them on SIGHUP"

# 4. who gets in
for p in "$kport" "$sport"; do
  refused "anonymous (port $p)" -h 127.0.0.1 -p "$p" --cafile tls/ca.crt
  grep -q "not authorised" refused.err || die "anonymous: $(cat refused.err)"
  refused "plain TCP (port $p)" -h 127.0.0.1 -p "$p" -u ka -P "$PW_ka"
  refused "a CA that did not sign the broker's certificate (port $p)" -h 127.0.0.1 -p "$p" --cafile other/ca.crt -u ka -P "$PW_ka"
done
refused "wrong password" "${KTLS[@]}" -u ka -P "$PW_kb"
grep -q "not authorised" refused.err || die "wrong password: $(cat refused.err)"
refused "unknown user" "${KTLS[@]}" -u kc -P "$PW_ka"
refused "a kiosk on the staff listener" "${STLS[@]}" -u ka -P "$PW_ka"
refused "the collector on the kiosks' listener" "${KTLS[@]}" -u collector -P "$PW_collector"
ok "no anonymous, wrong-password, unknown-user, wrong-listener, plain-TCP or wrong-CA client gets in"

# 5. who may publish where: every publish below completes (QoS 1, PUBACK) and the
# observer, subscribed to everything, sees the allowed ones only
sub() { # OUT USER PASS TOPIC...: a subscriber in the background, ready when it returns
  local out=$1 u=$2 p=$3; shift 3
  local args=(); for t in "$@"; do args+=(-t "$t"); done
  local seen; seen=$(wc -l < mosquitto.log)
  local l=STLS; [[ $u == k? ]] && l=KTLS  # kiosks on theirs, staff on theirs
  local -n T=$l
  mosquitto_sub "${T[@]}" -V mqttv5 -v -i "$u" -u "$u" -P "$p" "${args[@]}" > "$out" 2>&1 & SUBS+=($!)
  # client id: the user name (the broker makes it so anyway)
  for _ in $(seq 100); do tail -n +"$((seen + 1))" mosquitto.log | grep -q "Sending SUBACK to $u$" && return 0; sleep 0.05; done
  die "subscriber $u did not subscribe: $(cat "$out")"
}
pub() { # USER TOPIC PAYLOAD
  local u=$1 pv="PW_${1//-/_}"; pv=${pv/PW_clerk_/PW_}
  local l=STLS; [[ $u == k? ]] && l=KTLS  # kiosks on theirs, staff on theirs
  local -n T=$l
  mosquitto_pub "${T[@]}" -V mqttv5 -u "$u" -P "${!pv}" -t "$2" -m "$3" > /dev/null 2>&1 || true
}
sub observed observer "$PW_observer" 'tramtin/v1/#'
K=tramtin/v1/ht/camxuyen
allowed=() denied=()
probe() { # allowed|denied USER TOPIC
  local tag="$2→$3"; pub "$2" "$3" "$tag"
  if [ "$1" = allowed ]; then allowed+=("$tag"); else denied+=("$tag"); fi
}
probe allowed ka "$K/ka/up/submission"
probe denied ka "$K/kb/up/submission"           # kiosk A as kiosk B
probe denied ka "tramtin/v1/ht/thachha/kb/up/submission"
probe allowed ka "tramtin/v1/ht/thachha/ka/up/submission" # its own id, any commune (see the ACL)
probe allowed ka "$K/ka/status"
probe denied ka "$K/kb/status"
probe denied ka "$K/ka/down/ack"                # no kiosk writes acks, not even its own
probe denied ka "$K/kb/down/ack"
probe denied ka "$K/kb/down/cmd"
probe denied ka "tramtin/v1/ht/content/manifest"
probe denied ka "$K/content/announce"
probe denied ka "tramtin/v1/ht/track/00112233445566778899aabbccddeeff"
probe allowed clerk-camxuyen "$K/content/announce"
probe allowed clerk-camxuyen "$K/content/blob/0000/0"
probe allowed clerk-camxuyen "$K/kb/down/cmd"
probe denied clerk-camxuyen "tramtin/v1/ht/thachha/content/announce"
probe denied clerk-camxuyen "tramtin/v1/ht/thachha/kc/down/cmd"
probe denied clerk-camxuyen "tramtin/v1/ht/content/manifest"
probe denied clerk-camxuyen "$K/kb/down/ack"
probe allowed clerk-thachha "tramtin/v1/ht/thachha/content/survey"
probe denied clerk-thachha "$K/content/survey"
probe allowed collector "$K/kb/down/ack"
probe allowed collector "tramtin/v1/ht/track/00112233445566778899aabbccddeeff"
probe denied collector "$K/content/manifest"
probe denied collector "$K/kb/down/cmd"
probe denied collector "$K/kb/up/submission"
probe allowed admin "tramtin/v1/ht/content/manifest"
probe allowed admin "tramtin/v1/ht/thachha/content/announce"
probe allowed admin "$K/kb/down/cmd"
probe denied admin "$K/kb/down/ack"
probe denied admin "$K/kb/up/submission"
# tramtin-admin itself, over TLS as a clerk: its own commune, then another (refused, exit 1)
"$ADMIN" keygen --kind sign --out clerk > /dev/null || die "keygen sign"
clerk=(--key clerk.key --host 127.0.0.1 --port "$sport" --tls-ca tls/ca.crt --username clerk-camxuyen --password "$PW_camxuyen")
# (the password from TRAMTIN_MQTT_PASSWORD here, out of ps; --password below)
TRAMTIN_MQTT_PASSWORD=$PW_camxuyen "$ADMIN" announce --target ht/camxuyen --text-vi "Họp dân 14 giờ" \
  "${clerk[@]:0:${#clerk[@]}-2}" > ann.out 2>&1 ||
  die "tramtin-admin announce as clerk-camxuyen: $(cat ann.out)"
"$ADMIN" announce --target ht/thachha --text-vi "Không phải xã này" "${clerk[@]}" > ann2.out 2>&1
rc=$?
[ $rc = 1 ] && grep -qi "not authori" ann2.out || die "announce to another commune: exit $rc, $(cat ann2.out)"
pub kb "$K/kb/status" "end-of-probes"
for _ in $(seq 100); do grep -q "end-of-probes" observed && break; sleep 0.05; done
grep -q "end-of-probes" observed || die "the observer saw nothing: $(tail -5 observed)"
for t in "${allowed[@]}"; do grep -qF " $t" observed || die "allowed but not delivered: $t"; done
for t in "${denied[@]}"; do grep -qF " $t" observed && die "denied but delivered: $t"; done
grep -q "^$K/content/announce {\"msg\"" observed || die "the clerk's announcement did not arrive"
grep -q "^tramtin/v1/ht/thachha/content/announce {" observed && die "the clerk's announcement reached another commune"
ok "${#allowed[@]} allowed publishes arrive and ${#denied[@]} forbidden ones are dropped (kiosk as another kiosk, acks, content; clerk outside its commune; collector and admin outside their roles); tramtin-admin over TLS as a clerk: its commune yes, another no (exit 1)"

# 6. what a kiosk can read: its own acks and commands, content and tracking status; never
# another kiosk's acks, commands, submissions or status
sub a.sub ka "$PW_ka" 'tramtin/v1/#'
sub b.sub kb "$PW_kb" "$K/kb/down/#"
pub collector "$K/kb/down/ack" "ack-for-kb"
pub admin "$K/kb/down/cmd" "cmd-for-kb"
pub kb "$K/kb/up/submission" "submission-of-kb"
pub kb "$K/kb/status" "status-of-kb"
pub clerk-camxuyen "$K/content/manifest" "manifest-of-camxuyen"
pub admin "tramtin/v1/ht/content/announce" "announce-of-ht"
pub collector "tramtin/v1/ht/track/ffeeddccbbaa99887766554433221100" "track-status"
pub collector "$K/ka/down/ack" "ack-for-ka"
for _ in $(seq 100); do grep -q "ack-for-ka" a.sub && break; sleep 0.05; done
for m in ack-for-ka manifest-of-camxuyen announce-of-ht track-status; do
  grep -q " $m$" a.sub || die "kiosk ka did not receive $m: $(cat a.sub)"
done
for m in ack-for-kb cmd-for-kb submission-of-kb status-of-kb; do
  grep -q "$m" a.sub && die "kiosk ka received kb's $m"
done
for m in ack-for-kb cmd-for-kb; do grep -q " $m$" b.sub || die "kiosk kb did not receive its $m"; done
ok "a kiosk reads its own acks, content, announcements and tracking status, and nothing of another kiosk's"

for p in "${SUBS[@]}"; do kill "$p"; wait "$p" 2>/dev/null; done; SUBS=() # kb's would take its client id back

# 7. a kiosk connecting with another's client id neither throws it off nor takes its
# session: on the kiosks' listener the broker makes every client id the user name
mosquitto_sub "${KTLS[@]}" -V mqttv5 -c -x 600 -i kb -u kb -P "$PW_kb" -t "$K/kb/down/#" -W 1 > /dev/null 2>&1
pub collector "$K/kb/down/ack" "queued-for-kb"
mosquitto_sub "${KTLS[@]}" -V mqttv5 -c -x 600 -i kb -u ka -P "$PW_ka" -t "$K/ka/down/#" -v -W 1 > takeover.out 2>&1
mosquitto_sub "${KTLS[@]}" -V mqttv5 -c -x 600 -i kb -u kb -P "$PW_kb" -t "$K/kb/down/#" -v -C 1 -W 5 > session.out 2>&1
grep -q "queued-for-kb" takeover.out && die "ka, as client id kb, got kb's queued ack"
grep -q "queued-for-kb" session.out || die "kb's queued ack was lost to a client that used its id: $(cat session.out)"
ok "a kiosk using another kiosk's client id gets nothing of its session, which stays whole"

# 8. the real collector (TLS, user name and password) and a real kiosk over TLS with its
# provisioned kiosk.ini: a submission stored and acknowledged
printf '\n[state]\ndir = ka-state\n[mqtt]\nretry_s = 2\n' >> ka.ini
key=$("$TRAMTIN" --config ka.ini --print-public-key) || die "print-public-key"
"$ADMIN" provision ka --province ht --commune camxuyen --kiosks kiosks --public-key "$key" > reg.out 2>&1 ||
  die "provision --kiosks: $(cat reg.out)"
[ "$(cat kiosks)" = "ka $key" ] || die "registry: $(cat kiosks)"
"$ADMIN" provision ka --province ht --commune camxuyen --kiosks kiosks --public-key "$key" 2> reg2.err
[ $? = 2 ] && grep -q "'ka' is already registered in kiosks" reg2.err || die "a duplicate registration: $(cat reg2.err)"
log_from=$(($(wc -l < mosquitto.log) + 1))
cat > collector.ini <<INI
[mqtt]
host = 127.0.0.1
port = $sport
username = collector
password = $PW_collector
tls_ca = tls/ca.crt
[store]
db = collector.db
[keys]
secret_key = collector.key
kiosks = kiosks
[http]
port = 0
INI
: > collector.err
"$COLLECTOR" serve --config collector.ini > collector.out 2> collector.err & COLLECTOR_PID=$!
for _ in $(seq 100); do grep -q "connected, subscribed" collector.err && break; sleep 0.05; done
grep -q "connected, subscribed" collector.err || die "the collector did not connect over TLS: $(cat collector.err)"
sub status.sub admin "$PW_admin" "tramtin/v1/ht/+/+/status"
"$TRAMTIN" --headless --config ka.ini --script "$src/tests/integration/receipt.script" 2> kiosk.err ||
  die "the kiosk did not deliver over TLS: $(tail -5 kiosk.err)"
[ "$(sqlite3 collector.db "SELECT kiosk FROM submissions")" = ka ] || die "stored: $(sqlite3 collector.db 'SELECT * FROM submissions')"
grep -q "$K/ka/status {\"state\":\"online\"" status.sub || die "no online status from the kiosk: $(cat status.sub)"
tail -n +"$log_from" mosquitto.log | grep "Denied" &&
  die "the broker denied the kiosk or the collector something they need (above)"
# a kiosk using the collector's client id does not throw the collector off
mosquitto_pub "${KTLS[@]}" -i tramtin-collector -u ka -P "$PW_ka" -t "$K/ka/status" -m x || die "ka as tramtin-collector"
sleep 0.3
grep -q "Client tramtin-collector already connected" mosquitto.log && die "a kiosk threw the collector off"
[ "$(grep -c "connected, subscribed" collector.err)" = 1 ] || die "the collector lost its connection: $(cat collector.err)"
ok "a real kiosk delivers over TLS with its provisioned kiosk.ini to the real collector on TLS with a password; its status reaches staff; a kiosk with the collector's client id does not throw it off"

# 9. a kiosk whose user name is not its id connects, but the ACL drops all it sends: it says so
sed 's/^id = kb$/id = kx/' kb.ini > kx.ini
printf '\n[state]\ndir = kx-state\n' >> kx.ini
printf 'sleep 1500\n' > idle.script
"$TRAMTIN" --headless --config kx.ini --script idle.script 2> kx.err || die "kiosk kx: $(tail -3 kx.err)"
grep -q "broker refused a publish: Not authorized" kx.err || die "kiosk kx did not say its publishes are refused: $(cat kx.err)"
ok "a kiosk whose user name is not its id says that the broker refuses what it publishes"

echo "$passed passed, 0 failed"
