#!/usr/bin/env node
// Screenshots for the docs, taken in the real VS Code (code-server) driven by headless Chromium, as a user would:
//   walkthrough.png        Help → Welcome → the ionpath walkthrough (opened through "Welcome: Open Walkthrough…")
//   lifepo4-hint.png       examples/LiFePO4.cif with the inline Ea hint and its hover open
//   rank-table.png         the rank table after "Rank Folder by Ξ" on examples/ (explorer context menu, BVSE)
//   obelix-9s4-geometry.png   an LATP CIF whose Li1 row the bond-valence check flags (the warning's hover)
//   obelix-gas.png, obelix-cy2.png, obelix-72f.png   three OBELiX CIFs with their hints (72f.cif with
//                          ionpath.disorder = approximants, so the range over orderings shows; gas and cy2 in the
//                          default mean field)
//   li2te-xi.png           Li2Te (Materials Project mp-2530, primitive cell) after "Compute Ξ with TensorNet-MatPES"
//
//   node esbuild.mjs && node scripts/screenshots.mjs [--only name,name] [--verbose]
//
// The extension runs from this checkout (extensionDevelopmentPath, as test/vscode/run-code-server.mjs does); the
// workspace is a temp folder holding a copy of examples/, the three OBELiX CIFs copied at run time from
// ../shared/data/obelix/cifs (never into the repository) and the Li2Te fixture, each a folder of a multi-root
// workspace (so that one folder can set ionpath.disorder = approximants). PNGs go to docs/screenshots/;
// each is checked to stay under ~300 KB. Needs .tools/code-server and chromium (see scripts/setup-code-server.sh).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyDir, makeProfile, removeProfile, repoRoot, requireCodeServer, startCodeServer } from '../test/vscode/lib/code-server.mjs';
import { closeBrowser, launchBrowser, waitForWorkbench } from '../test/vscode/lib/browser.mjs';

const argv = process.argv.slice(2);
const verbose = argv.includes('--verbose');
const only = argv.includes('--only') ? new Set(argv[argv.indexOf('--only') + 1].split(',')) : null;
const outDir = path.join(repoRoot, 'docs', 'screenshots');
const obelix = path.join(repoRoot, '..', 'shared', 'data', 'obelix', 'cifs');
const MAX_BYTES = 300 * 1024;

requireCodeServer();
if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run node esbuild.mjs first');
fs.mkdirSync(outDir, { recursive: true });

// ---- the workspace ---------------------------------------------------------------------------------
const profile = makeProfile('ionpath-shots-');
const ws = profile.workspace;
copyDir(path.join(repoRoot, 'examples'), path.join(ws, 'examples'));
// Settings per folder: a multi-root workspace whose folder `obelix-approximants` sets ionpath.disorder.
for (const [folder, files] of [['obelix', ['cy2.cif', 'gas.cif', '9s4.cif']], ['obelix-approximants', ['72f.cif']]]) {
  fs.mkdirSync(path.join(ws, folder), { recursive: true });
  for (const f of files) if (fs.existsSync(path.join(obelix, f))) fs.copyFileSync(path.join(obelix, f), path.join(ws, folder, f));
}
fs.mkdirSync(path.join(ws, 'obelix-approximants', '.vscode'), { recursive: true });
fs.writeFileSync(path.join(ws, 'obelix-approximants', '.vscode', 'settings.json'), JSON.stringify({ 'ionpath.disorder': 'approximants' }, null, 2));
fs.mkdirSync(path.join(ws, 'mp'), { recursive: true });
fs.copyFileSync(path.join(repoRoot, 'test', 'fixtures', 'Li2Te-mp-2530-primitive.cif'), path.join(ws, 'mp', 'Li2Te-mp-2530.cif'));
const workspaceFile = path.join(profile.root, 'ionpath-screenshots.code-workspace');
fs.writeFileSync(workspaceFile, JSON.stringify({
  folders: ['examples', 'obelix', 'obelix-approximants', 'mp'].map((f) => ({ path: path.join(ws, f) })),
  settings: { 'git.openRepositoryInParentFolders': 'never' },
}, null, 2));
const userSettings = path.join(profile.userDataDir, 'User', 'settings.json');
const setUserSetting = (key, value) => {
  const s = JSON.parse(fs.readFileSync(userSettings, 'utf8'));
  if (value === undefined) delete s[key]; else s[key] = value;
  fs.writeFileSync(userSettings, JSON.stringify(s, null, 2));
};
setUserSetting('workbench.colorTheme', 'Default Dark Modern');
setUserSetting('editor.minimap.enabled', false);
setUserSetting('workbench.tips.enabled', false);

const results = [];
let server;
let browser;
let page;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (m) => { if (verbose) console.log(`  … ${m}`); };

/** The window's title bar says "[Extension Development Host]" (the extension runs from this checkout): left out. */
const TITLE_BAR_PX = 30;

