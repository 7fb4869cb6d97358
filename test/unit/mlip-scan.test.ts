/**
 * The TensorNet-MatPES frozen-framework scan (energy/mlip/): the optimised scan (site-symmetry reduction of the grid,
 * many probes per inference call, framework edges computed once) must equal the brute-force scan of the same grid
 * (every point alone, neighbour list rebuilt from scratch) to 1e-3 eV at every point. To keep CI short the grids are
 * coarser than the product's 0.25 Å (stated per test); they are chosen to fit the site symmetry, so the reduction
 * really runs (asserted). Needs the ONNX export at models/tensornet/ (skips with a message when it is absent).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { buildStructure } from '../../src/compute/structure/build';
import { estimateFrozenFrameworkScan, formatDuration, opPreservesGrid, planFrozenFrameworkScan, scanFrozenFramework, scanGridShape, type ScanOptions } from '../../src/compute/energy/mlip/scan';
import { mlipSource } from '../../src/compute/energy/mlip/source';
import { prepareScanCell, reduceBasis } from '../../src/compute/energy/mlip/cell';
import { det3, inverse3, vecMat } from '../../src/compute/structure/geometry';
import { getPotentialSession, resolveModelPath, speciesIndex } from '../../src/compute/energy/mlip/session';
import { LandscapeError, isAbortError } from '../../src/compute/util/errors';
import type { Mat3, Structure, Vec3 } from '../../src/compute/structure/types';

const MODEL = resolveModelPath();
const noModel = existsSync(MODEL) ? false : `the TensorNet-MatPES ONNX export is not at ${MODEL}`;

function structureOf(path: string): Structure {
  const r = buildStructure(readFileSync(path, 'utf8'));
  assert.ok(r.structure, `${path}: ${r.messages.map((m) => m.message).join('; ')}`);
  return r.structure;
}

async function compareWithBruteForce(structure: Structure, shape: [number, number, number], extra: ScanOptions = {}) {
  const potential = await getPotentialSession();
  const fast = await scanFrozenFramework(structure, { shape, potential, batch: 16, ...extra });
  const slow = await scanFrozenFramework(structure, { shape, potential, bruteForce: true, ...extra });
  assert.equal(fast.evaluation.path, 'frozen framework', 'the fast path ran (frozen-framework graphs beside the model)');
  assert.equal(fast.ions.length, slow.ions.length);
  for (let i = 0; i < fast.ions.length; i++) {
    const a = fast.ions[i], b = slow.ions[i];
    assert.equal(a.label, b.label);
    assert.equal(a.skipped, b.skipped, `${a.label}: same points skipped`);
    assert.ok(Math.abs(a.minimumEnergy_eV - b.minimumEnergy_eV) < 1e-3, `${a.label}: minimum ${a.minimumEnergy_eV} vs ${b.minimumEnergy_eV} eV`);
    assert.ok(Math.abs(a.unperturbedEnergy_eV - b.unperturbedEnergy_eV) < 1e-3);
    let worst = 0;
    for (let k = 0; k < a.pes.length; k++) worst = Math.max(worst, Math.abs(a.pes[k] - b.pes[k]));
    assert.ok(worst < 1e-3, `${a.label}: largest difference ${worst} eV`);
    console.log(`${structure.formula} ${a.label} ${shape.join('×')} (${extra.variant ?? 'other Li kept'}): largest |ΔPES| optimised vs brute force ${worst.toExponential(1)} eV over ${a.pes.length} points`);
    // The landscape is not flat: the equality means something.
    assert.ok(Math.max(...a.pes) > 0.5, `${a.label}: PES spans ${Math.max(...a.pes)} eV`);
  }
  assert.ok(fast.evaluations < slow.evaluations, `symmetry saves evaluations: ${fast.evaluations} vs ${slow.evaluations}`);
  assert.equal(fast.evaluationsBruteForce, slow.evaluations);
  return { fast, slow };
}

test('Li2Te (mp-2530 primitive cell, 6×6×6 grid): optimised scan = brute force at every point', { skip: noModel }, async () => {
  const s = structureOf('test/fixtures/Li2Te-mp-2530-primitive.cif');
  assert.deepEqual(scanGridShape(prepareScanCell(s).lattice.matrix), [19, 19, 19]); // the product's grid: ⌈4.606/0.25⌉
  const { fast, slow } = await compareWithBruteForce(s, [6, 6, 6]);
  assert.equal(fast.cell.atoms.length, 3);
  assert.equal(fast.cell.spaceGroup?.number, 225);
  assert.equal(fast.ions.length, 1, 'both Li are equivalent');
  assert.equal(fast.ions[0].multiplicity, 2);
  assert.equal(fast.ions[0].symmetryOps, 24, 'site symmetry -43m of 8c');
  assert.equal(fast.ions[0].equivalentIonsExact, true, 'the inversion maps Li1 onto Li2 and the grid onto itself');
  console.log(`Li2Te 6³: ${fast.evaluations} evaluations (brute force ${slow.evaluations}), ${fast.executionProvider}, ${fast.timings_ms.inference.toFixed(0)} ms vs ${slow.timings_ms.inference.toFixed(0)} ms`);
});

test('Li3N (examples, 2 distinct Li, 4×4×4 grid): optimised scan = brute force at every point', { skip: noModel }, async () => {
  const s = structureOf('examples/Li3N.cif');
  const { fast, slow } = await compareWithBruteForce(s, [4, 4, 4]);
  assert.equal(fast.ions.length, 2);
  assert.deepEqual(fast.ions.map((i) => i.multiplicity).sort(), [1, 2]);
  console.log(`Li3N 4³: ${fast.evaluations} evaluations (brute force ${slow.evaluations}), ${fast.timings_ms.inference.toFixed(0)} ms vs ${slow.timings_ms.inference.toFixed(0)} ms`);
});

test('without the frozen-framework graphs the scan runs whole cells and gives the same PES (Li3N, 4×4×4)', { skip: noModel }, async () => {
  const s = structureOf('examples/Li3N.cif');
  const potential = await getPotentialSession();
  const wholeCell = { ...potential, frozen: null, frozenMissing: 'test: graphs withheld' };
  const a = await scanFrozenFramework(s, { shape: [4, 4, 4], potential, batch: 5 });
  const b = await scanFrozenFramework(s, { shape: [4, 4, 4], potential: wholeCell, batch: 5 });
  assert.equal(a.evaluation.path, 'frozen framework');
  assert.deepEqual(b.evaluation, { path: 'whole cell', reason: 'test: graphs withheld' });
  for (let i = 0; i < a.ions.length; i++) {
    let worst = 0;
    for (let k = 0; k < a.ions[i].pes.length; k++) worst = Math.max(worst, Math.abs(a.ions[i].pes[k] - b.ions[i].pes[k]));
    assert.ok(worst < 1e-3, `${a.ions[i].label}: frozen-framework vs whole-cell graphs differ by ${worst} eV`);
    assert.ok(Math.abs(a.ions[i].minimumEnergy_eV - b.ions[i].minimumEnergy_eV) < 1e-3);
  }
});

test('empty framework: optimised = brute force (Li3N, 4×4×4), one landscape for every Li', { skip: noModel }, async () => {
  const s = structureOf('examples/Li3N.cif');
  const { fast } = await compareWithBruteForce(s, [4, 4, 4], { variant: 'empty framework' });
  assert.deepEqual(Array.from(fast.ions[0].pes), Array.from(fast.ions[1].pes));
});

test('grid source: identity, one scan per distinct Li carried to every Li, details', { skip: noModel }, async () => {
  const s = structureOf('test/fixtures/Li2Te-mp-2530-primitive.cif');
  const source = mlipSource({ shape: [5, 5, 5] });
  const id = source.identity(s);
  assert.equal(id.method, 'mlip');
  assert.equal(id.label, 'TensorNet-MatPES');
  assert.equal(id.model?.id, 'tensornet-matpes-pbe-v2025.1');
  assert.match(id.model?.sha256 ?? '', /^[0-9a-f]{64}$/);
  assert.equal(id.cell, 'primitive-standardized');
  assert.equal(id.variant, 'other Li kept');
  const progress: number[] = [];
  const land = await source.produce(s, { onProgress: (f) => progress.push(f) });
  // Both Li of the primitive cell (one orbit): the scanned grid, and its image under the operation that maps the
  // first Li onto the second and the grid onto itself, so the free volumes unite over every ion (SCIENCE.md §6).
  assert.equal(land.grids.length, 2);
  assert.deepEqual(land.grids[0].grid.shape, [5, 5, 5]);
  assert.equal(land.grids[0].grid.min, 0);
  assert.ok(land.grids.every((g) => g.multiplicity === 1));
  assert.equal(land.grids[1].grid.min, 0);
  const sorted = (a: Float32Array) => Array.from(a).sort((x, y) => x - y);
  assert.deepEqual(sorted(land.grids[1].grid.data), sorted(land.grids[0].grid.data), 'the image holds the same energies');
  assert.ok(land.grids[0].ionFrac!.some((x, i) => Math.abs(x - land.grids[1].ionFrac![i]) > 0.1), 'at the other Li site');
  const f = land.grids[0].ionFrac!;
  assert.ok(land.structure.sites.some((site) => site.species[0].element === 'Li' && site.frac.every((x, i) => Math.abs(x - f[i]) < 1e-9)), 'ionFrac is a Li site of the scanned cell');
  assert.equal(land.structure.sites.length, 3);
  assert.ok(['cuda', 'webgpu', 'cpu'].includes(String(land.details.executionProvider)));
  assert.ok(Number(land.details.evaluations) < Number(land.details.evaluationsBruteForce));
  assert.equal(progress.at(-1), 1);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i] >= progress[i - 1]);
});

test('cancellation rejects with CancelledError', { skip: noModel }, async () => {
  const s = structureOf('examples/Li3N.cif');
  const controller = new AbortController();
  await assert.rejects(
    scanFrozenFramework(s, { shape: [6, 6, 6], batch: 2, potential: await getPotentialSession() }, { signal: controller.signal, onProgress: () => controller.abort() }),
    (e: unknown) => isAbortError(e),
  );
});

test('disordered structures are refused with a located error', async () => {
  const s = structureOf('examples/Li7La3Zr2O12.cif');
  await assert.rejects(scanFrozenFramework(s), (e: unknown) => e instanceof LandscapeError && e.code === 'disordered-structure' && !!e.at?.siteLabel);
});

test('a cell with no atom besides the probe is a clear error, not a graph without edges (bcc Li, primitive cell)', () => {
  const bcc = buildStructure(`data_Li\n_cell_length_a 3.51\n_cell_length_b 3.51\n_cell_length_c 3.51\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n_symmetry_space_group_name_H-M 'I m -3 m'\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nLi1 Li 0 0 0\n`).structure!;
  assert.throws(() => planFrozenFrameworkScan(bcc), (e: unknown) => e instanceof LandscapeError && e.code === 'no-framework' && /primitive standardized cell holds no other atom \(1 atom\)/.test(e.message));
  assert.throws(() => planFrozenFrameworkScan(bcc, { cell: 'as-given', variant: 'empty framework' }), /the other Li removed/);
  assert.ok(planFrozenFrameworkScan(bcc, { cell: 'as-given' }).jobs.length >= 1, 'the conventional cell keeps the other Li');
});

test('the scan cell basis is reduced without changing the lattice', () => {
  const B0: Mat3 = [[5.1, 0, 0], [0.7, 7.1, 0], [1.1, -0.4, 8.3]];
  const M = [[1, 1, 0], [2, 3, 0], [-1, 2, 1]]; // unimodular: an oblique basis of the same lattice
  const B = M.map((r) => [0, 1, 2].map((k) => r[0] * B0[0][k] + r[1] * B0[1][k] + r[2] * B0[2][k])) as Mat3;
  const R = reduceBasis(B);
  const inv = inverse3(B0);
  for (const row of R) {
    const coeff = vecMat(row as Vec3, inv);
    for (const c of coeff) assert.ok(Math.abs(c - Math.round(c)) < 1e-9, `reduced vector ${row} is a lattice vector`);
  }
  assert.ok(Math.abs(det3(R) - det3(B0)) < 1e-6, 'same cell volume, right-handed');
  const lengths = R.map((r) => Math.hypot(...r)).sort((a, b) => a - b);
  assert.deepEqual(lengths.map((x) => x.toFixed(6)), B0.map((r) => Math.hypot(...r)).sort((a, b) => a - b).map((x) => x.toFixed(6)));
});

test('a grid that fits the symmetry: LiFePO4 42×25×19 → 42×26×20 (Pnma translations of ½)', () => {
  const s = structureOf('examples/LiFePO4.cif');
  const plan = planFrozenFrameworkScan(s, { gridFitsSymmetry: true });
  assert.deepEqual(plan.shape, [42, 26, 20]);
  assert.deepEqual(planFrozenFrameworkScan(s).shape, [42, 25, 19]);
  assert.ok(plan.cell.ops.every((op) => opPreservesGrid(op, plan.shape)));
  // Li on the inversion centre (4a): the site-symmetry group −1 halves the points to evaluate.
  assert.equal(plan.jobs[0].symmetryOps, 2);
  assert.ok(plan.evaluations < 0.51 * plan.evaluationsBruteForce);
});

test('session: a missing model file and an element outside the model give clear errors', async () => {
  await assert.rejects(getPotentialSession({ modelPath: 'models/tensornet/does-not-exist.onnx' }), (e: unknown) => e instanceof LandscapeError && /not found at .*does-not-exist\.onnx/.test(e.message));
  assert.throws(() => speciesIndex('Po', 'Po1'), (e: unknown) => e instanceof LandscapeError && e.code === 'unknown-ion' && e.at?.siteLabel === 'Po1');
  assert.equal(speciesIndex('Li'), 2);
});

test('the time estimate counts the evaluations the scan will make (Li2Te, LiFePO4 plans) and says it in words', { skip: noModel }, async () => {
  const li2te = structureOf('test/fixtures/Li2Te-mp-2530-primitive.cif');
  const e = estimateFrozenFrameworkScan(li2te, {}, 2);
  assert.deepEqual([e.evaluations, e.atoms, e.gridShape], [295, 3, [19, 19, 19]]);
  const potential = await getPotentialSession();
  const r = await scanFrozenFramework(li2te, { potential });
  assert.equal(r.evaluations, e.evaluations, 'the plan is what the scan does');
  const lfp = estimateFrozenFrameworkScan(structureOf('examples/LiFePO4.cif'), {}, 2);
  assert.equal(lfp.evaluations, 4139);
  assert.ok(lfp.seconds > 10 * e.seconds, `a 28-atom cell with 14× the evaluations costs more: ${lfp.seconds} vs ${e.seconds} s`);
  assert.ok(Math.abs(estimateFrozenFrameworkScan(li2te, {}, 4).seconds - e.seconds / 2) < 1e-9, 'twice the threads, half the time');
  assert.deepEqual([0.4, 22.4, 300, 7200].map(formatDuration), ['< 1 s', '≈ 22 s', '≈ 5 min', '≈ 2.0 h']);
});

test('estimates sample the distinct ions of a large P1 cell and scale the count (approximants have dozens)', async () => {
  const { orderedApproximants } = await import('../../src/compute/structure/approximants/approximants');
  const llto = buildStructure(readFileSync('test/fixtures/structures/LLTO-perovskite.cif', 'utf8')).structure!;
  const ordering = orderedApproximants(llto, { count: 1, randomCount: 0, seed: 1 }).orderings[0].structure;
  const full = planFrozenFrameworkScan(ordering, { cell: 'as-given' });
  assert.ok(full.jobs.length >= 2, `${full.jobs.length} distinct Li`);
  const sampled = planFrozenFrameworkScan(ordering, { cell: 'as-given' }, 1);
  assert.equal(sampled.jobs.length, 1);
  const rel = Math.abs(sampled.evaluations - full.evaluations) / full.evaluations;
  assert.ok(rel < 0.1, `one ion scaled to ${full.jobs.length}: ${sampled.evaluations} vs ${full.evaluations}`);
  assert.equal(planFrozenFrameworkScan(ordering, { cell: 'as-given' }, full.jobs.length).evaluations, full.evaluations, 'all sampled: exact');
});
