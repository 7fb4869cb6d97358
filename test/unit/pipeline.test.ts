/**
 * The energy-source seam end to end: a constructed landscape with known barriers goes through the same pipeline
 * as BVSE into the job result, the CLI report, the rank table and the viewer's scene, labelled with its own method;
 * per-ion free volumes unite as SCIENCE.md §6 says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLandscapeJobSync, landscapeJobKey } from '../../src/compute/analysis/job';
import { normaliseOptions, optionProblems } from '../../src/compute/analysis/options';
import { gridAnalysisWork } from '../../src/compute/analysis/pipeline';
import { barrierHint, HINT_LENGTH, HINT_PADDING } from '../../src/compute/analysis/format';
import { rowFromResult, rowsToCsv } from '../../src/compute/analysis/ranking';
import { analyticLandscape } from '../../src/compute/energy/analytic/source';
import { checkGridSize, CONVERGED_RESOLUTION_A, makeGrid } from '../../src/compute/landscape/grid';
import { periodicFlood, periodicFreeVolumes, unionFreeVolumes } from '../../src/compute/landscape/levelmap';
import { buildStencil } from '../../src/compute/landscape/stencil';
import { runSync } from '../../src/compute/util/work';
import { HostClient } from '../../src/compute/host/client';
import { makeStructure } from './landscape-fixtures';

const ROOT = process.cwd();
const CLI = join(ROOT, 'dist', 'cli.js');
const WORKER = join(ROOT, 'dist', 'worker.js');
const LIFEPO4 = readFileSync(join(ROOT, 'examples', 'LiFePO4.cif'), 'utf8');
const BARRIERS: [number, number, number] = [0.8, 0.3, 1.5];
const close = (a: number | null, b: number, tol = 1e-6) => assert.ok(a !== null && Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('analytic landscape: Ea 1D/2D/3D come out as constructed, labelled with their own method', () => {
  const r = runLandscapeJobSync(LIFEPO4, { method: 'analytic', analyticBarriers: BARRIERS });
  assert.ok(r.ok && r.report, r.error ?? '');
  const rep = r.report!;
  close(rep.Ea_1D_eV, 0.3); close(rep.Ea_2D_eV, 0.8); close(rep.Ea_3D_eV, 1.5);
  assert.equal(rep.source.method, 'analytic');
  assert.equal(rep.source.label, 'analytic test landscape');
  assert.deepEqual(rep.percolationDirections[0].map(Math.abs), [0, 1, 0], 'the first channel runs along b, the smallest barrier');
  assert.equal(rep.percolationDirections.length, 2);
  assert.equal(rep.channelDimensionality, 2, '2D opens within 0.5 eV of 1D, 3D does not');
  assert.equal(rep.percolationDimensionality, 3);
  close(rep.path!.barrier_eV, 0.3);
  // The long label leaves no room for the 2D barrier within VS Code's 43 characters: the dimension alone.
  assert.match(barrierHint(rep), /^Ea\(analytic test landscape, 1D\) 0\.30 eV · 2D$/);
  // A short label has room: the barrier in the channel's dimensionality follows, where it differs from Ea 1D.
  const short = { ...rep, source: { ...rep.source, label: 'BVSE' } };
  assert.equal(barrierHint(short), 'Ea(BVSE, 1D) 0.30 eV · 2D 0.80 eV');
  assert.equal(barrierHint({ ...short, Ea_2D_eV: 0.302 }), 'Ea(BVSE, 1D) 0.30 eV · 2D', 'the same to two decimals: not repeated');
  assert.equal(barrierHint({ ...short, implausibleGeometry: ['Li1'] }), 'Ea(BVSE, 1D) 0.30 eV · 2D · ⚠ geometry', 'no room for the 2D barrier beside the geometry flag');
  for (const h of [barrierHint(short), barrierHint({ ...short, implausibleGeometry: ['Li1'] })]) assert.ok(HINT_PADDING.length + h.length <= HINT_LENGTH, `${h}: ${h.length} characters`);
  // The same barriers in the rank row and its CSV, with the method named.
  const row = rowFromResult('LiFePO4.cif', r, false);
  assert.equal(row.method, 'analytic test landscape');
  close(row.Ea_1D_eV, 0.3);
  assert.match(rowsToCsv([row]).split('\n')[1], /^LiFePO4\.cif,.*,analytic test landscape,/);
});

test('a grid coarser than CONVERGED_RESOLUTION_A is computed with a warning; a cell too large for a converged grid is told so', () => {
  const li3n = readFileSync(join(ROOT, 'examples', 'Li3N.cif'), 'utf8');
  const coarse = runLandscapeJobSync(li3n, { method: 'bvse', resolution: 0.5 });
  assert.ok(coarse.ok && coarse.report);
  assert.ok(coarse.report!.warnings.some((w) => /^The grid spacing 0\.5 Å is coarser than 0\.3 Å, where barriers are converged/.test(w)), JSON.stringify(coarse.report!.warnings));
  for (const resolution of [0.2, CONVERGED_RESOLUTION_A]) {
    const fine = runLandscapeJobSync(li3n, { method: 'bvse', resolution });
    assert.ok(!fine.report!.warnings.some((w) => /coarser than/.test(w)), `${resolution} Å: no warning`);
  }
  assert.throws(() => checkGridSize([400, 400, 400], 0.2, 1e7), /would fit at 0\.38 Å, coarser than the 0\.3 Å at which barriers are converged: analyse a smaller cell/);
  assert.throws(() => checkGridSize([400, 400, 400], 0.2, 2e7), /Use a resolution of at least 0\.30 Å\.$/);
});

test('cache keys: one key per job, different for different methods and for options the method reads', () => {
  const k = (o: object) => landscapeJobKey(LIFEPO4, o);
  assert.equal(k({}), k({ method: 'bvse', ion: 'Li', ionCharge: 1, resolution: 0.2, mode: 'spse' }));
  assert.notEqual(k({ method: 'bvse' }), k({ method: 'analytic' }));
  assert.notEqual(k({ resolution: 0.2 }), k({ resolution: 0.1 }));
  assert.equal(k({ method: 'bvse', cell: 'as-given' }), k({ method: 'bvse' }), 'a scan setting does not change a BVSE job');
  assert.deepEqual(normaliseOptions({ ion: 'Mg' }).ionCharge, 2);
  assert.deepEqual(normaliseOptions({ ion: 'Al' }).ionCharge, 3);
  assert.ok(optionProblems({ method: 'foo' as never }).some((p) => p.includes("method 'foo'")));
  assert.ok(optionProblems({ resolution: 0.01 }).some((p) => p.includes('0.05–2 Å')));
  // Values of the wrong type (a settings file, a message) are problems, not coerced: "0.2" would pass a range check.
  const wrong = (o: object) => optionProblems(o as never).join('; ');
  assert.match(wrong({ resolution: '0.2' }), /resolution 0\.2 Å is outside/);
  assert.match(wrong({ maxBarrier: '1' }), /max barrier 1 eV must be a positive number/);
  assert.match(wrong({ modelPath: 3 }), /model path 3 must be a file path/);
  assert.match(wrong({ oxidationStates: 'Li=1' }), /oxidation states must be given by element/);
  assert.match(wrong({ ion: 'Qq' }), /ion 'Qq' is not an element symbol/);
  assert.match(wrong({ ion: 7 }), /ion '7' is not an element symbol/);
  assert.match(wrong({ ion: 'li' }), /ion 'li' is not an element symbol \(e.g. Li, Na, Mg\); did you mean Li\?/);
  assert.equal(wrong({ resolution: 0.2, maxBarrier: 1, ion: 'Na', oxidationStates: { Na: 1 } }), '');
  const job = runLandscapeJobSync(LIFEPO4, { resolution: '0.2' } as never);
  assert.equal(job.failure?.code, 'bad-option');
});

test('a method that cannot run on the calling thread, or is not built in, answers with a clear failure', () => {
  for (const method of ['mlip', 'gcn'] as const) {
    const r = runLandscapeJobSync(LIFEPO4, { method });
    assert.equal(r.ok, false);
    assert.ok(r.failure && ['method-unavailable', 'bad-option', 'model-missing', 'disordered-structure'].includes(r.failure.code), JSON.stringify(r.failure));
  }
});

test('per-ion union of free volumes (§6): one ion equals the single-grid FV; two ions unite at their true positions', () => {
  const s = makeStructure([6, 6, 6, 90, 90, 90], [{ element: 'Li', oxidation: 1, frac: [0, 0, 0] }, { element: 'O', oxidation: -2, frac: [0.5, 0.5, 0.5] }]);
  const a = analyticLandscape(s, { barriers: [0.3, 2, 2], resolution: 0.5 }).grids[0].grid;
  const st = buildStencil(a.lattice, a.shape);
  const fa = periodicFlood(a, { stencil: st });
  const single = periodicFreeVolumes(a, fa, 0.5, undefined, st);
  const asIon = unionFreeVolumes([{ grid: a, flood: fa, baseParity: 0 }], 0.5, undefined, st);
  assert.deepEqual(asIon, single);
  // The same well shifted by half a cell along c: a second ion's landscape, disjoint from the first.
  const [n0, n1, n2] = a.shape;
  const shifted = new Float32Array(a.data.length);
  for (let i = 0; i < n0; i++) for (let j = 0; j < n1; j++) for (let k = 0; k < n2; k++) shifted[(i * n1 + j) * n2 + k] = a.data[(i * n1 + j) * n2 + ((k + n2 / 2) % n2)];
  const b = makeGrid(a.shape, shifted, a.lattice, 'shifted');
  const fb = periodicFlood(b, { stencil: st });
  const both = unionFreeVolumes([{ grid: a, flood: fa, baseParity: 0 }, { grid: b, flood: fb, baseParity: 0 }], 0.5, undefined, st);
  close(both.disconnected, 2 * single.disconnected, 1e-9);
  close(both.connected, 2 * single.connected, 1e-9);
  // Placing the second ion one cell over along a puts its channel on the other half of the 2×2×2 frame's a-rows;
  // its 1D channel along a covers both parities, so the union is unchanged.
  const moved = unionFreeVolumes([{ grid: a, flood: fa, baseParity: 0 }, { grid: b, flood: fb, baseParity: 1 }], 0.5, undefined, st);
  close(moved.connected, both.connected, 1e-9);
  // An ion's copy of itself adds nothing.
  const dup = unionFreeVolumes([{ grid: a, flood: fa, baseParity: 0 }, { grid: a, flood: fa, baseParity: 0 }], 0.5, undefined, st);
  close(dup.connected, single.connected, 1e-12);
  // Two ion grids through the pipeline: Ea and MPE the lowest over ions.
  const land = analyticLandscape(s, { barriers: [0.3, 2, 2], resolution: 0.5 });
  const two = { ...land, grids: [{ grid: a, ionFrac: [0, 0, 0] as [number, number, number], label: 'Li1', multiplicity: 1 }, { grid: b, ionFrac: [0, 0, 0.5] as [number, number, number], label: 'Li2', multiplicity: 1 }] };
  const res = runSync(gridAnalysisWork(two, { method: 'analytic' }));
  assert.equal(res.report.ions.length, 2);
  close(res.report.Ea_1D_eV, 0.3, 1e-6);
  close(res.report.FV_disconnected, both.disconnected, 1e-9);
});

test('CLI: analyze --method analytic|bvse --json names its source; mlip/gcn answer with one line and exit 1', { skip: !existsSync(CLI) && 'build first' }, () => {
  const bv = spawnSync('node', [CLI, 'analyze', 'examples/LiFePO4.cif', '--method', 'bvse', '--json'], { encoding: 'utf8' });
  assert.equal(bv.status, 0, bv.stderr);
  const rep = JSON.parse(bv.stdout);
  assert.equal(rep.schema, 'ionpath.landscape/2');
  assert.equal(rep.source.method, 'bvse');
  assert.equal(rep.source.label, 'BVSE');
  const syn = spawnSync('node', [CLI, 'bvse', 'examples/LiFePO4.cif', '--json'], { encoding: 'utf8' });
  assert.equal(JSON.parse(syn.stdout).Ea_1D_eV, rep.Ea_1D_eV, '`bvse` is a synonym of analyze --method bvse');
  const an = spawnSync('node', [CLI, 'analyze', 'examples/LiFePO4.cif', '--method', 'analytic'], { encoding: 'utf8' });
  assert.equal(an.status, 0, an.stderr);
  assert.match(an.stdout, /Ea\(analytic test landscape, 1D\) 0\.300 eV, 2D 0\.800 eV, 3D 1\.500 eV/);
  const bad = spawnSync('node', [CLI, 'analyze', 'examples/LiFePO4.cif', '--method', 'nope'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--method must be one of bvse, mlip, gcn, analytic; got 'nope'/);
  const typo = spawnSync('node', [CLI, 'analyze', 'examples/LiFePO4.cif', '--reslution=0.05'], { encoding: 'utf8' });
  assert.equal(typo.status, 2);
  assert.match(typo.stderr, /unknown option '--reslution' \(did you mean --resolution\?\)/);
});

test('CLI rank --method analytic: the table carries the method and the constructed barriers', { skip: !existsSync(CLI) && 'build first' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-rank-'));
  try {
    for (const f of ['LiFePO4.cif', 'Li3N.cif']) copyFileSync(join(ROOT, 'examples', f), join(dir, f));
    writeFileSync(join(dir, 'broken.cif'), 'data_x\n_cell_length_a 3\n');
    const out = join(dir, 'rank.csv');
    const r = spawnSync('node', [CLI, 'rank', dir, '--method', 'analytic', '--jobs', '1', '--out', out, '--cache', join(dir, 'cache.json')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines.length, 4);
    for (const l of lines.slice(1, 3)) assert.match(l, /,0\.3,0\.8,1\.5,.*analytic test landscape/);
    assert.match(lines[3], /^broken\.cif,/);
    assert.match(r.stderr, /sorted by Ea 1D of the analytic test landscape/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('viewer scene from the host: the analytic grid, labelled with its method', { skip: !existsSync(WORKER) && 'build first' }, async () => {
  const host = new HostClient(WORKER, { onProblem: () => undefined }, 60_000);
  try {
    const scene = await host.request('scene', { text: LIFEPO4, options: { method: 'analytic', analyticBarriers: BARRIERS } });
    assert.ok(scene.landscape && scene.path);
    assert.equal(scene.landscape.method, 'analytic test landscape');
    close(scene.landscape.ea1D, 0.3);
    assert.match(scene.path.method, /^analytic test landscape, minimax path/);
    close(scene.path.barrier, 0.3);
  } finally { host.dispose(); }
});

test('TensorNet-MatPES end to end on CPU: Li2Te (mp-2530, primitive cell) gives Ξ ≈ 0.96 as SCIENCE.md §6 records', { skip: !existsSync(CLI) && 'build first' }, () => {
  const r = spawnSync('node', [CLI, 'analyze', 'examples/Li2Te.cif', '--method', 'mlip', '--json'], { encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.source.method, 'mlip');
  assert.equal(rep.source.label, 'TensorNet-MatPES');
  assert.equal(rep.source.cell, 'primitive-standardized');
  assert.match(rep.source.model.sha256, /^[0-9a-f]{64}$/);
  assert.equal(rep.details.executionProvider, 'cpu');
  assert.equal(rep.details.evaluation.path, 'frozen framework', 'the fast path, with the graphs that ship beside the model');
  assert.match(r.stderr, /TensorNet-MatPES scan, (< 1 s|≈ \d+ s), 295 evaluations of 3 atoms on this machine's CPU/, 'the estimate comes before the scan');
  assert.equal(rep.ions.length, 2, 'both Li of the primitive cell, the second carried by symmetry');
  assert.ok(Math.abs(rep.Xi - 0.956) < 0.02, `Ξ ${rep.Xi}`);
  assert.ok(Math.abs(rep.MPE_eV - 0.35) < 0.03, `MPE ${rep.MPE_eV}`);
});

test('host estimateScan: one plan for an ordered CIF, one (the lowest-Ewald ordering) for a disordered one, one per distinct framework with disorder: approximants', { skip: !existsSync(WORKER) && 'build first' }, async () => {
  const host = new HostClient(WORKER, { onProblem: () => undefined }, 120_000);
  try {
    const li2te = await host.request('estimateScan', { text: readFileSync(join(ROOT, 'examples', 'Li2Te.cif'), 'utf8'), options: { method: 'mlip' } });
    assert.deepEqual([li2te.ok, li2te.structures, li2te.evaluations, li2te.atoms], [true, 1, 295, 3]);
    const llto = readFileSync(join(ROOT, 'test', 'fixtures', 'structures', 'LLTO-perovskite.cif'), 'utf8');
    // The potential has no mean field: by default it scans the lowest-Ewald ordering alone.
    const lowest = await host.request('estimateScan', { text: llto, options: { method: 'mlip' } });
    assert.ok(lowest.ok && lowest.structures === 1, `one ordering: ${JSON.stringify(lowest)}`);
    const ensemble = await host.request('estimateScan', { text: llto, options: { method: 'mlip', disorder: 'approximants' } });
    assert.ok(ensemble.ok && ensemble.structures >= 2, `several orderings: ${JSON.stringify(ensemble)}`);
    assert.ok(lowest.seconds > 100 * li2te.seconds, `a 44-atom P1 approximant costs far more than Li2Te: ${lowest.seconds} s`);
    assert.ok(ensemble.seconds > 1.5 * lowest.seconds, `the ensemble costs more than one ordering: ${ensemble.seconds} vs ${lowest.seconds} s`);
  } finally { host.dispose(); }
});

test('a trap off the channel: Ea from the global minimum, and the warning gives the channel-referenced Ea beside it', () => {
  const s = makeStructure([6, 6, 6, 90, 90, 90], [{ element: 'O', oxidation: -2, frac: [0.5, 0.5, 0.5] }]);
  const land = analyticLandscape(s, { barriers: [0.4, 2, 2], resolution: 0.5 });
  const grid = land.grids[0].grid;
  const [n0, n1, n2] = grid.shape;
  // A deep, isolated voxel at the cell centre (½, ½, ½), where the analytic landscape has its maximum.
  const data = Float32Array.from(grid.data);
  data[((n0 / 2) * n1 + n1 / 2) * n2 + n2 / 2] = -0.25;
  const trapped = { ...land, grids: [{ ...land.grids[0], grid: makeGrid(grid.shape, data, grid.lattice, 'trap') }] };
  const res = runSync(gridAnalysisWork(trapped, { method: 'analytic' }));
  close(res.report.Ea_1D_eV, 0.65, 1e-6);
  const w = res.report.warnings.find((x) => x.startsWith('The global energy minimum is an isolated pocket'));
  assert.ok(w, res.report.warnings.join(' | '));
  assert.match(w, /0\.250 eV above the minimum \(Ea_1D from there: 0\.400 eV/);
});
