#!/usr/bin/env bash
# The staff inbox with 100,000 stored submissions (tests/integration/
# store_fill): a logged-in GET /staff/inbox (50 rows, the whole HTML page)
# for each filter, its first page and five pages deep (following the
# page's own next link), each 15 times over one kept-alive curl; prints
# the median ms per filter (target <= 200 ms a page).
# The store is filled in /dev/shm when there is one (filling 100,000 rows
# with synchronous=FULL on a shared disk takes minutes; reads are the same).
# usage: tests/bench/staff-inbox.sh BUILD-DIR [ROWS]   (run by scripts/bench)
set -euo pipefail
B=$(realpath "$1"); N=${2:-100000}; SRC=$(cd "$(dirname "$0")/../.." && pwd)
C=$B/src/collector/tramtin-collector
tmp=$(mktemp -d -p "$( [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")")
SP=
trap '[ -n "$SP" ] && kill $SP 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"
source "$SRC/tests/integration/lib.sh"
trap '[ -n "$SP" ] && kill $SP 2>/dev/null; rm -rf "$tmp"' EXIT
t0=$(date +%s%N)
"$B/tests/integration/store_fill" inbox.db "$N" > /dev/null
t1=$(date +%s%N)
printf '%s\n' 'bench-password-1' | "$C" staff add --db inbox.db bench 2> /dev/null
port=$(free_port)
HTTP_SERVE_STAFF=1 "$B/tests/integration/http_serve" 127.0.0.1 "$port" /t inbox.db 100000 > s.out 2> s.err & SP=$!
for _ in $(seq 200); do grep -q "http: ready" s.out 2>/dev/null && break; sleep 0.05; done
U=http://127.0.0.1:$port
curl -s -o /dev/null -c jar --data 'user=bench&password=bench-password-1' "$U/staff/login"
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# page QUERY: the URL of the page five "next" links after the first
deep() {
  local url="$U/staff/inbox?$1"
  for _ in 1 2 3 4 5; do
    local next
    next=$(curl -s -b jar "$url" | grep -o 'id="next-page" href="[^"]*"' | sed 's/.*href="//; s/"$//; s/&amp;/\&/g')
    [ -n "$next" ] || { echo ""; return; }
    url="$U$next"
  done
  echo "$url"
}
time_url() { # URL -> median ms of 15 fetches (one connection)
  local args=()
  for _ in $(seq 15); do args+=(-o /dev/null "$1"); done
  curl -s -b jar -w '%{time_total}\n' "${args[@]}" | awk '{printf "%.1f\n", $1 * 1000}' | median
}
echo "bench: staff inbox, $N stored submissions (filled in $(( (t1 - t0) / 1000000 )) ms), 50 rows a page, median of 15 (target <= 200 ms):"
for f in "" "commune=cam-thanh" "kind=complaint" "category=corruption" "status=received" "overdue=1" \
         "commune=ky-anh&kind=objection&status=received" "kind=survey&overdue=1"; do
  rows=$(curl -s -b jar "$U/staff/inbox?$f" | grep -c '<tr id="row-' || true)
  first=$(time_url "$U/staff/inbox?$f")
  d=$(deep "$f")
  if [ -n "$d" ]; then deepms=$(time_url "$d"); else deepms="-"; fi
  printf 'bench:   %-48s first page %6s ms (%2s rows), page 6 %6s ms\n' "${f:-(no filter)}" "$first" "$rows" "$deepms"
done
