#!/usr/bin/env bash
# One command to try ionpath in a browser: installs what is missing, builds, packages the
# extension, installs it into a private code-server profile and serves VS Code with examples/ open.
#   scripts/start.sh                 -> http://127.0.0.1:8080/
#   PORT=9000 scripts/start.sh
# Everything lands in the git-ignored .tools/ (code-server, user-extensions, user-data).
# examples/.vscode/settings.json sets git.openRepositoryInParentFolders to "never", so opening examples/ (here,
# or from the walkthrough) does not ask about the ionpath repository around it.
# Offline-safe: only the npm registry (and apt for missing build tools) is used. Ctrl+C stops it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${PORT:-8080}"
log() { printf '[start] %s\n' "$*"; }

# Dependencies: npm ci when node_modules is missing or older than the lockfile.
if [[ ! -d node_modules || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "npm ci"
  npm ci --no-audit --no-fund
fi

log "build (node esbuild.mjs --production)"
node esbuild.mjs --production

scripts/setup-code-server.sh

log "package the extension"
node test/vscode/lib/package-vsix.mjs .tools/ionpath.vsix

CS="$ROOT/.tools/code-server/bin/code-server"
mkdir -p .tools/user-extensions .tools/user-data/User
[[ -f .tools/user-data/User/settings.json ]] || cat > .tools/user-data/User/settings.json <<'EOF'
{
  "workbench.startupEditor": "none",
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true
}
EOF
[[ -f .tools/code-server-config.yaml ]] || printf 'auth: none\ncert: false\n' > .tools/code-server-config.yaml
COMMON=(--config "$ROOT/.tools/code-server-config.yaml" --user-data-dir "$ROOT/.tools/user-data"
        --extensions-dir "$ROOT/.tools/user-extensions" --disable-telemetry --disable-update-check)

log "install .tools/ionpath.vsix into .tools/user-extensions"
"$CS" "${COMMON[@]}" --install-extension .tools/ionpath.vsix --force >/dev/null

URL="http://127.0.0.1:${PORT}/"
log "code-server on 127.0.0.1:${PORT} (no password; local only). Open:"
echo
echo "    $URL"
echo
exec "$CS" "${COMMON[@]}" --auth none --bind-addr "127.0.0.1:${PORT}" --disable-workspace-trust \
  --disable-getting-started-override --ignore-last-opened "$ROOT/examples"
