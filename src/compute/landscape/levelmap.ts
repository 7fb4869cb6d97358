/**
 * Level map, minimum percolation energy (MPE), free volumes and Xi (SCIENCE.md §6, after the pes_fingerprint code
 * of the seed-001 authors).
 *
 * Level: the lowest possible maximum energy along a stencil path from the starting minimum (minimax flood fill,
 * exact: a priority flood settles points in non-decreasing level, so the first time a point is reached is optimal;
 * the authors' flood raises its level in steps of ≥ 0.1 eV instead).
 *
 * Two constructions are provided:
 * - `computeLevelMap`: §6 literally — the grid unrolled into a block of (2n_i + 1) points per axis centred on the
 *   minimum (one cell either side), MPE = the lowest level on the block's boundary, FV_c from the block folded onto
 *   the periodic 2×2×2 supercell (`freeVolumes`). Memory and work ∝ 8N.
 * - `periodicFlood` + `periodicFreeVolumes` (used by `landscapeDescriptors`, hence by analyze.ts): the flood runs on
 *   the unit-cell torus and carries the parity (mod 2) of the lattice translation of each point's path. The region
 *   connected to the minimum in the periodic 2×2×2 supercell is then exactly |C| · 2^r points, C = the torus points
 *   with level < thr and r = the GF(2) rank of the loop translations (mod 2) closed inside C. That is "points
 *   reachable from the minimum within one lattice vector" with the supercell's own periodicity, in ∝ N work; it
 *   equals the block count except when a path must leave the ±1-cell block and come back (block ≤ periodic).
 *   The same flood, run to the end, gives the unit-cell level map for display.
 *
 * MPE equals Ea_1D of percolation.ts whenever the first channel to percolate contains the global minimum (the usual
 * case). Exactly: block MPE ≤ `minimumComponentEa1D` (reaching an image of the minimum means crossing the
 * boundary), lower only when a finite low-energy pocket stretches more than a cell; Ea_1D ≤ `minimumComponentEa1D`
 * with equality unless the global minimum is a trap away from the first channel. analyze.ts reports
 * `minimumComponentEa1D` (from the percolation sweep, no extra flood) as MPE.
 *
 * "Union over Li ions": §6 scans one Li at a time (other Li kept) and unites the per-ion maps. A BVSE landscape is
 * computed once in the empty framework, so every Li sees the same landscape and the per-ion maps differ only in
 * their starting point. Here there is one map, started from the global minimum — the site a single Li would occupy.
 * (Uniting maps started from every Li site's basin would only add regions reachable from shallower basins; it is not
 * done, to keep MPE/FV/Xi tied to one well-defined start.)
 */
import type { EnergyGrid } from './grid';
import { gridMinimum, gridSize, voxelCoords } from './grid';
import { MinHeap } from './heap';
import { buildStencil, PeriodicNeighbours, type Stencil, type StencilKind } from './stencil';

export interface LevelMapOptions {
  /** Starting voxel (unit-cell index); default the global minimum. */
  source?: number;
  stencil?: StencilKind | Stencil;
  /**
   * Stop flooding once levels exceed this (eV above the source) and the MPE is known; points not reached keep
   * level Infinity. Default Infinity (complete map).
   */
  stopLevel?: number;
  /**
   * Keep flooding past `stopLevel` until the block boundary is reached, so that `mpe` is known (default true).
   * With false, `mpe` is Infinity unless the boundary was reached below the stop level.
   */
  findMpe?: boolean;
}

export interface LevelMap {
  /** Block shape, (2n_i + 1) per axis. Block point (j0, j1, j2) is unit-cell voxel ((s_i − n_i + j_i) mod n_i). */
  shape: [number, number, number];
  /** Level of each block point in eV above the source energy (index = (j0·m1 + j1)·m2 + j2). */
  levels: Float32Array;
  /** Starting voxel (unit-cell index) and its energy (eV). */
  source: number;
  sourceEnergy: number;
  /** Lowest level on the block boundary (eV above the source). */
  mpe: number;
  /** Levels above this were not computed (Infinity). */
  stopLevel: number;
  /** Block points in the order the flood settled them: non-decreasing level (first `settledCount` entries). */
  settled: Int32Array;
  settledCount: number;
}

