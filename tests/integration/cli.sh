#!/usr/bin/env bash
# tramtin-collector's command line over a filled store: list (table,
# JSON, filters, paging), show, respond, set-status through the
# lifecycle, export (CSV per RFC 4180, JSON, Open311 without contacts),
# report (tables aligned by display width, an HTML page with SVG charts),
# and the exit codes and one-line messages of every mistake.
# Needs sqlite3 and python3.
# usage: cli.sh TRAMTIN_COLLECTOR STORE_FILL OUTDIR
set -u
TC=$(realpath "$1") FILL=$(realpath "$2") dir=$3/cli
export LC_ALL=C.UTF-8
export TRAMTIN_NOW=${TRAMTIN_NOW:-2026-11-27T09:00:00+07:00}
export USER=${USER:-tester}
N=40
passed=0 failed=0

die() { echo "cli: $*" >&2; exit 1; }
ok() { passed=$((passed + 1)); }
bad() { echo "cli: FAIL: $*" >&2; failed=$((failed + 1)); }
check() { # description command...
  local what=$1; shift
  if ( "$@" ); then ok; else bad "$what"; fi # a subshell: exit is the check's
}
# run ARGS...: the collector's stdout in out, stderr in err, status in rc
run() { "$TC" "$@" > out 2> err; rc=$?; }
# expect_rc WANT DESCRIPTION ARGS...
expect_rc() {
  local want=$1 what=$2; shift 2
  run "$@"
  if [ "$rc" = "$want" ]; then ok; else bad "$what: exit $rc, wanted $want ($(head -c 300 err))"; fi
}
one_line_err() { [ "$(wc -l < err)" = 1 ] && grep -q '^tramtin-collector: ' err; }
py() { python3 -c "$@"; }

rm -rf "$dir"; mkdir -p "$dir"; cd "$dir" || exit 2
"$FILL" c.db $N 7 > filled 2> fill.err || die "store_fill failed: $(cat fill.err)"
[ "$(wc -l < filled)" = $N ] || die "store_fill printed $(wc -l < filled) records, wanted $N"
received_id=$(awk '$3 == "received" && $4 == "named" {print $1; exit}' filled)
anon_id=$(awk '$2 == "complaint" && $4 == "anonymous" {print $1; exit}' filled)
closed_id=$(awk '$3 == "closed" {print $1; exit}' filled)
[ -n "$received_id" ] && [ -n "$anon_id" ] && [ -n "$closed_id" ] || die "store_fill made no received/anonymous/closed record"

# --- list ------------------------------------------------------------------
expect_rc 0 "list" list --db c.db
check "list: a header and the columns" grep -q '^ID  *KIOSK  *COMMUNE  *KIND  *CATEGORY  *STATUS  *CREATED  *DUE  *OVERDUE$' out
check "list: one line per record, a header and a total" [ "$(wc -l < out)" = $((N + 2)) ]
check "list: the total" grep -q "^$N submissions, [0-9]* overdue$" out
check "list: no trailing blanks" eval '! grep -q " $" out'
check "list: created as a local date" grep -Eq '^[0-9a-f-]{36}  .* 2026-1[01]-[0-9]{2}' out

expect_rc 0 "list --json" list --db c.db --json
check "list --json: an array of $N objects with the contract's fields" py '
import json, re, sys
a = json.load(open("out"))
assert len(a) == int(sys.argv[1]), len(a)
for o in a:
    for k in ("id", "kiosk", "kind", "category", "status", "created", "commune", "received", "overdue"):
        assert k in o, k
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", o["created"]), o["created"]
    assert o["kind"] in ("feedback", "complaint", "objection", "survey")
    assert "contact" not in o and "text" not in o
' $N
sqlite3 c.db "SELECT id FROM submissions ORDER BY received DESC, id DESC" > newest
check "list --json: newest first" py '
import json
assert [o["id"] for o in json.load(open("out"))] == open("newest").read().split()
'
check "list --json: an anonymous complaint's times are days" py '
import json, sys
o = [o for o in json.load(open("out")) if o["id"] == sys.argv[1]][0]
assert o["anonymous"] is True and o["received"].endswith("T00:00:00Z") and o["created"].endswith("T00:00:00Z"), o
' "$anon_id"
check "list --json parses in sqlite3 too" [ "$(sqlite3 :memory: "SELECT json_array_length(readfile('out'))")" = $N ]

