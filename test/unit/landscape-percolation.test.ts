import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { percolationBarriers, percolationAtLevel, buildStencil, type Stencil } from '../../src/compute/landscape';
import { latticeMatrix } from '../../src/compute/structure/geometry';
import type { EnergyGrid } from '../../src/compute/landscape/grid';
import { gridFrom } from './landscape-fixtures';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);
const parallel = (v: number[], w: number[]) => v[1] * w[2] - v[2] * w[1] === 0 && v[2] * w[0] - v[0] * w[2] === 0 && v[0] * w[1] - v[1] * w[0] === 0;

test('straight 1D channel along a: Ea_1D is the barrier voxel, higher dimensions need the background', () => {
  const grid = gridFrom([8, 6, 6], (i0, i1, i2) => (i1 === 2 && i2 === 2 ? (i0 === 3 ? 0.4 : 0) : 1));
  const r = percolationBarriers(grid);
  close(r.barriers[0], 0.4);
  close(r.barriers[1], 1);
  close(r.barriers[2], 1);
  assert.ok(parallel(r.directions[0][0], [1, 0, 0]), `direction ${r.directions[0][0]}`);
  assert.equal(r.criticalVoxels[0], (3 * 6 + 2) * 6 + 2);
  close(r.minimumComponentEa1D, 0.4);
});

test('2D sheet with barrier lines: 1D along a at 0.3, 2D at 0.5, 3D with the background', () => {
  const grid = gridFrom([8, 8, 6], (i0, i1, i2) => {
    if (i2 !== 2) return 1;
    if (i1 === 4) return 0.5;
    if (i0 === 3) return 0.3;
    return 0;
  });
  const r = percolationBarriers(grid);
  close(r.barriers[0], 0.3);
  close(r.barriers[1], 0.5);
  close(r.barriers[2], 1);
  assert.ok(parallel(r.directions[0][0], [1, 0, 0]));
  // The two vectors of the sheet span the ab plane.
  const [u, v] = r.directions[1];
  assert.equal(u[2], 0);
  assert.equal(v[2], 0);
  assert.ok(!parallel(u, v));
});

test('3D network of three crossing channels with different barriers', () => {
  const grid = gridFrom([8, 8, 8], (i0, i1, i2) => {
    const onA = i1 === 2 && i2 === 2, onB = i0 === 2 && i2 === 2, onC = i0 === 2 && i1 === 2;
    if (onA && i0 === 5) return 0.2;
    if (onB && i1 === 5) return 0.4;
    if (onC && i2 === 5) return 0.6;
    return onA || onB || onC ? 0 : 2;
  });
  const r = percolationBarriers(grid);
  close(r.barriers[0], 0.2);
  close(r.barriers[1], 0.4);
  close(r.barriers[2], 0.6);
  const levels = [0.1, 0.2, 0.4, 0.6].map((l) => percolationAtLevel(grid, l).dimensionality);
  assert.deepEqual(levels, [0, 1, 2, 3]);
});

test('isolated pocket: no percolation below the search limit (Infinity) and an empty percolating mask', () => {
  const grid = gridFrom([6, 6, 6], (i0, i1, i2) => (Math.abs(i0 - 3) <= 1 && Math.abs(i1 - 3) <= 1 && Math.abs(i2 - 3) <= 1 ? 0 : 3));
  const r = percolationBarriers(grid, { maxBarrier: 2 });
  assert.deepEqual(r.barriers, [Infinity, Infinity, Infinity]);
  assert.deepEqual(r.criticalVoxels, [-1, -1, -1]);
  const at = percolationAtLevel(grid, 1);
  assert.equal(at.dimensionality, 0);
  assert.equal(at.mask.reduce((s, x) => s + x, 0), 0);
});

test('diagonal channel wrapping through a+b', () => {
  const grid = gridFrom([8, 8, 5], (i0, i1, i2) => (i0 === i1 && i2 === 2 ? (i0 === 4 ? 0.25 : 0) : 1));
  const r = percolationBarriers(grid, { stencil: 'index26' });
  close(r.barriers[0], 0.25);
  assert.ok(parallel(r.directions[0][0], [1, 1, 0]), `direction ${r.directions[0][0]}`);
  const mask = percolationAtLevel(grid, 0.25, { stencil: 'index26' }).mask;
  for (let i = 0; i < 8; i++) assert.equal(mask[(i * 8 + i) * 5 + 2], 1);
  assert.equal(mask[(1 * 8 + 2) * 5 + 2], 0);
});

