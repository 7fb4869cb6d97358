#!/usr/bin/env node
// UI test of the PACKAGED extension: build for production, `vsce package` a .vsix, install it into
// a fresh code-server extensions dir, open a temp copy of examples/ in code-server and drive the
// workbench in headless chromium like a user would:
//   Quick Open (Ctrl+P) -> type a .cif name -> Enter -> the editor shows it with language mode
//   "CIF" in the status bar and syntax highlighting (more than one distinct `mtk*` token class).
//
//   npm run test:ui   |   node test/ui/run-vsix-ui.mjs [--skip-build] [--verbose]
//
// Needs .tools/code-server (scripts/setup-code-server.sh) and /usr/bin/chromium (or
// $CHROMIUM_PATH). Writes .test-output/ionpath.vsix, .test-output/ui/vsix-ui.png and logs under
// .test-output/ui/. Prints one line per check and `N passed, N failed`; exit code non-zero on any
// failure. Overall limit 10 minutes.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  collectServerLogs,
  copyDir,
  makeProfile,
  removeProfile,
  repoRoot,
  requireCodeServer,
  runCodeServerCli,
  startCodeServer,
} from '../vscode/lib/code-server.mjs';
import { closeBrowser, launchBrowser, safeScreenshot, waitForWorkbench } from '../vscode/lib/browser.mjs';
import { packageVsix } from '../vscode/lib/package-vsix.mjs';

const argv = process.argv.slice(2);
const verbose = argv.includes('--verbose') || !!process.env.IONPATH_TEST_VERBOSE;
const skipBuild = argv.includes('--skip-build');
const outRoot = path.join(repoRoot, '.test-output');
const outDir = path.join(outRoot, 'ui');
const vsix = path.join(outRoot, 'ionpath.vsix');
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const extensionId = `${pkg.publisher}.${pkg.name}`.toLowerCase();

