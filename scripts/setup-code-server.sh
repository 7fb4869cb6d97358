#!/usr/bin/env bash
# Install code-server (VS Code in the browser) into .tools/code-server, offline-safe.
#
# Only the npm registry (and Debian apt, for missing build tools) is needed. code-server's own
# npm postinstall downloads prebuilt binaries from GitHub, so we skip every install script and do
# its work by hand:
#   1. `npm install code-server@VERSION --ignore-scripts` into the .tools/code-server prefix;
#   2. `npm install --omit=dev --ignore-scripts` in lib/vscode (and lib/vscode/extensions);
#   3. compile the native modules the server and extension host load, from source, with node-gyp
#      (headers come from the local node installation, never from nodejs.org):
#        argon2 (code-server, required at startup), @vscode/spdlog (server logging, required),
#        native-watchdog (extension host), node-pty (terminal), kerberos (proxy auth; optional);
#      @parcel/watcher ships a prebuilt binary as an npm optional dependency, nothing to do;
#   4. point @vscode/ripgrep's bin/rg at Debian's /usr/bin/rg (its postinstall downloads it);
#   5. the symlinks code-server's postinstall.sh creates (node_modules.asar, bin scripts).
# Idempotent: exits early when the install is complete and `code-server --version` works.
# Usage: scripts/setup-code-server.sh [--force]
set -euo pipefail

CS_VERSION="${CODE_SERVER_VERSION:-4.100.3}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="$ROOT/.tools/code-server"
PKG="$PREFIX/node_modules/code-server"
VSC="$PKG/lib/vscode"
STAMP="$PREFIX/.ionpath-setup-ok"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

log() { printf '[setup-code-server] %s\n' "$*"; }
die() { printf '[setup-code-server] ERROR: %s\n' "$*" >&2; exit 1; }
t0=$(date +%s)

# --- Already installed? -------------------------------------------------------------------------
if [[ $FORCE == 0 && -f "$STAMP" && "$(cat "$STAMP")" == "$CS_VERSION" && -x "$PREFIX/bin/code-server" ]]; then
  if "$PREFIX/bin/code-server" --version >/dev/null 2>&1 \
     && [[ -f "$VSC/node_modules/@vscode/spdlog/build/Release/spdlog.node" ]]; then
    log "code-server $CS_VERSION already installed in .tools/code-server"
    exit 0
  fi
  log "existing install looks broken; reinstalling"
fi

# --- Node version: code-server 4.100 runs on node 20 only ---------------------------------------
command -v node >/dev/null || die "node is not on PATH"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[[ "$NODE_MAJOR" == "20" ]] || die "code-server $CS_VERSION needs node 20 (found $(node -v))"

