/**
 * Exact percolation barriers of a periodic energy grid (SCIENCE.md §3).
 *
 * Voxels are added in ascending energy and joined to already-added neighbours with a union-find that also carries,
 * for every voxel, the lattice translation (in cells) of its image relative to its component's root. Joining two
 * voxels that already share a root closes a loop; the loop's net translation is a lattice vector along which the
 * component repeats. A component whose loop vectors span d independent directions is infinite in d dimensions, and
 * the energy at which any component first reaches rank d is Ea_dD. One pass, no bisection: the barriers are exact
 * voxel energies (BVlain/CCNB bisect to ~0.01 eV, so their values sit up to one bracket above these).
 */
import type { Vec3 } from '../structure/types';
import type { EnergyGrid } from './grid';
import { gridSize } from './grid';
import { argsortFloat32 } from './sort';
import { buildStencil, PeriodicNeighbours, type Stencil, type StencilKind } from './stencil';
import { runSync, type Work, type WorkHooks } from '../util/work';

export interface PercolationOptions {
  /** Neighbour stencil (see stencil.ts); default 'sqrt3'. A prebuilt Stencil is used as given. */
  stencil?: StencilKind | Stencil;
  /** Stop once this far above the minimum (eV); barriers above stay Infinity (BVlain's `encut`). Default Infinity. */
  maxBarrier?: number;
}

export interface PercolationResult {
  /** [Ea_1D, Ea_2D, Ea_3D] in eV above the global minimum of the grid; Infinity where never reached. */
  barriers: [number, number, number];
  /** Voxel whose addition first gave a rank-d component (−1 where never). */
  criticalVoxels: [number, number, number];
  /** The d independent lattice translations (in cells) of that component when rank d was reached. */
  directions: [Vec3[], Vec3[], Vec3[]];
  /**
   * Level (eV above the minimum) at which the component holding the global minimum itself becomes infinite.
   * Equal to Ea_1D unless the global minimum is a trap outside the first percolating channel; it is what a minimax
   * flood from the minimum (levelmap.ts) measures.
   */
  minimumComponentEa1D: number;
  globalMinimum: { index: number; energy: number };
  stencil: StencilKind;
}

export interface LevelPercolation {
  /** Highest rank (0…3) of any component of {E − Emin ≤ level}. */
  dimensionality: number;
  /** Per voxel: rank (1…3) of its component if that component percolates, else 0 (also 0 above the level). */
  mask: Uint8Array;
  level: number;
}

/**
 * Union-find over voxels with image offsets and a lattice basis of loop vectors per component.
 * parent[v] = −1 marks a voxel not added yet.
 */
class OffsetUnionFind {
  readonly parent: Int32Array;
  /** Translation (cells) of v's image relative to parent[v]'s, three ints per voxel. */
  readonly offset: Int32Array;
  private readonly treeRank: Uint8Array;
  /** Basis slot of a root (−1 while its component has no loop); slots hold [rank, 3 vectors]. */
  private readonly slotOf: Int32Array;
  private basis = new Int32Array(10 * 64);
  private slots = 0;
  private readonly path: Int32Array;
  // Results of find(), kept in fields to avoid allocating.
  root = 0;
  ox = 0;
  oy = 0;
  oz = 0;

  constructor(n: number) {
    this.parent = new Int32Array(n).fill(-1);
    this.offset = new Int32Array(3 * n);
    this.treeRank = new Uint8Array(n);
    this.slotOf = new Int32Array(n).fill(-1);
    this.path = new Int32Array(Math.max(64, Math.ceil(Math.log2(n + 2)) * 4));
  }

  add(v: number): void {
    this.parent[v] = v;
  }

  has(v: number): boolean {
    return this.parent[v] !== -1;
  }

  /** Root of v and v's offset from it (fields root, ox, oy, oz); compresses the path. */
  find(v: number): void {
    const parent = this.parent;
    const off = this.offset;
    let r = v;
    let x = 0;
    let y = 0;
    let z = 0;
    let len = 0;
    while (parent[r] !== r) {
      x += off[3 * r];
      y += off[3 * r + 1];
      z += off[3 * r + 2];
      if (len < this.path.length) this.path[len++] = r;
      r = parent[r];
    }
    // Point every recorded node straight at the root with its accumulated offset.
    let cx = x;
    let cy = y;
    let cz = z;
    for (let k = 0; k < len; k++) {
      const node = this.path[k];
      const nx = off[3 * node];
      const ny = off[3 * node + 1];
      const nz = off[3 * node + 2];
      parent[node] = r;
      off[3 * node] = cx;
      off[3 * node + 1] = cy;
      off[3 * node + 2] = cz;
      cx -= nx;
      cy -= ny;
      cz -= nz;
    }
    this.root = r;
    this.ox = x;
    this.oy = y;
    this.oz = z;
  }

