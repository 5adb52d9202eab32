#!/usr/bin/env bash
# A full outbox: the kiosk says plainly it cannot take more, keeps the
# citizen's text on screen, and loses nothing it already took.
# usage: outbox-full.sh TRAMTIN LOADGEN SRCDIR OUTDIR
TRAMTIN=$(realpath "$1") LOADGEN=$(realpath "$2") src=$3 dir=$4/outbox-full
source "$src/tests/integration/lib.sh"
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir" || exit 2
cat > k.ini <<INI
[kiosk]
id = full-01
[state]
dir = state
outbox_max = 10
[collector]
public_key = $(cat "$src/kiosk-config/demo/collector.pub")
INI
"$LOADGEN" k.ini submit 10 --no-network > ids 2> lg.err || die "could not fill the outbox: $(cat lg.err)"
cat > full.script <<'SCRIPT'
tap @home.feedback
tap @form.category.1
tap @form.next
tap @form.rating.3
tap @form.next
keys "Xin chaof"
tap @form.next
tap @form.next
tap @form.submit
expect-screen feedback
expect "quá nhiều ý kiến chờ gửi"
expect "không bị mất"
expect "Xin chào"
SCRIPT
"$TRAMTIN" --headless --config k.ini --script full.script 2> kiosk.err || { cat kiosk.err >&2; die "the kiosk did not refuse politely"; }
grep -q "outbox full" kiosk.err || die "no log line about the full outbox"
n=$(sqlite3 state/outbox.db "SELECT count(*) FROM outbox")
[ "$n" = 10 ] || die "the outbox holds $n rows, expected the 10 it took"
sqlite3 state/outbox.db "SELECT id FROM outbox ORDER BY id" | cmp -s - <(sort ids) || die "the outbox lost some rows"
echo "1 passed, 0 failed: full outbox refused politely, 10 kept"
