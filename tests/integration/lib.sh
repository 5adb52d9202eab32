# Shared helpers for integration tests: a real mosquitto on a free
# loopback port, the collector stand-in, kiosk configs.  Sourced.
set -u

die() { echo "integration: $*" >&2; exit 1; }

free_port() {
  local p
  for _ in $(seq 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo $p; return; fi
  done
  die "no free port"
}

wait_port() { # port [tries]
  for _ in $(seq "${2:-100}"); do
    (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# start_broker DIR PORT: persistence on, settings from ARCHITECTURE.md.
# If PORT was taken meanwhile (tests run in parallel), the first start
# moves to a free one and updates the caller's $port.
start_broker() {
  local dir=$1 p=$2
  mkdir -p "$dir/mosq"
  touch "$dir/mosquitto.log"
  # As root, mosquitto drops to its own user: let that user write its
  # persistence and log (and reach them).
  if [ "$(id -u)" = 0 ] && id mosquitto >/dev/null 2>&1; then
    chown -R mosquitto: "$dir/mosq" "$dir/mosquitto.log"
    chmod o+x "$dir"
  fi
  cat > "$dir/mosquitto.conf" <<CONF
listener $p 127.0.0.1
allow_anonymous true
persistence true
persistence_location $dir/mosq/
autosave_interval ${AUTOSAVE:-1}
autosave_on_changes true
max_queued_messages 1000000
max_inflight_messages 0
set_tcp_nodelay true
log_dest file $dir/mosquitto.log
CONF
  local seen; seen=$(wc -l < "$dir/mosquitto.log")
  mosquitto -c "$dir/mosquitto.conf" &
  BROKER_PID=$!
  local up= taken=
  for _ in $(seq 100); do
    if tail -n +"$((seen + 1))" "$dir/mosquitto.log" | grep -q "Address already in use" ||
       ! kill -0 "$BROKER_PID" 2>/dev/null; then taken=1; break; fi
    # listening, and ours: it has not failed to bind (checked again after)
    if (exec 3<>/dev/tcp/127.0.0.1/"$p") 2>/dev/null && sleep 0.05 && kill -0 "$BROKER_PID" 2>/dev/null &&
       ! tail -n +"$((seen + 1))" "$dir/mosquitto.log" | grep -q "Address already in use"; then up=1; break; fi
    sleep 0.05
  done
  if [ -z "$up" ]; then
    # Tests run in parallel: another may have taken the port free_port
    # found.  On the first start, before anything used it, take another.
    if [ -n "$taken" ] && [ -z "${BROKER_STARTED:-}" ] && [ "${BROKER_TRIES:-0}" -lt 5 ]; then
      BROKER_TRIES=$(( ${BROKER_TRIES:-0} + 1 ))
      wait "$BROKER_PID" 2>/dev/null
      port=$(free_port)
      start_broker "$dir" "$port"
      return
    fi
    die "mosquitto did not start on port $p (see $dir/mosquitto.log)"
  fi
  BROKER_STARTED=1
}

kill_broker() { # hard: like a power cut
  if [ -n "${BROKER_PID:-}" ]; then kill -9 "$BROKER_PID" 2>/dev/null; wait "$BROKER_PID" 2>/dev/null || true; fi
  BROKER_PID=
}

# start_standin DIR PORT: keys in DIR/collector.*, kiosks in DIR/kiosks
start_standin() {
  local dir=$1 port=$2
  "$STANDIN" run --port "$port" --db "$dir/collector.db" --key "$dir/collector.key" --kiosks "$dir/kiosks" \
    > "$dir/standin.out" 2>> "$dir/standin.err" &
  STANDIN_PID=$!
  for _ in $(seq 100); do grep -q "standin: ready" "$dir/standin.out" 2>/dev/null && return 0; sleep 0.05; done
  die "stand-in did not subscribe (see $dir/standin.err)"
}

stop_standin() { if [ -n "${STANDIN_PID:-}" ]; then kill "$STANDIN_PID" 2>/dev/null; wait "$STANDIN_PID" 2>/dev/null || true; fi; STANDIN_PID=; }
kill_standin() { if [ -n "${STANDIN_PID:-}" ]; then kill -9 "$STANDIN_PID" 2>/dev/null; wait "$STANDIN_PID" 2>/dev/null || true; fi; STANDIN_PID=; }

# kiosk_config DIR PORT ID: writes DIR/ID.ini and registers the kiosk key
kiosk_config() {
  local dir=$1 port=$2 id=$3
  mkdir -p "$dir/$id-state"
  cat > "$dir/$id.ini" <<INI
[kiosk]
id = $id
province = ht
commune = test
[state]
dir = $id-state
[mqtt]
host = 127.0.0.1
port = $port
retry_s = ${RETRY_S:-2}
[collector]
public_key = $(cat "$dir/collector.pub")
followup_url = http://127.0.0.1:8080/t
INI
  echo "$id $("$TRAMTIN" --config "$dir/$id.ini" --print-public-key)" >> "$dir/kiosks"
}

# collector_config MQTT_PORT HTTP_PORT [EXTRA INI LINES]: writes
# collector.ini in the current folder (store collector.db, key from
# keygen, registry kiosks).
collector_config() {
  cat > collector.ini <<INI
[mqtt]
host = 127.0.0.1
port = $1
[store]
db = collector.db
[keys]
secret_key = collector.key
kiosks = kiosks
[http]
port = $2
${3:-}
INI
}

# start_collector: serves collector.ini from the current folder, sets
# COLLECTOR_PID; if a parallel test took the follow-up port meanwhile,
# takes another (sets http, rewrites collector.ini and k1.ini's
# followup_url) and tries again.
start_collector() {
  for _try in 1 2 3; do
    : > collector.out
    "$COLLECTOR" serve --config collector.ini > collector.out 2>> collector.err &
    COLLECTOR_PID=$!
    for _ in $(seq 100); do
      grep -q "serving" collector.out 2>/dev/null && return 0
      kill -0 "$COLLECTOR_PID" 2>/dev/null || break
      sleep 0.05
    done
    if tail -1 collector.err | grep -q "port $http: Address already in use"; then
      old=$http; http=$(free_port)
      sed -i "s/^port = $old\$/port = $http/" collector.ini
      [ -f k1.ini ] && sed -i "s|^followup_url = http://127.0.0.1:$old/t|followup_url = http://127.0.0.1:$http/t|" k1.ini
      continue
    fi
    break
  done
  die "the collector did not start: $(cat collector.err)"
}

# console_fixture [EXTRA-INI]: a broker on a free port ($port), kiosk k1
# (k1.ini, with EXTRA-INI appended) trusting the commune key comm.pub for
# ht/test, and tramtin-admin console on draft/ signing with comm.key:
# CONSOLE_PID, and url as the console printed it.
console_fixture() {
  port=$(free_port)
  start_broker "$dir" "$port"
  "$STANDIN" keygen "$dir/collector" || die "keygen"
  kiosk_config "$dir" "$port" k1
  "$ADMIN" keygen --kind sign --out comm > /dev/null || die "admin keygen"
  printf '[trust]\ncontent_keys = ht/test=%s\n%b' "$(cat comm.pub)" "${1:-}" >> k1.ini
  "$ADMIN" console --workdir draft --key comm.key --channel ht/test --host 127.0.0.1 --port "$port" --http-port 0 \
    > console.out 2> console.err &
  CONSOLE_PID=$!
  for _ in $(seq 200); do grep -q "open http" console.out 2>/dev/null && break; sleep 0.05; done
  url=$(sed -n 's/.*open \(http[^ ]*\)$/\1/p' console.out)
  [ -n "$url" ] || die "the console printed no URL: $(cat console.out console.err)"
}

stored_ids() { sqlite3 "$1/collector.db" "SELECT id FROM submissions ORDER BY id"; }

cleanup() {
  kill_standin
  kill_broker
  if [ -n "${SNIFF_PID:-}" ]; then kill "$SNIFF_PID" 2>/dev/null; fi
  true
}
trap cleanup EXIT
