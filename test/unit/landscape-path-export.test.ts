import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { grdValue, parseCube, parseGrd, percolationBarriers, percolationPath, writeCube, writeGrd, BOHR_IN_ANGSTROM } from '../../src/compute/landscape';
import { analyzeLandscape, analyzeLandscapeSync } from '../../src/compute/analysis/pipeline';
import { computeBvse, bvseWork } from '../../src/compute/energy/bvse/bvse';
import { runAsync } from '../../src/compute/util/work';
import { latticeMatrix } from '../../src/compute/structure/geometry';
import { gridFrom, perovskite } from './landscape-fixtures';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

test('path along a straight channel: from the minimum to its image one cell along a, max energy = Ea_1D', () => {
  const grid = gridFrom([10, 6, 6], (i0, i1, i2) => (i1 === 3 && i2 === 2 ? (i0 === 7 ? 0.42 : i0 === 1 ? -0.1 : 0) : 1));
  const perc = percolationBarriers(grid);
  const path = percolationPath(grid, perc)!;
  assert.ok(path);
  close(path.barrier, perc.barriers[0]);
  close(path.energies[0], 0);
  assert.equal(path.startsAtGlobalMinimum, true);
  assert.deepEqual(path.translation.map(Math.abs), [1, 0, 0]);
  const first = path.points[0], last = path.points[path.points.length - 1];
  const a = grid.lattice[0];
  for (let k = 0; k < 3; k++) close(last[k] - first[k], path.translation[0] * a[k], 1e-9);
  for (let k = 1; k < path.distances.length; k++) assert.ok(path.distances[k] > path.distances[k - 1]);
  close(path.distances[path.distances.length - 1], 10, 1e-9); // straight along a, 10 Å cell
});

test('path follows the diagonal channel through a+b in a skewed cell', () => {
  const lattice = latticeMatrix(8, 8, 6, 90, 90, 60);
  const grid = gridFrom([8, 8, 6], (i0, i1, i2) => (i0 === i1 && i2 === 3 ? (i0 === 5 ? 0.3 : 0) : 1), lattice);
  const perc = percolationBarriers(grid, { stencil: 'index26' });
  const path = percolationPath(grid, perc, { stencil: 'index26' })!;
  close(path.barrier, 0.3);
  assert.deepEqual(path.translation.map(Math.abs), [1, 1, 0]);
});

test('when the global minimum is a trap, the path starts at the channel’s own minimum', () => {
  const grid = gridFrom([8, 8, 8], (i0, i1, i2) => {
    if (i0 === 4 && i1 === 6 && i2 === 6) return -1;
    if (i1 === 2 && i2 === 2) return i0 === 5 ? 0.3 : i0 === 1 ? -0.2 : 0;
    return 2;
  });
  const perc = percolationBarriers(grid);
  const path = percolationPath(grid, perc)!;
  assert.equal(path.startsAtGlobalMinimum, false);
  close(path.energies[0], 0.8); // −0.2 above the −1 trap
  close(path.barrier, perc.barriers[0]);
});

test('property: on random grids the path’s highest point is Ea_1D and it ends on an image of its start', () => {
  fc.assert(
    fc.property(
      fc.tuple(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 6 })),
      fc.integer(),
      (shape, seed) => {
        let x = seed | 0 || 5;
        const grid = gridFrom(shape, () => {
          x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
          return (Math.abs(x) % 1000) / 1000;
        });
        const perc = percolationBarriers(grid);
        const path = percolationPath(grid, perc)!;
        close(path.barrier, perc.barriers[0], 1e-9);
        assert.ok(path.translation.some((t) => t !== 0));
        const f0 = path.frac[0], f1 = path.frac[path.frac.length - 1];
        for (let k = 0; k < 3; k++) close(f1[k] - f0[k], path.translation[k], 1e-9);
      },
    ),
    { numRuns: 150 },
  );
});

test('cube file: header, voxel vectors in Bohr, atoms and values round-trip', () => {
  const structure = perovskite();
  const { grid } = computeBvse(structure, { resolution: 0.4 });
  const text = writeCube(grid, structure, { title: 'LiNbO3 test' });
  const cube = parseCube(text);
  assert.equal(cube.title, 'LiNbO3 test');
  assert.match(cube.comment, /eV/);
  assert.deepEqual(cube.shape, grid.shape);
  for (let i = 0; i < 3; i++)
    for (let k = 0; k < 3; k++) close(cube.steps[i][k] * grid.shape[i], grid.lattice[i][k], 1e-5);
  assert.equal(cube.atoms.length, structure.sites.length);
  assert.deepEqual(cube.atoms.map((a) => a.z), [3, 41, 8, 8, 8]);
  close(cube.atoms[1].position[0], structure.sites[1].cart[0], 1e-5);
  assert.equal(cube.values.length, grid.data.length);
  for (const v of [0, 7, 123, grid.data.length - 1]) close(cube.values[v], grid.data[v] - grid.min, 1e-5 * Math.max(1, Math.abs(grid.data[v])));
  assert.ok(text.split('\n')[2].startsWith('    5'));
  close(BOHR_IN_ANGSTROM, 0.529177210903, 0);
});

