#!/usr/bin/env node
// Webview tests of the figure controls (issue 13), in headless Chromium through the same harness as
// run.mjs: orthographic camera, coordination polyhedra, atom picking (distance, angle), the
// high-resolution figure (legend + energy colour bar in the PNG), VESTA colours, the exact viridis
// table, the legend's mobile/dopant wording, the caption's source label and the profile's wording
// by dimensionality; and the ranking table (rows as they arrive, filters, column resize, sort caption).
// The LiFePO4 scene is REAL (examples/LiFePO4.cif through the compute host, as in run.mjs).
//
// Usage: node test/webview/workbench.mjs [--no-build] [--docs]
//   --docs  also write docs/screenshots/figure-LiFePO4@2x.png
import { copyFileSync, mkdirSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildWebview, launchBrowser, root, startServer, toWire } from './server.mjs';
import { computeScenes } from './realScenes.mjs';
import { startRankServer } from './rankServer.mjs';

const T0 = Date.now();
const args = new Set(process.argv.slice(2));
const outDir = join(root, '.test-output', 'webview');
const docsDir = join(root, 'docs', 'screenshots');
mkdirSync(outDir, { recursive: true });
if (!args.has('--no-build')) await buildWebview({ quiet: false, all: true });

let passed = 0, failed = 0;
const failures = [];
async function test(name, fn) {
  const t0 = Date.now();
  try { await fn(); passed++; console.log(`  ✔ ${name} (${Date.now() - t0} ms)`); }
  catch (e) { failed++; failures.push(name); console.log(`  ✘ ${name}\n      ${String(e?.stack ?? e).split('\n').slice(0, 4).join('\n      ')}`); }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
function eq(actual, expected, msg) { if (actual !== expected) throw new Error(`${msg}: expected ${expected}, got ${actual}`); }
const near = (x, y, tol) => Math.abs(x - y) <= tol;
const cart = (L, f) => [0, 1, 2].map((a) => f[0] * L[0][a] + f[1] * L[1][a] + f[2] * L[2][a]);
const dist = (p, q) => Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);

console.log('computing the LiFePO4 scene (compute host, BVSE, Li, 0.2 Å)');
const lfp = (await computeScenes(['LiFePO4.cif'])).get('LiFePO4.cif');
const L = lfp.structure.lattice;

const server = await startServer();
const rankServer = await startRankServer();
const browser = await launchBrowser();
const watchdog = setTimeout(async () => {
  console.log('  ✘ watchdog: over 150 s');
  await browser.close().catch(() => {});
  process.exit(1);
}, 150_000);
watchdog.unref();
const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, deviceScaleFactor: 1 });
const page = await context.newPage();
const pageErrors = [];
page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`); });
page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
const hooks = (expr) => page.evaluate(`(() => { const t = window.__ionpathTest; return ${expr}; })()`);
const frames = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
const waitIso = () => page.waitForFunction(() => window.__ionpathTest?.isosurfaceDone, null, { timeout: 30000 });
/** Click a vscode-checkbox / set a vscode-single-select the way a user does. */
const toggle = async (id) => { await page.click(`#${id}`); await frames(); };
const select = async (id, value) => {
  await page.evaluate(([i, v]) => { const el = document.getElementById(i); el.value = v; el.dispatchEvent(new Event('change', { bubbles: true })); }, [id, value]);
  await frames();
};

