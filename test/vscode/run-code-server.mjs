#!/usr/bin/env node
// Run the mocha suites in test/vscode/suite inside a REAL VS Code extension host: code-server
// (VS Code 1.100 server + web workbench) driven by headless chromium.
//
//   npm run test:vscode          (builds first; this script builds nothing)
//   node test/vscode/run-code-server.mjs [--grep <regex>] [--timeout <seconds>] [--verbose]
//
// How it works: code-server is started on 127.0.0.1:<free port> with a fresh profile and a temp
// copy of examples/ as the workspace. Chromium opens the workbench with a `payload` query
// parameter carrying `extensionDevelopmentPath` (this repository) and `extensionTestsPath`
// (out/test/vscode/suite/index.js) as vscode-remote:// URIs; the workbench then starts the
// server-side (Node) extension host in test mode, which loads this repository as a development
// extension and calls index.js's run(). The result comes back three ways, any one suffices:
//   1. suite/index.ts writes JSON results to $IONPATH_TEST_RESULTS (set on code-server's env,
//      inherited by the extension host);
//   2. its `[ionpath-test] {...}` console lines (code-server logs extension host output; the
//      workbench forwards the extension host console to the page console);
//   3. when run() settles, the extension host exits and the workbench calls
//      window.codeAutomationExit(code), which we expose with playwright.
// Output: mocha's per-test lines, then a final `N passed, N failed` line. Exit code 0 only if
// every test passed and at least one ran. Screenshot and logs go to .test-output/vscode/.
// Environment: IONPATH_TEST_GREP, IONPATH_TEST_TIMEOUT_MS (per test), IONPATH_KEEP_PROFILE=1,
// CHROMIUM_PATH.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  collectServerLogs,
  copyDir,
  makeProfile,
  removeProfile,
  repoRoot,
  requireCodeServer,
  startCodeServer,
} from './lib/code-server.mjs';
import { closeBrowser, launchBrowser, safeScreenshot } from './lib/browser.mjs';

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const verbose = argv.includes('--verbose') || !!process.env.IONPATH_TEST_VERBOSE;
const overallTimeoutMs = Number(opt('--timeout') ?? 600) * 1000;
const grep = opt('--grep') ?? process.env.IONPATH_TEST_GREP;

const outDir = path.join(repoRoot, '.test-output', 'vscode');
const suiteIndex = path.join(repoRoot, 'out', 'test', 'vscode', 'suite', 'index.js');
const extensionMain = path.join(repoRoot, 'dist', 'extension.js');

