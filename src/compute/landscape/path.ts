/**
 * The migration path that realises Ea_1D: from the lowest point of the first channel to percolate to that point's
 * nearest periodic image through the channel.
 *
 * Construction: restrict the landscape to {E ≤ Emin + Ea_1D} (the level at which the channel first becomes infinite,
 * so a path exists and none exists below — the path's highest point is exactly Ea_1D). Within that region run
 * Dijkstra on the unrolled lattice, states = (voxel, cell translation), with step cost = Cartesian length ×
 * (1 + (E − Emin)/ENERGY_SCALE) so the path follows valley floors rather than grazing the barrier level, and stop at
 * the first image of the start in another cell. The start is the global minimum when the first channel contains it
 * (the usual case); otherwise the channel's own lowest point (the global minimum is then an isolated trap, and the
 * report says so).
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
/** Cell translations explored per axis (±); paths needing more are not followed. */
const MAX_CELLS = 8;

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
  const [, n1, n2] = grid.shape;
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
    const i2 = v % n2;
    const i1 = (((v - i2) / n2) | 0) % n1;
    const i0 = ((v - i2 - i1 * n2) / (n1 * n2)) | 0;
    for (let s = 0; s < stencil.count; s++) {
      neighbours.at(i0, i1, i2, stencil.steps[3 * s], stencil.steps[3 * s + 1], stencil.steps[3 * s + 2]);
      const w = neighbours.index;
      if (seen[w] || data[w] > ceiling) continue;
      seen[w] = 1;
      queue[tail++] = w;
    }
  }
  return best;
}

function shortestLoop(grid: EnergyGrid, start: number, ceiling: number, emin: number, stencil: Stencil, startsAtGlobalMinimum: boolean): MigrationPath | null {
  const n = gridSize(grid);
  const data = grid.data;
  const [, n1, n2] = grid.shape;
  const span = 2 * MAX_CELLS + 1;
  const centreCode = (MAX_CELLS * span + MAX_CELLS) * span + MAX_CELLS;
  // State id = voxel + n · cellCode; ids stay below 2^53 for any grid under the size cap.
  const cellCode = (t0: number, t1: number, t2: number) => ((t0 + MAX_CELLS) * span + (t1 + MAX_CELLS)) * span + (t2 + MAX_CELLS);
  const distance = new Map<number, number>();
  const previous = new Map<number, number>();
  const done = new Set<number>();
  // Heap items are indices into these growable arrays (state ids exceed Int32).
  const stateIds: number[] = [];
  const heap = new MinHeap(1024);
  const neighbours = new PeriodicNeighbours(grid.shape);
  const weight = (v: number) => 1 + Math.max(0, data[v] - emin) / ENERGY_SCALE;

  const startId = start + n * centreCode;
  distance.set(startId, 0);
  stateIds.push(startId);
  heap.push(0, 0);
  let goal = -1;
  while (heap.size > 0) {
    const id = stateIds[heap.pop()];
    const d = heap.lastKey;
    if (done.has(id) || d > (distance.get(id) ?? Infinity)) continue;
    done.add(id);
    const v = id % n;
    const code = Math.round((id - v) / n);
    if (v === start && code !== centreCode) {
      goal = id;
      break;
    }
    const c2 = code % span;
    const c1 = (((code - c2) / span) | 0) % span;
    const c0 = ((code - c2 - c1 * span) / (span * span)) | 0;
    const i2 = v % n2;
    const i1 = (((v - i2) / n2) | 0) % n1;
    const i0 = ((v - i2 - i1 * n2) / (n1 * n2)) | 0;
    for (let s = 0; s < stencil.count; s++) {
      neighbours.at(i0, i1, i2, stencil.steps[3 * s], stencil.steps[3 * s + 1], stencil.steps[3 * s + 2]);
      const w = neighbours.index;
      if (data[w] > ceiling) continue;
      const t0 = c0 - MAX_CELLS + neighbours.t0;
      const t1 = c1 - MAX_CELLS + neighbours.t1;
      const t2 = c2 - MAX_CELLS + neighbours.t2;
      if (Math.abs(t0) > MAX_CELLS || Math.abs(t1) > MAX_CELLS || Math.abs(t2) > MAX_CELLS) continue;
      const wid = w + n * cellCode(t0, t1, t2);
      if (done.has(wid)) continue;
      const nd = d + stencil.lengths[s] * 0.5 * (weight(v) + weight(w));
      if (nd < (distance.get(wid) ?? Infinity)) {
        distance.set(wid, nd);
        previous.set(wid, id);
        stateIds.push(wid);
        heap.push(nd, stateIds.length - 1);
      }
    }
  }
  if (goal < 0) return null;

  const chain: number[] = [];
  for (let id: number | undefined = goal; id !== undefined; id = previous.get(id)) chain.push(id);
  chain.reverse();
  return describePath(grid, chain, n, span, emin, start, startsAtGlobalMinimum);
}

function describePath(grid: EnergyGrid, chain: number[], n: number, span: number, emin: number, start: number, startsAtGlobalMinimum: boolean): MigrationPath {
  const lattice: Mat3 = grid.lattice;
  const points: Vec3[] = [];
  const frac: Vec3[] = [];
  const energies: number[] = [];
  const distances: number[] = [];
  let translation: Vec3 = [0, 0, 0];
  for (const id of chain) {
    const v = id % n;
    const code = Math.round((id - v) / n);
    const c2 = code % span;
    const c1 = (((code - c2) / span) | 0) % span;
    const c0 = ((code - c2 - c1 * span) / (span * span)) | 0;
    const t: Vec3 = [c0 - MAX_CELLS, c1 - MAX_CELLS, c2 - MAX_CELLS];
    const [i0, i1, i2] = voxelCoords(grid.shape, v);
    const f: Vec3 = [i0 / grid.shape[0] + t[0], i1 / grid.shape[1] + t[1], i2 / grid.shape[2] + t[2]];
    const p: Vec3 = [0, 1, 2].map((k) => f[0] * lattice[0][k] + f[1] * lattice[1][k] + f[2] * lattice[2][k]) as Vec3;
    const prev = points[points.length - 1];
    distances.push(prev ? distances[distances.length - 1] + Math.hypot(p[0] - prev[0], p[1] - prev[1], p[2] - prev[2]) : 0);
    points.push(p);
    frac.push(f);
    energies.push(grid.data[v] - emin);
    translation = t;
  }
  return {
    points,
    frac,
    energies,
    distances,
    barrier: Math.max(...energies),
    translation,
    startVoxel: start,
    startsAtGlobalMinimum,
  };
}