# --- Debian packages: compiler, python (node-gyp), krb5 headers (kerberos), ripgrep -------------
need_pkgs=()
command -v make >/dev/null || need_pkgs+=(make)
command -v g++ >/dev/null || need_pkgs+=(g++)
command -v python3 >/dev/null || need_pkgs+=(python3)
command -v rg >/dev/null || need_pkgs+=(ripgrep)
command -v krb5-config >/dev/null || [[ -f /usr/include/gssapi/gssapi.h ]] || need_pkgs+=(libkrb5-dev)
if (( ${#need_pkgs[@]} )); then
  SUDO=""
  if [[ "$(id -u)" != 0 ]]; then command -v sudo >/dev/null && SUDO="sudo -n" || SUDO="none"; fi
  if [[ "$SUDO" == none ]] || ! command -v apt-get >/dev/null; then
    log "WARNING: missing ${need_pkgs[*]} and cannot apt-get install them; continuing"
  else
    log "apt-get install ${need_pkgs[*]}"
    # Wait for another apt/dpkg run to release the lock (up to 10 minutes).
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${need_pkgs[@]}" \
      || { $SUDO apt-get -o DPkg::Lock::Timeout=600 update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${need_pkgs[@]}"; } \
      || log "WARNING: apt-get install failed; continuing"
  fi
fi
command -v make >/dev/null && command -v g++ >/dev/null && command -v python3 >/dev/null \
  || die "a C++ toolchain (make, g++) and python3 are required to build code-server's native modules"

# --- node-gyp must use the local node headers (it would download them from nodejs.org) ----------
if [[ -z "${npm_config_nodedir:-}" ]]; then
  NODE_PREFIX="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  if [[ -f "$NODE_PREFIX/include/node/node.h" ]]; then
    export npm_config_nodedir="$NODE_PREFIX"
  elif [[ -f /usr/include/node/node.h ]]; then
    export npm_config_nodedir=/usr
  else
    log "WARNING: no node headers found next to $(command -v node); node-gyp will try to download them"
  fi
fi
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
NODE_GYP="$(cd /tmp && npm exec --yes=false -c 'echo "$npm_config_node_gyp"' 2>/dev/null || true)"
[[ -f "$NODE_GYP" ]] || NODE_GYP="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
[[ -f "$NODE_GYP" ]] || die "cannot find npm's bundled node-gyp"
JOBS="$(nproc 2>/dev/null || echo 2)"

# --- 1. the package itself ------------------------------------------------------------------------
rm -rf "$PREFIX" && mkdir -p "$PREFIX/bin"
echo '{ "name": "ionpath-code-server", "private": true }' > "$PREFIX/package.json"
log "npm install code-server@$CS_VERSION --ignore-scripts"
(cd "$PREFIX" && npm install --prefix "$PREFIX" --no-save --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION")
[[ -f "$PKG/out/node/entry.js" ]] || die "code-server package not installed"

# --- 2. VS Code's own dependencies ----------------------------------------------------------------
log "npm install in lib/vscode (--omit=dev --ignore-scripts)"
(cd "$VSC" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
log "npm install in lib/vscode/extensions (typescript for the built-in TS/HTML extensions)"
if (cd "$VSC/extensions" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error); then
  (cd "$VSC/extensions" && node ./postinstall.mjs >/dev/null) || log "WARNING: extensions postinstall failed (harmless)"
else
  log "WARNING: could not install typescript for built-in extensions (harmless for ionpath)"
fi

# --- 3. native modules ----------------------------------------------------------------------------
gyp_build() { # dir, name, required(1/0)
  local dir="$1" name="$2" required="$3" s; s=$(date +%s)
  if (cd "$dir" && node "$NODE_GYP" rebuild --release --jobs "$JOBS" >"$PREFIX/build-$name.log" 2>&1); then
    log "built $name ($(( $(date +%s) - s ))s)"
  elif [[ "$required" == 1 ]]; then
    tail -30 "$PREFIX/build-$name.log" >&2; die "building $name failed (log: .tools/code-server/build-$name.log)"
  else
    log "WARNING: building optional $name failed (log: .tools/code-server/build-$name.log)"
  fi
}
# argon2 uses node-pre-gyp (module_path lib/binding/napi-v3); build from source, no download.
s=$(date +%s)
(cd "$PREFIX" && npm_config_build_from_source=true npm rebuild argon2 --foreground-scripts >"$PREFIX/build-argon2.log" 2>&1) || true
ls "$PREFIX"/node_modules/argon2/lib/binding/*/argon2.node >/dev/null 2>&1 \
  || { tail -30 "$PREFIX/build-argon2.log" >&2; die "building argon2 failed"; }
log "built argon2 ($(( $(date +%s) - s ))s)"
gyp_build "$VSC/node_modules/@vscode/spdlog" spdlog 1
gyp_build "$VSC/node_modules/native-watchdog" native-watchdog 1
gyp_build "$VSC/node_modules/node-pty" node-pty 1
gyp_build "$VSC/node_modules/kerberos" kerberos 0
ls "$VSC"/node_modules/@parcel/watcher-*/watcher.node >/dev/null 2>&1 \
  || log "WARNING: no prebuilt @parcel/watcher for this platform (file watching will be degraded)"

# --- 4. ripgrep: use the system binary -----------------------------------------------------------
RG="$(command -v rg || true)"
if [[ -n "$RG" ]]; then
  mkdir -p "$VSC/node_modules/@vscode/ripgrep/bin"
  ln -sfn "$RG" "$VSC/node_modules/@vscode/ripgrep/bin/rg"
else
  log "WARNING: ripgrep (rg) not found; search in the workbench will not work"
fi

# --- 5. what postinstall.sh would have linked -----------------------------------------------------
ln -sfn node_modules "$VSC/node_modules.asar"
ln -sfn code-linux.sh "$VSC/bin/remote-cli/code-server"
ln -sfn browser-linux.sh "$VSC/bin/helpers/browser.sh"

cat > "$PREFIX/bin/code-server" <<EOF
#!/bin/sh
exec node "$PKG/out/node/entry.js" "\$@"
EOF
chmod +x "$PREFIX/bin/code-server"

"$PREFIX/bin/code-server" --version >/dev/null || die "code-server --version failed"
# The server and extension host need these to load.
(cd "$VSC" && node -e '
  for (const m of ["@vscode/spdlog", "native-watchdog", "node-pty", "@parcel/watcher"]) require(m);
') || die "a required native module does not load"
echo "$CS_VERSION" > "$STAMP"
log "code-server $("$PREFIX/bin/code-server" --version | head -1) ready in .tools/code-server ($(( $(date +%s) - t0 ))s)"