test('skewed cell: the sqrt3 stencil drops the long (1,1,0) step that index26 keeps', () => {
  // γ = 30°: |g_a + g_b| ≈ 1.93 g exceeds √3 g, while (2,−1,0) (≈ 1.24 g) is short and added.
  const lattice = latticeMatrix(5, 5, 5, 90, 90, 30);
  const sqrt3 = buildStencil(lattice, [10, 10, 10], 'sqrt3');
  const has = (s: Stencil, d: number[]) => {
    for (let k = 0; k < s.count; k++) if (s.steps[3 * k] === d[0] && s.steps[3 * k + 1] === d[1] && s.steps[3 * k + 2] === d[2]) return true;
    return false;
  };
  assert.ok(!has(sqrt3, [1, 1, 0]));
  assert.ok(has(sqrt3, [2, -1, 0]));
  assert.ok(has(sqrt3, [1, -1, 0]));
  for (let k = 0; k < sqrt3.count; k++) assert.ok(has(sqrt3, [-sqrt3.steps[3 * k], -sqrt3.steps[3 * k + 1], -sqrt3.steps[3 * k + 2]]), 'symmetric');
  // A channel built only from (1,1,0) steps is connected for index26 but not for sqrt3.
  const grid = gridFrom([10, 10, 10], (i0, i1, i2) => (i0 === i1 && i2 === 5 ? 0 : 1), lattice);
  close(percolationBarriers(grid, { stencil: 'index26' }).barriers[0], 0);
  close(percolationBarriers(grid, { stencil: 'sqrt3' }).barriers[0], 1);
  // In an orthogonal cell both stencils are the 26-neighbourhood.
  assert.equal(buildStencil(latticeMatrix(4, 5, 6, 90, 90, 90), [20, 25, 30], 'sqrt3').count, 26);
});

test('triclinic cell: a channel along a percolates at its barrier with either stencil', () => {
  const lattice = latticeMatrix(6, 7, 8, 80, 70, 65);
  const grid = gridFrom([12, 14, 16], (i0, i1, i2) => (i1 === 7 && i2 === 8 ? (i0 === 6 ? 0.33 : 0) : 2), lattice);
  for (const stencil of ['sqrt3', 'index26'] as const) {
    const r = percolationBarriers(grid, { stencil });
    close(r.barriers[0], 0.33);
    assert.ok(parallel(r.directions[0][0], [1, 0, 0]));
  }
});

test('grids one point thick percolate along that axis at once', () => {
  const grid = gridFrom([1, 4, 4], (_i0, i1, i2) => i1 + i2);
  const r = percolationBarriers(grid);
  assert.equal(r.barriers[0], 0);
  assert.ok(parallel(r.directions[0][0], [1, 0, 0]));
});

// ---- brute-force reference ----------------------------------------------------------------------------------

/**
 * Dimensionality of {E − Emin ≤ level} by labelling components on a 3×3×3 periodic tiling with BFS: a component
 * in the tiling that contains some voxel x together with its image x + t (t a translation by whole cells inside the
 * 3×3×3 block) wraps around along t; the images t it reaches form a group of size 3^d.
 */
function bruteForceDimension(grid: EnergyGrid, level: number, stencil: Stencil): number {
  const [n0, n1, n2] = grid.shape;
  const m0 = 3 * n0, m1 = 3 * n1, m2 = 3 * n2;
  const label = new Int32Array(m0 * m1 * m2).fill(-1);
  const open = (j0: number, j1: number, j2: number) => grid.data[((j0 % n0) * n1 + (j1 % n1)) * n2 + (j2 % n2)] - grid.min <= level;
  let best = 0;
  let next = 0;
  for (let s0 = 0; s0 < n0; s0++)
    for (let s1 = 0; s1 < n1; s1++)
      for (let s2 = 0; s2 < n2; s2++) {
        const start = (s0 * m1 + s1) * m2 + s2;
        if (label[start] >= 0 || !open(s0, s1, s2)) continue;
        const id = next++;
        const queue = [start];
        label[start] = id;
        while (queue.length) {
          const b = queue.pop()!;
          const j2 = b % m2, j1 = Math.floor(b / m2) % m1, j0 = Math.floor(b / (m1 * m2));
          for (let k = 0; k < stencil.count; k++) {
            const k0 = (((j0 + stencil.steps[3 * k]) % m0) + m0) % m0;
            const k1 = (((j1 + stencil.steps[3 * k + 1]) % m1) + m1) % m1;
            const k2 = (((j2 + stencil.steps[3 * k + 2]) % m2) + m2) % m2;
            const nb = (k0 * m1 + k1) * m2 + k2;
            if (label[nb] < 0 && open(k0, k1, k2)) {
              label[nb] = id;
              queue.push(nb);
            }
          }
        }
        // Which of the 27 images of the start voxel did this component reach?
        let images = 0;
        for (let t0 = 0; t0 < 3; t0++)
          for (let t1 = 0; t1 < 3; t1++)
            for (let t2 = 0; t2 < 3; t2++) if (label[((s0 + t0 * n0) * m1 + (s1 + t1 * n1)) * m2 + (s2 + t2 * n2)] === id) images++;
        const d = Math.round(Math.log(images) / Math.log(3));
        best = Math.max(best, d);
      }
  return best;
}

