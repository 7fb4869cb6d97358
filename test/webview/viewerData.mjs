#!/usr/bin/env node
// Webview tests of what the host adds to a scene (issues 9, 10, 12, 13), in headless Chromium through the same
// harness as run.mjs, with REAL scenes from the compute host:
//  - the interstitial network of LiFePO4 (examples/LiFePO4.cif, BVSE scene): nodes and edges drawn = the host's
//    network × the supercell, the legend entry, the toggle;
//  - the ordered-approximant ensemble of an LLTO-type perovskite (test/fixtures/structures/LLTO-perovskite.cif,
//    disorder: approximants, 0.3 Å): previous/next, the caption, each ordering's atoms and its own landscape (the
//    view's surface = Node marching cubes of that ordering's grid), the fallback when the host kept no grid;
//  - the export menu (structure CIF/POSCAR of the ordering shown, NEB chain with N images, profile CSV, report JSON);
//  - the MLIP landscape of Li2Te (test/fixtures/Li2Te-mp-2530-primitive.cif, --method mlip, TensorNet-MatPES on
//    CPU, ~3 s): the 0.5 eV level-map isosurface with the caption naming the method.
//
// Usage: node test/webview/viewerData.mjs [--no-build] [--docs]
//   --docs  also write docs/screenshots/LiFePO4-network.png and Li2Te-mlip-levelmap.png (each ≤ 300 KB)
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildWebview, launchBrowser, root, startServer, toWire } from './server.mjs';
import { computeSceneRequests } from './realScenes.mjs';
import { analyseIsosurface } from './analysis.mjs';

const args = new Set(process.argv.slice(2));
const outDir = join(root, '.test-output', 'webview');
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

const text = (p) => readFileSync(join(root, p), 'utf8');
console.log('computing the scenes (compute host): LiFePO4 BVSE, LLTO approximants, Li2Te TensorNet-MatPES');
const scenes = await computeSceneRequests([
  { key: 'lfp', text: text('examples/LiFePO4.cif'), options: { ion: 'Li', resolution: 0.2 } },
  { key: 'llto', text: text('test/fixtures/structures/LLTO-perovskite.cif'), options: { ion: 'Li', resolution: 0.3, disorder: 'approximants' } },
  { key: 'li2te', text: text('test/fixtures/Li2Te-mp-2530-primitive.cif'), options: { method: 'mlip' } },
]);
for (const [k, s] of scenes) console.log(`  ${k}: ${s.structure.atoms.length} sites, ${s.network ? `network ${s.network.nodes.length} nodes / ${s.network.edges.length} edges` : 'no network'}${s.ensemble ? `, ${s.ensemble.orderings.length} orderings (${s.ensemble.supercell})` : ''}, ${s.ms.toFixed(0)} ms`);