const checks = [];
function check(name, ok, detail = '') {
  checks.push({ name, ok });
  console.log(`  ${ok ? '✔' : '✗'} ${name}${detail ? ` — ${detail}` : ''}`);
  return ok;
}
function finish() {
  const passed = checks.filter((c) => c.ok).length;
  const failed = checks.length - passed || (checks.length ? 0 : 1);
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

const overall = setTimeout(() => {
  console.error('run-vsix-ui: overall timeout (10 min)');
  check('finished within 10 minutes', false);
  finish();
}, 600_000);
overall.unref();

fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
try { requireCodeServer(); } catch (e) { check('code-server installed', false, e.message); finish(); }

// ---- 1. build and package -------------------------------------------------------------------
function sh(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return { ok: r.status === 0, out: out + (r.error ? `\n${r.error.message}` : '') };
}

if (!skipBuild) {
  const b = sh(process.execPath, ['esbuild.mjs', '--production']);
  if (!check('production build (node esbuild.mjs --production)', b.ok)) { console.log(b.out); finish(); }
}

const p = packageVsix(vsix);
fs.writeFileSync(path.join(outDir, 'vsce.log'), p.log);
const note = p.notes.length ? ` (${p.notes.join('; ')})` : '';
if (!check(`vsce package${note}`, p.ok, p.size ? `${(p.size / 1024).toFixed(0)} KiB` : '')) {
  console.log(p.log);
  finish();
}
if (verbose) console.log(p.log);
for (const l of p.log.split('\n')) if (/^\s*WARNING/i.test(l)) console.log(`    vsce: ${l.trim()}`);

// ---- 2. install into a fresh profile ------------------------------------------------------------
const profile = makeProfile('ionpath-ui-test-');
const inst = runCodeServerCli(profile, ['--install-extension', vsix, '--force']);
fs.writeFileSync(path.join(outDir, 'install.log'), inst.stdout + inst.stderr);
const list = runCodeServerCli(profile, ['--list-extensions', '--show-versions']);
const listed = list.stdout.toLowerCase().includes(`${extensionId}@${pkg.version}`);
if (!check(`code-server --install-extension (${extensionId}@${pkg.version} listed)`, inst.status === 0 && listed)) {
  console.log(inst.stdout + inst.stderr + list.stdout + list.stderr);
  removeProfile(profile);
  finish();
}

// Workspace: a temp copy of examples/ inside a git repository, as examples/ sits in a clone, with git on and the
// user-level git.openRepositoryInParentFolders left at its default: examples/.vscode/settings.json must keep VS
// Code from asking about the parent repository. If the copy holds no .cif yet, a small one.
copyDir(path.join(repoRoot, 'examples'), profile.workspace);
{
  const file = path.join(profile.userDataDir, 'User', 'settings.json');
  const settings = JSON.parse(fs.readFileSync(file, 'utf8'));
  delete settings['git.openRepositoryInParentFolders'];
  settings['git.enabled'] = true;
  fs.writeFileSync(file, JSON.stringify(settings, null, 2));
}
const gitInit = spawnSync('git', ['init', '-q', profile.root], { encoding: 'utf8' });
// Negative control: IONPATH_UI_WITHOUT_EXAMPLE_SETTINGS=1 drops the setting, and the prompt check must then fail.
if (process.env.IONPATH_UI_WITHOUT_EXAMPLE_SETTINGS) fs.rmSync(path.join(profile.workspace, '.vscode'), { recursive: true, force: true });
const cifs = fs.readdirSync(profile.workspace).filter((f) => f.toLowerCase().endsWith('.cif')).sort();
let cifName = cifs.includes('LiFePO4.cif') ? 'LiFePO4.cif' : cifs[0];
if (!cifName) {
  cifName = 'Li3N.cif';
  fs.writeFileSync(path.join(profile.workspace, cifName), [
    'data_Li3N', "_symmetry_space_group_name_H-M   'P 6/m m m'", '_cell_length_a   3.648', '_cell_length_b   3.648',
    '_cell_length_c   3.875', '_cell_angle_alpha   90', '_cell_angle_beta    90', '_cell_angle_gamma   120', 'loop_',
    '_atom_site_label', '_atom_site_type_symbol', '_atom_site_fract_x', '_atom_site_fract_y', '_atom_site_fract_z',
    'Li1 Li 0 0 0.5', 'Li2 Li 0.33333 0.66667 0', 'N1 N 0 0 0', ''].join('\n'));
}

// ---- 3. drive the workbench ---------------------------------------------------------------------
let server;
let browser;
let page;
const started = Date.now();
try {
  server = await startCodeServer(profile, {
    folder: profile.workspace,
    logFile: path.join(outDir, 'code-server.log'),
    onLine: verbose ? (l) => console.log(`[code-server] ${l}`) : undefined,
  });
  ({ browser, page } = await launchBrowser());
  if (verbose) page.on('console', (m) => console.log(`[page ${m.type()}] ${m.text().slice(0, 300)}`));
  await page.goto(`${server.url}?folder=${encodeURIComponent(profile.workspace)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });

  let ok = await waitForWorkbench(page).then(() => true, () => false);
  check('workbench loads', ok);
  if (!ok) throw new Error('no workbench');
  const parentGitPrompt = () => page.locator('.notifications-toasts .notification-toast, .notifications-center .notification-list-item', { hasText: /parent folders/i }).count();
  // The explorer shows the workspace once the remote connection is up.
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 }).catch(() => {});

  // Quick Open, type the file name, Enter. Retried: the first Ctrl+P can land before the
  // workbench has keyboard focus, and file search needs the remote search service.
  let opened = false;
  for (let attempt = 1; attempt <= 3 && !opened; attempt++) {
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 } }).catch(() => {});
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    if (!(await input.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false))) continue;
    await input.fill(cifName);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: cifName }).first();
    if (!(await row.waitFor({ state: 'visible', timeout: 20_000 }).then(() => true, () => false))) continue;
    await page.keyboard.press('Enter');
    opened = await page
      .locator('.tabs-container .tab', { hasText: cifName })
      .first()
      .waitFor({ state: 'visible', timeout: 20_000 })
      .then(() => true, () => false);
  }
  check(`Quick Open (Ctrl+P) opens ${cifName}`, opened);
  if (!opened) throw new Error('quick open failed');

  const editor = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  ok = await editor.waitFor({ state: 'visible', timeout: 30_000 }).then(() => true, () => false);
  const firstLine = ok ? (await editor.locator('.view-line').first().innerText()).trim() : '';
  check('editor shows the file', ok && firstLine.length > 0, firstLine.slice(0, 40));

  // Language mode in the status bar.
  const mode = page.locator('[id="status.editor.mode"]');
  let modeText = '';
  const t0 = Date.now();
  while (Date.now() - t0 < 30_000) {
    modeText = ((await mode.innerText().catch(() => '')) || '').trim();
    if (modeText === 'CIF') break;
    await page.waitForTimeout(250);
  }
  check('status bar language mode is "CIF"', modeText === 'CIF', `got "${modeText}"`);

  // Syntax highlighting: TextMate tokens render as spans with mtk<N> classes.
  let classes = [];
  const t1 = Date.now();
  while (Date.now() - t1 < 30_000) {
    classes = await editor.evaluate((el) => {
      const set = new Set();
      for (const s of el.querySelectorAll('span')) for (const c of s.classList) if (/^mtk\d+$/.test(c)) set.add(c);
      return [...set];
    });
    if (classes.length > 1) break;
    await page.waitForTimeout(250);
  }
  check('syntax highlighting (distinct mtk token classes > 1)', classes.length > 1, classes.sort().join(' '));

  // The inline Ea hint on the data_ line, as a user sees it (computed in the background host).
  let hint = '';
  const t2 = Date.now();
  while (Date.now() - t2 < 90_000) {
    hint = await editor.evaluate((el) => {
      // The hint may be cut at the editor's edge: its Ea part comes first. Inlay hints
      // render spaces as U+00A0, hence \s (which matches it) rather than a literal space.
      const m = /Ea\(BVSE,\s1D\)\s\d\.\d\d\seV[^\n]*/.exec(el.textContent ?? '');
      return m ? m[0].replace(/\u00a0/g, ' ').slice(0, 60) : '';
    });
    if (hint) break;
    await page.waitForTimeout(500);
  }
  check('inline Ea(BVSE) hint on the data_ line', /Ea\(BVSE, 1D\) \d\.\d\d eV/.test(hint), hint);

  // The GCN preview ran inside the INSTALLED extension: its hover says what the hint showed before BVSE arrived.
  // This needs onnxruntime-node's native runtime, which only the .vsix itself can carry (package-vsix.mjs).
  let hoverText = '';
  const dataLine = editor.locator('.view-line', { hasText: /^data_/ }).first();
  const lineBox = await dataLine.boundingBox().catch(() => null);
  if (lineBox) {
    for (let attempt = 0; attempt < 3 && !/Ea\(GCN-IN\)/.test(hoverText); attempt++) {
      await page.mouse.move(lineBox.x + 30 + attempt * 4, lineBox.y + lineBox.height / 2);
      await page.waitForTimeout(300);
      await page.mouse.move(lineBox.x + 34 + attempt * 4, lineBox.y + lineBox.height / 2);
      const hover = page.locator('.monaco-hover:not(.hidden) .hover-contents, .monaco-hover-content .hover-contents').first();
      if (await hover.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false)) {
        await page.waitForTimeout(500);
        hoverText = ((await hover.innerText().catch(() => '')) || '').replace(/\u00a0/g, ' ');
      }
    }
    await page.mouse.move(5, 5);
  }
  const gcn = /showed Ea\(GCN-IN\) \d\.\d\d eV/.exec(hoverText);
  check('GCN-IN preview ran in the installed .vsix (onnxruntime-node packaged)', !!gcn, gcn ? gcn[0] : hoverText.slice(0, 160));

  // The CodeLens that opens the landscape viewer.
  const lens = page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Show transport landscape' }).first();
  ok = await lens.waitFor({ state: 'visible', timeout: 30_000 }).then(() => true, () => false);
  check('CodeLens "Show transport landscape"', ok);
  if (ok) {
    await lens.click();
    const frameOk = await page.locator('.webview.ready, iframe.webview').first().waitFor({ state: 'attached', timeout: 30_000 }).then(() => true, () => false);
    check('landscape panel opens beside the file', frameOk);
    await page.waitForTimeout(8000); // let the view compute and draw for the screenshot
  }
  // By now (the hint and the viewer took seconds) the git extension has long scanned the parent folders.
  if (gitInit.status === 0) check('no "git repository found in the parent folders" prompt (examples/.vscode/settings.json)', (await parentGitPrompt()) === 0);
} catch (e) {
  if (verbose || !checks.some((c) => !c.ok)) console.error(`run-vsix-ui: ${e.stack ?? e}`);
  if (!checks.some((c) => !c.ok)) check('UI run completed', false, e.message);
} finally {
  const shot = path.join(outDir, 'vsix-ui.png');
  if (await safeScreenshot(page, shot)) console.log(`  (screenshot: ${path.relative(repoRoot, shot)}; ${((Date.now() - started) / 1000).toFixed(1)} s in the browser)`);
  await closeBrowser(browser);
  if (server) await server.stop();
  collectServerLogs(profile, path.join(outDir, 'server-logs'));
  removeProfile(profile);
}
finish();
