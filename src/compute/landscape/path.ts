/**
 * The migration path that realises Ea_1D: from the lowest point of the first channel to percolate to one of that
 * point's periodic images, through the channel.
 *
 * Construction: restrict the landscape to {E ≤ Emin + Ea_1D} (the level at which the channel first becomes infinite,
 * so such a path exists and none exists below — the path's highest point is exactly Ea_1D). Run Dijkstra on the
 * periodic grid from the start, step cost = Cartesian length × (1 + (E − Emin)/ENERGY_SCALE) so the path follows
 * valley floors rather than grazing the barrier level, remembering for each voxel the cell its best path arrives in.
 * An edge v→w whose two ends' paths arrive in cells that differ by more than the edge's own crossing closes a loop
 * with a net lattice translation; the cheapest such loop, dist(v) + cost(v, w) + dist(w), is the path (two shortest
 * paths joined by one edge: the standard construction of a shortest non-contractible loop through a point).
 * The start is the global minimum when the first channel contains it (the usual case); otherwise the channel's own
 * lowest point (the global minimum is then an isolated trap, and the report says so).
 */
import type { Mat3, Vec3 } from '../structure/types';
import type { EnergyGrid } from './grid';
import { gridSize, voxelCoords } from './grid';
import { MinHeap } from './heap';
import type { PercolationResult } from './percolation';
import { buildStencil, PeriodicNeighbours, type Stencil, type StencilKind } from './stencil';

export interface MigrationPath {
  /** Cartesian points (Å), unwrapped: the last point is the first plus `translation` · lattice. */
  points: Vec3[];
  /** Fractional coordinates of the same points (unwrapped, may lie outside [0, 1)). */
  frac: Vec3[];
  /** Energy at each point, eV above the global minimum. */
  energies: number[];
  /** Cumulative path length at each point (Å). */
  distances: number[];
  /** Highest energy along the path (eV above the global minimum) = Ea_1D on this grid. */
  barrier: number;
  /** Lattice translation (cells) from the first point to the last: the percolation direction. */
  translation: Vec3;
  /** Unit-cell voxel index where the path starts (and ends, one cell on). */
  startVoxel: number;
  /** True when the start is the global minimum of the grid. */
  startsAtGlobalMinimum: boolean;
}

/** Energy (eV) over which the step cost doubles; small enough to prefer valleys, large enough not to detour. */
const ENERGY_SCALE = 0.1;

export interface PathOptions {
  stencil?: StencilKind | Stencil;
}

export function percolationPath(grid: EnergyGrid, percolation: PercolationResult, options: PathOptions = {}): MigrationPath | null {
  const critical = percolation.criticalVoxels[0];
  if (critical < 0 || !Number.isFinite(percolation.barriers[0])) return null;
  const data = grid.data;
  const emin = percolation.globalMinimum.energy;
  const ceiling = data[critical];
  const stencil = typeof options.stencil === 'object' ? options.stencil : buildStencil(grid.lattice, grid.shape, options.stencil ?? percolation.stencil);
  const start = channelMinimum(grid, critical, ceiling, stencil);
  return shortestLoop(grid, start, ceiling, emin, stencil, start === percolation.globalMinimum.index);
}

/** Lowest voxel of the periodic component of {E ≤ ceiling} that contains `seed` (breadth-first on the torus). */
function channelMinimum(grid: EnergyGrid, seed: number, ceiling: number, stencil: Stencil): number {
  const data = grid.data;
  const seen = new Uint8Array(gridSize(grid));
  const queue = new Int32Array(gridSize(grid));
  const neighbours = new PeriodicNeighbours(grid.shape);
  let head = 0;
  let tail = 0;
  queue[tail++] = seed;
  seen[seed] = 1;
  let best = seed;
  while (head < tail) {
    const v = queue[head++];
    if (data[v] < data[best]) best = v;
    neighbours.centre(v);
    for (let s = 0; s < stencil.count; s++) {
      neighbours.step(stencil, s);
      const w = neighbours.index;
      if (seen[w] || data[w] > ceiling) continue;
      seen[w] = 1;
      queue[tail++] = w;
    }
  }
  return best;
}

