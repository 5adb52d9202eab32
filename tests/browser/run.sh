#!/usr/bin/env bash
# Runs one browser test (tests/browser/*.mjs) with node, in Debian's
# headless Chromium through playwright-core (tests/browser/lib.mjs).
#   tests/browser/run.sh TEST.mjs [ARGS...]   the test's exit status
#   tests/browser/run.sh --install            only install playwright-core
# playwright-core is installed into tests/browser/node_modules from
# package-lock.json (npm ci) when node_modules does not match the lock;
# a rerun with a matching node_modules needs no network.  Screenshots go
# to $TT_BROWSER_OUT (default ./out).  Without node or chromium the test is
# skipped (77) on a developer's machine and fails under CI=true (run
# scripts/setup, which installs both).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

need() { # what: skip or fail
  echo "browser: $1 (scripts/setup installs it)" >&2
  if [ "${CI:-}" = true ] || [ "${TT_BROWSER_REQUIRED:-0}" = 1 ]; then exit 1; fi
  exit 77
}

install_modules() {
  command -v node > /dev/null || need "node not found"
  command -v npm > /dev/null || need "npm not found"
  local want have=
  want=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
  # tests run in parallel: one installs, the others wait for it
  exec 9> "$here/.install.lock"
  flock 9
  [ -f "$here/node_modules/.tt-lock-sha256" ] && have=$(cat "$here/node_modules/.tt-lock-sha256")
  if [ "$have" != "$want" ] || [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
    echo "browser: installing playwright-core from tests/browser/package-lock.json (npm ci)" >&2
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
      { echo "browser: npm ci failed in $here" >&2; exit 1; }
    echo "$want" > "$here/node_modules/.tt-lock-sha256"
  fi
  flock -u 9
}

if [ "${1:-}" = --install ]; then install_modules; exit 0; fi
[ $# -ge 1 ] || { echo "usage: tests/browser/run.sh TEST.mjs [ARGS...] | --install" >&2; exit 2; }
test=$1; shift
[ -f "$test" ] || { echo "browser: no test file $test" >&2; exit 2; }
[ -x "${TT_CHROMIUM:-/usr/bin/chromium}" ] || need "${TT_CHROMIUM:-/usr/bin/chromium} not found"
install_modules
major=$(node -p 'process.versions.node.split(".")[0]')
# playwright-core 1.65 needs node 20 (Debian 12's own nodejs is 18; this
# kind of machine comes with 20)
[ "$major" -ge 20 ] || need "node $(node --version) is too old for playwright-core (20 or later)"
# lib.mjs (in this folder) imports playwright-core from this node_modules,
# wherever the test itself is
exec node "$test" "$@"
