#!/usr/bin/env node
// Webview benchmark in headless Chromium (WebGL through SwiftShader, i.e. on the CPU: frame times are
// an upper bound of what a GPU-backed VS Code shows).
//   1. isosurface extraction on a 100³ periodic grid: the pure function on the page's main thread,
//      the worker round trip (post → marching cubes → transfer back), and the pure function in Node;
//   2. average frame time for a 2×2×2 supercell of a ~200-atom cell (with and without the isosurface).
// Usage: node scripts/bench-webview.mjs [--no-build] [--n 100] [--size 1280x800]
import { buildWebview, launchBrowser, root, startServer, toWire } from '../test/webview/server.mjs';
import { makeBenchStructure } from '../test/webview/scenes.mjs';
import * as esbuild from 'esbuild';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const n = Number(opt('--n', 100));
const [vw, vh] = String(opt('--size', '1280x800')).split('x').map(Number);
if (!argv.includes('--no-build')) await buildWebview();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const level = 0.47;

// Node reference for the pure function.
const mcSrc = (await esbuild.build({ entryPoints: [join(root, 'webview/marchingCubes.ts')], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'warning' })).outputFiles[0].text;
const { marchingCubes } = await import('data:text/javascript;base64,' + Buffer.from(mcSrc).toString('base64'));
const a = 12.5;
const lattice = [[a, 0, 0], [0, a, 0], [0, 0, a]];
const grid = new Float32Array(n * n * n);
for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) {
  const x = i / n, y = j / n, z = k / n;
  grid[(i * n + j) * n + k] = 0.42 * (1 - Math.cos(4 * Math.PI * x)) / 2 + 1.25 * (1 - Math.cos(2 * Math.PI * (y - 0.5))) / 2 + 1.9 * (1 - Math.cos(2 * Math.PI * (z - 0.5))) / 2;
}
const nodeTimes = [];
let nodeVerts = 0;
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  nodeVerts = marchingCubes(grid, [n, n, n], level, lattice).positions.length / 3;
  nodeTimes.push(performance.now() - t0);
}
// A busier surface: level 1.5 eV (2D-percolating sheets).
const t0 = performance.now();
const busy = marchingCubes(grid, [n, n, n], 1.5, lattice);
const nodeBusy = performance.now() - t0;

const server = await startServer();
const browser = await launchBrowser();
const page = await browser.newPage({ viewport: { width: vw, height: vh } });
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
try {
  await page.goto(server.url);
  await page.waitForFunction(() => window.__harness && window.__harness.state.readyCount > 0);
  const structure = makeBenchStructure();
  await page.evaluate((s) => window.__harness.setScene({ structure: s, options: { repeats: [2, 2, 2] } }), toWire(structure));
  const gl = await page.evaluate(() => window.__ionpathTest.webgl);

  const iso = await page.evaluate(async ({ n, level, lattice }) => {
    const h = window.__harness, t = window.__ionpathTest;
    const data = h.channelGrid(n);
    await h.setScene({ landscape: { shape: [n, n, n], data, method: 'bench', unit: 'eV', ea1D: 0.42, ea2D: 1.25, ea3D: 1.9 }, options: { level } });
    while (!t.isosurfaceDone) await new Promise((r) => setTimeout(r, 5));
    const pure = [], wall = [], worker = [];
    let verts = 0, busyVerts = 0;
    for (let r = 0; r < 5; r++) { const m = t.marchingCubes(data, [n, n, n], level, lattice); pure.push(m.ms); verts = m.vertices; }
    for (let r = 0; r < 5; r++) { const m = await t.extractRoundTrip(level); wall.push(m.wallMs); worker.push(m.workerMs); }
    const busyPure = t.marchingCubes(data, [n, n, n], 1.5, lattice);
    const busyRt = await t.extractRoundTrip(1.5);
    busyVerts = busyPure.vertices;
    return { pure, wall, worker, verts, busyPure: busyPure.ms, busyWall: busyRt.wallMs, busyWorker: busyRt.workerMs, busyVerts, usesWorker: t.usesWorker };
  }, { n, level, lattice });

  const frames = await page.evaluate(async () => {
    const t = window.__ionpathTest;
    const tick = () => new Promise((r) => setTimeout(r, 50)); // notifications arrive asynchronously
    t.benchmarkFrames(5); // warm up
    const withIso = t.benchmarkFrames(30);
    const isoVerts = t.isosurfaceVertexCount;
    window.__harness.setOptions({ showIsosurface: false });
    await tick();
    const atomsOnly = t.benchmarkFrames(30);
    window.__harness.setOptions({ showIsosurface: true, repeats: [1, 1, 1] });
    await tick();
    const oneCell = t.benchmarkFrames(30);
    const oneCellAtoms = t.atomCount;
    window.__harness.setOptions({ repeats: [2, 2, 2] });
    await tick();
    return { withIso, atomsOnly, oneCell, oneCellAtoms, atoms: t.atomCount, isoVerts, softwareGL: t.softwareGL };
  });

  console.log(`ionpath webview benchmark (${gl.renderer})`);
  console.log(`isosurface, ${n}³ periodic grid, level ${level} eV (${iso.verts} vertices):`);
  console.log(`  pure function, Node                 ${median(nodeTimes).toFixed(0)} ms (median of 5; ${nodeVerts} vertices)`);
  console.log(`  pure function, page main thread     ${median(iso.pure).toFixed(0)} ms (median of 5)`);
  console.log(`  worker round trip (wall)            ${median(iso.wall).toFixed(0)} ms (median of 5; ${median(iso.worker).toFixed(0)} ms inside the worker; worker used: ${iso.usesWorker})`);
  console.log(`isosurface, level 1.5 eV (${iso.busyVerts} vertices): Node ${nodeBusy.toFixed(0)} ms, main thread ${iso.busyPure.toFixed(0)} ms, worker round trip ${iso.busyWall.toFixed(0)} ms (${iso.busyWorker.toFixed(0)} ms inside); ${busy.positions.length / 3} vertices in Node`);
  console.log(`frames, 2×2×2 supercell of a ${structure.atoms.length}-atom cell (${frames.atoms} spheres drawn), page ${vw}×${vh}:`);
  console.log(`  with isosurface (${frames.isoVerts} vertices drawn)  ${frames.withIso.toFixed(1)} ms/frame (${(1000 / frames.withIso).toFixed(1)} fps)`);
  console.log(`  atoms only                          ${frames.atomsOnly.toFixed(1)} ms/frame (${(1000 / frames.atomsOnly).toFixed(1)} fps)`);
  console.log(`  1×1×1 cell with isosurface (${frames.oneCellAtoms} spheres)  ${frames.oneCell.toFixed(1)} ms/frame (${(1000 / frames.oneCell).toFixed(1)} fps)`);
  console.log(`  (software WebGL detected: ${frames.softwareGL}, so no MSAA; load average ${(await import('node:os')).loadavg()[0].toFixed(1)} on ${(await import('node:os')).cpus().length} cores)`);
  if (errors.length) console.log(`page errors: ${errors.join('; ')}`);
} finally {
  await browser.close();
  await server.close();
}