test('VESTA grd: title, cell parameters, counts, last index fastest (as BVlain and CCNB write it)', () => {
  const lattice = latticeMatrix(5, 6, 7, 80, 95, 100);
  const grid = gridFrom([3, 4, 5], (i0, i1, i2) => 100 * i0 + 10 * i1 + i2, lattice);
  const grd = parseGrd(writeGrd(grid, { title: 'synthetic' }));
  assert.match(grd.title, /^synthetic/);
  grd.cell.forEach((x, i) => close(x, [5, 6, 7, 80, 95, 100][i], 1e-4));
  assert.deepEqual(grd.shape, [3, 4, 5]);
  assert.equal(grd.values.length, 60);
  assert.deepEqual(Array.from(grd.values.slice(0, 6)), [0, 1, 2, 3, 4, 10]);
  close(grdValue(grd, 2, 3, 4), 234);
});

test('analyzeLandscape: report with units, consistent barriers, path and timings', async () => {
  const progress: number[] = [];
  const analysis = await analyzeLandscape(perovskite(), { resolution: 0.3 }, { onProgress: (f) => progress.push(f) });
  const r = analysis.report;
  assert.equal(r.schema, 'ionpath.landscape/2');
  assert.equal(r.source.method, 'bvse');
  assert.equal(r.source.label, 'BVSE');
  assert.equal(r.source.description, 'BVSE (softBV, SPSE convention)');
  assert.equal(r.source.variant, 'all mobile ions removed');
  assert.equal(r.ion, 'Li+1');
  assert.ok(r.Ea_1D_eV !== null && r.Ea_2D_eV !== null && r.Ea_3D_eV !== null);
  assert.ok(r.Ea_1D_eV! <= r.Ea_2D_eV! && r.Ea_2D_eV! <= r.Ea_3D_eV!);
  close(r.MPE_eV!, r.Ea_1D_eV!); // the minimum sits in the channel
  close(r.path!.barrier_eV, r.Ea_1D_eV!);
  assert.equal(r.percolationDimensionality, 3);
  assert.ok(r.Xi !== null && r.Xi >= 0 && r.Xi <= 1);
  assert.ok(r.FV_connected! <= r.FV_disconnected!);
  assert.equal(r.units.energy.startsWith('eV'), true);
  assert.ok(r.timings_ms.total >= r.timings_ms.bvse);
  assert.deepEqual(JSON.parse(JSON.stringify(r)).Ea_1D_eV, r.Ea_1D_eV); // JSON-safe
  for (let k = 1; k < progress.length; k++) assert.ok(progress[k] >= progress[k - 1] && progress[k] <= 1);
  assert.deepEqual(analysis.grid!.shape, r.gridShape);
});

test('far-field split stays within a few meV of the full pair sum', () => {
  const structure = perovskite();
  const exact = computeBvse(structure, { farField: false }).grid;
  const split = computeBvse(structure).grid;
  let worst = 0;
  for (let v = 0; v < exact.data.length; v++) {
    if (exact.data[v] - exact.min < 3) worst = Math.max(worst, Math.abs(split.data[v] - split.min - (exact.data[v] - exact.min)));
  }
  assert.ok(worst < 3e-3, `worst ${worst}`);
  const sync = analyzeLandscapeSync(structure, { bvse: { farField: false }, path: false });
  close(analyzeLandscapeSync(structure, { path: false }).report.Ea_1D_eV!, sync.report.Ea_1D_eV!, 3e-3);
});

test('cancellation: an aborted signal rejects with an AbortError between slices', async () => {
  const controller = new AbortController();
  let calls = 0;
  const work = bvseWork(perovskite(), { resolution: 0.1, farField: false });
  await assert.rejects(
    runAsync(work, { signal: controller.signal, onProgress: () => { if (++calls === 1) controller.abort(); } }, 0),
    (e: unknown) => e instanceof Error && e.name === 'AbortError',
  );
  const pre = new AbortController();
  pre.abort();
  await assert.rejects(analyzeLandscape(perovskite(), {}, { signal: pre.signal }), (e: unknown) => e instanceof Error && e.name === 'AbortError');
});
