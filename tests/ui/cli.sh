#!/usr/bin/env bash
# Exit codes and error lines of the kiosk's command line, config and
# scripts, and a kiosk that still starts on broken content.
# usage: cli.sh TRAMTIN SRCDIR OUTDIR
set -u
tramtin=$(realpath "$1") src=$2 out=$3/cli
rm -rf "$out"; mkdir -p "$out"; cd "$out" || exit 2
export XDG_STATE_HOME="$out/state"
fails=0
check() { # name expected_rc stderr_pattern -- command...
  local name=$1 want=$2 pat=$3; shift 4
  "$@" >stdout.txt 2>stderr.txt; local rc=$?
  if [ $rc -ne "$want" ]; then
    echo "cli: $name: exit $rc, expected $want; stderr: $(head -c 600 stderr.txt)" >&2; fails=$((fails+1)); return
  fi
  if [ -n "$pat" ] && ! grep -qF -- "$pat" stderr.txt; then
    echo "cli: $name: stderr lacks '$pat': $(head -c 600 stderr.txt)" >&2; fails=$((fails+1)); return
  fi
  if [ "$want" = 2 ] && [ "$(wc -l < stderr.txt)" -gt 3 ]; then
    echo "cli: $name: a usage error should be one line, got: $(cat stderr.txt)" >&2; fails=$((fails+1)); return
  fi
  echo "cli: $name: ok"
}
printf '[kiosk]\nid = k1\nbogus = 1\n' > bad-key.ini
printf '[mqtt]\nport = 0\n' > bad-value.ini
printf '[accessibility]\nread_aloud = true\nspeech_rate = 9000\n' > bad-rate.ini
printf 'expect-screen home\nfrobnicate now\n' > bad-syntax.script
printf 'expect-screen home\nexpect "Chữ không có trên màn hình"\n' > failing.script
printf 'expect "unterminated\n' > unterminated.script
printf 'expect-screen home\n' > home.script
printf 'tap @home.policies\nexpect-screen policy.categories\ntap @list.item.1\nexpect-screen policy.list\ntap @list.item.1\nexpect-screen policy.page\nexpect "chưa hiển thị được"\nscreenshot bad-page.png\ntap @nav.back\ntap @list.item.3\nexpect-screen policy.page\ntap @nav.home\ntap @home.campaigns\ntap @list.item.1\nscreenshot bad-image.png\n' > bad-content.script
printf 'tap @home.feedback\ntap @form.category.1\ntap @form.next\ntap @form.rating.3\ntap @form.next\nkeys "abc"\ntap @form.next\ntap @form.next\ntap @form.submit\nexpect-screen feedback\nexpect "chưa được cài đặt"\n' > nokey.script
printf '[kiosk]\nid = k1\n[state]\ndir = nokey-state\n' > nokey.ini
printf '[kiosk]\nid = k2\n[state]\ndir = nohost-state\n[mqtt]\nhost = no-such-host.invalid\n[collector]\npublic_key = %s\n' "$(cat "$src/kiosk-config/demo/collector.pub")" > nohost.ini
printf 'tap @home.feedback\ntap @form.category.1\ntap @form.next\ntap @form.rating.3\ntap @form.next\nkeys "abc"\ntap @form.next\ntap @form.next\ntap @form.submit\nexpect-screen receipt\nexpect "Đã lưu trên trạm tin"\n' > nohost.script