try {
  await page.goto(server.url + '?theme=dark');
  await page.waitForFunction(() => window.__harness && window.__harness.state.readyCount > 0 && window.__ionpathTest, null, { timeout: 20000 });
  const scene = { structure: lfp.structure, landscape: { ...lfp.landscape, dimensionality: 1 }, path: lfp.path, source: { method: 'bvse', label: 'BVSE' }, options: { repeats: [1, 1, 1] } };
  await page.evaluate((u) => window.__harness.setScene(u), toWire(scene));
  await waitIso();

  await test('viridis is matplotlib\'s 256-entry table (ends and middle entry exact)', async () => {
    eq(await hooks('t.colourAt(0)'), 'rgb(68, 1, 84)', 'viridis(0) = #440154');
    eq(await hooks('t.colourAt(128 / 255)'), 'rgb(33, 145, 140)', 'viridis[128] = #21918c');
    eq(await hooks('t.colourAt(1)'), 'rgb(253, 231, 37)', 'viridis(1) = #fde725');
    eq(await hooks('t.colourAt(64 / 255)'), 'rgb(59, 82, 139)', 'viridis[64] = #3b528b');
  });

  await test('caption: "Ea(BVSE, 1D) … eV" from the scene source; another label follows it', async () => {
    const ea = lfp.landscape.ea1D.toFixed(2);
    const c = await hooks('t.captionText');
    assert(c.includes(`LiFePO4 — Ea(BVSE, 1D) ${ea} eV`), `caption: ${c}`);
    assert(c.includes('1D conduction network'), `caption names the dimensionality: ${c}`);
    await page.evaluate(() => window.__harness.setScene({ source: { method: 'gcn', label: 'GCN' } }));
    const c2 = await hooks('t.captionText');
    assert(c2.includes(`Ea(GCN, 1D) ${ea} eV`), `caption follows the source label: ${c2}`);
    await page.evaluate(() => window.__harness.setScene({ source: null }));
    assert((await hooks('t.captionText')).includes(`Ea(${lfp.landscape.method}, 1D)`), 'without a source: the landscape method');
    await page.evaluate(() => window.__harness.setScene({ source: { method: 'bvse', label: 'BVSE' } }));
  });

  await test('profile wording follows the dimensionality (no "1D channel" for a 3D conductor)', async () => {
    const path = { ...lfp.path, method: 'BVSE, minimax path along the 1D channel' };
    await page.evaluate((u) => window.__harness.setScene(u), toWire({ path, landscape: { ...lfp.landscape, dimensionality: 3 } }));
    await waitIso();
    const t3 = await page.evaluate(() => document.getElementById('path-barrier').textContent);
    assert(!/1D channel/.test(t3) && /3D network/.test(t3), `3D: ${t3}`);
    const aria = await page.evaluate(() => document.getElementById('profile').getAttribute('aria-label'));
    assert(!/1D channel/.test(aria), `profile label: ${aria}`);
    await page.evaluate((u) => window.__harness.setScene(u), toWire({ landscape: { ...lfp.landscape, dimensionality: 1 } }));
    await waitIso();
    const t1 = await page.evaluate(() => document.getElementById('path-barrier').textContent);
    assert(/along the 1D channel/.test(t1), `1D keeps the host's words: ${t1}`);
  });

  await test('legend: a dopant on a Li site is not "(mobile)"', async () => {
    const doped = structuredClone(lfp.structure);
    const li = doped.atoms.findIndex((a) => a.mobile);
    doped.atoms[li] = { ...doped.atoms[li], occupancy: 0.9, species: [{ element: 'Li', occupancy: 0.8 }, { element: 'Mg', occupancy: 0.1 }] };
    await page.evaluate((u) => window.__harness.setScene(u), toWire({ structure: doped }));
    const legend = await hooks('t.legendText');
    const mg = legend.find((t) => t.startsWith('Mg'));
    assert(mg && !/mobile/.test(mg) && /on Li sites/.test(mg), `Mg entry: ${mg}`);
    assert(legend.find((t) => t.startsWith('Li')).includes('(mobile)'), `Li entry: ${legend}`);
    const dom = await page.evaluate(() => document.getElementById('legend').textContent);
    assert(!/Mg ×0\.10 per cell \(mobile\)/.test(dom), `DOM legend: ${dom}`);
    await page.evaluate((u) => window.__harness.setScene(u), toWire({ structure: lfp.structure }));
    await waitIso();
  });

  await test('orthographic camera: toggle, parallel projection (images along the view axis coincide)', async () => {
    await page.click('#view-c');
    await frames();
    // Li on 4a sits at (0,0,0) and (0,0,1) (and more images): along c they coincide only without perspective.
    const gap = async () => {
      const pos = await hooks('t.atomScreenPositions()');
      const a = pos.find((p) => p.element === 'Li' && p.frac.every((x) => Math.abs(x) < 1e-6));
      const b = pos.find((p) => p.element === 'Li' && Math.abs(p.frac[0]) < 1e-6 && Math.abs(p.frac[1]) < 1e-6 && Math.abs(p.frac[2] - 1) < 1e-6);
      assert(a && b, 'Li images at (0,0,0) and (0,0,1)');
      return Math.hypot(a.x - b.x, a.y - b.y);
    };
    const perspGap = await gap();
    const before = await page.screenshot({ clip: { x: 0, y: 0, width: 780, height: 760 } });
    await toggle('ortho');
    eq(await hooks('t.orthographic'), true, 'orthographic camera active');
    const orthoGap = await gap();
    assert(orthoGap < 0.5 && perspGap > 5, `along c: ${perspGap.toFixed(1)} px apart in perspective, ${orthoGap.toFixed(2)} px in orthographic`);
    const after = await page.screenshot({ clip: { x: 0, y: 0, width: 780, height: 760 } });
    assert(!before.equals(after), 'the picture changes');
    assert((await hooks('t.coverage()')) > 0.05, 'atoms still drawn (impostor spheres under an orthographic projection)');
    await page.focus('canvas');
    await page.keyboard.press('+');
    await page.keyboard.press('0');
    await page.evaluate(() => document.activeElement?.blur());
    await toggle('ortho');
    eq(await hooks('t.orthographic'), false, 'back to perspective');
  });

  await test('coordination polyhedra: FeO6 and PO4 around the 8 framework cations of LiFePO4', async () => {
    await toggle('show-polyhedra');
    // Fe (4c) and P (4c) lie inside the cell (no face images): 4 + 4 polyhedra at 1×1×1.
    eq(await hooks('t.polyhedronCount'), 8, 'polyhedra drawn');
    assert((await page.evaluate(() => document.getElementById('legend').textContent)).includes('Polyhedra'), 'legend explains the polyhedra');
    await page.evaluate(() => window.__harness.setOptions({ repeats: [1, 2, 1] }));
    await frames();
    eq(await hooks('t.polyhedronCount'), 16, 'polyhedra over the 1×2×1 supercell');
    await page.evaluate(() => window.__harness.setOptions({ repeats: [1, 1, 1] }));
    await frames();
  });

  await test('picking: click 2 atoms → distance, 3 → angle; both match the lattice', async () => {
    await page.click('#view-reset');
    await frames();
    // Three front-most atom images at least 40 px apart (front-most, so nothing hides them).
    const pos = (await hooks('t.atomScreenPositions()')).filter((p) => p.x > 60 && p.x < 740 && p.y > 200 && p.y < 700).sort((a, b) => a.depth - b.depth);
    const chosen = [];
    for (const p of pos) if (chosen.every((q) => Math.hypot(p.x - q.x, p.y - q.y) > 40)) { chosen.push(p); if (chosen.length === 3) break; }
    assert(chosen.length === 3, 'three atoms to click');
    await page.mouse.click(chosen[0].x, chosen[0].y);
    await page.mouse.click(chosen[1].x, chosen[1].y);
    let pick = await hooks('t.pick');
    eq(pick.atoms.length, 2, 'two atoms picked');
    for (let i = 0; i < 2; i++) eq(`${pick.atoms[i].site}:${pick.atoms[i].frac}`, `${chosen[i].site}:${chosen[i].frac}`, `picked atom ${i + 1} is the one clicked`);
    const p = pick.atoms.map((a) => cart(L, a.frac));
    assert(near(pick.distances[0], dist(p[0], p[1]), 1e-6), `distance ${pick.distances[0]} vs ${dist(p[0], p[1])}`);
    let text = await page.evaluate(() => document.getElementById('pick').textContent);
    assert(text.includes(`d(1–2) ${dist(p[0], p[1]).toFixed(3)} Å`), `read-out: ${text}`);
    await page.mouse.click(chosen[2].x, chosen[2].y);
    pick = await hooks('t.pick');
    eq(pick.atoms.length, 3, 'three atoms picked');
    const q = pick.atoms.map((a) => cart(L, a.frac));
    const u = [0, 1, 2].map((k) => q[0][k] - q[1][k]), v = [0, 1, 2].map((k) => q[2][k] - q[1][k]);
    const angle = Math.acos((u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (Math.hypot(...u) * Math.hypot(...v))) * 180 / Math.PI;
    assert(near(pick.angle, angle, 1e-6), `angle ${pick.angle} vs ${angle}`);
    text = await page.evaluate(() => document.getElementById('pick').textContent);
    assert(text.includes(`∠(1–2–3) ${angle.toFixed(1)}°`), `angle read-out: ${text}`);
    await page.screenshot({ path: join(outDir, 'workbench-pick.png') });
    await page.focus('canvas');
    await page.keyboard.press('Escape');
    eq((await hooks('t.pick')).atoms.length, 0, 'Escape clears the selection');
    eq(await page.evaluate(() => document.getElementById('pick').textContent), '', 'read-out cleared');
    await page.evaluate(() => document.activeElement?.blur());
  });

  await test('VESTA colours: legend swatches and the view switch palette', async () => {
    const swatchO = () => page.evaluate(() => [...document.querySelectorAll('#legend li')].find((li) => li.textContent.startsWith('O '))?.querySelector('.swatch').style.background);
    eq(await swatchO(), 'rgb(255, 13, 13)', 'Jmol O');
    const before = await page.screenshot({ clip: { x: 0, y: 0, width: 780, height: 760 } });
    await select('colour-scheme', 'vesta');
    eq(await swatchO(), 'rgb(254, 3, 0)', 'VESTA O');
    const after = await page.screenshot({ clip: { x: 0, y: 0, width: 780, height: 760 } });
    assert(!before.equals(after), 'the atoms are re-coloured');
  });

  await test('high-resolution figure (2×, 4×): legend and energy colour bar inside the PNG', async () => {
    for (const scale of [2, 4]) {
      await select('image-scale', String(scale));
      const n = await page.evaluate(() => window.__harness.state.saved.length);
      await page.click('#save-image');
      await page.waitForFunction((k) => window.__harness.state.saved.length > k, n, { timeout: 30000 });
      const res = await page.evaluate(async () => {
        const s = window.__harness.state.saved.at(-1);
        const img = new Image();
        img.src = 'data:image/png;base64,' + s.pngBase64;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.width; c.height = img.height;
        const ctx = c.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const f = window.__ionpathTest.lastFigure;
        const [x, y, w, h] = f.colourBarBox;
        // The bar runs from viridis(1) at its top to viridis(0) at its bottom; sample its centre column.
        const scanX = Math.round(x + w * 0.5 - 2);
        const column = [];
        for (let yy = Math.round(y); yy < y + h; yy++) column.push([...ctx.getImageData(scanX, yy, 1, 1).data].slice(0, 3));
        const canvas3d = document.querySelector('#viewport canvas');
        return { w: img.width, h: img.height, name: s.suggestedName, scale: s.scale, f, column, cssW: canvas3d.clientWidth, cssH: canvas3d.clientHeight };
      });
      eq(res.scale, scale, 'scale reported to the host');
      eq(res.w, res.cssW * scale, `${scale}× width`);
      eq(res.h, res.cssH * scale, `${scale}× height`);
      assert(res.name.endsWith(`@${scale}x.png`), `file name ${res.name}`);
      const close = (c, hex) => Math.abs(c[0] - parseInt(hex.slice(0, 2), 16)) + Math.abs(c[1] - parseInt(hex.slice(2, 4), 16)) + Math.abs(c[2] - parseInt(hex.slice(4, 6), 16)) < 30;
      assert(res.column.some((c) => close(c, 'fde725')) && res.column.some((c) => close(c, '440154')) && res.column.some((c) => close(c, '21918c')), `${scale}×: the PNG contains the viridis colour bar`);
      const [lx, ly, lw, lh] = res.f.legendBox;
      assert(lw > 50 * scale && lh > 4 * 16 * scale && lx >= 0 && ly >= 0, `${scale}×: legend box ${res.f.legendBox}`);
      if (scale === 2) {
        const file = join(outDir, 'figure-LiFePO4@2x.png');
        const b64 = await page.evaluate(() => window.__harness.state.saved.at(-1).pngBase64);
        writeFileSync(file, Buffer.from(b64, 'base64'));
        console.log(`      2× figure ${res.w}×${res.h}, ${(statSync(file).size / 1024).toFixed(0)} KB`);
        if (args.has('--docs')) { mkdirSync(docsDir, { recursive: true }); copyFileSync(file, join(docsDir, 'figure-LiFePO4@2x.png')); }
      }
    }
    await select('colour-scheme', 'jmol');
    await toggle('show-polyhedra');
  });

  await test('no console errors or page errors (viewer)', async () => {
    const all = [...await hooks('t.consoleErrors'), ...pageErrors];
    eq(all.length, 0, `errors:\n        ${all.join('\n        ')}`);
  });

  // ---------------------------------------------------------------- ranking table
  const rp = await context.newPage();
  const rankErrors = [];
  rp.on('pageerror', (e) => rankErrors.push(e.message));
  rp.on('console', (m) => { if (m.type() === 'error') rankErrors.push(m.text()); });
  await rp.goto(rankServer.url);
  await rp.waitForFunction(() => window.__rankHarness?.state.ready > 0, null, { timeout: 20000 });
  const row = (file, xi, ea1, dim, extra = {}) => ({ file, formula: file.replace(/\.cif$/, ''), method: 'BVSE', Xi: xi, Ea_1D_eV: ea1, Ea_2D_eV: ea1 === null ? null : ea1 + 0.2, Ea_3D_eV: ea1 === null ? null : ea1 + 0.4, MPE_eV: ea1, FV_connected: 0.01, FV_disconnected: 0.002, dimensionality: dim, warnings: [], error: null, ...extra });
  const bodyRows = () => rp.evaluate(() => [...document.querySelectorAll('#table tbody tr')].filter((tr) => !tr.hidden).map((tr) => tr.dataset.file));

  await test('rank table: rows appear as they arrive, updated in place (no rebuild)', async () => {
    await rp.evaluate((s) => window.__rankHarness.setState(s), { folder: '/data/cifs', method: 'BVSE (softBV)', rows: [], progress: { total: 4, done: 0, failed: 0, cached: 0 }, finished: false, cancelled: false });
    eq((await bodyRows()).length, 0, 'empty at start');
    await rp.evaluate((r) => window.__rankHarness.upsertRows({ rows: [r], progress: { total: 4, done: 1, failed: 0, cached: 0 } }), row('a.cif', 0.2, 0.45, 1));
    eq((await bodyRows()).join(), 'a.cif', 'first row shown at once');
    // Mark the row element; an update must keep the same element (updated in place).
    await rp.evaluate(() => { document.querySelector('#table tbody tr').dataset.marker = 'kept'; });
    await rp.evaluate((rs) => window.__rankHarness.upsertRows({ rows: rs, progress: { total: 4, done: 3, failed: 1, cached: 1 } }), [row('b.cif', 0.8, 0.25, 3), row('c.cif', null, null, null, { error: 'not computed: no Li' }), row('a.cif', 0.3, 0.44, 1)]);
    eq((await bodyRows()).length, 3, 'three rows');
    eq(await rp.evaluate(() => document.querySelector('#table tbody tr[data-file="a.cif"]').dataset.marker), 'kept', 'a.cif updated in place');
    assert((await rp.evaluate(() => document.querySelector('#table tbody tr[data-file="a.cif"]').textContent)).includes('0.440'), 'a.cif shows its new Ea');
    const summary = await rp.evaluate(() => document.getElementById('summary').textContent);
    assert(/3\/4 files, 1 failed, 1 from cache/.test(summary) && /running/.test(summary), `summary: ${summary}`);
  });

  await test('rank table: sorted by Ξ by default, caption says so; header click re-sorts', async () => {
    eq((await bodyRows()).join(), 'b.cif,a.cif,c.cif', 'Ξ descending, failures last');
    assert(/sorted by Ξ\(BVSE\), highest first/.test(await rp.evaluate(() => document.getElementById('sort-caption').textContent)), 'caption');
    await rp.click('th[data-key="Ea_1D_eV"] .label');
    eq((await bodyRows()).join(), 'b.cif,a.cif,c.cif', 'Ea 1D ascending (0.25 < 0.44)');
    assert(/sorted by Ea 1D \(eV\), lowest first/.test(await rp.evaluate(() => document.getElementById('sort-caption').textContent)), 'caption after re-sort');
    await rp.click('th[data-key="Ea_1D_eV"] .label');
    eq((await bodyRows()).join(), 'a.cif,b.cif,c.cif', 'Ea 1D descending');
    await rp.click('th[data-key="Xi"] .label');
  });

  await test('rank table: filters Ea below x and dimensionality', async () => {
    await rp.fill('#filter-ea', '0.3');
    await rp.dispatchEvent('#filter-ea', 'input');
    eq((await bodyRows()).join(), 'b.cif', 'Ea 1D < 0.3 eV');
    assert(/1 of 3 rows shown/.test(await rp.evaluate(() => document.getElementById('sort-caption').textContent)), 'caption counts the filtered rows');
    await rp.fill('#filter-ea', '');
    await rp.dispatchEvent('#filter-ea', 'input');
    await rp.selectOption('#filter-dim', '1');
    eq((await bodyRows()).join(), 'a.cif', '1D only');
    await rp.selectOption('#filter-dim', '');
    eq((await bodyRows()).length, 3, 'filters cleared');
    // A row arriving while filtered respects the filter.
    await rp.selectOption('#filter-dim', '3');
    await rp.evaluate((r) => window.__rankHarness.upsertRows({ rows: [r], progress: { total: 4, done: 4, failed: 1, cached: 1 }, finished: true }), row('d.cif', 0.5, 0.6, 1));
    eq((await bodyRows()).join(), 'b.cif', 'new 1D row hidden by the 3D filter');
    await rp.selectOption('#filter-dim', '');
    eq((await bodyRows()).join(), 'b.cif,d.cif,a.cif,c.cif', 'sorted insertion');
    assert(/finished/.test(await rp.evaluate(() => document.getElementById('summary').textContent)), 'finished');
  });

  await test('rank table: columns resize by dragging the header edge', async () => {
    const th = rp.locator('th[data-key="formula"]');
    const box = await th.boundingBox();
    const grip = rp.locator('th[data-key="formula"] .resizer');
    const g = await grip.boundingBox();
    await rp.mouse.move(g.x + g.width / 2, g.y + g.height / 2);
    await rp.mouse.down();
    await rp.mouse.move(g.x + g.width / 2 + 120, g.y + g.height / 2, { steps: 5 });
    await rp.mouse.up();
    const after = await th.boundingBox();
    assert(after.width > box.width + 100, `formula column ${box.width.toFixed(0)} → ${after.width.toFixed(0)} px`);
    eq((await bodyRows()).length, 4, 'a resize does not sort or filter');
    await rp.screenshot({ path: join(outDir, 'rank-table.png') });
  });

  await test('rank table: clicking a row asks the host to open the file; no page errors', async () => {
    await rp.click('#table tbody tr[data-file="d.cif"] td');
    await rp.waitForFunction(() => window.__rankHarness.state.opened.includes('d.cif'));
    eq(rankErrors.length, 0, `errors: ${rankErrors.join('; ')}`);
  });
} finally {
  clearTimeout(watchdog);
  await browser.close().catch(() => {});
  await server.close();
  await rankServer.close();
}
console.log(`total ${((Date.now() - T0) / 1000).toFixed(1)} s`);
if (failures.length) console.log(`failed: ${failures.join('; ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
