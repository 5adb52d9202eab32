#!/usr/bin/env bash
# Both interface catalogues are complete: every string the sources mark
# for translation has a non-fuzzy translation in vi.po and en.po.
# usage: po-check.sh SRCDIR
set -u
po="$1/assets/po"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
xgettext --keyword=_ --keyword=N_ --keyword=ngettext:1,2 --from-code=UTF-8 -o "$tmp/now.pot" -D "$1" $(cat "$po/POTFILES") || exit 1
fails=0
for lang in $(cat "$po/LINGUAS"); do
  msgmerge --quiet --no-fuzzy-matching -o "$tmp/$lang.po" "$po/$lang.po" "$tmp/now.pot" || exit 1
  stats=$(msgfmt --check --statistics -o /dev/null "$tmp/$lang.po" 2>&1)
  if echo "$stats" | grep -qE 'untranslated|fuzzy'; then
    echo "po: $lang.po is incomplete: $stats (run scripts/po-update and translate)" >&2
    fails=$((fails+1))
  else
    echo "po: $lang.po: $stats"
  fi
done
[ $fails -eq 0 ]