export interface FreeVolumes {
  /** Nominal threshold (eV above the minimum); values are averaged over threshold + smearing. */
  threshold: number;
  /** Fraction of unit-cell grid points with E − Emin < threshold. */
  disconnected: number;
  /** Fraction of the 2×2×2 supercell grid reached from the minimum with level < threshold (÷ 8 cells). */
  connected: number;
}

export interface LandscapeDescriptors {
  /** MPE (eV above the minimum): `knownMpe` when given, else the block flood's. */
  mpe: number;
  /** FV at `threshold` (default 0.5 eV), each averaged over the smearing offsets. */
  freeVolume: FreeVolumes;
  /** sigmoid(10·(log10 FV_c + 2)) · sigmoid(10·(log10 FV_d + 1.15)), in [0, 1]. */
  xi: number;
  /**
   * Unit-cell level map (eV above the minimum, grid layout): complete with `fullLevelMap`, otherwise Infinity above
   * the highest FV threshold.
   */
  cellLevels: Float32Array;
}

/** Result of a flood on the unit-cell torus. */
export interface PeriodicFlood {
  /** Level of each unit-cell voxel, eV above the source (Infinity: not reached below the stop level). */
  levels: Float32Array;
  /** Parity (bit i = lattice translation along axis i, mod 2) of the cell in which each voxel's path arrives. */
  parity: Uint8Array;
  /** Voxels in settling order (non-decreasing level), first `settledCount` entries. */
  settled: Int32Array;
  settledCount: number;
  source: number;
  sourceEnergy: number;
}

/** The pes_fingerprint smearing of FV thresholds (eV). */
export const FV_SMEARING: readonly number[] = [-0.04, -0.02, 0, 0.02, 0.04];
/** Threshold (eV) at which Xi is defined. */
export const XI_THRESHOLD = 0.5;

export function computeLevelMap(grid: EnergyGrid, options: LevelMapOptions = {}): LevelMap {
  const [n0, n1, n2] = grid.shape;
  const data = grid.data;
  const source = options.source ?? gridMinimum(data).index;
  const sourceEnergy = data[source];
  const stopLevel = options.stopLevel ?? Infinity;
  const findMpe = options.findMpe ?? true;
  const stencil = typeof options.stencil === 'object' ? options.stencil : buildStencil(grid.lattice, grid.shape, options.stencil ?? 'sqrt3');
  const m0 = 2 * n0 + 1, m1 = 2 * n1 + 1, m2 = 2 * n2 + 1;
  const blockSize = m0 * m1 * m2;
  const [s0, s1, s2] = voxelCoords(grid.shape, source);
  // Unit-cell coordinate of each block coordinate, per axis.
  const axisMap = (s: number, n: number, m: number) => Int32Array.from({ length: m }, (_, j) => (((s - n + j) % n) + n) % n);
  const c0 = axisMap(s0, n0, m0), c1 = axisMap(s1, n1, m1), c2 = axisMap(s2, n2, m2);

  // Level Infinity = not reached yet (every reached point has a finite level).
  const levels = new Float32Array(blockSize).fill(Infinity);
  // Priority flood: points above the current level wait in a heap; points at or below it are flooded at the
  // current level first, in discovery order (most of a basin), which saves most heap operations. `settled` doubles
  // as that FIFO: points are appended when they are known to come next, so it lists every processed point in
  // non-decreasing level order.
  const heap = new MinHeap(4096);
  const settled = new Int32Array(blockSize);
  let settledCount = 0;
  let head = 0;
  const centre = (n0 * m1 + n1) * m2 + n2;
  levels[centre] = 0;
  settled[settledCount++] = centre;
  let level = 0;
  let mpe = Infinity;
  const steps = stencil.steps;
  const stepCount = stencil.count;
  for (;;) {
    let b: number;
    if (head < settledCount) {
      b = settled[head++];
    } else if (heap.size > 0) {
      b = heap.pop();
      level = heap.lastKey;
      if (level > stopLevel && (mpe !== Infinity || !findMpe)) break;
      settled[settledCount++] = b;
      head = settledCount;
    } else {
      break;
    }
    const j2 = b % m2;
    const j1 = (((b - j2) / m2) | 0) % m1;
    const j0 = ((b - j2 - j1 * m2) / (m1 * m2)) | 0;
    if (mpe === Infinity && (j0 === 0 || j0 === m0 - 1 || j1 === 0 || j1 === m1 - 1 || j2 === 0 || j2 === m2 - 1)) mpe = level;
    for (let s = 0; s < stepCount; s++) {
      const k0 = j0 + steps[3 * s];
      const k1 = j1 + steps[3 * s + 1];
      const k2 = j2 + steps[3 * s + 2];
      if (k0 < 0 || k0 >= m0 || k1 < 0 || k1 >= m1 || k2 < 0 || k2 >= m2) continue;
      const nb = (k0 * m1 + k1) * m2 + k2;
      if (levels[nb] !== Infinity) continue;
      const e = Math.fround(data[(c0[k0] * n1 + c1[k1]) * n2 + c2[k2]] - sourceEnergy);
      if (e <= level) {
        levels[nb] = level;
        settled[settledCount++] = nb;
      } else {
        levels[nb] = e;
        heap.push(e, nb);
      }
    }
  }
  return { shape: [m0, m1, m2], levels, source, sourceEnergy, mpe, stopLevel, settled, settledCount };
}