function fail(msg) {
  console.error(`run-code-server: ${msg}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

for (const f of [suiteIndex, extensionMain]) {
  if (!fs.existsSync(f)) fail(`${path.relative(repoRoot, f)} is missing; build first (node esbuild.mjs)`);
}
try { requireCodeServer(); } catch (e) { fail(e.message); }

fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });

const profile = makeProfile('ionpath-vscode-test-');
copyDir(path.join(repoRoot, 'examples'), profile.workspace);
const resultsFile = path.join(profile.root, 'results.json');

let server;
let browser;
let page;
let exitCode; // from codeAutomationExit
let mochaLines = 0; // lines of mocha's own spec output seen
const records = new Map(); // per-test records, from the console and the results file

function addRecord(rec) {
  if (rec && typeof rec.title === 'string') records.set(`${rec.state}:${rec.title}`, rec);
}

/** Fallback when mocha's spec output never arrived: print the records mocha-style. */
function printRecords() {
  for (const rec of records.values()) {
    const mark = rec.state === 'passed' ? '✔' : rec.state === 'failed' ? '✗' : '-';
    const ms = rec.durationMs !== undefined ? ` (${rec.durationMs}ms)` : '';
    console.log(`  ${mark} ${rec.title}${ms}`);
    if (rec.error) console.log(rec.error.split('\n').map((l) => `      ${l}`).join('\n'));
  }
}

/**
 * A console message from the extension host, forwarded to the page by the workbench (its text
 * starts with a `%c INFO color: ...` styling prefix). Mocha's spec lines carry `[ionpath-mocha] `.
 */
function onConsoleText(text) {
  const m = text.indexOf('[ionpath-mocha] ');
  if (m >= 0) {
    const out = text.slice(m + '[ionpath-mocha] '.length);
    console.log(out);
    mochaLines++;
    return;
  }
  const t = text.indexOf('[ionpath-test] ');
  if (t >= 0) {
    const payload = text.slice(t + '[ionpath-test] '.length).trim();
    if (payload.startsWith('{')) {
      try { addRecord(JSON.parse(payload)); } catch { /* ignore */ }
    } else if (verbose) {
      console.log(`[host] ${payload}`);
    }
    return;
  }
  if (verbose) console.log(`[page] ${text.slice(0, 500)}`);
}

/** A line of code-server's own output (it does not carry the extension host's console). */
function onServerLine(line) {
  if (verbose) console.log(`[code-server] ${line}`);
}

function readResults() {
  try { return JSON.parse(fs.readFileSync(resultsFile, 'utf8')); } catch { return undefined; }
}

async function cleanup() {
  if (page) await safeScreenshot(page, path.join(outDir, 'workbench.png'));
  await closeBrowser(browser);
  if (server) await server.stop();
  collectServerLogs(profile, path.join(outDir, 'server-logs'));
  const r = readResults();
  if (r) fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(r, null, 2));
  removeProfile(profile);
}

let cleaningUp = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    if (cleaningUp) return;
    cleaningUp = true;
    console.error(`run-code-server: ${sig}, cleaning up`);
    await cleanup();
    process.exit(130);
  });
}

const started = Date.now();
let timedOut = false;
let infraError;
try {
  server = await startCodeServer(profile, {
    folder: profile.workspace,
    logFile: path.join(outDir, 'code-server.log'),
    env: {
      IONPATH_TEST_RESULTS: resultsFile,
      ...(grep ? { IONPATH_TEST_GREP: grep } : {}),
    },
    onLine: onServerLine,
  });
  console.log(`code-server ${server.url} (workspace: temp copy of examples/)`);

  ({ browser, page } = await launchBrowser());
  await page.exposeFunction('codeAutomationExit', (code) => { exitCode = Number(code); });
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    if (verbose) console.log(`[workbench ${type}] ${JSON.stringify(args).slice(0, 500)}`);
  });
  page.on('console', (msg) => onConsoleText(msg.text()));
  page.on('pageerror', (e) => { if (verbose) console.log(`[page error] ${e.message}`); });

  const authority = `127.0.0.1:${server.port}`;
  const remote = (p) => `vscode-remote://${authority}${p.split(path.sep).join('/')}`;
  const payload = [
    ['extensionDevelopmentPath', remote(repoRoot)],
    ['extensionTestsPath', remote(suiteIndex)],
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  const url = `${server.url}?folder=${encodeURIComponent(profile.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });

  // Wait for: the extension host's exit (codeAutomationExit), or a finished results file, or
  // code-server dying, or the overall timeout.
  const deadline = started + overallTimeoutMs;
  let finishedAt;
  for (;;) {
    const r = readResults();
    if (exitCode !== undefined) {
      await new Promise((res) => setTimeout(res, 1000)); // let the last console messages arrive
      break;
    }
    if (r?.finished) {
      // The exit normally follows within a second; don't insist on it.
      finishedAt ??= Date.now();
      if (Date.now() - finishedAt > 5000) break;
    }
    if (server.exited()) { infraError = 'code-server exited unexpectedly'; break; }
    if (Date.now() > deadline) { timedOut = true; break; }
    await new Promise((res) => setTimeout(res, 250));
  }
} catch (e) {
  infraError = e.stack ?? String(e);
}

// Give the page a moment to paint before the screenshot (the editor opened by the tests).
if (page && !timedOut) await new Promise((r) => setTimeout(r, 500));
const results = readResults();
results?.tests?.forEach(addRecord);
await cleanup();

if (mochaLines === 0) printRecords();
const all = [...records.values()];
const passed = all.filter((r) => r.state === 'passed').length;
let failed = all.filter((r) => r.state === 'failed').length;
const pending = all.filter((r) => r.state === 'pending').length;
const problems = [];
if (infraError) problems.push(infraError);
if (timedOut) problems.push(`timed out after ${overallTimeoutMs / 1000} s`);
if (results?.error) problems.push(results.error);
if (!results && !infraError && !timedOut) problems.push('no results from the extension host (did the suite load?)');
if (results && !results.finished && !timedOut) problems.push('the test run did not finish');
if (exitCode !== undefined && exitCode !== 0 && failed === 0) problems.push(`extension host exited with code ${exitCode}`);
if (passed + failed === 0 && !problems.length) problems.push('no tests ran');
for (const p of problems) console.error(`run-code-server: ${p}`);
if (problems.length && failed === 0) failed = 1; // count an infrastructure failure as one

const secs = ((Date.now() - started) / 1000).toFixed(1);
console.log(`\n(${secs} s; screenshot and logs in ${path.relative(repoRoot, outDir)}/${pending ? `; ${pending} pending` : ''})`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
