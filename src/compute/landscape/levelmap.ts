/**
 * Level map, minimum percolation energy (MPE), free volumes and Xi (SCIENCE.md §6, after the pes_fingerprint code
 * of the seed-001 authors).
 *
 * Level map: the grid is unrolled into a block of (2n_i + 1) points per axis centred on the starting minimum — one
 * full cell either side, so the block's faces hold the minimum's images ±1 cell away. Each block point's level is
 * the lowest possible maximum energy along a stencil path from the minimum (a minimax flood fill, exact: a
 * priority flood pops points in non-decreasing level, so the first time a point is reached is optimal; the authors'
 * flood instead raises its level in steps of ≥ 0.1 eV).
 *
 * MPE = the lowest level on the block's boundary. It equals Ea_1D of percolation.ts whenever the first channel to
 * percolate contains the global minimum (the usual case). Exactly: MPE ≤ `minimumComponentEa1D` (reaching an image
 * of the minimum means crossing the boundary), and MPE can only be lower than that when a finite low-energy pocket
 * stretches more than a cell; Ea_1D ≤ `minimumComponentEa1D` with equality unless the global minimum is a trap away
 * from the first channel. Report both; they answer slightly different questions.
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
import { buildStencil, type Stencil, type StencilKind } from './stencil';

export interface LevelMapOptions {
  /** Starting voxel (unit-cell index); default the global minimum. */
  source?: number;
  stencil?: StencilKind | Stencil;
  /**
   * Stop flooding once levels exceed this (eV above the source) and the MPE is known; points not reached keep
   * level Infinity. Default Infinity (complete map).
   */
  stopLevel?: number;
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
  mpe: number;
  /** FV at `threshold` (default 0.5 eV), each averaged over the smearing offsets. */
  freeVolume: FreeVolumes;
  /** sigmoid(10·(log10 FV_c + 2)) · sigmoid(10·(log10 FV_d + 1.15)), in [0, 1]. */
  xi: number;
  levelMap: LevelMap;
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
  const stencil = typeof options.stencil === 'object' ? options.stencil : buildStencil(grid.lattice, grid.shape, options.stencil ?? 'sqrt3');
  const m0 = 2 * n0 + 1, m1 = 2 * n1 + 1, m2 = 2 * n2 + 1;
  const blockSize = m0 * m1 * m2;
  const [s0, s1, s2] = voxelCoords(grid.shape, source);
  // Unit-cell coordinate of each block coordinate, per axis.
  const axisMap = (s: number, n: number, m: number) => Int32Array.from({ length: m }, (_, j) => (((s - n + j) % n) + n) % n);
  const c0 = axisMap(s0, n0, m0), c1 = axisMap(s1, n1, m1), c2 = axisMap(s2, n2, m2);

  const levels = new Float32Array(blockSize).fill(Infinity);
  const reached = new Uint8Array(blockSize);
  // Priority flood: points above the current level wait in a heap; points at or below it are flooded at the
  // current level through a plain FIFO queue (most of a basin), which saves most heap operations.
  const heap = new MinHeap(4096);
  const queue = new Int32Array(blockSize);
  let queueHead = 0;
  let queueTail = 0;
  const centre = (n0 * m1 + n1) * m2 + n2;
  levels[centre] = 0;
  reached[centre] = 1;
  queue[queueTail++] = centre;
  let level = 0;
  let mpe = Infinity;
  const steps = stencil.steps;
  const stepCount = stencil.count;
  for (;;) {
    let b: number;
    if (queueHead < queueTail) {
      b = queue[queueHead++];
    } else if (heap.size > 0) {
      b = heap.pop();
      level = heap.lastKey;
    } else {
      break;
    }
    if (level > stopLevel && mpe !== Infinity) break;
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
      if (reached[nb]) continue;
      reached[nb] = 1;
      const e = data[(c0[k0] * n1 + c1[k1]) * n2 + c2[k2]] - sourceEnergy;
      if (e <= level) {
        levels[nb] = level;
        queue[queueTail++] = nb;
      } else {
        levels[nb] = e;
        heap.push(e, nb);
      }
    }
  }
  return { shape: [m0, m1, m2], levels, source, sourceEnergy, mpe, stopLevel };
}

/**
 * Free volumes at `threshold` averaged over `threshold + smearing`. FV_d counts unit-cell points with
 * E − E_source < thr; FV_c folds the level map onto the periodic 2×2×2 supercell (the block's opposite faces are the
 * same supercell points; the lower level wins) and counts points with level < thr, divided by the 8·N supercell
 * points — so a channel-free material gets FV_c ≈ FV_d / 8 and a 3D-connected one FV_c = FV_d.
 */
export function freeVolumes(grid: EnergyGrid, levelMap: LevelMap, threshold = XI_THRESHOLD, smearing: readonly number[] = FV_SMEARING): FreeVolumes {
  const n = gridSize(grid);
  const [, n1, n2] = grid.shape;
  const [m0, m1, m2] = levelMap.shape;
  const folded = new Float32Array(8 * n).fill(Infinity);
  const w1 = 2 * n1, w2 = 2 * n2;
  for (let j0 = 0; j0 < m0; j0++) {
    const f0 = j0 === m0 - 1 ? 0 : j0;
    for (let j1 = 0; j1 < m1; j1++) {
      const f1 = j1 === m1 - 1 ? 0 : j1;
      const rowIn = (j0 * m1 + j1) * m2;
      const rowOut = (f0 * w1 + f1) * w2;
      for (let j2 = 0; j2 < m2; j2++) {
        const f = rowOut + (j2 === m2 - 1 ? 0 : j2);
        const level = levelMap.levels[rowIn + j2];
        if (level < folded[f]) folded[f] = level;
      }
    }
  }
  let disconnected = 0;
  let connected = 0;
  for (const delta of smearing) {
    const thr = threshold + delta;
    let below = 0;
    // Same quantity and precision as the stored levels, so FV_c ≤ FV_d holds exactly.
    for (let v = 0; v < n; v++) if (Math.fround(grid.data[v] - levelMap.sourceEnergy) < thr) below++;
    let reachable = 0;
    for (let f = 0; f < folded.length; f++) if (folded[f] < thr) reachable++;
    disconnected += below / n;
    connected += reachable / (8 * n);
  }
  return { threshold, disconnected: disconnected / smearing.length, connected: connected / smearing.length };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Xi of seed 001: high for materials with a large connected low-energy region. FV = 0 gives 0. */
export function xiScore(fvConnected: number, fvDisconnected: number): number {
  return sigmoid(10 * (Math.log10(fvConnected) + 2)) * sigmoid(10 * (Math.log10(fvDisconnected) + 1.15));
}

/** MPE, FV_c/FV_d at 0.5 eV and Xi from one landscape, flooding only as far as needed. */
export function landscapeDescriptors(
  grid: EnergyGrid,
  options: Omit<LevelMapOptions, 'stopLevel'> & { threshold?: number; smearing?: readonly number[]; fullLevelMap?: boolean } = {},
): LandscapeDescriptors {
  const threshold = options.threshold ?? XI_THRESHOLD;
  const smearing = options.smearing ?? FV_SMEARING;
  const stopLevel = options.fullLevelMap ? Infinity : threshold + Math.max(...smearing);
  const levelMap = computeLevelMap(grid, { source: options.source, stencil: options.stencil, stopLevel });
  const freeVolume = freeVolumes(grid, levelMap, threshold, smearing);
  return { mpe: levelMap.mpe, freeVolume, xi: xiScore(freeVolume.connected, freeVolume.disconnected), levelMap };
}
