import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  buildStencil,
  computeLevelMap,
  freeVolumes,
  landscapeDescriptors,
  percolationBarriers,
  periodicFlood,
  periodicFreeVolumes,
  xiScore,
} from '../../src/compute/landscape';
import type { EnergyGrid } from '../../src/compute/landscape/grid';
import { gridFrom } from './landscape-fixtures';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

function randomGrid(shape: [number, number, number], seed: number, levels: number): EnergyGrid {
  let x = seed | 0 || 1;
  return gridFrom(shape, () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (Math.abs(x) % levels) / levels;
  });
}

const smallGrid = fc
  .record({
    shape: fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })),
    seed: fc.integer(),
    levels: fc.integer({ min: 2, max: 8 }),
  })
  .map(({ shape, seed, levels }) => randomGrid(shape, seed, levels));

/** Brute-force MPE: the lowest level at which a BFS from the source inside the block reaches the block boundary. */
function bruteForceMpe(grid: EnergyGrid, source: number): number {
  const [n0, n1, n2] = grid.shape;
  const m = [2 * n0 + 1, 2 * n1 + 1, 2 * n2 + 1];
  const s = [Math.floor(source / (n1 * n2)), Math.floor(source / n2) % n1, source % n2];
  const value = (j: number[]) => {
    const c = [0, 1, 2].map((i) => (((s[i] - grid.shape[i] + j[i]) % grid.shape[i]) + grid.shape[i]) % grid.shape[i]);
    return grid.data[(c[0] * n1 + c[1]) * n2 + c[2]] - grid.data[source];
  };
  const stencil = buildStencil(grid.lattice, grid.shape, 'sqrt3');
  const candidates = [...new Set(Array.from(grid.data, (v) => v - grid.data[source]))].filter((v) => v >= 0).sort((a, b) => a - b);
  for (const level of candidates) {
    const seen = new Set<string>();
    const queue = [[n0, n1, n2]];
    seen.add(queue[0].join());
    while (queue.length) {
      const j = queue.pop()!;
      if (j.some((x, i) => x === 0 || x === m[i] - 1)) return level;
      for (let k = 0; k < stencil.count; k++) {
        const nb = [j[0] + stencil.steps[3 * k], j[1] + stencil.steps[3 * k + 1], j[2] + stencil.steps[3 * k + 2]];
        if (nb.some((x, i) => x < 0 || x >= m[i]) || seen.has(nb.join()) || value(nb) > level) continue;
        seen.add(nb.join());
        queue.push(nb);
      }
    }
  }
  return Infinity;
}

test('property: level map satisfies the minimax (Bellman) condition everywhere', () => {
  fc.assert(
    fc.property(smallGrid, (grid) => {
      const map = computeLevelMap(grid);
      const stencil = buildStencil(grid.lattice, grid.shape, 'sqrt3');
      const [m0, m1, m2] = map.shape;
      const [n0, n1, n2] = grid.shape;
      const s = [Math.floor(map.source / (n1 * n2)), Math.floor(map.source / n2) % n1, map.source % n2];
      const centre = (n0 * m1 + n1) * m2 + n2;
      assert.equal(map.levels[centre], 0);
      for (let j0 = 0; j0 < m0; j0++)
        for (let j1 = 0; j1 < m1; j1++)
          for (let j2 = 0; j2 < m2; j2++) {
            const b = (j0 * m1 + j1) * m2 + j2;
            if (b === centre) continue;
            const c = [j0, j1, j2].map((j, i) => (((s[i] - grid.shape[i] + j) % grid.shape[i]) + grid.shape[i]) % grid.shape[i]);
            const e = grid.data[(c[0] * n1 + c[1]) * n2 + c[2]] - map.sourceEnergy;
            let best = Infinity;
            for (let k = 0; k < stencil.count; k++) {
              const k0 = j0 + stencil.steps[3 * k], k1 = j1 + stencil.steps[3 * k + 1], k2 = j2 + stencil.steps[3 * k + 2];
              if (k0 < 0 || k0 >= m0 || k1 < 0 || k1 >= m1 || k2 < 0 || k2 >= m2) continue;
              best = Math.min(best, map.levels[(k0 * m1 + k1) * m2 + k2]);
            }
            close(map.levels[b], Math.fround(Math.max(e, best)), 1e-6);
          }
    }),
    { numRuns: 150 },
  );
});

test('property: MPE matches a brute-force BFS, and is bounded by the minimum’s own percolation level', () => {
  fc.assert(
    fc.property(smallGrid, (grid) => {
      const map = computeLevelMap(grid);
      close(map.mpe, bruteForceMpe(grid, map.source), 1e-6);
      const perc = percolationBarriers(grid);
      assert.ok(map.mpe <= perc.minimumComponentEa1D + 1e-6, `MPE ${map.mpe} > ${perc.minimumComponentEa1D}`);
    }),
    { numRuns: 200 },
  );
});

