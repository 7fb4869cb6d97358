#!/usr/bin/env node
// Webview tests in headless Chromium (playwright-core, WebGL via SwiftShader).
//
// The main scenes are REAL: examples/LiFePO4.cif and examples/Li7La3Zr2O12.cif go through the
// compute host (dist/worker.js, `scene` request, Li, 0.2 Å grid), exactly what the extension sends
// to the panel. A small synthetic scene (test/webview/scenes.mjs) is kept for the control tests
// that need exact, hand-made numbers (level map, 2D/3D thresholds, empty surfaces).
//
// Usage: node test/webview/run.mjs [--no-build] [--docs] [--serve] [--no-workbench]
//   --no-workbench  skip test/webview/workbench.mjs (figure controls, ranking table) and viewerData.mjs (network,
//                   approximants, export menu, MLIP), run after these
//   --docs   also write the documentation screenshots to docs/screenshots/
//   --serve  keep the page up for a manual look (nothing is run)
// Screenshots go to .test-output/webview/*.png. Prints "N passed, N failed"; exits non-zero on failure.
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildWebview, launchBrowser, root, startServer, themeScript, toWire } from './server.mjs';
import { makeScene } from './scenes.mjs';
import { analyseIsosurface, expectedAtomCount, faceRuleCount, invert3 } from './analysis.mjs';
import { computeScenes } from './realScenes.mjs';

const T0 = Date.now();
const outDir = join(root, '.test-output', 'webview');
const docsDir = join(root, 'docs', 'screenshots');
mkdirSync(outDir, { recursive: true });
const args = new Set(process.argv.slice(2));

if (!args.has('--no-build')) await buildWebview({ quiet: false, all: true });

let passed = 0, failed = 0;
const failures = [];
async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`  ✔ ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    failures.push(name);
    console.log(`  ✘ ${name}\n      ${String(e?.stack ?? e).split('\n').slice(0, 4).join('\n      ')}`);
  }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
function eq(actual, expected, msg) { if (actual !== expected) throw new Error(`${msg}: expected ${expected}, got ${actual}`); }
const near = (x, y, tol) => Math.abs(x - y) <= tol;
/** Periodic distance between fractional coordinates. */
const pdist = (x, y) => { const d = Math.abs(x - y) % 1; return Math.min(d, 1 - d); };

// ------------------------------------------------------------------ real scenes (compute host)

console.log('computing the real scenes (compute host, BVSE, Li, 0.2 Å)');
const LFP = 'LiFePO4.cif', LLZO = 'Li7La3Zr2O12.cif';
let real;
try {
  real = await computeScenes([LFP, LLZO]);
} catch (e) {
  console.log(`  ✘ compute host scenes\n      ${String(e?.stack ?? e).split('\n').slice(0, 4).join('\n      ')}\n\n0 passed, 1 failed`);
  process.exit(1);
}
for (const [name, s] of real) {
  const l = s.landscape;
  console.log(`  ${name}: ${s.structure.atoms.length} sites, grid ${l.shape.join('×')}, Ea(${l.method}) 1D/2D/3D ${[l.ea1D, l.ea2D, l.ea3D].map((x) => x?.toFixed(3)).join('/')} eV, path ${s.path?.points.length} points, ${s.ms.toFixed(0)} ms`);
}

const server = await startServer();
// Watchdog: the whole run must stay well under 3 minutes; past that, clean up and fail.
const LIMIT_S = 170;
let browser = null;
const watchdog = args.has('--serve') ? null : setTimeout(async () => {
  console.log(`  ✘ watchdog: the run took over ${LIMIT_S} s; closing Chromium and the server`);
  await browser?.close().catch(() => {});
  await server.close();
  console.log(`\n${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, LIMIT_S * 1000 - (Date.now() - T0)).unref();
if (args.has('--serve')) {
  console.log(`serving ${server.url} (Ctrl-C to stop); in the console: __harness.setScene(...)`);
  await new Promise(() => {});
}