  /**
   * Record that v's image in cell 0 touches w's image in cell (t0, t1, t2). Returns the rank of the resulting
   * component's loop lattice.
   */
  connect(v: number, w: number, t0: number, t1: number, t2: number): number {
    this.find(v);
    const rv = this.root;
    const vx = this.ox, vy = this.oy, vz = this.oz;
    this.find(w);
    const rw = this.root;
    // Where w's root sits in v's root frame (or, for one component, the net translation around the loop).
    const dx = vx + t0 - this.ox;
    const dy = vy + t1 - this.oy;
    const dz = vz + t2 - this.oz;
    if (rv === rw) return this.addLoop(rv, dx, dy, dz);
    let keep = rv;
    let absorb = rw;
    let sign = 1;
    if (this.treeRank[rv] < this.treeRank[rw]) {
      keep = rw;
      absorb = rv;
      sign = -1;
    } else if (this.treeRank[rv] === this.treeRank[rw]) {
      this.treeRank[rv]++;
    }
    this.parent[absorb] = keep;
    this.offset[3 * absorb] = sign * dx;
    this.offset[3 * absorb + 1] = sign * dy;
    this.offset[3 * absorb + 2] = sign * dz;
    return this.mergeBasis(absorb, keep);
  }

  rankOf(root: number): number {
    const s = this.slotOf[root];
    return s < 0 ? 0 : this.basis[10 * s];
  }

  basisOf(root: number): Vec3[] {
    const s = this.slotOf[root];
    if (s < 0) return [];
    const b = this.basis;
    const out: Vec3[] = [];
    for (let k = 0; k < b[10 * s]; k++) out.push([b[10 * s + 1 + 3 * k], b[10 * s + 2 + 3 * k], b[10 * s + 3 + 3 * k]]);
    return out;
  }

  private mergeBasis(from: number, into: number): number {
    const s = this.slotOf[from];
    if (s < 0) return this.rankOf(into);
    const b = this.basis;
    let rank = this.rankOf(into);
    for (let k = 0; k < b[10 * s] && rank < 3; k++) {
      rank = this.addLoop(into, b[10 * s + 1 + 3 * k], b[10 * s + 2 + 3 * k], b[10 * s + 3 + 3 * k]);
    }
    return rank;
  }

  /** Add a loop vector to a root's basis if it is independent of the ones there; returns the rank. */
  private addLoop(root: number, x: number, y: number, z: number): number {
    if (x === 0 && y === 0 && z === 0) return this.rankOf(root);
    let s = this.slotOf[root];
    if (s < 0) {
      s = this.slots++;
      if (10 * this.slots > this.basis.length) {
        const grown = new Int32Array(this.basis.length * 2);
        grown.set(this.basis);
        this.basis = grown;
      }
      this.slotOf[root] = s;
      this.basis[10 * s] = 0;
    }
    const b = this.basis;
    const base = 10 * s;
    const rank = b[base];
    if (rank === 3) return 3;
    let independent: boolean;
    if (rank === 0) {
      independent = true;
    } else if (rank === 1) {
      const ax = b[base + 1], ay = b[base + 2], az = b[base + 3];
      independent = ay * z - az * y !== 0 || az * x - ax * z !== 0 || ax * y - ay * x !== 0;
    } else {
      const ax = b[base + 1], ay = b[base + 2], az = b[base + 3];
      const bx = b[base + 4], by = b[base + 5], bz = b[base + 6];
      const det = x * (ay * bz - az * by) - y * (ax * bz - az * bx) + z * (ax * by - ay * bx);
      independent = det !== 0;
    }
    if (!independent) return rank;
    b[base + 1 + 3 * rank] = x;
    b[base + 2 + 3 * rank] = y;
    b[base + 3 + 3 * rank] = z;
    b[base] = rank + 1;
    return rank + 1;
  }
}

function resolveStencil(grid: EnergyGrid, stencil: StencilKind | Stencil | undefined): Stencil {
  return typeof stencil === 'object' ? stencil : buildStencil(grid.lattice, grid.shape, stencil ?? 'sqrt3');
}

/**
 * The ascending-energy sweep. A class with a plain `advance` method rather than a loop inside the generator: V8
 * keeps generator locals in a heap context, which slows the hot loop.
 */
class PercolationSweep {
  readonly barriers: [number, number, number] = [Infinity, Infinity, Infinity];
  readonly criticalVoxels: [number, number, number] = [-1, -1, -1];
  readonly directions: [Vec3[], Vec3[], Vec3[]] = [[], [], []];
  minimumComponentEa1D = Infinity;
  /** Voxels processed so far (in ascending order of energy). */
  processed = 0;
  done = false;
  readonly order: Uint32Array;
  readonly globalMin: number;
  readonly emin: number;
  private bestRank = 0;
  private readonly uf: OffsetUnionFind;
  private readonly neighbours: PeriodicNeighbours;