test('property: MPE equals Ea_1D when the first channel contains the global minimum (planted channel)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 3, max: 6 }),
      fc.tuple(fc.integer({ min: -1, max: 1 }), fc.integer({ min: -1, max: 1 }), fc.integer({ min: -1, max: 1 })).filter((t) => t.some((x) => x !== 0)),
      fc.array(fc.double({ min: 0, max: 0.5, noNaN: true }), { minLength: 6, maxLength: 6 }),
      fc.integer(),
      (n, t, values, seed) => {
        let x = seed | 0 || 3;
        const channel = new Map<number, number>();
        for (let k = 0; k < n; k++) {
          const c = [0, 1, 2].map((i) => (((1 + k * t[i]) % n) + n) % n);
          channel.set((c[0] * n + c[1]) * n + c[2], values[k]);
        }
        const grid = gridFrom([n, n, n], (i0, i1, i2) => {
          x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
          return channel.get((i0 * n + i1) * n + i2) ?? 1 + (Math.abs(x) % 1000) / 1000;
        });
        const ea1 = percolationBarriers(grid, { stencil: 'index26' }).barriers[0];
        const map = computeLevelMap(grid, { stencil: 'index26' });
        close(map.mpe, ea1, 1e-6);
      },
    ),
    { numRuns: 200 },
  );
});

test('MPE can exceed Ea_1D when the global minimum is a trap away from the channel', () => {
  // A deep isolated pocket (−1) and a separate channel along a at 0 with a 0.3 barrier.
  const grid = gridFrom([8, 8, 8], (i0, i1, i2) => {
    if (i0 === 4 && i1 === 6 && i2 === 6) return -1;
    if (i1 === 2 && i2 === 2) return i0 === 5 ? 0.3 : 0;
    return 2;
  });
  const perc = percolationBarriers(grid);
  close(perc.barriers[0], 1.3); // relative to the global minimum (−1)
  close(perc.minimumComponentEa1D, 3);
  close(computeLevelMap(grid).mpe, 3);
});

test('early stop keeps every level below the stop level exact', () => {
  const grid = randomGrid([6, 5, 4], 12345, 50);
  const full = computeLevelMap(grid);
  const partial = computeLevelMap(grid, { stopLevel: 0.3 });
  assert.equal(partial.mpe, full.mpe);
  for (let b = 0; b < full.levels.length; b++) {
    if (full.levels[b] <= 0.3) assert.equal(partial.levels[b], full.levels[b]);
    else assert.ok(partial.levels[b] > 0.3);
  }
});

test('free volumes: 3D-open landscape has FV_c = FV_d = 1 and Xi ≈ 1', () => {
  const grid = gridFrom([6, 6, 6], (i0, i1, i2) => 0.01 * ((i0 + i1 + i2) % 3));
  const d = landscapeDescriptors(grid);
  close(d.freeVolume.disconnected, 1);
  close(d.freeVolume.connected, 1);
  assert.ok(d.xi > 0.999 && d.xi <= 1);
});

test('free volumes: an isolated pocket gives FV_c = FV_d / 8, a 1D channel FV_c = FV_d / 4', () => {
  const pocket = gridFrom([8, 8, 8], (i0, i1, i2) => (Math.abs(i0 - 4) <= 1 && Math.abs(i1 - 4) <= 1 && Math.abs(i2 - 4) <= 1 ? 0 : 3));
  const p = landscapeDescriptors(pocket).freeVolume;
  close(p.disconnected, 27 / 512);
  close(p.connected, p.disconnected / 8);
  const channel = gridFrom([8, 8, 8], (_i0, i1, i2) => (i1 === 2 && i2 === 2 ? 0.1 : 3));
  const c = landscapeDescriptors(channel).freeVolume;
  close(c.disconnected, 8 / 512);
  close(c.connected, c.disconnected / 4);
});

test('free volumes are averaged over the smeared thresholds', () => {
  // Values 0, 0.47, 0.49, 0.51, 0.53 (one point each): thresholds 0.46, 0.48, …, 0.54 see 1, 2, 3, 4, 5 of the 5.
  const values = [0, 0.47, 0.49, 0.51, 0.53];
  const grid = gridFrom([5, 1, 1], (i0) => values[i0]);
  const map = computeLevelMap(grid);
  const fv = freeVolumes(grid, map, 0.5);
  close(fv.disconnected, (1 + 2 + 3 + 4 + 5) / 5 / 5, 1e-6);
});

test('property: 0 ≤ FV_c ≤ FV_d ≤ 1 and Xi ∈ [0, 1]', () => {
  fc.assert(
    fc.property(smallGrid, fc.double({ min: 0, max: 1.5, noNaN: true }), (grid, threshold) => {
      const d = landscapeDescriptors(grid, { threshold });
      const { connected, disconnected } = d.freeVolume;
      assert.ok(connected >= 0 && connected <= disconnected + 1e-12 && disconnected <= 1, `${connected} ${disconnected}`);
      assert.ok(d.xi >= 0 && d.xi <= 1);
    }),
    { numRuns: 200 },
  );
  assert.equal(xiScore(0, 0.5), 0);
  assert.equal(xiScore(0.5, 0), 0);
  close(xiScore(0.01, 10 ** -1.15), 0.25); // both sigmoids at their midpoint
});