async function shot(name) {
  const file = path.join(outDir, `${name}.png`);
  const { width, height } = page.viewportSize();
  await page.screenshot({ path: file, clip: { x: 0, y: TITLE_BAR_PX, width, height: height - TITLE_BAR_PX } });
  const size = fs.statSync(file).size;
  results.push({ name, ok: size <= MAX_BYTES, detail: `${(size / 1024).toFixed(0)} KB${size > MAX_BYTES ? ' (over 300 KB)' : ''}` });
}

async function step(name, f) {
  if (only && !only.has(name)) return;
  try { await f(); } catch (e) {
    results.push({ name, ok: false, detail: e.message.split('\n')[0] });
    if (verbose) console.error(e);
    await page.keyboard.press('Escape').catch(() => {});
  }
}

async function focusWorkbench() {
  await page.keyboard.press('Escape');
  await page.locator('.monaco-workbench .part.statusbar').click({ position: { x: 5, y: 5 } }).catch(() => {});
}

/** Command palette: run the command whose title matches `title`. */
async function runCommand(title) {
  await focusWorkbench();
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** Quick Open a workspace file by its path relative to the workspace. */
async function openFile(rel) {
  const name = path.basename(rel);
  for (let attempt = 1; attempt <= 3; attempt++) {
    await focusWorkbench();
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    if (!(await input.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false))) continue;
    await input.fill(rel);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first();
    if (!(await row.waitFor({ state: 'visible', timeout: 20_000 }).then(() => true, () => false))) continue;
    await page.keyboard.press('Enter');
    const tab = page.locator('.tabs-container .tab.active', { hasText: name }).first();
    if (await tab.waitFor({ state: 'visible', timeout: 20_000 }).then(() => true, () => false)) return;
  }
  throw new Error(`could not open ${rel}`);
}

const activeEditor = () => page.locator('.editor-group-container.active .monaco-editor .view-lines').first();

/** Waits until the active editor's rendered text (inlay hints included) matches `re`; returns the match. */
async function waitForEditorText(re, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < until) {
    text = await activeEditor().evaluate((el) => (el.textContent ?? '').replace(/\u00a0/g, ' ')).catch(() => '');
    const m = re.exec(text);
    if (m) return m[0];
    await sleep(250);
  }
  const hint = /(Ea|Ξ)\([^\n]{0,80}/.exec(text)?.[0] ?? text.slice(0, 120);
  throw new Error(`timed out waiting for ${re} in the editor (it shows: ${hint})`);
}

/** Moves the mouse onto the data_ line and waits for the hover. */
async function hoverDataLine() {
  const line = activeEditor().locator('.view-line', { hasText: /^data_/ }).first();
  const box = await line.boundingBox();
  if (!box) throw new Error('no data_ line on screen');
  await page.mouse.move(box.x + 30, box.y + box.height / 2);
  await sleep(300);
  await page.mouse.move(box.x + 34, box.y + box.height / 2);
  await page.locator('.monaco-hover:not(.hidden) .hover-contents, .monaco-hover-content .hover-contents').first().waitFor({ state: 'visible', timeout: 15_000 });
  await sleep(800);
}

