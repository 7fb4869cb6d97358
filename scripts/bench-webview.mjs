#!/usr/bin/env node
// Webview benchmark in headless Chromium (WebGL through SwiftShader, i.e. on the CPU: frame times are
// an upper bound of what a GPU-backed VS Code shows).
//   1. isosurface extraction on a 100³ periodic grid (synthetic channel field): the pure function in
//      Node, on the page's main thread, and the worker round trip (post → marching cubes → back);
//   2. the same on the real LLZO BVSE grid (compute host, 0.2 Å, 65³) at the view's default level;
//   3. frame time of a 2×2×2 supercell of the real LLZO cell (256 sites, ~1100 spheres per 2×2×2 copy
//      after face images) with and without the isosurface, and of the 1×1×1 cell.
// Usage: node scripts/bench-webview.mjs [--no-build] [--n 100] [--size 1280x800] [--frames 30]
import { buildWebview, launchBrowser, startServer, toWire } from '../test/webview/server.mjs';
import { computeScenes } from '../test/webview/realScenes.mjs';
import { loadMarchingCubes } from '../test/webview/analysis.mjs';
import { cpus, loadavg } from 'node:os';

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const n = Number(opt('--n', 100));
const nFrames = Number(opt('--frames', 30));
const [vw, vh] = String(opt('--size', '1280x800')).split('x').map(Number);
if (!argv.includes('--no-build')) await buildWebview({ all: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load0 = loadavg()[0];

// The real LLZO scene from the compute host.
const LLZO = 'Li7La3Zr2O12.cif';
const llzo = (await computeScenes([LLZO])).get(LLZO);
const llzoLevel = Math.round((llzo.landscape.ea1D + 0.1) * 100) / 100;

// 1. Node reference for the pure function on the synthetic 100³ grid.
const marchingCubes = await loadMarchingCubes();
const synthLevel = 0.47;
const lattice = llzo.structure.lattice;
const grid = new Float32Array(n * n * n);
for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) {
  const x = i / n, y = j / n, z = k / n;
  grid[(i * n + j) * n + k] = 0.42 * (1 - Math.cos(4 * Math.PI * x)) / 2 + 1.25 * (1 - Math.cos(2 * Math.PI * (y - 0.5))) / 2 + 1.9 * (1 - Math.cos(2 * Math.PI * (z - 0.5))) / 2;
}
const nodeTimes = [];
let nodeVerts = 0;
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  nodeVerts = marchingCubes(grid, [n, n, n], synthLevel, lattice).positions.length / 3;
  nodeTimes.push(performance.now() - t0);
}
const llzoNode = [];
let llzoVerts = 0;
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  llzoVerts = marchingCubes(llzo.landscape.data, llzo.landscape.shape, llzoLevel, lattice).positions.length / 3;
  llzoNode.push(performance.now() - t0);
}

