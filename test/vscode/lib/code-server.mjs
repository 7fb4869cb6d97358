// Shared helpers for the code-server based runners: locate the installed code-server, make an
// isolated profile, start/stop the server, copy the examples into a scratch workspace.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const codeServerPrefix = path.join(repoRoot, '.tools', 'code-server');
export const codeServerEntry = path.join(codeServerPrefix, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** Fails with a helpful message when scripts/setup-code-server.sh has not been run. */
export function requireCodeServer() {
  if (!fs.existsSync(codeServerEntry) || !fs.existsSync(path.join(codeServerPrefix, '.ionpath-setup-ok'))) {
    throw new Error(`code-server is not installed in .tools/code-server; run scripts/setup-code-server.sh first`);
  }
  return codeServerEntry;
}

/** A free TCP port on 127.0.0.1 (there is a tiny race between closing and code-server binding). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Recursively copy `src` into `dest` (the tests must never touch the repository's files). */
export function copyDir(src, dest) {
  fs.mkdirSync(dest, { recursive: true });
  if (fs.existsSync(src)) fs.cpSync(src, dest, { recursive: true });
  return dest;
}

/**
 * A fresh, isolated profile under a temp dir: user-data-dir with quiet settings, extensions dir,
 * config file (so code-server never writes ~/.config/code-server), XDG dirs, logs.
 */
export function makeProfile(prefix = 'ionpath-cs-') {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const p = {
    root,
    userDataDir: path.join(root, 'user-data'),
    extensionsDir: path.join(root, 'extensions'),
    configFile: path.join(root, 'config.yaml'),
    xdg: path.join(root, 'xdg'),
    workspace: path.join(root, 'workspace'),
  };
  for (const d of [p.userDataDir, p.extensionsDir, p.xdg]) fs.mkdirSync(d, { recursive: true });
  fs.mkdirSync(path.join(p.userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(p.userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'extensions.ignoreRecommendations': true,
        'git.enabled': false,
        'git.openRepositoryInParentFolders': 'never',
        'chat.commandCenter.enabled': false,
        'window.commandCenter': false,
        'files.watcherExclude': { '**/node_modules/**': true },
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(p.configFile, 'auth: none\ncert: false\n');
  return p;
}

/**
 * Environment for code-server: isolated XDG dirs, no extension gallery (code-server would query
 * open-vsx.org; tests must not depend on the network), no inherited VSCODE_* variables, plus `extra`.
 */
export function codeServerEnv(profile, extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_')) delete env[k];
  return {
    ...env,
    EXTENSIONS_GALLERY: '{}',
    XDG_CONFIG_HOME: path.join(profile.xdg, 'config'),
    XDG_DATA_HOME: path.join(profile.xdg, 'data'),
    XDG_CACHE_HOME: path.join(profile.xdg, 'cache'),
    ...extra,
  };
}

/** Common CLI flags for an isolated, quiet code-server. */
export function codeServerArgs(profile) {
  return [
    '--config', profile.configFile,
    '--auth', 'none',
    '--user-data-dir', profile.userDataDir,
    '--extensions-dir', profile.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
}

/** Run code-server synchronously for a CLI job (e.g. --install-extension). */
export function runCodeServerCli(profile, args, { env = {} } = {}) {
  const r = spawnSync(process.execPath, [requireCodeServer(), ...codeServerArgs(profile), ...args], {
    cwd: profile.root,
    env: codeServerEnv(profile, env),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

/**
 * Start code-server on 127.0.0.1:<free port>. Resolves once it listens.
 * Returns { url, port, proc, logFile, stop() }. Everything it prints goes to `logFile`
 * (and to `onLine`, line by line, if given).
 */
export async function startCodeServer(profile, { folder, env = {}, logFile, onLine, port } = {}) {
  const entry = requireCodeServer();
  port ??= await freePort();
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.createWriteStream(logFile);
  const args = [entry, ...codeServerArgs(profile), '--bind-addr', `127.0.0.1:${port}`];
  if (folder) args.push(folder);
  const proc = spawn(process.execPath, args, {
    cwd: profile.root,
    env: codeServerEnv(profile, env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so stop() also ends the extension host and pty host
  });
  let buf = '';
  let exited = false;
  const onData = (chunk) => {
    log.write(chunk);
    if (!onLine) return;
    buf += chunk.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  const exitPromise = new Promise((r) => proc.on('exit', (code, signal) => { exited = true; r({ code, signal }); }));

  const stop = async () => {
    if (!exited) {
      try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* gone */ }
      const t = setTimeout(() => { try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
      await exitPromise;
      clearTimeout(t);
    }
    // Children (extension host, pty host, file watcher) are in the same group; make sure.
    try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ }
    await new Promise((r) => log.end(r));
  };

  // Wait for the HTTP server.
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited during startup; see ${logFile}`);
    }
    try {
      const res = await fetch(`${url}healthz`);
      if (res.ok) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not start listening within 60 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, port, proc, logFile, stop, exited: () => exited, exitPromise };
}

/** Copy the server-side logs (user-data-dir/logs/**) into `dest`. */
export function collectServerLogs(profile, dest) {
  const logs = path.join(profile.userDataDir, 'logs');
  if (fs.existsSync(logs)) {
    try { fs.cpSync(logs, dest, { recursive: true }); } catch { /* best effort */ }
  }
}

/** Remove the temp profile (best effort). */
export function removeProfile(profile) {
  if (process.env.IONPATH_KEEP_PROFILE) return;
  try { fs.rmSync(profile.root, { recursive: true, force: true, maxRetries: 3 }); } catch { /* ignore */ }
}