check bad-key 2 "bad-key.ini:3: [kiosk] bogus: unknown key" -- "$tramtin" --headless --config bad-key.ini --script home.script
check bad-value 2 "bad-value.ini:2: [mqtt] port: must be between 1 and 65535; got '0'" -- "$tramtin" --headless --config bad-value.ini --script home.script
check bad-rate 2 "bad-rate.ini:3: [accessibility] speech_rate: must be between 80 and 450; got '9000'" -- "$tramtin" --headless --config bad-rate.ini --script home.script
check no-config 2 "nosuch.ini: cannot open" -- "$tramtin" --headless --config nosuch.ini --script home.script
check bad-size 2 "--size: expected WxH" -- "$tramtin" --headless --size 12by9
check bad-option 2 "" -- "$tramtin" --frobnicate
check bad-syntax 2 "bad-syntax.script:2: unknown command 'frobnicate'" -- "$tramtin" --headless --script bad-syntax.script
check unterminated 2 "unterminated.script:1: unterminated quoted text" -- "$tramtin" --headless --script unterminated.script
# wait-content CHANNEL=VERSION: the content on screen (the sample is
# "default" at 1) at once, a version that never comes fails naming it;
# wait-content-error on a kiosk with no broker: nothing can fail, it says so at once
printf 'wait-content 60000 default=1\nexpect-screen home\n' > shown.script
printf 'wait-content 300 default=2\n' > not-shown.script
printf 'wait-content 300 default=two\n' > bad-wait.script
printf 'wait-content 300 default=1=2\n' > bad-wait2.script
printf 'wait-content-error 300\n' > no-error.script
check content-shown 0 "" -- "$tramtin" --headless --script shown.script
check content-not-shown 1 "not-shown.script:1: wait-content: default was not shown at version 2 or later within 300 ms" -- "$tramtin" --headless --script not-shown.script
check bad-wait 2 "bad-wait.script:1: wait-content takes milliseconds, then optionally CHANNEL=VERSION" -- "$tramtin" --headless --script bad-wait.script
check bad-wait-2 2 "bad-wait2.script:1: wait-content takes milliseconds" -- "$tramtin" --headless --script bad-wait2.script
check no-content-error 1 "no-error.script:1: wait-content-error: this kiosk has no broker ([mqtt] host), so no content updates" -- "$tramtin" --headless --script no-error.script
check failing-expect 1 "failing.script:2: expect \"Chữ không có trên màn hình\" failed on screen 'home'; visible: " -- "$tramtin" --headless --script failing.script
# A kiosk without the collector's key runs, says so in one line, and
# tells the citizen plainly instead of taking what it could not protect.
# An unreachable broker: one line, and submissions wait in the outbox.
check no-broker 0 "cannot connect to no-such-host.invalid" -- "$tramtin" --headless --config nohost.ini --script nohost.script
[ "$(grep -c 'cannot connect' stderr.txt)" = 1 ] || { echo "cli: no-broker: more than one line about the broker" >&2; fails=$((fails+1)); }
check no-collector-key 0 "[collector] public_key is not set" -- "$tramtin" --headless --config nokey.ini --script nokey.script
# Broken content: the kiosk starts, shows what it can, one line per fault.
printf '[content]\ndir = %s\n' "$src/tests/unit/data/bad-bundle" > bad-content.ini
check bad-content 0 "missing-body" -- "$tramtin" --headless --config bad-content.ini --script bad-content.script
grep -q "bad-utf8" stderr.txt || { echo "cli: bad-content: no line for the invalid page" >&2; fails=$((fails+1)); }
grep -q "broken.png: cannot show image" stderr.txt || { echo "cli: bad-content: no line for the broken image" >&2; fails=$((fails+1)); }
printf '[content]\ndir = %s\n' "$src/tests/unit/data/broken-json" > broken-json.ini
check broken-json 0 "manifest.json:1: not valid JSON" -- "$tramtin" --headless --config broken-json.ini --script home.script
# SIGTERM (systemd stopping it, a test harness) during a script's sleep
# and during a wait-for: the kiosk ends with 0, not when the wait is over
# and not with a false "timed out".  (Still running 20 s after SIGTERM
# counts as not stopping: the waits are an hour long.)
for w in 'sleep 3600000' 'wait-for "Chữ không bao giờ hiện" 3600000'; do
  rm -f started.png
  printf 'expect-screen home\nscreenshot started.png\n%s\n' "$w" > sleep.script
  "$tramtin" --headless --script sleep.script > /dev/null 2> sleep.err & p=$!
  while [ ! -s started.png ] && kill -0 $p 2>/dev/null; do sleep 0.05; done
  kill -TERM $p
  for _ in $(seq 200); do kill -0 $p 2>/dev/null || break; sleep 0.1; done
  if kill -0 $p 2>/dev/null; then
    kill -9 $p; wait $p; echo "cli: sigterm in '${w%% *}': still running 20 s after SIGTERM" >&2; fails=$((fails+1))
  else
    wait $p; rc=$?
    if [ $rc -eq 0 ]; then echo "cli: sigterm in '${w%% *}': ok"
    else echo "cli: sigterm in '${w%% *}': exit $rc: $(head -c 600 sleep.err)" >&2; fails=$((fails+1)); fi
  fi
done
echo "$((22 - fails)) passed, $fails failed"
[ $fails -eq 0 ]