run list --db c.db --json --commune cam-binh
want=$(sqlite3 c.db "SELECT count(*) FROM submissions WHERE commune = 'cam-binh'")
check "list --commune" py 'import json, sys; a = json.load(open("out")); assert len(a) == int(sys.argv[1]) and all(o["commune"] == "cam-binh" for o in a)' "$want"
run list --db c.db --json --kind complaint --status received
want=$(sqlite3 c.db "SELECT count(*) FROM submissions WHERE kind = 'complaint' AND status = 'received'")
check "list --kind --status" py 'import json, sys; a = json.load(open("out")); assert len(a) == int(sys.argv[1]) and all(o["kind"] == "complaint" and o["status"] == "received" for o in a)' "$want"
run list --db c.db --json --status in-progress
check "list --status in-progress (a dash is fine)" [ "$rc" = 0 ]
run list --db c.db --json --from 2026-11-20 --to 2026-11-22
# 2026-11-20 00:00 +07:00 to 2026-11-23 00:00 +07:00 (the --to day included)
from=$(date -d 2026-11-20T00:00:00+07:00 +%s) to=$(date -d 2026-11-23T00:00:00+07:00 +%s)
want=$(sqlite3 c.db "SELECT count(*) FROM submissions WHERE received >= $from AND received < $to")
check "list --from --to (local days, both included)" py 'import json, sys; assert len(json.load(open("out"))) == int(sys.argv[1])' "$want"
run list --db c.db --json --overdue
check "list --overdue" py 'import json; a = json.load(open("out")); assert a and all(o["overdue"] for o in a)'
overdue=$(py 'import json; print(len(json.load(open("out"))))')
run list --db c.db --json --limit 5
py 'import json; print("\n".join(o["id"] for o in json.load(open("out"))))' > page1
run list --db c.db --json --limit 5 --after "$(tail -n 1 page1)"
py 'import json; print("\n".join(o["id"] for o in json.load(open("out"))))' > page2
run list --db c.db --json --limit 10
py 'import json; print("\n".join(o["id"] for o in json.load(open("out"))))' > first10
check "list --limit and --after: pages follow each other" eval '[ "$(wc -l < page1)" = 5 ] && cat page1 page2 | cmp -s - first10'
run list --db c.db --commune nowhere
check "list: nothing matches" eval '[ "$rc" = 0 ] && [ "$(cat out)" = "no submissions match" ]'

# --- show ------------------------------------------------------------------
expect_rc 0 "show" show --db c.db "$anon_id"
check "show: all fields" eval 'for f in id kind category kiosk created received contact code status complex "accept by" updated text; do grep -q "^$f:" out || exit 1; done'
check "show: anonymous where a contact would be" grep -q '^contact: *anonymous$' out
check "show: no phone, no code, only that it is hashed" eval '! grep -q "0912" out && grep -q "^code: *kept only as its hash$" out'
check "show: the text in Vietnamese" grep -q "^    .*[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]" out
expect_rc 0 "show (closed)" show --db c.db "$closed_id"
check "show: outcome and history" eval 'grep -q "^outcome: *resolved" out && grep -q "^history:" out && grep -q "cli:fill  status  responded -> closed" out'

# --- respond, set-status ------------------------------------------------------
answer="Xã đã cử cán bộ kiểm tra, sẽ sửa đường trước ngày 15/12."
expect_rc 0 "respond" respond --db c.db "$received_id" --text "$answer"
check "respond: says the new status" grep -q "^$received_id: responded" out
run show --db c.db "$received_id"
check "respond then show shows the answer" eval "grep -q '^answer:' out && grep -qF '    $answer' out && grep -q '^status: *responded' out"
check "respond: the answer implied acceptance, logged as cli:\$USER" eval "grep -q 'cli:$USER  status  received -> accepted (taken up to be answered)' out && grep -q 'cli:$USER  answer  ' out"
check "respond: in the audit table" [ "$(sqlite3 c.db "SELECT count(*) FROM audit WHERE id = '$received_id' AND actor = 'cli:$USER'")" = 3 ]
printf '%s\n' "Trả lời từ tệp: đã xong." > answer.txt
expect_rc 0 "respond --text-file --status closed" respond --db c.db "$received_id" --text-file answer.txt --status closed
run show --db c.db "$received_id"
check "respond --text-file: answer replaced, closed" eval "grep -qF '    Trả lời từ tệp: đã xong.' out && grep -q '^status: *closed' out"
expect_rc 1 "respond to a closed item" respond --db c.db "$received_id" --text "Thêm"
check "respond to a closed item: says what it can become" eval 'one_line_err && grep -q "is closed and cannot move to responded (it can move to: reopened)" err'