try {
  server = await startCodeServer(profile, { logFile: path.join(repoRoot, '.test-output', 'screenshots', 'code-server.log') });
  ({ browser, page } = await launchBrowser({ viewport: { width: 1440, height: 900 } }));
  const authority = `127.0.0.1:${server.port}`;
  const payload = [['extensionDevelopmentPath', `vscode-remote://${authority}${repoRoot}`], ['skipWelcome', 'true'], ['skipReleaseNotes', 'true']];
  await page.goto(`${server.url}?workspace=${encodeURIComponent(workspaceFile)}&payload=${encodeURIComponent(JSON.stringify(payload))}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await waitForWorkbench(page);
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
  // Let "Activating Extensions…" leave the status bar.
  await page.locator('.statusbar-item', { hasText: 'Activating Extensions' }).first().waitFor({ state: 'detached', timeout: 30_000 }).catch(() => {});
  await sleep(3000);

  await step('walkthrough', async () => {
    await runCommand('Welcome: Open Walkthrough');
    const input = page.locator('.quick-input-widget input');
    await sleep(500);
    await input.fill('Li-ion transport');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Li-ion transport' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator('.gettingStartedContainer', { hasText: 'Open a CIF' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await sleep(2000);
    await shot('walkthrough');
    await runCommand('View: Close All Editors');
  });

  await step('lifepo4-hint', async () => {
    await openFile('LiFePO4.cif');
    log(await waitForEditorText(/Ea\(BVSE, 1D\) \d\.\d\d eV[^\n]{0,20}/));
    await hoverDataLine();
    await shot('lifepo4-hint');
    await page.mouse.move(5, 5);
  });

  await step('rank-table', async () => {
    await runCommand('View: Close All Editors');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^examples/ }).first();
    await row.click({ button: 'right' });
    await page.locator('.monaco-menu .action-label', { hasText: 'Rank Folder by Ξ' }).first().click();
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'BVSE' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Enter');
    const until = Date.now() + 240_000;
    let done = false;
    while (!done && Date.now() < until) {
      for (const f of page.frames()) {
        const s = await f.evaluate(() => document.getElementById('summary')?.textContent ?? '').catch(() => '');
        if (/finished/.test(s)) { done = true; log(s); break; }
      }
      if (!done) await sleep(500);
    }
    if (!done) throw new Error('the ranking did not finish within 4 min');
    await sleep(2500); // the notification fades
    await shot('rank-table');
    await runCommand('View: Close All Editors');
  });

  for (const [name, approximants] of [['72f', true], ['cy2', false], ['gas', false]]) {
    await step(`obelix-${name}`, async () => {
      if (!fs.existsSync(path.join(obelix, `${name}.cif`))) throw new Error(`${name}.cif is not in ../shared/data/obelix/cifs`);
      await openFile(`${name}.cif`);
      log(await waitForEditorText(approximants ? /Ea\(BVSE, 1D\) (none|\d\.\d\d eV \([^)]*\))[^\n]{0,12}/ : /Ea\(BVSE(, 1D)?\)[^\n]{0,40}?(eV|see hover\)|none[^\n]{0,12})/, 240_000));
      await hoverDataLine();
      await shot(`obelix-${name}`);
      await page.mouse.move(5, 5);
      await runCommand('View: Close All Editors');
    });
  }

  // A CIF whose geometry the bond-valence check flags: the squiggle at the row, its hover, the hint beside it.
  await step('obelix-9s4-geometry', async () => {
    if (!fs.existsSync(path.join(obelix, '9s4.cif'))) throw new Error('9s4.cif is not in ../shared/data/obelix/cifs');
    await openFile('9s4.cif');
    log(await waitForEditorText(/Ea\(BVSE, 1D\) \d\.\d\d eV[^\n]{0,12}/, 240_000));
    // Bring the atom-site rows into view: go to the Li1 row (Ctrl+G), so the data_ line's hint stays in the file above.
    const liLine = fs.readFileSync(path.join(obelix, '9s4.cif'), 'utf8').split('\n').findIndex((l) => /^\s*Li\s+Li1\s/.test(l)) + 1;
    await page.keyboard.press('Control+G');
    await page.keyboard.type(String(liLine));
    await page.keyboard.press('Enter');
    await sleep(500);
    const row = activeEditor().locator('.view-line', { hasText: /Li1\s+6\s/ }).first();
    const box = await row.boundingBox();
    if (!box) throw new Error('the Li1 row is not on screen');
    // The label's x from its character index (Monaco's font is monospaced; the line's first span holds its text).
    const { index, charWidth, left } = await row.evaluate((el) => {
      const text = (el.textContent ?? '').replace(/\u00a0/g, ' ');
      const r = (el.firstElementChild ?? el).getBoundingClientRect();
      return { index: text.indexOf('Li1'), charWidth: r.width / Math.max(1, text.length), left: r.left };
    });
    const x = left + (index + 1.5) * charWidth;
    await page.mouse.move(x, box.y + box.height / 2);
    await sleep(300);
    await page.mouse.move(x + 1, box.y + box.height / 2);
    await page.locator('.monaco-hover:not(.hidden) .hover-contents, .monaco-hover-content .hover-contents').first().waitFor({ state: 'visible', timeout: 15_000 });
    await sleep(800);
    await shot('obelix-9s4-geometry');
    await page.mouse.move(5, 5);
    await runCommand('View: Close All Editors');
  });

  await step('li2te-xi', async () => {
    await openFile('Li2Te-mp-2530.cif');
    await waitForEditorText(/Ea\(BVSE, 1D\) \d\.\d\d eV/);
    await runCommand('ionpath: Compute Ξ with TensorNet-MatPES');
    log(await waitForEditorText(/Ξ\(TensorNet-MatPES, frozen\) \d\.\d\d/, 300_000));
    await sleep(1500);
    await hoverDataLine();
    await shot('li2te-xi');
  });
} catch (e) {
  results.push({ name: 'code-server session', ok: false, detail: e.message.split('\n')[0] });
  if (verbose) console.error(e);
} finally {
  await closeBrowser(browser);
  if (server) await server.stop();
  removeProfile(profile);
}

for (const r of results) console.log(`  ${r.ok ? '✔' : '✗'} ${r.name} — ${r.detail}`);
const failed = results.filter((r) => !r.ok).length;
console.log(`\n${results.length - failed} screenshots written to ${path.relative(repoRoot, outDir)}/, ${failed} failed`);
process.exit(failed ? 1 : 0);