  constructor(
    private readonly grid: EnergyGrid,
    private readonly stencil: Stencil,
    private readonly maxBarrier: number,
  ) {
    this.order = argsortFloat32(grid.data);
    this.globalMin = this.order[0];
    this.emin = grid.data[this.globalMin];
    this.uf = new OffsetUnionFind(this.order.length);
    this.neighbours = new PeriodicNeighbours(grid.shape);
  }

  /** Process voxels up to (not including) position `until` of the order; sets `done` when nothing is left to learn. */
  advance(until: number): void {
    const { uf, neighbours, order, stencil } = this;
    const data = this.grid.data;
    const stepCount = stencil.count;
    const end = Math.min(until, order.length);
    for (let k = this.processed; k < end; k++) {
      const v = order[k];
      const level = data[v] - this.emin;
      if (level > this.maxBarrier) {
        this.done = true;
        break;
      }
      uf.add(v);
      neighbours.centre(v);
      for (let s = 0; s < stepCount; s++) {
        neighbours.step(stencil, s);
        const w = neighbours.index;
        if (!uf.has(w)) continue;
        const rank = uf.connect(v, w, neighbours.t0, neighbours.t1, neighbours.t2);
        if (rank > this.bestRank) this.recordRank(v, rank, level);
      }
      if (this.bestRank >= 1 && this.minimumComponentEa1D === Infinity) {
        uf.find(this.globalMin);
        if (uf.rankOf(uf.root) >= 1) this.minimumComponentEa1D = level;
      }
      this.processed = k + 1;
      if (this.bestRank === 3 && this.minimumComponentEa1D !== Infinity) {
        this.done = true;
        break;
      }
    }
    if (this.processed >= order.length) this.done = true;
  }

  private recordRank(v: number, rank: number, level: number): void {
    this.uf.find(v);
    const basis = this.uf.basisOf(this.uf.root);
    for (let d = this.bestRank + 1; d <= rank; d++) {
      this.barriers[d - 1] = level;
      this.criticalVoxels[d - 1] = v;
      this.directions[d - 1] = basis.slice(0, d);
    }
    this.bestRank = rank;
  }
}

/** Percolation barriers as a work generator (yields progress); see `percolationBarriers`. */
export function* percolationWork(grid: EnergyGrid, options: PercolationOptions = {}): Work<PercolationResult> {
  const n = gridSize(grid);
  const stencil = resolveStencil(grid, options.stencil);
  const sweep = new PercolationSweep(grid, stencil, options.maxBarrier ?? Infinity);
  yield 0.2;
  const chunk = 1 << 16;
  while (!sweep.done) {
    sweep.advance(sweep.processed + chunk);
    yield 0.2 + (0.8 * sweep.processed) / n;
  }
  return {
    barriers: sweep.barriers,
    criticalVoxels: sweep.criticalVoxels,
    directions: sweep.directions,
    minimumComponentEa1D: sweep.minimumComponentEa1D,
    globalMinimum: { index: sweep.globalMin, energy: sweep.emin },
    stencil: stencil.kind,
  };
}

/** Ea_1D/2D/3D of a grid (synchronous). */
export function percolationBarriers(grid: EnergyGrid, options: PercolationOptions = {}, hooks: WorkHooks = {}): PercolationResult {
  return runSync(percolationWork(grid, options), hooks);
}

/**
 * The accessible region {E − Emin ≤ level} and how it percolates: per-voxel rank of its component (0 when the
 * component is finite or the voxel is above the level) and the highest rank. Exact, independent of the sweep.
 */
export function percolationAtLevel(grid: EnergyGrid, level: number, options: Pick<PercolationOptions, 'stencil'> = {}): LevelPercolation {
  const n = gridSize(grid);
  const data = grid.data;
  const stencil = resolveStencil(grid, options.stencil);
  // Compare in single precision like the data: a level of 0.2 eV includes voxels stored as fround(0.2).
  const threshold = Math.fround(grid.min + level);
  const neighbours = new PeriodicNeighbours(grid.shape);
  const uf = new OffsetUnionFind(n);
  for (let v = 0; v < n; v++) {
    if (data[v] > threshold) continue;
    uf.add(v);
    neighbours.centre(v);
    for (let s = 0; s < stencil.count; s++) {
      neighbours.step(stencil, s);
      const w = neighbours.index;
      // Each undirected edge once: from its higher-index end (self-loops from both directions, harmless).
      if (w > v || !uf.has(w)) continue;
      uf.connect(v, w, neighbours.t0, neighbours.t1, neighbours.t2);
    }
  }
  const mask = new Uint8Array(n);
  let dimensionality = 0;
  for (let v = 0; v < n; v++) {
    if (!uf.has(v)) continue;
    uf.find(v);
    const rank = uf.rankOf(uf.root);
    mask[v] = rank;
    if (rank > dimensionality) dimensionality = rank;
  }
  return { dimensionality, mask, level };
}