/**
 * Free volumes at `threshold` averaged over `threshold + smearing`. FV_d counts unit-cell points with
 * E − E_source < thr; FV_c folds the level map onto the periodic 2×2×2 supercell (the block's opposite faces are the
 * same supercell points; the lower level wins) and counts points with level < thr, divided by the 8·N supercell
 * points — so a channel-free material gets FV_c ≈ FV_d / 8 and a 3D-connected one FV_c = FV_d.
 */
export function freeVolumes(grid: EnergyGrid, levelMap: LevelMap, threshold = XI_THRESHOLD, smearing: readonly number[] = FV_SMEARING): FreeVolumes {
  const n = gridSize(grid);
  const [m0, m1, m2] = levelMap.shape;
  const thresholds = smearing.map((d) => threshold + d);
  const top = Math.max(...thresholds);
  const below = new Float64Array(thresholds.length);
  const reachable = new Float64Array(thresholds.length);
  const count = (x: number, into: Float64Array) => {
    for (let k = 0; k < thresholds.length; k++) if (x < thresholds[k]) into[k]++;
  };
  // FV_d: same quantity and precision as the stored levels, so FV_c ≤ FV_d holds exactly.
  const data = grid.data;
  const e0 = levelMap.sourceEnergy;
  for (let v = 0; v < n; v++) {
    const x = Math.fround(data[v] - e0);
    if (x < top) count(x, below);
  }
  // FV_c over the 2×2×2 supercell = the block without its last layers: a point on a first layer (j = 0) is the
  // same supercell point as its copies on the last layer (j = 2n). Walk the settled points (non-decreasing level)
  // and count each supercell point once, at the copy that is lowest (ties: lowest index).
  const levels = levelMap.levels;
  for (let k = 0; k < levelMap.settledCount; k++) {
    const b = levelMap.settled[k];
    const level = levels[b];
    if (level >= top) break;
    const j2 = b % m2;
    const j1 = (((b - j2) / m2) | 0) % m1;
    const j0 = ((b - j2 - j1 * m2) / (m1 * m2)) | 0;
    if (j0 === 0 || j0 === m0 - 1 || j1 === 0 || j1 === m1 - 1 || j2 === 0 || j2 === m2 - 1) {
      // Other block copies of this supercell point: each boundary coordinate may sit on either face.
      const alt0 = j0 === 0 ? m0 - 1 : j0 === m0 - 1 ? 0 : -1;
      const alt1 = j1 === 0 ? m1 - 1 : j1 === m1 - 1 ? 0 : -1;
      const alt2 = j2 === 0 ? m2 - 1 : j2 === m2 - 1 ? 0 : -1;
      let canonical = true;
      for (let c = 1; c < 8 && canonical; c++) {
        const k0 = c & 1 ? alt0 : j0, k1 = c & 2 ? alt1 : j1, k2 = c & 4 ? alt2 : j2;
        if (k0 < 0 || k1 < 0 || k2 < 0) continue;
        const other = (k0 * m1 + k1) * m2 + k2;
        if (levels[other] < level || (levels[other] === level && other < b)) canonical = false;
      }
      if (!canonical) continue;
    }
    count(level, reachable);
  }
  const mean = (xs: Float64Array, total: number) => xs.reduce((s, x) => s + x / total, 0) / xs.length;
  return { threshold, disconnected: mean(below, n), connected: mean(reachable, 8 * n) };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Xi of seed 001: high for materials with a large connected low-energy region. FV = 0 gives 0. */
export function xiScore(fvConnected: number, fvDisconnected: number): number {
  return sigmoid(10 * (Math.log10(fvConnected) + 2)) * sigmoid(10 * (Math.log10(fvDisconnected) + 1.15));
}

/** MPE, FV_c/FV_d at 0.5 eV and Xi from one landscape, flooding only as far as needed. */
/**
 * Minimax flood on the unit-cell torus from `source` (default the global minimum), settling every voxel with level
 * below `stopLevel` (default: all).
 */
export function periodicFlood(grid: EnergyGrid, options: { source?: number; stencil?: StencilKind | Stencil; stopLevel?: number } = {}): PeriodicFlood {
  const n = gridSize(grid);
  const data = grid.data;
  const source = options.source ?? gridMinimum(data).index;
  const sourceEnergy = data[source];
  const stopLevel = options.stopLevel ?? Infinity;
  const stencil = typeof options.stencil === 'object' ? options.stencil : buildStencil(grid.lattice, grid.shape, options.stencil ?? 'sqrt3');
  const neighbours = new PeriodicNeighbours(grid.shape);
  const levels = new Float32Array(n).fill(Infinity);
  const parity = new Uint8Array(n);
  const settled = new Int32Array(n);
  const heap = new MinHeap(4096);
  let settledCount = 0;
  let head = 0;
  let level = 0;
  levels[source] = 0;
  settled[settledCount++] = source;
  for (;;) {
    let v: number;
    if (head < settledCount) {
      v = settled[head++];
    } else if (heap.size > 0) {
      v = heap.pop();
      level = heap.lastKey;
      if (level >= stopLevel) break;
      settled[settledCount++] = v;
      head = settledCount;
    } else {
      break;
    }
    neighbours.centre(v);
    for (let s = 0; s < stencil.count; s++) {
      neighbours.step(stencil, s);
      const w = neighbours.index;
      if (levels[w] !== Infinity) continue;
      parity[w] = parity[v] ^ ((neighbours.t0 & 1) | ((neighbours.t1 & 1) << 1) | ((neighbours.t2 & 1) << 2));
      // Keys in single precision, exactly as stored, so levels, stop test and FV comparisons agree.
      const e = Math.fround(data[w] - sourceEnergy);
      if (e <= level) {
        levels[w] = level;
        settled[settledCount++] = w;
      } else {
        levels[w] = e;
        heap.push(e, w);
      }
    }
  }
  // Points pushed but not settled keep a level ≥ stopLevel; mark them unreached for a clean map.
  if (stopLevel !== Infinity) for (let v = 0; v < n; v++) if (levels[v] >= stopLevel) levels[v] = Infinity;
  return { levels, parity, settled, settledCount, source, sourceEnergy };
}

/**
 * FV_d and FV_c from a periodic flood (run at least to the highest threshold): FV_c counts the points of the
 * periodic 2×2×2 supercell connected to the minimum below each threshold, |C| · 2^r / 8N (see the module comment).
 */
export function periodicFreeVolumes(grid: EnergyGrid, flood: PeriodicFlood, threshold = XI_THRESHOLD, smearing: readonly number[] = FV_SMEARING, stencil?: StencilKind | Stencil): FreeVolumes {
  const n = gridSize(grid);
  const data = grid.data;
  const thresholds = smearing.map((d) => threshold + d);
  const { loopLevel, inRegion } = loopLevels(grid, flood, thresholds, stencil);
  let disconnected = 0;
  let connected = 0;
  for (let t = 0; t < thresholds.length; t++) {
    const thr = thresholds[t];
    let below = 0;
    // Same quantity and precision as the stored levels, so FV_c ≤ FV_d holds exactly.
    for (let v = 0; v < n; v++) if (Math.fround(data[v] - flood.sourceEnergy) < thr) below++;
    disconnected += below / n;
    connected += (inRegion[t] * 2 ** gf2Rank(openParities(loopLevel, thr))) / (8 * n);
  }
  return { threshold, disconnected: disconnected / thresholds.length, connected: connected / thresholds.length };
}

/**
 * For a flood: the lowest level at which each non-zero translation parity (mod 2) closes a loop inside the region
 * connected to the source, and how many torus points lie below each threshold in that region.
 */
function loopLevels(grid: EnergyGrid, flood: PeriodicFlood, thresholds: readonly number[], stencil?: StencilKind | Stencil): { loopLevel: Float64Array; inRegion: Float64Array } {
  const top = Math.max(...thresholds);
  const st = typeof stencil === 'object' ? stencil : buildStencil(grid.lattice, grid.shape, stencil ?? 'sqrt3');
  const neighbours = new PeriodicNeighbours(grid.shape);
  const levels = flood.levels;
  const loopLevel = new Float64Array(8).fill(Infinity);
  const inRegion = new Float64Array(thresholds.length);
  for (let k = 0; k < flood.settledCount; k++) {
    const v = flood.settled[k];
    const lv = levels[v];
    if (!(lv < top)) break;
    for (let t = 0; t < thresholds.length; t++) if (lv < thresholds[t]) inRegion[t]++;
    neighbours.centre(v);
    for (let s = 0; s < st.count; s++) {
      neighbours.step(st, s);
      const w = neighbours.index;
      const lw = levels[w];
      if (!(lw < top)) continue;
      const loop = flood.parity[v] ^ flood.parity[w] ^ ((neighbours.t0 & 1) | ((neighbours.t1 & 1) << 1) | ((neighbours.t2 & 1) << 2));
      if (loop === 0) continue;
      const edgeLevel = Math.max(lv, lw);
      if (edgeLevel < loopLevel[loop]) loopLevel[loop] = edgeLevel;
    }
  }
  return { loopLevel, inRegion };
}

const openParities = (loopLevel: Float64Array, thr: number): number[] => {
  const open: number[] = [];
  for (let p = 1; p < 8; p++) if (loopLevel[p] < thr) open.push(p);
  return open;
};

/** One mobile ion's landscape for the union of free volumes: its grid, its flood, and where its minimum sits. */
export interface IonFlood {
  grid: EnergyGrid;
  flood: PeriodicFlood;
  /**
   * Translation parity (bits as in PeriodicFlood.parity) of the image of the flood's source nearest to the ion's
   * own site, so every ion's region is placed at its true position in the periodic 2×2×2 frame.
   */
  baseParity: number;
}

/**
 * FV_d and FV_c of several mobile ions united (SCIENCE.md §6): a point counts when it is below the threshold for
 * any ion (FV_d: unit cell, each ion's PES relative to its own minimum), or connected to any ion's minimum in the
 * periodic 2×2×2 supercell (FV_c). Each supercell point is (torus voxel v, cell parity q); ion i reaches
 * q = baseParity_i ⊕ parity_i(v) ⊕ s for every s in the span of its loop parities open below the threshold, so the
 * union is an 8-bit mask per voxel. All grids must share one shape (one scan grid of one cell).
 */
export function unionFreeVolumes(ions: readonly IonFlood[], threshold = XI_THRESHOLD, smearing: readonly number[] = FV_SMEARING, stencil?: StencilKind | Stencil): FreeVolumes {
  if (ions.length === 1 && ions[0].baseParity === 0) return periodicFreeVolumes(ions[0].grid, ions[0].flood, threshold, smearing, stencil);
  const shape = ions[0].grid.shape;
  if (ions.some((x) => x.grid.shape.some((m, i) => m !== shape[i]))) throw new Error('unionFreeVolumes: grids of different shapes');
  const n = gridSize(ions[0].grid);
  const thresholds = smearing.map((d) => threshold + d);
  const loops = ions.map((x) => loopLevels(x.grid, x.flood, thresholds, stencil).loopLevel);
  const below = new Uint8Array(n);
  const mask = new Uint8Array(n);
  let disconnected = 0;
  let connected = 0;
  for (let t = 0; t < thresholds.length; t++) {
    const thr = thresholds[t];
    below.fill(0);
    mask.fill(0);
    ions.forEach((ion, i) => {
      const data = ion.grid.data;
      const e0 = ion.flood.sourceEnergy;
      for (let v = 0; v < n; v++) if (Math.fround(data[v] - e0) < thr) below[v] = 1;
      const span = spanOf(openParities(loops[i], thr));
      const levels = ion.flood.levels;
      for (let k = 0; k < ion.flood.settledCount; k++) {
        const v = ion.flood.settled[k];
        if (!(levels[v] < thr)) break;
        const p = ion.baseParity ^ ion.flood.parity[v];
        for (const s of span) mask[v] |= 1 << (p ^ s);
      }
    });
    let countBelow = 0;
    let countConnected = 0;
    for (let v = 0; v < n; v++) {
      countBelow += below[v];
      let m = mask[v];
      while (m) { countConnected += m & 1; m >>= 1; }
    }
    disconnected += countBelow / n;
    connected += countConnected / (8 * n);
  }
  return { threshold, disconnected: disconnected / thresholds.length, connected: connected / thresholds.length };
}

/** Every element of the GF(2) span of 3-bit vectors. */
function spanOf(vectors: number[]): number[] {
  let span = 1;
  for (const v of vectors) {
    let grown = span;
    for (let x = 0; x < 8; x++) if (span & (1 << x)) grown |= 1 << (x ^ v);
    span = grown;
  }
  const out: number[] = [];
  for (let x = 0; x < 8; x++) if (span & (1 << x)) out.push(x);
  return out;
}

/** Rank over GF(2) of 3-bit vectors: log2 of the size of their span. */
function gf2Rank(vectors: number[]): number {
  let span = 1; // bit mask over the 8 possible vectors; {0} to start
  for (const v of vectors) {
    if (span & (1 << v)) continue;
    let grown = span;
    for (let x = 0; x < 8; x++) if (span & (1 << x)) grown |= 1 << (x ^ v);
    span = grown;
  }
  let size = 0;
  for (let x = 0; x < 8; x++) if (span & (1 << x)) size++;
  return Math.log2(size);
}

/** MPE, FV_c/FV_d at 0.5 eV and Xi from one landscape. */
export function landscapeDescriptors(
  grid: EnergyGrid,
  options: {
    source?: number;
    stencil?: StencilKind | Stencil;
    threshold?: number;
    smearing?: readonly number[];
    /** Flood the whole unit cell (a complete `cellLevels` for display) instead of stopping past the thresholds. */
    fullLevelMap?: boolean;
    /**
     * MPE already known from the percolation sweep (`minimumComponentEa1D`); without it the §6 block flood runs
     * to find the block-boundary MPE.
     */
    knownMpe?: number;
  } = {},
): LandscapeDescriptors {
  const threshold = options.threshold ?? XI_THRESHOLD;
  const smearing = options.smearing ?? FV_SMEARING;
  const stencil = typeof options.stencil === 'object' ? options.stencil : buildStencil(grid.lattice, grid.shape, options.stencil ?? 'sqrt3');
  const top = threshold + Math.max(...smearing);
  const flood = periodicFlood(grid, { source: options.source, stencil, stopLevel: options.fullLevelMap ? Infinity : top });
  const freeVolume = periodicFreeVolumes(grid, flood, threshold, smearing, stencil);
  const mpe = options.knownMpe ?? computeLevelMap(grid, { source: flood.source, stencil, stopLevel: 0 }).mpe;
  return { mpe, freeVolume, xi: xiScore(freeVolume.connected, freeVolume.disconnected), cellLevels: flood.levels };
}
