#!/usr/bin/env bash
# Sets everything up on a fresh Debian machine and runs every test of ionpath:
#   type-check, unit tests (node:test), the mocha suites inside a real VS Code (code-server),
#   the webview in headless Chromium, and the packaged .vsix driven through the browser.
# Prints one closing line "N passed, N failed" and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/.test-output
mkdir -p "$OUT"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

# --- system packages: Chromium for the browser tests, ripgrep and Kerberos headers for code-server ---
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
# Slurm and munge for the sharded-ranking stage (test/slurm/run-slurm.sh starts its own daemons).
[ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/slurmd ] || need+=(slurm-wlm)
[ -x /usr/sbin/munged ] || need+=(munge)
# voro++ (reference for the Voronoi network), Debian's Python with pymatgen (reference Ewald sums).
command -v voro++ >/dev/null || need+=(voro++)
/usr/bin/python3 -c 'import pymatgen.analysis.ewald' >/dev/null 2>&1 || need+=(python3-pymatgen)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need[*]}"
  as_root apt-get update -q && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" || { echo "apt-get install failed"; exit 1; }
fi

# --- node dependencies (offline-safe: see .npmrc) and build ---
echo "== npm ci"
npm ci --no-audit --no-fund >"$OUT/npm-ci.log" 2>&1 || { cat "$OUT/npm-ci.log"; echo "npm ci failed"; exit 1; }
echo "== build"
node esbuild.mjs || exit 1

passed=0; failed=0
record() { # name, passed, failed
  echo "-- $1: $2 passed, $3 failed"
  passed=$((passed + $2)); failed=$((failed + $3))
}
# Reads the node:test summary ("# pass N", "# fail N") or a plain "N passed, N failed" line.
count_from() { # logfile, exit code
  local log=$1 rc=$2 p f
  p=$(grep -E '^# pass [0-9]+' "$log" | tail -1 | awk '{print $3}')
  f=$(grep -E '^# fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
  if [ -z "$p" ]; then
    line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
    p=$(echo "$line" | sed -E 's/^([A-Za-z]+: )?([0-9]+) passed.*/\2/')
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
  fi
  p=${p:-0}; f=${f:-0}
  # A stage that failed without reporting a failed test still counts as one failure.
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
  echo "$p $f"
}
stage() { # name, command... (counts come from $COUNTS_FROM when set, else from the output)
  local name=$1; shift
  echo "== $name"
  local log="$OUT/$name.log"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  read -r p f < <(count_from "${COUNTS_FROM:-$log}" "$rc")
  record "$name" "$p" "$f"
}

typecheck() { npx tsc --noEmit -p . && echo "1 passed, 0 failed"; }
stage typecheck typecheck
# Spec output for people, TAP to a file for the counts.
COUNTS_FROM="$OUT/unit.tap" stage unit node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$OUT/unit.tap" out/test/unit/

echo "== code-server"
bash scripts/setup-code-server.sh || { echo "code-server setup failed"; failed=$((failed + 1)); }
stage vscode node test/vscode/run-code-server.mjs
if [ -f test/webview/run.mjs ]; then stage webview node test/webview/run.mjs; fi
stage vsix-ui node test/ui/run-vsix-ui.mjs
# A real single-node Slurm: sharded rank, dependent merge, a task cancelled and resumed (≤ 5 min; stops its daemons).
stage slurm timeout -k 10 360 bash test/slurm/run-slurm.sh

echo
echo "ionpath tests: $passed passed, $failed failed"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