const server = await startServer();
const browser = await launchBrowser();
const watchdog = setTimeout(async () => { console.log('  ✘ watchdog: over 150 s'); await browser.close().catch(() => {}); process.exit(1); }, 150_000);
watchdog.unref();
const page = await (await browser.newContext({ viewport: { width: 1100, height: 800 }, deviceScaleFactor: 1 })).newPage();
const pageErrors = [];
page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`); });
page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
const hooks = (expr) => page.evaluate(`(() => { const t = window.__ionpathTest; return ${expr}; })()`);
const waitIso = () => page.waitForFunction(() => window.__ionpathTest?.isosurfaceDone, null, { timeout: 30000 });
const frames = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
const shot = async (name, docsName) => {
  await frames();
  const file = join(outDir, name);
  await page.screenshot({ path: file });
  if (!docsName) return;
  const kb = statSync(file).size / 1024;
  assert(kb <= 300, `${name} is ${kb.toFixed(0)} KB (docs screenshots must stay ≤ 300 KB)`);
  if (args.has('--docs')) { mkdirSync(join(root, 'docs', 'screenshots'), { recursive: true }); copyFileSync(file, join(root, 'docs', 'screenshots', docsName)); }
};
const send = (s, extra = {}) => page.evaluate((u) => window.__harness.setScene(u), toWire({ structure: s.structure, landscape: s.landscape, path: s.path, source: s.source, network: s.network ?? null, ensemble: s.ensemble ?? null, ...extra }));
const panelText = () => page.evaluate(() => document.getElementById('panel').innerText);
const atomKey = (st) => st.atoms.map((a) => `${a.element} ${a.frac.map((x) => x.toFixed(4)).join(',')}`);

try {
  await page.goto(server.url + '?theme=dark');
  await page.waitForFunction(() => window.__harness && window.__harness.state.readyCount > 0 && window.__ionpathTest, null, { timeout: 20000 });

  // ---------------------------------------------------------------- interstitial network (issue 10)
  const lfp = scenes.get('lfp');
  await test('LiFePO4 network: off by default; toggled on, nodes and edges drawn = the host\'s network × supercell', async () => {
    assert(lfp.network && lfp.network.nodes.length > 0 && lfp.network.edges.length > 0, 'the host sends a network with the scene');
    const r = await send(lfp, { options: { repeats: [1, 1, 1] } });
    await waitIso();
    eq(r.networkNodeCount, 0, 'network hidden by default');
    eq(await page.evaluate(() => document.getElementById('sec-network').hidden), false, 'network section shown');
    await page.click('#show-network');
    await frames();
    eq(await hooks('t.networkNodeCount'), lfp.network.nodes.length, 'nodes drawn = host network nodes');
    eq(await hooks('t.networkEdgeCount'), lfp.network.edges.length, 'edges drawn = host network edges');
    const open = lfp.network.edges.filter((e) => e.bottleneck >= lfp.network.accessibleRadius && lfp.network.nodes[e.a].radius >= lfp.network.accessibleRadius && lfp.network.nodes[e.b].radius >= lfp.network.accessibleRadius).length;
    eq(await hooks('t.networkAccessibleEdgeCount'), open, 'Li-accessible edges (r ≥ 0.453 Å) drawn opaque');
    const legend = await page.evaluate(() => document.getElementById('legend').innerText);
    assert(/Interstitial network \(Voronoi, Li-free framework\)/.test(legend) && /r ≥ 0\.453 Å/.test(legend) && /coloured by radius/.test(legend), `legend: ${legend}`);
    const info = await page.evaluate(() => document.getElementById('network-text').textContent);
    assert(info.includes(`${lfp.network.nodes.length} interstices, ${lfp.network.edges.length} bottlenecks per cell`), `network text: ${info}`);
    await page.evaluate(() => window.__harness.setOptions({ repeats: [2, 1, 1] }));
    await page.waitForFunction((n) => window.__ionpathTest.networkNodeCount === 2 * n, lfp.network.nodes.length, { timeout: 10000 });
    eq(await hooks('t.networkEdgeCount'), 2 * lfp.network.edges.length, 'edges replicated over 2×1×1');
    await page.waitForFunction(() => window.__harness.state.rendered.at(-1)?.networkNodeCount > 0);
    const rendered = await page.evaluate(() => window.__harness.state.rendered.at(-1));
    eq(rendered.networkNodeCount, 2 * lfp.network.nodes.length, 'rendered notification carries the network counts');
    await shot('LiFePO4-network-2x1x1.png', 'LiFePO4-network.png');
    await page.evaluate(() => window.__harness.setOptions({ repeats: [1, 1, 1] }));
    await page.click('#show-network');
    await frames();
    eq(await hooks('t.networkNodeCount'), 0, 'toggled off');
  });

  // ---------------------------------------------------------------- ordered approximants (issue 9)
  const llto = scenes.get('llto');
  const ens = llto.ensemble;
  await test('LLTO approximants: the reported ordering first, caption "ordering k of N (supercell), E_Ewald … eV, Ea(BVSE, 1D) … eV"', async () => {
    assert(ens && ens.orderings.length >= 2, 'the host sends the ensemble');
    await send(llto, { options: { repeats: [1, 1, 1] } });
    await waitIso();
    const reported = ens.orderings.findIndex((o) => o.reported);
    eq(await hooks('t.orderingIndex'), reported, 'starts at the reported ordering');
    eq(await page.evaluate(() => document.getElementById('sec-ensemble').hidden), false, 'ensemble section shown');
    const cap = await hooks('t.orderingCaption');
    const o = ens.orderings[reported];
    const want = `ordering ${reported + 1} of ${ens.orderings.length} (${ens.supercell}), E_Ewald ${o.ewald_eV.toFixed(3)} eV, Ea(BVSE, 1D) ${o.Ea_1D_eV === null ? 'not reached on this grid' : `${o.Ea_1D_eV.toFixed(2)} eV`}`;
    assert(cap.startsWith(want), `caption: ${cap}\n      want: ${want}`);
    assert((await hooks('t.captionText')).includes(want), 'figure caption names the ordering');
    assert((await panelText()).includes(want), 'panel shows the caption');
  });

  await test('LLTO: previous/next redraw each ordering\'s atoms and its own landscape (view surface = Node marching cubes)', async () => {
    await page.evaluate(() => window.__ionpathTest.showOrdering(0));
    eq(await hooks('t.orderingIndex'), 0, 'first ordering');
    eq(await page.evaluate(() => document.getElementById('ordering-prev').disabled), true, 'previous disabled at the first');
    for (let i = 0; i < ens.orderings.length; i++) {
      if (i > 0) await page.click('#ordering-next');
      await page.waitForFunction((k) => window.__ionpathTest.orderingIndex === k, i);
      await waitIso();
      const o = ens.orderings[i];
      eq(JSON.stringify(await hooks('t.shownAtoms')), JSON.stringify(atomKey(o.structure)), `ordering ${i + 1}: the drawn sites are its structure`);
      assert(o.landscape, `ordering ${i + 1} has its landscape (small grids)`);
      const level = await hooks('t.level');
      const iso = await analyseIsosurface(o.landscape, o.structure.lattice, level);
      eq(await hooks('t.isosurfaceVertexCount'), iso.vertexCount, `ordering ${i + 1}: surface = its own grid at ${level} eV`);
      assert((await hooks('t.orderingCaption')).startsWith(`ordering ${i + 1} of ${ens.orderings.length}`), 'caption follows');
    }
    eq(await page.evaluate(() => document.getElementById('ordering-next').disabled), true, 'next disabled at the last');
    const distinct = new Set(ens.orderings.map((o) => JSON.stringify(atomKey(o.structure)))).size;
    assert(distinct > 1, `the orderings differ (${distinct} distinct)`);
    await page.click('#ordering-prev');
    await page.waitForFunction((k) => window.__ionpathTest.orderingIndex === k, ens.orderings.length - 2);
    await shot('LLTO-ordering.png');
  });

  await test('LLTO: without the host\'s grid for an ordering, its atoms are drawn and the note says whose landscape is shown', async () => {
    const reported = ens.orderings.findIndex((o) => o.reported);
    const other = reported === 0 ? 1 : 0;
    const trimmed = { ...ens, orderings: ens.orderings.map((o, i) => (i === reported ? o : { ...o, landscape: null, path: null })) };
    await send(llto, { ensemble: trimmed });
    await waitIso();
    await page.evaluate((k) => window.__ionpathTest.showOrdering(k), other);
    await waitIso();
    eq(JSON.stringify(await hooks('t.shownAtoms')), JSON.stringify(atomKey(ens.orderings[other].structure)), 'its atoms are drawn');
    const note = await page.evaluate(() => document.getElementById('ordering-note').textContent);
    assert(note.includes(`the landscape and path shown are ordering ${reported + 1}'s`), `note: ${note}`);
    const iso = await analyseIsosurface(llto.landscape, llto.structure.lattice, await hooks('t.level'));
    eq(await hooks('t.isosurfaceVertexCount'), iso.vertexCount, 'the reported landscape stays');
  });

  // ---------------------------------------------------------------- export menu (issues 9, 13)
  await test('export menu: structure CIF/POSCAR of the ordering shown, NEB chain with N images, profile CSV, report JSON', async () => {
    await send(llto);
    await waitIso();
    await page.evaluate(() => window.__ionpathTest.showOrdering(1));
    const pick = async (kind) => page.evaluate((k) => { const s = document.getElementById('export-kind'); s.value = k; s.dispatchEvent(new Event('change')); }, kind);
    for (const kind of ['structure-cif', 'structure-poscar', 'profile-csv', 'report-json']) { await pick(kind); await page.click('#export-data'); }
    await page.fill('#neb-images', '9');
    await pick('neb');
    await page.click('#export-data');
    await page.waitForFunction(() => window.__harness.state.dataExports.length === 5);
    const ex = await page.evaluate(() => window.__harness.state.dataExports);
    eq(ex.map((e) => e.kind).join(','), 'structure-cif,structure-poscar,profile-csv,report-json,neb', 'kinds sent');
    assert(ex.every((e) => e.ordering === 1), `the ordering shown goes with every export: ${JSON.stringify(ex)}`);
    eq(ex[4].images, 9, 'NEB images from the number box');
    await page.waitForFunction(() => /Exported \/tmp\/export-neb-2/.test(document.getElementById('status-text').textContent), null, { timeout: 5000 });
    await page.fill('#neb-images', '1');
    await page.click('#export-data');
    await page.waitForFunction(() => /NEB images 1 must be/.test(document.getElementById('status-text').textContent), null, { timeout: 5000 });
    eq(await page.evaluate(() => window.__harness.state.dataExports.length), 5, 'a bad image count sends nothing');
    await page.fill('#neb-images', '7');
    await page.evaluate(() => { window.__harness.state.viewErrors.length = 0; });
    await send(lfp, { ensemble: null });
    await waitIso();
    await pick('structure-poscar');
    await page.click('#export-data');
    await page.waitForFunction(() => window.__harness.state.dataExports.length === 6);
    const last = await page.evaluate(() => window.__harness.state.dataExports.at(-1));
    eq(last.ordering, undefined, 'an ordered crystal sends no ordering');
  });

  // ---------------------------------------------------------------- MLIP landscape (issue 12)
  const te = scenes.get('li2te');
  await test('Li2Te (TensorNet-MatPES scan): the 0.5 eV level-map surface, captioned with the method', async () => {
    assert(te.landscape?.levelMap && te.source?.method === 'mlip', 'MLIP scene with a level map');
    await page.evaluate(() => window.__harness.setStatus({ state: 'ready', message: '' }));
    await send(te, { options: { repeats: [2, 2, 2] } });
    await waitIso();
    eq(await hooks('t.isoField'), 'levelMap', 'surface of the connected level map');
    eq(await hooks('t.level'), 0.5, 'at 0.5 eV');
    const label = te.source.label;
    const cap = await hooks('t.captionText');
    assert(cap.includes(`Isosurface 0.50 eV above the minimum (${label} level map)`) && cap.includes(`Ea(${label}, 1D)`), `caption: ${cap}`);
    assert(/TensorNet-MatPES/.test(label), `label names the model: ${label}`);
    const iso = await analyseIsosurface({ data: te.landscape.levelMap, shape: te.landscape.shape }, te.structure.lattice, 0.5);
    assert(iso.vertexCount > 0, 'non-empty level-map surface');
    eq(await hooks('t.isosurfaceVertexCount'), iso.vertexCount * 8, 'view = Node marching cubes of the level map at 0.5 eV, × 8 cells');
    const text = await page.evaluate(() => document.getElementById('landscape-source').textContent);
    assert(/TensorNet-MatPES frozen-framework scan/.test(text), `grid line names the scan: ${text}`);
    await shot('Li2Te-mlip-levelmap.png', 'Li2Te-mlip-levelmap.png');
  });

  await test('no console errors, page errors or viewErrors', async () => {
    const errs = [...await hooks('t.consoleErrors'), ...pageErrors, ...await page.evaluate(() => window.__harness.state.viewErrors)];
    eq(errs.length, 0, `errors: ${errs.join('; ')}`);
  });
} finally {
  await browser.close().catch(() => {});
  await server.close();
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