test('property: FV_c from the settled points equals folding the full level map onto the 2×2×2 supercell', () => {
  fc.assert(
    fc.property(smallGrid, fc.double({ min: 0.05, max: 1.2, noNaN: true }), (grid, threshold) => {
      const full = computeLevelMap(grid);
      const [m0, m1, m2] = full.shape;
      const [n0, n1, n2] = grid.shape;
      const folded = new Float64Array(8 * n0 * n1 * n2).fill(Infinity);
      for (let j0 = 0; j0 < m0; j0++)
        for (let j1 = 0; j1 < m1; j1++)
          for (let j2 = 0; j2 < m2; j2++) {
            const f = ((j0 % (2 * n0)) * 2 * n1 + (j1 % (2 * n1))) * 2 * n2 + (j2 % (2 * n2));
            folded[f] = Math.min(folded[f], full.levels[(j0 * m1 + j1) * m2 + j2]);
          }
      const expected = [-0.04, -0.02, 0, 0.02, 0.04].reduce((s, d) => s + folded.filter((l) => l < threshold + d).length / folded.length, 0) / 5;
      close(freeVolumes(grid, full, threshold).connected, expected, 1e-12);
      const partial = computeLevelMap(grid, { stopLevel: threshold + 0.04, findMpe: false });
      close(freeVolumes(grid, partial, threshold).connected, expected, 1e-12);
    }),
    { numRuns: 200 },
  );
});

test('property: periodic FV_c (2×2×2 supercell connectivity) is at least the block count, equal on planted channels', () => {
  fc.assert(
    fc.property(smallGrid, fc.double({ min: 0.05, max: 1.2, noNaN: true }), (grid, threshold) => {
      const block = freeVolumes(grid, computeLevelMap(grid), threshold);
      const periodic = periodicFreeVolumes(grid, periodicFlood(grid), threshold);
      close(periodic.disconnected, block.disconnected, 1e-12);
      assert.ok(periodic.connected >= block.connected - 1e-12, `periodic ${periodic.connected} < block ${block.connected}`);
    }),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 3, max: 6 }),
      fc.tuple(fc.integer({ min: -1, max: 1 }), fc.integer({ min: -1, max: 1 }), fc.integer({ min: -1, max: 1 })).filter((t) => t.some((x) => x !== 0)),
      fc.double({ min: 0.1, max: 0.9, noNaN: true }),
      (n, t, threshold) => {
        const channel = new Set<number>();
        for (let k = 0; k < n; k++) {
          const c = [0, 1, 2].map((i) => (((1 + k * t[i]) % n) + n) % n);
          channel.add((c[0] * n + c[1]) * n + c[2]);
        }
        const grid = gridFrom([n, n, n], (i0, i1, i2) => (channel.has((i0 * n + i1) * n + i2) ? 0.05 * ((i0 + i1 + i2) % 3) : 2));
        const block = freeVolumes(grid, computeLevelMap(grid, { stencil: 'index26' }), threshold);
        const periodic = periodicFreeVolumes(grid, periodicFlood(grid, { stencil: 'index26' }), threshold, undefined, 'index26');
        close(periodic.connected, block.connected, 1e-12);
      },
    ),
    { numRuns: 150 },
  );
});

test('periodic flood run to the end is the unit-cell minimax level map (min over images of the block map)', () => {
  const grid = randomGrid([5, 4, 6], 777, 40);
  const cell = periodicFlood(grid).levels;
  const block = computeLevelMap(grid);
  const [n0, n1, n2] = grid.shape;
  const [m0, m1, m2] = block.shape;
  const s = [Math.floor(block.source / (n1 * n2)), Math.floor(block.source / n2) % n1, block.source % n2];
  const folded = new Float64Array(n0 * n1 * n2).fill(Infinity);
  for (let j0 = 0; j0 < m0; j0++)
    for (let j1 = 0; j1 < m1; j1++)
      for (let j2 = 0; j2 < m2; j2++) {
        const c = [j0, j1, j2].map((j, i) => (((s[i] - grid.shape[i] + j) % grid.shape[i]) + grid.shape[i]) % grid.shape[i]);
        const v = (c[0] * n1 + c[1]) * n2 + c[2];
        folded[v] = Math.min(folded[v], block.levels[(j0 * m1 + j1) * m2 + j2]);
      }
  for (let v = 0; v < cell.length; v++) assert.ok(cell[v] <= folded[v] + 1e-7, `voxel ${v}: ${cell[v]} > ${folded[v]}`);
});