id2=$(awk '$3 == "received" {print $1}' filled | sed -n 2p)
expect_rc 1 "set-status: a forbidden move" set-status --db c.db "$id2" closed
check "set-status: a forbidden move names the allowed ones" grep -q "is received and cannot move to closed (it can move to: accepted, not_accepted)" err
expect_rc 0 "set-status accepted --complex" set-status --db c.db "$id2" accepted --complex
check "set-status: the 45-day clock" grep -q "^$id2: accepted (settle by 20" out
expect_rc 0 "set-status assigned --agency" set-status --db c.db "$id2" assigned --agency "Phòng Lao động - Thương binh và Xã hội huyện"
expect_rc 1 "set-status: the same status again" set-status --db c.db "$id2" assigned
check "set-status: already" grep -q "is already assigned" err
expect_rc 2 "set-status: an outcome without closing" set-status --db c.db "$id2" in_progress --outcome resolved
expect_rc 0 "set-status closed --outcome referred --reason" set-status --db c.db "$id2" closed --outcome referred --reason "Chuyển Thanh tra huyện"
expect_rc 0 "set-status reopened" set-status --db c.db "$id2" reopened
run show --db c.db "$id2"
check "set-status: the trail" eval 'grep -q "status  accepted -> assigned; agency: Phòng Lao động" out && grep -q "status  assigned -> closed; outcome: referred; reason: Chuyển Thanh tra huyện" out && grep -q "^status: *reopened" out && grep -q "^complex: *yes (45-day settlement)" out'

# --- mistakes: one line, the right status ------------------------------------------
expect_rc 2 "set-status: a bad status name" set-status --db c.db "$id2" done
check "bad status: one line listing the valid ones" eval "one_line_err && grep -q 'unknown status \"done\" (valid: received, accepted, not_accepted, assigned, in_progress, responded, closed, reopened)' err"
expect_rc 1 "set-status: an unknown id" set-status --db c.db abc accepted
check "unknown id: says so, naming the file" eval "one_line_err && grep -q '^tramtin-collector: no submission abc in c.db$' err"
expect_rc 1 "show: an unknown id" show --db c.db abc
expect_rc 1 "respond: an unknown id" respond --db c.db abc --text "x"
expect_rc 2 "an unknown subcommand" frobnicate --db c.db
check "unknown subcommand: one line" eval "one_line_err && grep -q 'unknown command \"frobnicate\"' err"
expect_rc 2 "list without --db" list
check "missing --db: one line" eval "one_line_err && grep -q -- '--db FILE is required' err"
expect_rc 2 "a missing database file" list --db nothing-here.db
check "missing database: named, not created" eval "grep -q '^tramtin-collector: nothing-here.db: No such file or directory$' err && [ ! -e nothing-here.db ]"
expect_rc 2 "list: a bad date" list --db c.db --from 2026-02-30
check "bad date: named" grep -q -- '--from "2026-02-30" is not a date' err
expect_rc 2 "list: a bad kind" list --db c.db --kind letter
expect_rc 2 "list: --limit 0" list --db c.db --limit 0
expect_rc 2 "list: an unknown option" list --db c.db --colour
expect_rc 2 "list: --after an unknown id" list --db c.db --after nope
expect_rc 2 "respond: no text" respond --db c.db "$id2"
expect_rc 2 "respond: a bad status" respond --db c.db "$id2" --text x --status finished
expect_rc 2 "export: an unknown format" export --db c.db --format xml
expect_rc 2 "show: no id" show --db c.db
expect_rc 0 "--help" list --help
check "--help: the usage" grep -q '^usage: tramtin-collector list --db FILE' out