const smallGrid = fc
  .record({
    shape: fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })),
    seed: fc.integer(),
    levels: fc.integer({ min: 2, max: 6 }),
  })
  .map(({ shape, seed, levels }) => {
    let x = seed | 0 || 1;
    // Few distinct values so that ties (plateaus) are common.
    return gridFrom(shape, () => {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      return (Math.abs(x) % levels) / levels;
    });
  });

test('property: Ea_1D ≤ Ea_2D ≤ Ea_3D, and the minimum’s own channel never percolates before Ea_1D', () => {
  fc.assert(
    fc.property(smallGrid, (grid) => {
      const r = percolationBarriers(grid);
      assert.ok(r.barriers[0] <= r.barriers[1] && r.barriers[1] <= r.barriers[2]);
      assert.ok(r.barriers[0] <= r.minimumComponentEa1D);
    }),
    { numRuns: 300 },
  );
});

test('property: barriers match a brute-force 3×3×3-tiling BFS at every distinct level', () => {
  fc.assert(
    fc.property(smallGrid, fc.constantFrom<'sqrt3' | 'index26'>('sqrt3', 'index26'), (grid, kind) => {
      const stencil = buildStencil(grid.lattice, grid.shape, kind);
      const r = percolationBarriers(grid, { stencil });
      const levels = [...new Set(Array.from(grid.data, (v) => v - grid.min))].sort((a, b) => a - b);
      for (const level of levels) {
        const expected = bruteForceDimension(grid, level, stencil);
        const fromSweep = r.barriers.filter((b) => b <= level).length;
        assert.equal(fromSweep, expected, `level ${level}: sweep says ${fromSweep}D, BFS says ${expected}D`);
        assert.equal(percolationAtLevel(grid, level, { stencil }).dimensionality, expected);
      }
    }),
    { numRuns: 200 },
  );
});

test('property: a planted channel along a random lattice direction percolates at its highest voxel, along that direction', () => {
  const direction = fc.tuple(fc.integer({ min: -1, max: 1 }), fc.integer({ min: -1, max: 1 }), fc.integer({ min: -1, max: 1 })).filter((t) => t.some((x) => x !== 0));
  fc.assert(
    fc.property(
      fc.integer({ min: 3, max: 6 }),
      direction,
      fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
      fc.array(fc.double({ min: 0, max: 0.5, noNaN: true }), { minLength: 6, maxLength: 6 }),
      fc.integer(),
      (n, t, p, channelValues, seed) => {
        let x = seed | 0 || 7;
        const channel = new Map<number, number>();
        for (let k = 0; k < n; k++) {
          const c = [0, 1, 2].map((i) => (((p[i] + k * t[i]) % n) + n) % n);
          channel.set((c[0] * n + c[1]) * n + c[2], Math.fround(channelValues[k]));
        }
        const grid = gridFrom([n, n, n], (i0, i1, i2) => {
          x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
          return channel.get((i0 * n + i1) * n + i2) ?? 1 + (Math.abs(x) % 1000) / 1000;
        });
        const r = percolationBarriers(grid, { stencil: 'index26' });
        const top = Math.max(...channel.values()) - Math.min(...channel.values());
        close(r.barriers[0], top, 1e-7);
        assert.ok(parallel(r.directions[0][0], t), `found ${r.directions[0][0]}, planted ${t}`);
      },
    ),
    { numRuns: 300 },
  );
});
