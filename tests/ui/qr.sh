#!/usr/bin/env bash
# Opens the programme overview headless, screenshots it, decodes the QR
# code with zbarimg and compares it with the document URL in the manifest.
# usage: qr.sh TRAMTIN SRCDIR OUTDIR
set -u
tramtin=$(realpath "$1") src=$2 out=$3/qr
rm -rf "$out"; mkdir -p "$out/state"; cd "$out" || exit 2
for size in 1920x1080 1080x1920; do
  XDG_STATE_HOME="$out/state" "$tramtin" --headless --size $size --script "$src/tests/ui/page-qr.script" || exit 1
  got=$(zbarimg --raw -q page-qr.png) || { echo "qr: zbarimg found no QR code in $out/page-qr.png ($size)" >&2; exit 1; }
  want=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print([p for p in m["pages"] if p["id"]=="tong-quan"][0]["document"]["url"])' "$src/assets/content/manifest.json" 2>/dev/null \
    || sed -n 's/.*"url": *"\([^"]*Keyword=90[^"]*\)".*/\1/p' "$src/assets/content/manifest.json" | head -1)
  if [ "$got" != "$want" ]; then
    echo "qr: decoded '$got', expected '$want' ($size)" >&2
    exit 1
  fi
  echo "qr: $size: decoded $got"
  # The receipt: the QR code opens the follow-up page with the code shown.
  XDG_STATE_HOME="$out/state" "$tramtin" --headless --size $size --script "$src/tests/ui/receipt-qr.script" 2>/dev/null || exit 1
  code=$(grep -A3 '"id":[[:space:]]*"receipt.code"' receipt-qr.json | sed -n 's/.*"label":[[:space:]]*"\([0-9A-Z-]*\)".*/\1/p')
  [ ${#code} = 19 ] || { echo "qr: no tracking code on the receipt ($size)" >&2; exit 1; }
  got=$(zbarimg --raw -q receipt-qr.nocmp.png) || { echo "qr: no QR code on the receipt ($size)" >&2; exit 1; }
  [ "$got" = "http://127.0.0.1:8080/t#$code" ] || { echo "qr: receipt decoded '$got', expected the follow-up URL with $code" >&2; exit 1; }
  echo "qr: $size: receipt decoded $got"
done