/** Shortest loop with a non-zero lattice translation through `start`, within {E ≤ ceiling}. */
function shortestLoop(grid: EnergyGrid, start: number, ceiling: number, emin: number, stencil: Stencil, startsAtGlobalMinimum: boolean): MigrationPath | null {
  const n = gridSize(grid);
  const data = grid.data;
  const neighbours = new PeriodicNeighbours(grid.shape);
  const dist = new Float64Array(n).fill(Infinity);
  const previous = new Int32Array(n).fill(-1);
  /** Cell in which the best path to each voxel arrives. */
  const cell = new Int32Array(3 * n);
  const done = new Uint8Array(n);
  const weight = (v: number) => 1 + Math.max(0, data[v] - emin) / ENERGY_SCALE;
  const heap = new MinHeap(1024);
  dist[start] = 0;
  heap.push(0, start);
  const settled: number[] = [];
  while (heap.size > 0) {
    const v = heap.pop();
    if (done[v]) continue;
    done[v] = 1;
    settled.push(v);
    const d = heap.lastKey;
    neighbours.centre(v);
    const wv = weight(v);
    for (let s = 0; s < stencil.count; s++) {
      neighbours.step(stencil, s);
      const w = neighbours.index;
      if (done[w] || data[w] > ceiling) continue;
      const nd = d + stencil.lengths[s] * 0.5 * (wv + weight(w));
      if (nd < dist[w]) {
        dist[w] = nd;
        previous[w] = v;
        cell[3 * w] = cell[3 * v] + neighbours.t0;
        cell[3 * w + 1] = cell[3 * v + 1] + neighbours.t1;
        cell[3 * w + 2] = cell[3 * v + 2] + neighbours.t2;
        heap.push(nd, w);
      }
    }
  }
  // The cheapest edge whose ends' paths arrive in cells that disagree with the edge closes the shortest loop.
  let best = Infinity;
  let bestV = -1;
  let bestW = -1;
  let shift: Vec3 = [0, 0, 0];
  for (const v of settled) {
    neighbours.centre(v);
    const wv = weight(v);
    for (let s = 0; s < stencil.count; s++) {
      neighbours.step(stencil, s);
      const w = neighbours.index;
      if (!done[w]) continue;
      const s0 = cell[3 * v] + neighbours.t0 - cell[3 * w];
      const s1 = cell[3 * v + 1] + neighbours.t1 - cell[3 * w + 1];
      const s2 = cell[3 * v + 2] + neighbours.t2 - cell[3 * w + 2];
      if (s0 === 0 && s1 === 0 && s2 === 0) continue;
      const total = dist[v] + stencil.lengths[s] * 0.5 * (wv + weight(w)) + dist[w];
      if (total < best) {
        best = total;
        bestV = v;
        bestW = w;
        shift = [s0, s1, s2];
      }
    }
  }
  if (bestV < 0) return null;

  // start → … → v (cells as reached), then w → … → start walked backwards, all shifted by `shift`.
  const chain: { voxel: number; cell: Vec3 }[] = [];
  for (let x = bestV; x !== -1; x = previous[x]) chain.push({ voxel: x, cell: [cell[3 * x], cell[3 * x + 1], cell[3 * x + 2]] });
  chain.reverse();
  for (let x = bestW; x !== -1; x = previous[x]) {
    chain.push({ voxel: x, cell: [cell[3 * x] + shift[0], cell[3 * x + 1] + shift[1], cell[3 * x + 2] + shift[2]] });
  }
  return describePath(grid, chain, emin, start, startsAtGlobalMinimum);
}

function describePath(grid: EnergyGrid, chain: { voxel: number; cell: Vec3 }[], emin: number, start: number, startsAtGlobalMinimum: boolean): MigrationPath {
  const lattice: Mat3 = grid.lattice;
  const points: Vec3[] = [];
  const frac: Vec3[] = [];
  const energies: number[] = [];
  const distances: number[] = [];
  for (const { voxel, cell } of chain) {
    const [i0, i1, i2] = voxelCoords(grid.shape, voxel);
    const f: Vec3 = [i0 / grid.shape[0] + cell[0], i1 / grid.shape[1] + cell[1], i2 / grid.shape[2] + cell[2]];
    const p = [0, 1, 2].map((k) => f[0] * lattice[0][k] + f[1] * lattice[1][k] + f[2] * lattice[2][k]) as Vec3;
    const prev = points[points.length - 1];
    distances.push(prev ? distances[distances.length - 1] + Math.hypot(p[0] - prev[0], p[1] - prev[1], p[2] - prev[2]) : 0);
    points.push(p);
    frac.push(f);
    energies.push(grid.data[voxel] - emin);
  }
  return {
    points,
    frac,
    energies,
    distances,
    barrier: Math.max(...energies),
    translation: chain[chain.length - 1].cell,
    startVoxel: start,
    startsAtGlobalMinimum,
  };
}