const server = await startServer();
const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: vw, height: vh } });
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
let gl, llzoPage, frames, iso;
try {
  await page.goto(server.url);
  await page.waitForFunction(() => window.__harness && window.__harness.state.readyCount > 0);
  gl = await page.evaluate(() => window.__ionpathTest.webgl);

  // 2. + 3. Real LLZO, 2×2×2.
  await page.evaluate((u) => window.__harness.setScene(u), toWire({ structure: llzo.structure, landscape: llzo.landscape, path: llzo.path, options: { repeats: [2, 2, 2] } }));
  await page.waitForFunction(() => window.__ionpathTest.isosurfaceDone, null, { timeout: 60000 });
  llzoPage = await page.evaluate(async ({ level }) => {
    const t = window.__ionpathTest;
    const wall = [], worker = [];
    let vertices = 0;
    for (let r = 0; r < 5; r++) { const m = await t.extractRoundTrip(level); wall.push(m.wallMs); worker.push(m.workerMs); vertices = m.vertices; }
    return { wall, worker, vertices, usesWorker: t.usesWorker, level: t.level };
  }, { level: llzoLevel });

  frames = await page.evaluate(async (nFrames) => {
    const t = window.__ionpathTest;
    const tick = () => new Promise((r) => setTimeout(r, 50)); // notifications arrive asynchronously
    t.benchmarkFrames(5); // warm up
    const withIso = t.benchmarkFrames(nFrames);
    const isoVerts = t.isosurfaceVertexCount, atoms = t.atomCount;
    window.__harness.setOptions({ showIsosurface: false });
    await tick();
    const atomsOnly = t.benchmarkFrames(nFrames);
    window.__harness.setOptions({ showIsosurface: true, repeats: [1, 1, 1] });
    await tick();
    t.benchmarkFrames(3);
    const oneCell = t.benchmarkFrames(nFrames);
    return { withIso, atomsOnly, oneCell, oneCellAtoms: t.atomCount, oneCellVerts: t.isosurfaceVertexCount, atoms, isoVerts, softwareGL: t.softwareGL };
  }, nFrames);

  // 1. Synthetic 100³ grid in the page (generated there: no transfer through Playwright).
  iso = await page.evaluate(async ({ n, level, lattice }) => {
    const h = window.__harness, t = window.__ionpathTest;
    const data = h.channelGrid(n);
    await h.setScene({ landscape: { shape: [n, n, n], data, method: 'bench', unit: 'eV', ea1D: 0.42, ea2D: 1.25, ea3D: 1.9 }, options: { level } });
    while (!t.isosurfaceDone) await new Promise((r) => setTimeout(r, 5));
    const pure = [], wall = [], worker = [];
    let verts = 0;
    for (let r = 0; r < 5; r++) { const m = t.marchingCubes(data, [n, n, n], level, lattice); pure.push(m.ms); verts = m.vertices; }
    for (let r = 0; r < 5; r++) { const m = await t.extractRoundTrip(level); wall.push(m.wallMs); worker.push(m.workerMs); }
    return { pure, wall, worker, verts, usesWorker: t.usesWorker };
  }, { n, level: synthLevel, lattice });
} finally {
  await browser.close().catch(() => {});
  await server.close();
}

const ms = (x) => `${x.toFixed(0)} ms`;
const fr = (x) => `${x.toFixed(1)} ms (${(1000 / x).toFixed(1)} fps)`;
const rows = [
  [`isosurface ${n}³ synthetic, ${synthLevel} eV (${iso.verts} vertices)`, 'Node, pure function', ms(median(nodeTimes))],
  ['', 'page main thread, pure function', ms(median(iso.pure))],
  ['', `worker round trip (inside worker)`, `${ms(median(iso.wall))} (${ms(median(iso.worker))})`],
  [`isosurface LLZO BVSE ${llzo.landscape.shape.join('×')}, ${llzoLevel} eV (${llzoVerts} vertices)`, 'Node, pure function', ms(median(llzoNode))],
  ['', 'worker round trip (inside worker)', `${ms(median(llzoPage.wall))} (${ms(median(llzoPage.worker))})`],
  [`frame, LLZO 2×2×2 (${frames.atoms} spheres)`, `with isosurface (${frames.isoVerts} vertices)`, fr(frames.withIso)],
  ['', 'atoms only', fr(frames.atomsOnly)],
  [`frame, LLZO 1×1×1 (${frames.oneCellAtoms} spheres)`, `with isosurface (${frames.oneCellVerts} vertices)`, fr(frames.oneCell)],
];
const w0 = Math.max(...rows.map((r) => r[0].length)), w1 = Math.max(...rows.map((r) => r[1].length));
console.log(`ionpath webview benchmark — ${gl.renderer}`);
console.log(`page ${vw}×${vh}, software WebGL: ${frames.softwareGL} (no MSAA), ${cpus().length} cores, load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}; medians of 5 (frames: mean of ${nFrames} while orbiting)`);
console.log(`LLZO: ${llzo.structure.atoms.length} sites, compute host scene ${ms(llzo.ms)}; worker used: ${iso.usesWorker && llzoPage.usesWorker}`);
for (const r of rows) console.log(`${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`);
if (nodeVerts !== iso.verts || llzoVerts !== llzoPage.vertices) console.log(`vertex counts differ: Node ${nodeVerts}/${llzoVerts}, page ${iso.verts}/${llzoPage.vertices}`);
if (errors.length) { console.log(`page errors: ${errors.join('; ')}`); process.exitCode = 1; }