browser = await launchBrowser();
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
const page = await context.newPage();
const pageErrors = [];
page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`); });
page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));

const hooks = (expr) => page.evaluate(`(() => { const t = window.__ionpathTest; return ${expr}; })()`);
const waitIso = () => page.waitForFunction(() => {
  const t = window.__ionpathTest;
  return t && t.isosurfaceDone;
}, null, { timeout: 30000 });
const frames = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
const shot = async (name, { docs = false } = {}) => {
  await frames();
  const file = join(outDir, name);
  await page.screenshot({ path: file });
  if (docs) toDocs(file, name);
};
const elementShot = async (selector, name, { docs = false } = {}) => {
  await page.locator(selector).scrollIntoViewIfNeeded();
  await frames();
  const file = join(outDir, name);
  await page.locator(selector).screenshot({ path: file });
  if (docs) toDocs(file, name);
};
const docShots = [];
function toDocs(file, name) {
  const kb = statSync(file).size / 1024;
  docShots.push(`${name} ${kb.toFixed(0)} KB`);
  assert(kb <= 300, `${name} is ${kb.toFixed(0)} KB (docs screenshots must stay ≤ 300 KB)`);
  if (args.has('--docs')) { mkdirSync(docsDir, { recursive: true }); copyFileSync(file, join(docsDir, name)); }
}
/** Docs screenshots: a 1100×880 page (the whole panel down to the profile), then back to 1280×800. */
async function docsView(fn) {
  await page.setViewportSize({ width: 1100, height: 880 });
  try {
    await frames();
    await fn();
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
    await frames();
  }
}
/** Keys on the 3D canvas (rotate, zoom), then blur it so no focus ring shows. */
async function keys(list) {
  await page.focus('canvas');
  for (const k of list) await page.keyboard.press(k);
  await page.evaluate(() => document.activeElement?.blur());
}
const errorsSoFar = async () => [...await hooks('t.consoleErrors'), ...pageErrors, ...await page.evaluate(() => window.__harness.state.viewErrors)];

/** Send a whole real scene (structure, grid, path) and wait for the surface. */
async function showScene(s, options) {
  const r = await page.evaluate((u) => window.__harness.setScene(u), toWire({ structure: s.structure, landscape: s.landscape, path: s.path, options }));
  await waitIso();
  return r;
}
async function setLevel(level) {
  await page.evaluate((x) => window.__harness.setOptions({ level: x }), level);
  await page.waitForFunction((x) => Math.abs(window.__ionpathTest.level - x) < 1e-9 && window.__ionpathTest.isosurfaceDone, level, { timeout: 30000 });
}
/** The (super)cell's Cartesian bounding box. */
function cellBox(lattice, R) {
  const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
  for (const i of [0, R[0]]) for (const j of [0, R[1]]) for (const k of [0, R[2]]) for (let a = 0; a < 3; a++) {
    const x = i * lattice[0][a] + j * lattice[1][a] + k * lattice[2][a];
    min[a] = Math.min(min[a], x); max[a] = Math.max(max[a], x);
  }
  return { min, max };
}
/** What every real scene must show at its default view: atoms, surface in the cell, path, profile. */
async function checkDrawn(s, R, label) {
  const expected = expectedAtomCount(s.structure, R);
  const expectedMobile = expected - expectedAtomCount(s.structure, R, { includeMobile: false });
  eq(await hooks('t.atomCount'), expected, `${label}: atom spheres drawn (periodic images in [0, R])`);
  eq(await hooks('t.mobileAtomCount'), expectedMobile, `${label}: mobile-ion spheres drawn`);
  const verts = await hooks('t.isosurfaceVertexCount');
  assert(verts > 0, `${label}: isosurface has vertices`);
  eq(await hooks('t.usesWorker'), true, `${label}: isosurface computed in the worker`);
  const fb = await hooks('t.isosurfaceFracBounds');
  for (let a = 0; a < 3; a++) assert(fb.min[a] >= -1e-4 && fb.max[a] <= R[a] + 1e-4, `${label}: isosurface vertices inside the (super)cell on axis ${'abc'[a]}: ${fb.min[a]}..${fb.max[a]}`);
  const b = await hooks('t.isosurfaceBounds'), box = cellBox(s.structure.lattice, R);
  for (let a = 0; a < 3; a++) assert(b.min[a] >= box.min[a] - 1e-3 && b.max[a] <= box.max[a] + 1e-3, `${label}: Cartesian isosurface bounds inside the cell box on ${'xyz'[a]}`);
  eq(await hooks('t.pathPointCount'), s.path.points.length, `${label}: path points`);
  assert(await hooks('t.pathImageCount') >= 1, `${label}: path tube drawn`);
  eq(await hooks('t.profileDrawn'), true, `${label}: energy profile drawn`);
  return { verts, fb };
}

const scene = makeScene();

console.log('webview tests');
try {
  await page.goto(server.url + '?theme=dark');
  await page.waitForFunction(() => window.__harness && window.__harness.state.readyCount > 0 && window.__ionpathTest, null, { timeout: 20000 });

  await test('webview loads under the strict CSP and says ready once', async () => {
    eq(await page.evaluate(() => window.__harness.state.readyCount), 1, 'ready count');
    const csp = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]').content);
    assert(/script-src 'nonce-/.test(csp) && /worker-src blob:/.test(csp) && !/unsafe-inline|unsafe-eval/.test(csp), `CSP: ${csp}`);
  });

  await test('WebGL renders through SwiftShader', async () => {
    const gl = await hooks('t.webgl');
    console.log(`      WebGL: ${gl.version} / ${gl.renderer}`);
    assert(/WebGL/.test(gl.version), 'WebGL context');
  });

  // ---------------------------------------------------------------- LiFePO4 (real)
  const lfp = real.get(LFP);
  const lfpLevel = Math.round((lfp.landscape.ea1D + 0.1) * 100) / 100;

  await test('LiFePO4 (compute host) 1×1×1: 39 atom images, isosurface in the cell, path, profile', async () => {
    const r = await showScene(lfp, { repeats: [1, 1, 1] });
    // Independent count: 24 framework atoms in general/mirror positions, Li on 4a: (0,0,0) ×8,
    // (0,½,0) ×4, (½,0,½) ×2, (½,½,½) ×1.
    eq(faceRuleCount(lfp.structure), 39, 'LiFePO4: 2^k images per site (k = coordinates on a face)');
    eq(expectedAtomCount(lfp.structure, [1, 1, 1]), 39, 'LiFePO4: images in [0,1]³');
    eq(r.atomCount, 39, 'setScene result atomCount');
    eq(r.pathPointCount, lfp.path.points.length, 'setScene result pathPointCount');
    await checkDrawn(lfp, [1, 1, 1], 'LiFePO4');
    eq(await hooks('t.mobileAtomCount'), 15, 'Li images (8 + 4 + 2 + 1)');
    const cov = await hooks('t.coverage()');
    assert(cov > 0.05, `canvas shows something (coverage ${cov.toFixed(3)})`);
    const rendered = await page.evaluate(() => window.__harness.state.rendered.at(-1));
    assert(rendered && rendered.isosurfaceDone && rendered.atomCount === 39 && rendered.isosurfaceVertexCount === await hooks('t.isosurfaceVertexCount'), `rendered notification ${JSON.stringify(rendered)}`);
    await shot('LiFePO4-1x1x1.png');
  });

  await test('LiFePO4 physics: at the default level (just above Ea 1D) the surface is a 1D channel along b through the Li rows', async () => {
    const level = await hooks('t.level');
    assert(level > lfp.landscape.ea1D && level <= lfp.landscape.ea1D + 0.15, `default level ${level} just above Ea1D ${lfp.landscape.ea1D.toFixed(3)}`);
    eq(level, lfpLevel, 'default level = Ea1D + 0.1 eV, rounded to 0.01');
    const text = await page.evaluate(() => document.getElementById('iso-level-text').textContent);
    assert(text.includes('percolates in 1D'), `level text says 1D: ${text}`);
    // The drawn mesh spans the whole b range…
    const fb = await hooks('t.isosurfaceFracBounds');
    assert(fb.min[1] < 0.02 && fb.max[1] > 0.98, `surface spans b: ${fb.min[1].toFixed(3)}..${fb.max[1].toFixed(3)}`);
    // …and its pieces (the same marching cubes in Node: same vertex count, glued across the cell
    // faces) wind around the torus along b only, each in a narrow band around a Li row.
    const iso = await analyseIsosurface(lfp.landscape, lfp.structure.lattice, level);
    eq(iso.vertexCount, await hooks('t.isosurfaceVertexCount'), 'Node marching cubes = what the view drew');
    eq(iso.dim, 1, `surface pieces wind along one direction only (windings ${JSON.stringify(iso.windings)})`);
    for (const w of iso.windings) assert(w[0] === 0 && w[2] === 0 && w[1] !== 0, `winding ${JSON.stringify(w)} is along b`);
    const rows = [];
    for (const a of lfp.structure.atoms.filter((x) => x.mobile)) {
      const ac = [a.frac[0], a.frac[2]];
      if (!rows.some((r) => pdist(r[0], ac[0]) < 0.05 && pdist(r[1], ac[1]) < 0.05)) rows.push(ac);
    }
    eq(rows.length, 2, 'Li rows along b at (a, c) = (0, 0) and (½, ½)');
    const channels = iso.pieces.filter((p) => p.dim > 0);
    const found = new Set();
    for (const p of channels) {
      const ext = [0, 2].map((a) => p.fracMax[a] - p.fracMin[a]);
      assert(ext[0] < 0.35 && ext[1] < 0.5, `channel piece narrow across a and c (extent ${ext.map((x) => x.toFixed(2)).join(', ')})`);
      assert(p.fracMax[1] - p.fracMin[1] >= 1, 'channel piece spans a full b period');
      const centre = [0, 2].map((a) => (p.fracMin[a] + p.fracMax[a]) / 2);
      const row = rows.findIndex((r) => pdist(r[0], centre[0]) < 0.05 && pdist(r[1], centre[1]) < 0.05);
      assert(row >= 0, `channel piece centred on a Li row (centre a ${centre[0].toFixed(2)}, c ${centre[1].toFixed(2)})`);
      found.add(row);
    }
    eq(found.size, rows.length, 'every Li row carries a channel');
    console.log(`      level ${level} eV: ${iso.vertexCount} vertices, ${iso.pieces.length} pieces, ${channels.length} channels along b, extents a/c ${channels.map((p) => `${(p.fracMax[0] - p.fracMin[0]).toFixed(2)}/${(p.fracMax[2] - p.fracMin[2]).toFixed(2)}`).join(', ')}`);
    // Below the barrier no piece winds: isolated pockets only.
    const below = Math.round((lfp.landscape.ea1D - 0.03) * 100) / 100;
    await setLevel(below);
    const isoBelow = await analyseIsosurface(lfp.landscape, lfp.structure.lattice, below);
    eq(isoBelow.vertexCount, await hooks('t.isosurfaceVertexCount'), `Node = view at ${below} eV`);
    eq(isoBelow.dim, 0, `below Ea1D (${below} eV) nothing percolates`);
    assert((await page.evaluate(() => document.getElementById('iso-level-text').textContent)).includes('does not percolate'), 'level text below Ea1D');
    await setLevel(lfpLevel);
  });

  await test('LiFePO4 connected level map from the host: complete, never below the energy, and selectable', async () => {
    const { data, levelMap } = lfp.landscape;
    assert(levelMap && levelMap.length === data.length, 'the scene carries a level map on the same grid');
    let min = Infinity, below = 0, under = 0;
    for (let i = 0; i < data.length; i++) {
      const m = levelMap[i];
      assert(Number.isFinite(m), `level map finite at ${i}`);
      if (m < data[i] - 1e-5) under++; // a minimax level can never be below the point's own energy
      if (m <= lfp.landscape.ea1D + 0.1) below++;
      min = Math.min(min, m);
    }
    eq(under, 0, 'level map ≥ energy everywhere');
    assert(Math.abs(min) < 1e-6, `level map is 0 at the minimum (min ${min})`);
    assert(below > 0 && below < data.length, `the region connected below Ea1D + 0.1 eV is part of the cell (${below} of ${data.length} points)`);
    await showScene(lfp, { repeats: [1, 1, 1] });
    eq(await page.evaluate(() => document.getElementById('iso-field-row').hidden), false, 'surface selector offered for the real scene');
    await page.evaluate(() => { const s = document.getElementById('iso-field'); s.value = 'levelMap'; s.dispatchEvent(new Event('change')); });
    await page.waitForTimeout(50);
    await waitIso();
    assert(await hooks('t.isosurfaceVertexCount') > 0, 'level-map surface drawn');
    await page.evaluate(() => { const s = document.getElementById('iso-field'); s.value = 'energy'; s.dispatchEvent(new Event('change')); });
    await waitIso();
  });

  await test('LiFePO4 labels carry method and unit; profile labelled', async () => {
    const text = await page.evaluate(() => document.getElementById('panel').innerText);
    const l = lfp.landscape, f = (x) => x.toFixed(2);
    for (const s of [`Ea(BVSE, 1D) ${f(l.ea1D)} eV`, `Ea(BVSE, 2D) ${f(l.ea2D)} eV`, `Ea(BVSE, 3D) ${f(l.ea3D)} eV`,
      `Barrier (${lfp.path.method}) ${f(lfp.path.barrier)} eV`, `Level ${f(lfpLevel)} eV above the minimum (BVSE energy)`, 'LiFePO4']) {
      assert(text.includes(s), `panel shows "${s}"`);
    }
    assert(text.includes('Ea(BVSE, 1D) 0.39 eV') || text.includes('Ea(BVSE, 1D) 0.40 eV'), 'Ea(BVSE, 1D) ≈ 0.39 eV for olivine');
    const ticks = await page.evaluate(() => [...document.querySelectorAll('#iso-tick-labels span')].map((s) => s.textContent));
    assert(ticks[0] === '1D', `slider tick at Ea1D: ${ticks}`);
    const aria = await page.evaluate(() => document.getElementById('profile').getAttribute('aria-label'));
    assert(aria.includes(`barrier ${f(lfp.path.barrier)} eV (${lfp.path.method})`), `profile aria-label: ${aria}`);
    const legend = await page.evaluate(() => document.getElementById('legend').innerText);
    assert(/Li ×4 per cell \(mobile\)/.test(legend) && /Fe ×4/.test(legend) && /O ×16/.test(legend), `legend: ${legend}`);
    await elementShot('#sec-path', 'LiFePO4-profile.png', { docs: true });
    await page.evaluate(() => document.getElementById('panel').scrollTo(0, 0));
  });

  await test('LiFePO4 2×2×1: images, surface replicated in the supercell, channels run through b, docs view', async () => {
    const base = await hooks('t.isosurfaceVertexCount');
    await page.evaluate(() => window.__harness.setOptions({ repeats: [2, 2, 1] }));
    await page.waitForFunction(() => window.__ionpathTest.atomCount !== 39);
    eq(expectedAtomCount(lfp.structure, [2, 2, 1]), 136, 'independent count for 2×2×1');
    const { fb } = await checkDrawn(lfp, [2, 2, 1], 'LiFePO4 2×2×1');
    eq(await hooks('t.isosurfaceVertexCount'), base * 4, 'isosurface replicated 4×');
    assert(fb.min[1] < 0.02 && fb.max[1] > 1.98, 'channels run through both cells along b');
    assert(await hooks('t.pathImageCount') >= 4, 'path images in the supercell');
    // Docs view: look down c (b vertical: the channels run up the picture), tilted a little.
    await docsView(async () => {
      await page.click('#view-c');
      await keys(['ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowRight', 'ArrowRight', '-']);
      await shot('LiFePO4-landscape.png', { docs: true });
    });
    await page.click('#view-b');
    await shot('LiFePO4-2x2x1-along-b.png');
    await page.click('#view-reset');
    const errs = await errorsSoFar();
    eq(errs.length, 0, `errors so far: ${errs.join('; ')}`);
  });

  // ---------------------------------------------------------------- LLZO (real)
  const llzo = real.get(LLZO);

  await test('LLZO (compute host) 1×1×1: atom images, partial Li sites, isosurface, path, profile', async () => {
    const r = await showScene(llzo, { repeats: [1, 1, 1] });
    const expected = expectedAtomCount(llzo.structure, [1, 1, 1]);
    eq(faceRuleCount(llzo.structure), expected, 'LLZO: 2^k rule agrees with the images in [0,1]³');
    eq(r.atomCount, expected, 'setScene result atomCount');
    await checkDrawn(llzo, [1, 1, 1], 'LLZO');
    const partialLi = llzo.structure.atoms.filter((a) => a.mobile && a.occupancy < 0.999).length;
    assert(partialLi > 0, 'LLZO has partially occupied Li sites');
    const legend = await page.evaluate(() => document.getElementById('legend').innerText);
    assert(/partially occupied/.test(legend), `legend explains partial sites: ${legend}`);
    assert(/Li ×\d+(\.\d+)? per cell \(mobile\)/.test(legend) && /La ×24/.test(legend) && /Zr ×16/.test(legend) && /O ×96/.test(legend), `legend: ${legend}`);
    console.log(`      ${llzo.structure.atoms.length} sites (${partialLi} partial Li), ${expected} spheres, ${await hooks('t.isosurfaceVertexCount')} surface vertices`);
  });

  await test('LLZO physics: at the default level the surface is a 3D network', async () => {
    const level = await hooks('t.level');
    const l = llzo.landscape;
    assert(level > l.ea3D && level <= l.ea1D + 0.15, `default level ${level} just above Ea1D = Ea3D ${l.ea3D.toFixed(3)}`);
    const text = await page.evaluate(() => document.getElementById('iso-level-text').textContent);
    assert(text.includes('percolates in 3D'), `level text: ${text}`);
    const fb = await hooks('t.isosurfaceFracBounds');
    for (let a = 0; a < 3; a++) assert(fb.min[a] < 0.02 && fb.max[a] > 0.98, `surface spans ${'abc'[a]}: ${fb.min[a].toFixed(3)}..${fb.max[a].toFixed(3)}`);
    const iso = await analyseIsosurface(l, llzo.structure.lattice, level);
    eq(iso.vertexCount, await hooks('t.isosurfaceVertexCount'), 'Node marching cubes = what the view drew');
    eq(iso.dim, 3, `the drawn surface winds around all three directions (windings ${JSON.stringify(iso.windings.slice(0, 6))})`);
    console.log(`      level ${level} eV: ${iso.vertexCount} vertices, ${iso.pieces.length} pieces, the largest winds in ${iso.pieces[0].dim}D`);
    const panel = await page.evaluate(() => document.getElementById('panel').innerText);
    for (const s of [`Ea(BVSE, 3D) ${l.ea3D.toFixed(2)} eV`, `Barrier (${llzo.path.method}) ${llzo.path.barrier.toFixed(2)} eV`]) assert(panel.includes(s), `panel shows "${s}"`);
    assert(l.ea3D > 0.4 && l.ea3D < 0.55, `Ea(BVSE, 3D) ${l.ea3D} in the expected 0.45–0.49 eV range`);
    // Docs view: smaller atoms so the channel network shows between La and Zr.
    await docsView(async () => {
      await page.evaluate(() => { const e = document.getElementById('atom-scale'); e.value = '0.2'; e.dispatchEvent(new Event('input')); });
      await page.click('#view-reset');
      await keys(['-', '-']);
      await shot('LLZO-landscape.png', { docs: true });
      await page.evaluate(() => { const e = document.getElementById('atom-scale'); e.value = '0.3'; e.dispatchEvent(new Event('input')); });
    });
    await elementShot('#sec-path', 'LLZO-profile.png');
    await page.evaluate(() => document.getElementById('panel').scrollTo(0, 0));
    const below = Math.round((l.ea1D - 0.03) * 100) / 100;
    await setLevel(below);
    const isoBelow = await analyseIsosurface(l, llzo.structure.lattice, below);
    eq(isoBelow.vertexCount, await hooks('t.isosurfaceVertexCount'), `Node = view at ${below} eV`);
    eq(isoBelow.dim, 0, `below the barrier (${below} eV) nothing percolates`);
    const errs = await errorsSoFar();
    eq(errs.length, 0, `errors so far: ${errs.join('; ')}`);
  });

  // ---------------------------------------------------------------- synthetic control tests

  await test('synthetic scene 1×1×1: atoms on faces/edges/corners, isosurface, path, profile', async () => {
    const r = await page.evaluate((s) => window.__harness.setScene(s), toWire({ ...scene, options: { repeats: [1, 1, 1] } }));
    const expected = expectedAtomCount(scene.structure, [1, 1, 1]);
    eq(expected, 25, 'independent count of the synthetic cell (8 corner + 12 edge + 1 + 2 + 2)');
    eq(r.atomCount, expected, 'setScene result atomCount');
    await waitIso();
    eq(await hooks('t.mobileAtomCount'), 3, 'mobile images (body centre + 2 face images)');
    const fb = await hooks('t.isosurfaceFracBounds');
    for (let a = 0; a < 3; a++) assert(fb.min[a] >= -1e-4 && fb.max[a] <= 1 + 1e-4, `frac bounds inside the cell on axis ${a}: ${fb.min[a]}..${fb.max[a]}`);
    assert(fb.min[0] < 0.02 && fb.max[0] > 0.98, 'channel reaches both a faces (periodic)');
    assert(fb.min[1] > 0.2 && fb.max[1] < 0.8, 'channel is narrow across b at this level');
    eq(await hooks('t.pathPointCount'), 41, 'path points');
    eq(await hooks('t.profileDrawn'), true, 'profile drawn');
    const level = await hooks('t.level');
    assert(Math.abs(level - 0.52) < 1e-6, `default level Ea1D (0.42) + 0.1: ${level}`);
    await shot('synthetic-1x1x1-dark.png');
  });

  await test('synthetic numbers carry method and unit', async () => {
    const text = await page.evaluate(() => document.getElementById('panel').innerText);
    for (const s of ['Ea(synthetic, 1D) 0.42 eV', 'Ea(synthetic, 2D) 1.25 eV', 'Ea(synthetic, 3D) 1.90 eV', 'Barrier (synthetic path) 0.42 eV', 'Level 0.52 eV above the minimum (synthetic energy)']) {
      assert(text.includes(s), `panel shows "${s}"`);
    }
    const ticks = await page.evaluate(() => [...document.querySelectorAll('#iso-tick-labels span')].map((s) => s.textContent));
    eq(ticks.join(','), '1D,2D,3D', 'slider ticks for Ea1D/2D/3D');
  });

  await test('synthetic supercell 2×2×2: atom images, replicated isosurface, path images', async () => {
    const base = await hooks('t.isosurfaceVertexCount');
    await page.evaluate(() => window.__harness.setOptions({ repeats: [2, 2, 2] }));
    await page.waitForFunction(() => window.__ionpathTest.atomCount !== 25);
    eq(expectedAtomCount(scene.structure, [2, 2, 2]), 113, 'independent count for 2×2×2');
    eq(await hooks('t.atomCount'), 113, 'atomCount 2×2×2');
    eq(await hooks('t.isosurfaceVertexCount'), base * 8, 'isosurface replicated 8×');
    const fb = await hooks('t.isosurfaceFracBounds');
    for (let a = 0; a < 3; a++) assert(fb.min[a] >= -1e-4 && fb.max[a] <= 2 + 1e-4, `inside the supercell on axis ${a}`);
    eq(await hooks('t.pathImageCount'), 8, 'path images (the path spans one cell along a: 2 × 2 × 2 images)');
    const sel = await page.evaluate(() => ['a', 'b', 'c'].map((x) => document.getElementById('rep-' + x).value).join(''));
    eq(sel, '222', 'repeat selects follow setOptions');
  });

  await test('controls: repeats select, mobile toggle, bonds, level number input', async () => {
    await page.evaluate(() => { for (const x of ['a', 'b', 'c']) { const s = document.getElementById('rep-' + x); s.value = '1'; s.dispatchEvent(new Event('change')); } });
    eq(await hooks('t.atomCount'), 25, 'back to 1×1×1 via the selects');
    await page.click('#show-mobile');
    eq(await hooks('t.atomCount'), 22, 'mobile ions hidden (25 − 3)');
    await page.click('#show-mobile');
    eq(await hooks('t.atomCount'), 25, 'mobile ions shown again');
    await page.click('#show-bonds');
    await shot('synthetic-bonds-dark.png');
    await page.click('#show-bonds');
    const before = await hooks('t.isosurfaceVertexCount');
    await page.fill('#iso-level-num', '1.3');
    await page.press('#iso-level-num', 'Enter');
    await page.waitForFunction(() => Math.abs(window.__ionpathTest.level - 1.3) < 1e-9 && window.__ionpathTest.isosurfaceDone);
    const after = await hooks('t.isosurfaceVertexCount');
    assert(after !== before && after > 0, `level 1.3 eV changes the surface (${before} → ${after})`);
    const fb = await hooks('t.isosurfaceFracBounds');
    assert(fb.min[1] < 0.02 && fb.max[1] > 0.98, 'above Ea2D (1.25 eV) the region spans b too');
    const text = await page.evaluate(() => document.getElementById('iso-level-text').textContent);
    assert(text.includes('percolates in 2D'), `level text: ${text}`);
    await page.focus('#iso-level');
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(() => Math.abs(window.__ionpathTest.level - 1.29) < 1e-6 && window.__ionpathTest.isosurfaceDone);
  });

  await test('level-map surface (connected region) can be chosen', async () => {
    eq(await page.evaluate(() => document.getElementById('iso-field-row').hidden), false, 'field selector shown when a level map is given');
    await setLevel(0.47);
    const energyVerts = await hooks('t.isosurfaceVertexCount');
    await page.evaluate(() => { const s = document.getElementById('iso-field'); s.value = 'levelMap'; s.dispatchEvent(new Event('change')); });
    await page.waitForTimeout(50);
    await waitIso();
    const mapVerts = await hooks('t.isosurfaceVertexCount');
    assert(mapVerts > 0, `level-map surface (${mapVerts} vertices, energy surface ${energyVerts})`);
    const text = await page.evaluate(() => document.getElementById('iso-level-text').textContent);
    assert(text.includes('connected level map'), text);
    await page.evaluate(() => { const s = document.getElementById('iso-field'); s.value = 'energy'; s.dispatchEvent(new Event('change')); });
    await waitIso();
  });

  await test('empty isosurface above the maximum and at the minimum', async () => {
    await setLevel(10);
    eq(await hooks('t.isosurfaceVertexCount'), 0, 'above max');
    await setLevel(0);
    eq(await hooks('t.isosurfaceVertexCount'), 0, 'at the minimum');
    await setLevel(0.47);
  });

  await test('save image and export send messages to the extension', async () => {
    await page.click('#save-image');
    await page.waitForFunction(() => window.__harness.state.saved.length === 1);
    const png = await page.evaluate(() => window.__harness.state.saved[0].pngBase64);
    assert(png.startsWith('iVBORw0KGgo') && png.length > 5000, `PNG base64 (${png.length} chars)`);
    await page.click('#export-cube');
    await page.click('#export-grd');
    await page.waitForFunction(() => window.__harness.state.exports.length === 2);
    eq((await page.evaluate(() => window.__harness.state.exports.map((e) => e.format))).join(','), 'cube,grd', 'export formats');
    await page.waitForFunction(() => /Exported \/tmp\/grid\.grd/.test(document.getElementById('status-text').textContent), null, { timeout: 5000 });
  });

  await test('setStatus shows computing and error states', async () => {
    await page.evaluate(() => window.__harness.setStatus({ state: 'computing', message: 'Computing BVSE grid…' }));
    eq(await page.evaluate(() => !document.getElementById('status').hidden && !!document.querySelector('#status vscode-progress-ring')), true, 'computing shows a progress ring');
    await page.evaluate(() => window.__harness.setStatus({ state: 'error', message: 'Something failed' }));
    eq(await page.evaluate(() => document.getElementById('status').classList.contains('error')), true, 'error style');
    // A report's warnings (a disordered CIF has several long sentences) wrap inside half the scene, not across it.
    await page.evaluate(() => window.__harness.setStatus({ state: 'ready', message: 'site Li1: Li shares the site with Al (0.08); in the mean field BVSE leaves Al out of the Li probe\'s framework on this site. '.repeat(4) }));
    const box = await page.evaluate(() => { const s = document.getElementById('status').getBoundingClientRect(), p = document.getElementById('status').offsetParent.getBoundingClientRect(); return { w: s.width, h: s.height, parent: p.width }; });
    eq(box.w <= box.parent / 2 + 1 && box.h > 20, true, `long status wraps within half the scene (${Math.round(box.w)} of ${Math.round(box.parent)} px wide, ${Math.round(box.h)} px high)`);
    await page.evaluate(() => window.__harness.setStatus({ state: 'ready', message: '' }));
    eq(await page.evaluate(() => document.getElementById('status').hidden), true, 'ready with no message hides the status');
  });

  await test('keyboard: every control has a name and is reachable with Tab', async () => {
    const unnamed = await page.evaluate(() => {
      const bad = [];
      for (const el of document.querySelectorAll('#panel input, #panel vscode-single-select, #panel vscode-checkbox, #panel vscode-button, canvas')) {
        const id = el.id;
        const name = el.getAttribute('aria-label') || (id && document.querySelector(`label[for="${id}"]`)?.textContent) || el.textContent?.trim();
        if (!name) bad.push(el.tagName + '#' + id);
      }
      return bad;
    });
    eq(unnamed.length, 0, `controls without an accessible name: ${unnamed.join(', ')}`);
    await page.evaluate(() => document.activeElement?.blur());
    const seen = new Set();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => (document.activeElement && (document.activeElement.id || document.activeElement.tagName)) || '');
      seen.add(id);
    }
    for (const id of ['CANVAS', 'rep-a', 'show-mobile', 'show-bonds', 'iso-level', 'iso-level-num', 'iso-opacity', 'show-path', 'save-image', 'export-cube']) {
      assert(seen.has(id), `Tab reaches ${id} (reached: ${[...seen].join(' ')})`);
    }
    await page.focus('canvas');
    const before = await page.screenshot({ clip: { x: 0, y: 0, width: 900, height: 800 } });
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await frames();
    const after = await page.screenshot({ clip: { x: 0, y: 0, width: 900, height: 800 } });
    assert(!before.equals(after), 'arrow keys change the view');
    await page.keyboard.press('0');
  });

  await test('theme switch (light, high contrast) re-colours the view', async () => {
    await page.evaluate(themeScript('light'));
    await page.waitForTimeout(150);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    eq(bg, 'rgb(255, 255, 255)', 'light body background');
    const cov = await hooks('t.coverage()');
    assert(cov > 0.05 && cov < 0.9, `light canvas background follows the theme (coverage vs white ${cov.toFixed(3)})`);
    await shot('synthetic-1x1x1-light.png');
    await page.evaluate(themeScript('high-contrast'));
    await page.waitForTimeout(150);
    await shot('synthetic-1x1x1-high-contrast.png');
    await page.evaluate(themeScript('dark'));
    await page.waitForTimeout(150);
  });

  await test('clearing landscape and path', async () => {
    await page.evaluate(() => window.__harness.setScene({ landscape: null, path: null }));
    await page.waitForFunction(() => window.__ionpathTest.isosurfaceVertexCount === 0 && window.__ionpathTest.pathPointCount === 0);
    eq(await page.evaluate(() => document.getElementById('sec-landscape').hidden && document.getElementById('sec-path').hidden), true, 'sections hidden');
    eq(await page.evaluate(() => document.getElementById('export-cube').disabled), true, 'export disabled without a grid');
  });

  await test('100³ grid: extraction in the worker keeps the main thread responsive', async () => {
    const res = await page.evaluate(async () => {
      const h = window.__harness;
      const n = 100;
      const data = h.channelGrid(n);
      const ticks = [];
      const timer = setInterval(() => ticks.push(performance.now()), 10);
      const t0 = performance.now();
      await h.setScene({ landscape: { shape: [n, n, n], data, method: 'synthetic', unit: 'eV', ea1D: 0.42, ea2D: 1.25, ea3D: 1.9 } });
      const t1 = performance.now();
      while (!window.__ionpathTest.isosurfaceDone) await new Promise((r) => setTimeout(r, 5));
      const t2 = performance.now();
      clearInterval(timer);
      const during = ticks.filter((t) => t > t1 && t < t2);
      let maxGap = 0;
      for (let i = 1; i < ticks.length; i++) maxGap = Math.max(maxGap, ticks[i] - ticks[i - 1]);
      return { sent: t1 - t0, total: t2 - t0, extraction: t2 - t1, ticksDuring: during.length, maxGap, verts: window.__ionpathTest.isosurfaceVertexCount };
    });
    console.log(`      setScene ${res.sent.toFixed(0)} ms, surface after ${res.total.toFixed(0)} ms; during the ${res.extraction.toFixed(0)} ms extraction the main thread ran ${res.ticksDuring} timer ticks; longest gap ${res.maxGap.toFixed(0)} ms (includes SwiftShader frames)`);
    assert(res.verts > 0, 'surface');
    assert(res.ticksDuring >= Math.min(3, Math.floor(res.extraction / 50)), `main thread kept running during extraction (${res.ticksDuring} ticks in ${res.extraction.toFixed(0)} ms)`);
    assert(res.maxGap < 1500, `no multi-second freeze (max gap ${res.maxGap.toFixed(0)} ms)`);
  });

  await test('no console errors, CSP violations or page errors', async () => {
    const all = await errorsSoFar();
    eq(all.length, 0, `errors:\n        ${all.join('\n        ')}`);
  });

  // A fresh page without a worker URI: the main-thread fallback still draws the real LiFePO4 surface.
  await test('fallback without a worker URI (LiFePO4 on the main thread)', async () => {
    const p2 = await context.newPage();
    const errs = [];
    p2.on('pageerror', (e) => errs.push(e.message));
    p2.on('console', (m) => { if (m.type() === 'error') errs.push(m.text()); });
    try {
      await p2.goto(server.url + '?theme=dark&worker=0');
      await p2.waitForFunction(() => window.__harness && window.__harness.state.readyCount > 0);
      await p2.evaluate((s) => window.__harness.setScene(s), toWire({ structure: lfp.structure, landscape: lfp.landscape, path: lfp.path }));
      await p2.waitForFunction(() => window.__ionpathTest.isosurfaceDone && window.__ionpathTest.isosurfaceVertexCount > 0);
      eq(await p2.evaluate(() => window.__ionpathTest.usesWorker), false, 'no worker');
      const iso = await analyseIsosurface(lfp.landscape, lfp.structure.lattice, lfpLevel);
      eq(await p2.evaluate(() => window.__ionpathTest.isosurfaceVertexCount), iso.vertexCount, 'same surface as the worker draws');
      eq(errs.length, 0, `errors: ${errs.join('; ')}`);
    } finally {
      await p2.close();
    }
  });
} finally {
  await browser.close().catch(() => {});
  await server.close();
}

// The figure and ranking-table controls (issue 13) run as their own script, with its own page and watchdog.
if (!args.has('--no-workbench')) {
  console.log('\nworkbench tests (test/webview/workbench.mjs)');
  clearTimeout(watchdog); // these tests ran; workbench.mjs has its own watchdog
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, [join(root, 'test', 'webview', 'workbench.mjs'), '--no-build', ...(args.has('--docs') ? ['--docs'] : [])], { stdio: 'inherit' });
  if (r.status === 0) passed++;
  else { failed++; failures.push('workbench.mjs'); }
}

// The host's additions to the scene (network, approximant ensemble, export menu, MLIP level map): own page and watchdog.
if (!args.has('--no-workbench')) {
  console.log('\nscene data tests (test/webview/viewerData.mjs)');
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, [join(root, 'test', 'webview', 'viewerData.mjs'), '--no-build', ...(args.has('--docs') ? ['--docs'] : [])], { stdio: 'inherit' });
  if (r.status === 0) passed++;
  else { failed++; failures.push('viewerData.mjs'); }
}

if (docShots.length) console.log(`\ndocs screenshots (${args.has('--docs') ? `written to ${docsDir}` : 'not copied: run with --docs'}): ${docShots.join(', ')}`);
console.log(`screenshots: ${outDir}`);
console.log(`total ${((Date.now() - T0) / 1000).toFixed(1)} s`);
if (failures.length) console.log(`failed: ${failures.join('; ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
