#!/usr/bin/env bash
# Runs one UI automation script headless and compares its screenshots with
# the references in tests/ui/ref/NAME/ (tolerance: tests/ui/pngdiff.c).
# usage: run.sh TRAMTIN PNGDIFF SRCDIR OUTDIR NAME [tramtin options...]
# With TT_UPDATE_REFS=1 the screenshots become the new references.
set -u
tramtin=$(realpath "$1") pngdiff=$(realpath "$2") src=$3 outroot=$4 name=$5
shift 5
run=${TT_RUN_NAME:-$name} # one script may run in several configurations
out="$outroot/$run"
rm -rf "$out"
mkdir -p "$out/state"
cd "$out" || exit 2
XDG_STATE_HOME="$out/state" "$tramtin" --headless --script "$src/tests/ui/$name.script" "$@"
rc=$?
if [ $rc -ne 0 ]; then
  echo "ui: $run: tramtin exited with $rc" >&2
  exit $rc
fi
refdir="$src/tests/ui/ref/${TT_REF_RUN:-$run}" # a run may share another's references
if [ "${TT_UPDATE_REFS:-0}" = 1 ] && [ -n "${TT_REF_RUN:-}" ]; then
  echo "ui: $run: compares with ui-$TT_REF_RUN's references; update those"
  exit 0
fi
if [ "${TT_UPDATE_REFS:-0}" = 1 ]; then
  if [ "${TT_REFS_SKIP:-0}" = 1 ]; then
    echo "ui: $run: references come from a build with read aloud (espeak-ng); not updated" >&2
    exit 1
  fi
  rm -rf "$refdir"
  mkdir -p "$refdir"
  for png in "$out"/*.png; do case "$png" in *.nocmp.png|*.diff.png) ;; *) cp "$png" "$refdir"/ ;; esac; done
  echo "ui: $name: references updated in $refdir"
  exit 0
fi
# The references show the read-aloud button: a build without espeak-ng
# (-Dspeech=disabled) runs the scripts and dump checks, not the pixels.
if [ "${TT_REFS_SKIP:-0}" = 1 ]; then
  echo "ui: $run: this build has no read aloud; screenshots not compared (the references have its button)"
  refs_skip=1
fi
shots=$(ls "$out"/*.png 2>/dev/null | grep -vc '\.nocmp\.png$')
if [ "$shots" -eq 0 ]; then
  echo "ui: $name: the script took no screenshot" >&2
  exit 1
fi
fail=0
for png in "$out"/*.png; do
  [ "${refs_skip:-0}" = 1 ] && break
  base=$(basename "$png")
  case "$base" in *.diff.png|*.nocmp.png) continue ;; esac  # nocmp: random content (codes)
  if [ ! -f "$refdir/$base" ]; then
    echo "ui: $name: no reference $refdir/$base (run TT_UPDATE_REFS=1 meson test --suite ui)" >&2
    fail=1
    continue
  fi
  "$pngdiff" "$refdir/$base" "$png" "$out/${base%.png}.diff.png" || fail=1
done
[ $fail -eq 0 ] && [ "${refs_skip:-0}" != 1 ] && echo "ui: $name: $shots screenshot(s) match"
# Optional checks on the dumps (tests/ui/check_dump.c).
case "${TT_CHECK_DUMP:-}" in
  targets) "$TT_CHECK_DUMP_BIN" targets "$out"/*.json || fail=1 ;;
  idle) "$TT_CHECK_DUMP_BIN" idle "$out/idle-1.json" "$out/idle-2.json" || fail=1 ;;
  idle-reset) "$TT_CHECK_DUMP_BIN" absent "$out/reset-after.json" "7KQ2" || fail=1 ;;
  admin) "$TT_CHECK_DUMP_BIN" absent "$out/admin-typing.json" "246" || fail=1 ;;  # the PIN shows as dots only
esac
exit $fail
