#!/usr/bin/env node
// Run the same mocha suites (out/test/vscode/suite) in VS Code DESKTOP via @vscode/test-electron.
//
//   npm run test:electron        (builds first; this script builds nothing)
//
// Which VS Code:
//   - $VSCODE_EXECUTABLE, if set (path to the `code` binary / Electron executable);
//   - otherwise @vscode/test-electron downloads one ($VSCODE_VERSION, default "stable") into
//     .tools/vscode-test (cached), which needs access to update.code.visualstudio.com.
// If no executable is given, none is cached, and that host is unreachable (as on the offline
// build machine), the script prints `skipped: no VS Code desktop available` and exits 0: the
// code-server runner (npm run test:vscode) covers the extension host there. Set
// IONPATH_REQUIRE_ELECTRON=1 to make that case a failure instead.
// On Linux without $DISPLAY it re-runs itself under `xvfb-run -a` when available.
// Output: mocha's spec lines, then `N passed, N failed`; exit code non-zero on any failure.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(repoRoot, 'package.json'));
const suiteIndex = path.join(repoRoot, 'out', 'test', 'vscode', 'suite', 'index.js');
const cachePath = path.join(repoRoot, '.tools', 'vscode-test');
const outDir = path.join(repoRoot, '.test-output', 'electron');
const version = process.env.VSCODE_VERSION || 'stable';

function summary(passed, failed) {
  console.log(`${passed} passed, ${failed} failed`);
}
function fail(msg) {
  console.error(`run-electron: ${msg}`);
  summary(0, 1);
  process.exit(1);
}
function skip(msg) {
  console.log(`run-electron: ${msg}`);
  if (process.env.IONPATH_REQUIRE_ELECTRON) fail('IONPATH_REQUIRE_ELECTRON is set; failing instead of skipping');
  console.log('skipped: no VS Code desktop available');
  process.exit(0);
}

if (!fs.existsSync(suiteIndex) || !fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) {
  fail('build output missing; build first (node esbuild.mjs)');
}

const { runTests, downloadAndUnzipVSCode } = require('@vscode/test-electron');

/** True when a VS Code build for `version` is already in the cache. */
function cached() {
  return fs.existsSync(cachePath) && fs.readdirSync(cachePath).some((d) => d.startsWith('vscode-'));
}
async function online() {
  try {
    const res = await fetch('https://update.code.visualstudio.com/api/releases/stable', {
      signal: AbortSignal.timeout(8000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

let executable = process.env.VSCODE_EXECUTABLE;
if (executable) {
  if (!fs.existsSync(executable)) fail(`VSCODE_EXECUTABLE=${executable} does not exist`);
} else if (cached() || (await online())) {
  try {
    executable = await downloadAndUnzipVSCode({ version, cachePath });
  } catch (e) {
    if (!cached()) skip(`cannot download VS Code ${version}: ${e.message}`);
    fail(`cannot prepare VS Code ${version}: ${e.message}`);
  }
} else {
  skip('VSCODE_EXECUTABLE is not set, no VS Code is cached in .tools/vscode-test, and update.code.visualstudio.com is unreachable');
}

// Headless Linux: Electron needs an X server.
if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY && !process.env.IONPATH_UNDER_XVFB) {
  const xvfb = spawnSync('sh', ['-c', 'command -v xvfb-run'], { encoding: 'utf8' }).stdout.trim();
  if (xvfb) {
    const r = spawnSync(xvfb, ['-a', process.execPath, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, IONPATH_UNDER_XVFB: '1' },
    });
    process.exit(r.status ?? 1);
  }
  console.log('run-electron: no $DISPLAY and no xvfb-run (apt-get install xvfb); VS Code may fail to start');
}

// Isolated profile and a temp copy of the examples as the workspace.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ionpath-electron-'));
const workspace = path.join(tmp, 'workspace');
fs.mkdirSync(workspace, { recursive: true });
if (fs.existsSync(path.join(repoRoot, 'examples'))) fs.cpSync(path.join(repoRoot, 'examples'), workspace, { recursive: true });
const resultsFile = path.join(tmp, 'results.json');
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });

// Strip the `[ionpath-mocha] ` marker from mocha's lines as test-electron forwards VS Code's output.
const realWrite = process.stdout.write.bind(process.stdout);
let pending = '';
const outLog = fs.createWriteStream(path.join(outDir, 'vscode.log'));
process.stdout.write = (chunk, ...rest) => {
  const s = pending + chunk.toString();
  const lines = s.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    outLog.write(line + '\n');
    const i = line.indexOf('[ionpath-mocha] ');
    if (i >= 0) realWrite(line.slice(i + '[ionpath-mocha] '.length) + '\n');
    else if (!line.includes('[ionpath-test] ')) realWrite(line + '\n');
  }
  const cb = rest.find((a) => typeof a === 'function');
  if (cb) cb();
  return true;
};

let runError;
const timer = setTimeout(() => { console.error('run-electron: overall timeout (10 min)'); process.exit(1); }, 600_000);
try {
  await runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: suiteIndex,
    extensionTestsEnv: { IONPATH_TEST_RESULTS: resultsFile },
    launchArgs: [
      workspace,
      '--user-data-dir', path.join(tmp, 'user-data'),
      '--extensions-dir', path.join(tmp, 'extensions'),
      '--disable-extensions', // other extensions; the development extension still loads
      '--disable-telemetry',
      '--disable-gpu',
    ],
  });
} catch (e) {
  runError = e;
}
clearTimeout(timer);
if (pending) process.stdout.write('\n');
process.stdout.write = realWrite;
outLog.end();

let results;
try { results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')); } catch { /* none */ }
if (results) fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2));
fs.rmSync(tmp, { recursive: true, force: true });

const passed = results?.passed ?? 0;
let failed = results?.failed ?? 0;
if (runError) console.error(`run-electron: ${runError.message}`);
if (!results) console.error('run-electron: no results from the extension host');
else if (results.error) console.error(`run-electron: ${results.error}`);
if ((runError || !results || results.error || passed + failed === 0) && failed === 0) failed = 1;
summary(passed, failed);
process.exit(failed > 0 ? 1 : 0);