# --- export ------------------------------------------------------------------------------
expect_rc 0 "export csv" export --db c.db --format csv --out all.csv
check "export csv: N+1 lines" [ "$(wc -l < all.csv)" = $((N + 1)) ]
check "export csv: RFC 4180 (CRLF, quoted quotes and commas, even rows)" py '
import csv, sys
raw = open("all.csv", "rb").read()
assert raw.count(b"\r\n") == int(sys.argv[1]) + 1 and b"\n" not in raw.replace(b"\r\n", b"")
rows = list(csv.reader(open("all.csv", newline="", encoding="utf-8")))
assert len(rows) == int(sys.argv[1]) + 1 and rows[0][0] == "id" and len(set(map(len, rows))) == 1
texts = [r[rows[0].index("text")] for r in rows[1:]]
assert any("\"tận tình\"" in t for t in texts) and any("," in t for t in texts)
assert "contact_name" not in rows[0]
' $N
check "export --out: readable by its owner only" [ "$(stat -c %a all.csv)" = 600 ]
expect_rc 0 "export csv --with-contact --excel" export --db c.db --with-contact --excel --out contact.csv
check "export --with-contact: the contacts, a BOM" py '
import csv
rows = list(csv.reader(open("contact.csv", newline="", encoding="utf-8-sig")))
assert rows[0][-2:] == ["contact_name", "contact_phone"] and any(r[-1] == "0912 345 678" for r in rows[1:])
assert open("contact.csv", "rb").read(3) == b"\xef\xbb\xbf"
'
expect_rc 0 "export json" export --db c.db --format json
check "export json: $N full records, no contact" py '
import json, sys
a = json.load(open("out"))
assert len(a) == int(sys.argv[1])
assert all("text" in o and "answer" in o and "contact" not in o for o in a)
' $N
expect_rc 0 "export open311" export --db c.db --format open311 --out open311.json
check "export open311: GeoReport v2 requests" py '
import json, sys
a = json.load(open("open311.json"))
assert len(a) == int(sys.argv[1])
for o in a:
    for k in ("service_request_id", "status", "status_notes", "service_name", "service_code", "description",
              "agency_responsible", "requested_datetime", "updated_datetime"):
        assert k in o, k
    assert o["status"] in ("open", "closed") and o["service_code"] in ("feedback", "complaint", "objection", "survey")
    assert not any(k.startswith("contact") or k in ("first_name", "last_name", "phone", "email") for k in o)
' $N
check "export open311: no contact name or phone anywhere" eval '! grep -Eq "Nguyễn Thị Hoa|Trần Văn Bình|Lê Thị Mai|Phạm Đức Long|0912 345 678" open311.json'
check "export open311: the answer as status notes" py '
import json, sys
o = [o for o in json.load(open("open311.json")) if o["service_request_id"] == sys.argv[1]][0]
assert o["status"] == "closed" and o["status_notes"] == "Trả lời từ tệp: đã xong.", o
' "$received_id"
expect_rc 2 "export open311 --with-contact" export --db c.db --format open311 --with-contact
run export --db c.db --format csv --commune ky-anh
want=$(sqlite3 c.db "SELECT count(*) FROM submissions WHERE commune = 'ky-anh'")
check "export with a filter" [ "$(wc -l < out)" = $((want + 1)) ]

# --- report ------------------------------------------------------------------------------
expect_rc 0 "report" report --db c.db --html report.html
check "report: the groups" eval 'for h in "Theo xã / By commune" "Theo lĩnh vực / By category" "Theo loại / By kind" "Theo trạng thái / By status" "Việc quá hạn / Overdue items"; do grep -qF "$h" out || exit 1; done'
check "report: totals" grep -Eq "^$N submissions, [0-9]+ answered \(mean [0-9.]+ days\), $overdue overdue, satisfaction [0-9.]+/5" out
check "report: Vietnamese rows align by display width" py '
import unicodedata
lines = open("out", encoding="utf-8").read().split("\n")
start = lines.index("Theo lĩnh vực / By category") + 1
table = []
for l in lines[start:]:
    if not l: break
    table.append(l)
w = lambda s: sum(0 if unicodedata.combining(c) else 1 for c in s)
assert len(table) > 3 and len({w(l) for l in table}) == 1, [w(l) for l in table]
assert any(len(l.encode()) != w(l) for l in table)  # multi-byte text was there to align
'
check "report --html: self-contained, with SVG bar charts" eval 'grep -q "<svg" report.html && grep -q "<rect" report.html && grep -q "</html>" report.html && ! grep -Eiq "(src|href)=|@import|url\(" report.html'
check "report --html: Vietnamese headings, English in small print" eval 'grep -q "<h1>Báo cáo sơ kết" report.html && grep -q "<small>By commune</small>" report.html && grep -q "<meta charset=\"utf-8\">" report.html'
check "report --html: well-formed enough for an XML parser's SVG" py '
import re, xml.dom.minidom
for svg in re.findall(r"<svg.*?</svg>", open("report.html", encoding="utf-8").read(), re.S):
    xml.dom.minidom.parseString(svg)
'
expect_rc 0 "report --from --to" report --db c.db --from 2026-11-20 --to 2026-11-26
check "report --from --to: the period" grep -q "received from 2026-11-20 to 2026-11-26" out

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
