/**
 * Frozen-framework potential-energy scan with TensorNet-MatPES (SCIENCE.md §6, after the seed-001 authors' code).
 *
 *   PES_ion(k) = E(framework, other Li, ion at r_k) − min_k E,     r_k = (k_0/n_0, k_1/n_1, k_2/n_2),
 *   n_i = ⌈|a_i| / 0.25 Å⌉,
 *
 * all other atoms fixed at their positions in the (primitive standardized, by default) cell, one scan per
 * symmetry-distinct mobile ion. Points closer than 1.2 Å to any other atom are not evaluated and get the highest
 * evaluated energy. Variant "empty framework" removes all other Li first (one probe, every Li sees the same
 * landscape). Moving the ion moves all its periodic images (they are the same atom of the periodic model).
 *
 * Speed without changing the answer:
 * - Symmetry: with other Li kept, an operation g of the space group leaves the energy invariant, E(g·r) = E(r), iff
 *   it fixes the moving ion's site (its site-symmetry group; the other Li are then permuted among themselves); in the
 *   empty framework every operation does. Only operations that map the grid onto itself are used (n_i R_ij / n_j and
 *   n_i t_i integers), so each grid orbit is evaluated once and copied.
 * - The framework's fixed part once (models/tensornet/frozen.py): every edge between two framework atoms, and the
 *   ion's edges to its own images, are the same for every probe position. The frozen-fixed graph turns them once into
 *   the framework's embedding sums and per-layer pair weights W_ij = Σ_images f_e; per probe the frozen-probe graph
 *   evaluates only the ion's ~50–100 edges to the framework (instead of the cell's ~1,400 in LiFePO4) and the
 *   per-atom network. Without those graphs beside the model, whole cells go through the main graph (slower, same
 *   numbers).
 * - Batching: many probe positions per inference call (disjoint copies of the cell in one graph).
 * The brute-force reference (`bruteForce: true`) rebuilds the whole neighbour list per point and evaluates every
 * point alone; tests require both to agree.
 *
 * One scan stands for each orbit of equivalent ions (moyo's orbits). That is exact when the grid fits the space group
 * (an operation carrying the ion onto each equivalent one maps the grid onto itself: `equivalentIonsExact`); on the
 * authors' grid it is not quite (SCIENCE.md §6: up to 0.08 eV in MPE), and `gridFitsSymmetry` makes it so.
 *
 * Authors' sanity checks (pes_fingerprint's PESCalculator: 0.5 Å, 0.2 eV) are reported as warnings: the minimum far
 * from the ion's own site, and the minimum far below the unperturbed structure's energy.
 */
import type { Mat3, Vec3 } from '../../structure/types';
import type { Structure } from '../../structure/types';
import type { SymOp } from '../../structure/symmetry';
import { checkGridSize, latticeLengths } from '../../landscape/grid';
import { CancelledError, LandscapeError } from '../../util/errors';
import type { WorkHooks } from '../../util/work';
import { interplanarSpacings, neighbourList, TENSORNET_CUTOFF } from './neighbours';
import { getPotentialSession, speciesIndex, type FixedPart, type ModelGraph, type PotentialSession, type ProbeBatch, type SessionOptions } from './session';
import { periodicDistance, prepareScanCell, type ScanAtom, type ScanCell } from './cell';

export type ScanVariant = 'other Li kept' | 'empty framework';

export const MLIP_GRID_SPACING = 0.25;
export const MLIP_SKIP_RADIUS = 1.2;
export const SANITY_DISTANCE_A = 0.5;
export const SANITY_ENERGY_EV = 0.2;

export interface ScanOptions {
  /** Which cell: moyo's primitive standardized cell (default, as the paper) or the cell as given. */
  cell?: 'primitive-standardized' | 'as-given';
  variant?: ScanVariant;
  /** Target grid spacing (Å): n_i = ⌈|a_i| / spacing⌉. Default 0.25. */
  gridSpacing?: number;
  /**
   * Round each n_i up (at most +12) to the smallest grid that every space-group operation maps onto itself (e.g.
   * LiFePO4 42×25×19 → 42×26×20): more of the site symmetry applies, and equivalent ions have exactly equal
   * landscapes (on the authors' grid they differ slightly, SCIENCE.md §6). Off by default (the authors' grid).
   */
  gridFitsSymmetry?: boolean;
  /** Explicit grid shape, overriding the spacing (tests). */
  shape?: [number, number, number];
  /** Points closer than this (Å) to another atom are skipped. Default 1.2. */
  skipRadius?: number;
  /** The mobile element (default Li). */
  mobile?: string;
  /** Use the site-symmetry reduction (default true). */
  symmetry?: boolean;
  /** Probe positions per inference call; default from the graph size and the execution provider. */
  batch?: number;
  /** Reference mode: full neighbour list per point, one point per call, no symmetry. */
  bruteForce?: boolean;
  session?: SessionOptions;
  /** An already created session (tests, benchmarks). */
  potential?: PotentialSession;
}

export interface IonScan {
  label: string;
  /** Index of the ion in `cell.atoms`. */
  atomIndex: number;
  frac: Vec3;
  /** Ions of this orbit in the cell. */
  multiplicity: number;
  shape: [number, number, number];
  /** PES, eV above the scan's minimum (grid layout: last index fastest). */
  pes: Float32Array;
  /** Lowest total energy on the grid (eV) and where. */
  minimumEnergy_eV: number;
  minimumFrac: Vec3;
  /** Distance (Å) of the minimum from the ion's own site. */
  minimumDistance_A: number;
  /** Total energy with the ion on its own site (eV). */
  unperturbedEnergy_eV: number;
  /** Grid points closer than the skip radius to another atom. */
  skipped: number;
  /** Site-symmetry operations that were used on the grid. */
  symmetryOps: number;
  /** Every equivalent ion is reached from this one by an operation that maps the grid onto itself. */
  equivalentIonsExact: boolean;
}

export interface ScanResult {
  cell: ScanCell;
  variant: ScanVariant;
  ions: IonScan[];
  warnings: string[];
  executionProvider: string;
  fallbacks: { provider: string; reason: string }[];
  modelSha256: string;
  /** How the probes were evaluated: the frozen-framework graphs (their sha256) or whole cells through the main graph. */
  evaluation: { path: 'frozen framework'; sha256: string } | { path: 'whole cell'; reason: string };
  /** Model evaluations done (probe positions, unperturbed references included). */
  evaluations: number;
  /** What the same grids need without symmetry: non-skipped points of every scanned ion, + the references. */
  evaluationsBruteForce: number;
  /** Without symmetry, every mobile ion scanned (equivalent ones too), as the authors' loop does. */
  evaluationsEveryIon: number;
  batch: number;
  gridShape: [number, number, number];
  timings_ms: Record<string, number>;
}

export function scanGridShape(lattice: Mat3, spacing = MLIP_GRID_SPACING): [number, number, number] {
  if (!(spacing > 0) || !Number.isFinite(spacing)) throw new LandscapeError('bad-option', `Grid spacing must be a positive number of Å, got ${spacing}.`);
  const shape = latticeLengths(lattice).map((len) => Math.max(1, Math.ceil(len / spacing - 1e-9))) as [number, number, number];
  checkGridSize(shape, spacing);
  return shape;
}

// ---- the frozen framework seen by one moving ion ------------------------------------------------------------

/** The fixed atoms (wrapped, Cartesian), their own edges, and the ion's edges to them for any probe position. */
export class FrozenFramework {
  readonly fixedCount: number;
  readonly species: BigInt64Array;
  private readonly fixedFrac: Float64Array;
  private readonly fixedCart: Float64Array;
  private readonly baseSrc: Int32Array;
  private readonly baseDst: Int32Array;
  private readonly baseShift: Float64Array;
  /** Shifts n·L (n ≠ 0, |n·L| < r_c) from the ion to its own periodic images. */
  private readonly selfShift: number[];
  private readonly reach: Vec3;
  private readonly L: Mat3;
  private readonly rc: number;

  constructor(lattice: Mat3, fixed: readonly ScanAtom[], ion: ScanAtom, cutoff = TENSORNET_CUTOFF) {
    this.L = lattice;
    this.rc = cutoff;
    this.fixedCount = fixed.length;
    this.species = BigInt64Array.from([...fixed.map((a) => BigInt(speciesIndex(a.element, a.label))), BigInt(speciesIndex(ion.element, ion.label))]);
    this.fixedFrac = new Float64Array(3 * fixed.length);
    this.fixedCart = new Float64Array(3 * fixed.length);
    const wrappedFrac: Vec3[] = [];
    fixed.forEach((a, j) => {
      const w = a.frac.map((x) => x - Math.floor(x)) as Vec3;
      wrappedFrac.push(w);
      for (let i = 0; i < 3; i++) {
        this.fixedFrac[3 * j + i] = w[i];
        this.fixedCart[3 * j + i] = w[0] * lattice[0][i] + w[1] * lattice[1][i] + w[2] * lattice[2][i];
      }
    });
    const base = neighbourList(lattice, wrappedFrac, cutoff);
    this.baseSrc = base.src; this.baseDst = base.dst; this.baseShift = base.shift;
    const spacing = interplanarSpacings(lattice);
    this.reach = spacing.map((d) => cutoff / d) as Vec3;
    this.selfShift = [];
    const R = spacing.map((d) => Math.ceil(cutoff / d));
    for (let n0 = -R[0]; n0 <= R[0]; n0++) for (let n1 = -R[1]; n1 <= R[1]; n1++) for (let n2 = -R[2]; n2 <= R[2]; n2++) {
      if (!n0 && !n1 && !n2) continue;
      const s = [0, 1, 2].map((k) => n0 * lattice[0][k] + n1 * lattice[1][k] + n2 * lattice[2][k]);
      if (Math.hypot(s[0], s[1], s[2]) < cutoff) this.selfShift.push(s[0], s[1], s[2]);
    }
  }

  get baseEdgeCount(): number { return this.baseSrc.length + this.selfShift.length / 3; }

  /**
   * The ion's edges at fractional position p ∈ [0,1)³: for every fixed atom j and image n with |x_j + n·L − p| < r_c,
   * dst j and shift n·L (ion → j); `minDistance` is the nearest of them (Infinity if none).
   */
  probeEdges(p: Vec3): { dst: number[]; shift: number[]; minDistance: number } {
    const L = this.L, rc2 = this.rc * this.rc;
    const dst: number[] = [], shift: number[] = [];
    let min2 = Infinity;
    const px = p[0] * L[0][0] + p[1] * L[1][0] + p[2] * L[2][0];
    const py = p[0] * L[0][1] + p[1] * L[1][1] + p[2] * L[2][1];
    const pz = p[0] * L[0][2] + p[1] * L[1][2] + p[2] * L[2][2];
    for (let j = 0; j < this.fixedCount; j++) {
      const d0 = this.fixedFrac[3 * j] - p[0], d1 = this.fixedFrac[3 * j + 1] - p[1], d2 = this.fixedFrac[3 * j + 2] - p[2];
      const lo0 = Math.ceil(-this.reach[0] - d0), hi0 = Math.floor(this.reach[0] - d0);
      const lo1 = Math.ceil(-this.reach[1] - d1), hi1 = Math.floor(this.reach[1] - d1);
      const lo2 = Math.ceil(-this.reach[2] - d2), hi2 = Math.floor(this.reach[2] - d2);
      const xj = this.fixedCart[3 * j] - px, yj = this.fixedCart[3 * j + 1] - py, zj = this.fixedCart[3 * j + 2] - pz;
      for (let n0 = lo0; n0 <= hi0; n0++) for (let n1 = lo1; n1 <= hi1; n1++) for (let n2 = lo2; n2 <= hi2; n2++) {
        const sx = n0 * L[0][0] + n1 * L[1][0] + n2 * L[2][0];
        const sy = n0 * L[0][1] + n1 * L[1][1] + n2 * L[2][1];
        const sz = n0 * L[0][2] + n1 * L[1][2] + n2 * L[2][2];
        const x = xj + sx, y = yj + sy, z = zj + sz;
        const r2 = x * x + y * y + z * z;
        if (r2 >= rc2) continue;
        if (r2 < min2) min2 = r2;
        dst.push(j);
        shift.push(sx, sy, sz);
      }
    }
    return { dst, shift, minDistance: Math.sqrt(min2) };
  }

  /**
   * The frozen-fixed graph's input: the fixed atoms and the ion last (its position does not matter: its only fixed
   * edges are to its own images, whose vectors are lattice vectors), with the framework's edges and the ion's self-image
   * edges.
   */
  fixedGraph(): ModelGraph {
    const F = this.fixedCount, nBase = this.baseSrc.length, nSelf = this.selfShift.length / 3;
    const positions = new Float32Array(3 * (F + 1));
    for (let k = 0; k < 3 * F; k++) positions[k] = this.fixedCart[k];
    const total = nBase + nSelf;
    const edgeSrc = new BigInt64Array(total), edgeDst = new BigInt64Array(total), edgeShift = new Float32Array(3 * total);
    for (let q = 0; q < nBase; q++) {
      edgeSrc[q] = BigInt(this.baseSrc[q]); edgeDst[q] = BigInt(this.baseDst[q]);
      for (let k = 0; k < 3; k++) edgeShift[3 * q + k] = this.baseShift[3 * q + k];
    }
    for (let q = 0; q < nSelf; q++) {
      edgeSrc[nBase + q] = BigInt(F); edgeDst[nBase + q] = BigInt(F);
      for (let k = 0; k < 3; k++) edgeShift[3 * (nBase + q) + k] = this.selfShift[3 * q + k];
    }
    return { species: this.species, positions, edgeSrc, edgeDst, edgeShift };
  }

  /** The frozen-probe graph's input for these probe positions: the ion's edges, r = x_j + shift − x_ion, and their tables. */
  probeBatch(probes: readonly Vec3[], edges: readonly { dst: number[]; shift: number[] }[]): ProbeBatch {
    const F = this.fixedCount, B = probes.length, L = this.L;
    let P = 0, kCopy = 1, kPair = 1;
    const perPair = new Int32Array(B * F);
    for (let b = 0; b < B; b++) {
      P += edges[b].dst.length;
      kCopy = Math.max(kCopy, edges[b].dst.length);
      for (const j of edges[b].dst) kPair = Math.max(kPair, ++perPair[b * F + j]);
    }
    const probeVec = new Float32Array(3 * P), probeAtom = new BigInt64Array(P);
    const pairTable = new BigInt64Array(B * F * kPair).fill(BigInt(P)), copyTable = new BigInt64Array(B * kCopy).fill(BigInt(P));
    const filled = new Int32Array(B * F);
    let e = 0;
    for (let b = 0; b < B; b++) {
      const p = probes[b];
      const pc = [0, 1, 2].map((k) => p[0] * L[0][k] + p[1] * L[1][k] + p[2] * L[2][k]);
      const pe = edges[b];
      for (let q = 0; q < pe.dst.length; q++, e++) {
        const j = pe.dst[q];
        for (let k = 0; k < 3; k++) probeVec[3 * e + k] = this.fixedCart[3 * j + k] + pe.shift[3 * q + k] - pc[k];
        probeAtom[e] = BigInt(j);
        const row = b * F + j;
        pairTable[row * kPair + filled[row]++] = BigInt(e);
        copyTable[b * kCopy + q] = BigInt(e);
      }
    }
    return { copies: B, probeVec, probeAtom, pairTable, kPair, copyTable, kCopy };
  }

  /** One graph holding a copy of the cell per probe (the ion is the last atom of each copy). */
  graph(probes: readonly Vec3[], edges: readonly { dst: number[]; shift: number[] }[]): ModelGraph {
    const F = this.fixedCount, A = F + 1, B = probes.length;
    const nBase = this.baseSrc.length, nSelf = this.selfShift.length / 3;
    let total = 0;
    for (const e of edges) total += nBase + nSelf + 2 * e.dst.length;
    const species = new BigInt64Array(A * B);
    const positions = new Float32Array(3 * A * B);
    const edgeSrc = new BigInt64Array(total), edgeDst = new BigInt64Array(total);
    const edgeShift = new Float32Array(3 * total);
    const L = this.L;
    let e = 0;
    for (let b = 0; b < B; b++) {
      const o = b * A;
      species.set(this.species, o);
      for (let k = 0; k < 3 * F; k++) positions[3 * o + k] = this.fixedCart[k];
      const p = probes[b];
      for (let k = 0; k < 3; k++) positions[3 * (o + F) + k] = p[0] * L[0][k] + p[1] * L[1][k] + p[2] * L[2][k];
      for (let q = 0; q < nBase; q++, e++) {
        edgeSrc[e] = BigInt(o + this.baseSrc[q]);
        edgeDst[e] = BigInt(o + this.baseDst[q]);
        edgeShift[3 * e] = this.baseShift[3 * q]; edgeShift[3 * e + 1] = this.baseShift[3 * q + 1]; edgeShift[3 * e + 2] = this.baseShift[3 * q + 2];
      }
      const ion = BigInt(o + F);
      for (let q = 0; q < nSelf; q++, e++) {
        edgeSrc[e] = ion; edgeDst[e] = ion;
        edgeShift[3 * e] = this.selfShift[3 * q]; edgeShift[3 * e + 1] = this.selfShift[3 * q + 1]; edgeShift[3 * e + 2] = this.selfShift[3 * q + 2];
      }
      const pe = edges[b];
      for (let q = 0; q < pe.dst.length; q++) {
        const j = BigInt(o + pe.dst[q]);
        const sx = pe.shift[3 * q], sy = pe.shift[3 * q + 1], sz = pe.shift[3 * q + 2];
        edgeSrc[e] = ion; edgeDst[e] = j; edgeShift[3 * e] = sx; edgeShift[3 * e + 1] = sy; edgeShift[3 * e + 2] = sz; e++;
        edgeSrc[e] = j; edgeDst[e] = ion; edgeShift[3 * e] = -sx; edgeShift[3 * e + 1] = -sy; edgeShift[3 * e + 2] = -sz; e++;
      }
    }
    return { species, positions, edgeSrc, edgeDst, edgeShift };
  }
}

/** Total energy per copy (eV), summed in double precision. */
function copyEnergies(atomEnergy: Float32Array, atomsPerCopy: number, copies: number): Float64Array {
  const out = new Float64Array(copies);
  for (let b = 0; b < copies; b++) {
    let s = 0;
    for (let a = 0; a < atomsPerCopy; a++) s += atomEnergy[b * atomsPerCopy + a];
    out[b] = s;
  }
  return out;
}

/** The whole cell with the ion moved to p, its neighbour list from scratch (the brute-force reference). */
function fullGraph(lattice: Mat3, atoms: readonly ScanAtom[], ionIndex: number, p: Vec3): { graph: ModelGraph; minDistance: number } {
  const frac = atoms.map((a, i) => (i === ionIndex ? p : a.frac));
  const nl = neighbourList(lattice, frac);
  let min = Infinity;
  for (let e = 0; e < nl.count; e++) {
    if (nl.src[e] !== ionIndex || nl.dst[e] === ionIndex) continue;
    const d = [0, 1, 2].map((k) => frac[nl.dst[e]][0] * lattice[0][k] + frac[nl.dst[e]][1] * lattice[1][k] + frac[nl.dst[e]][2] * lattice[2][k] + nl.shift[3 * e + k]
      - (p[0] * lattice[0][k] + p[1] * lattice[1][k] + p[2] * lattice[2][k]));
    min = Math.min(min, Math.hypot(d[0], d[1], d[2]));
  }
  const positions = new Float32Array(3 * atoms.length);
  frac.forEach((f, i) => { for (let k = 0; k < 3; k++) positions[3 * i + k] = f[0] * lattice[0][k] + f[1] * lattice[1][k] + f[2] * lattice[2][k]; });
  const graph: ModelGraph = {
    species: BigInt64Array.from(atoms.map((a) => BigInt(speciesIndex(a.element, a.label)))),
    positions,
    edgeSrc: BigInt64Array.from(Array.from(nl.src, BigInt)),
    edgeDst: BigInt64Array.from(Array.from(nl.dst, BigInt)),
    edgeShift: Float32Array.from(nl.shift),
  };
  return { graph, minDistance: min };
}

// ---- grid symmetry -----------------------------------------------------------------------------------------

const isInteger = (x: number) => Math.abs(x - Math.round(x)) < 1e-6;

/** Does x ↦ R x + t map the grid k/n onto itself? */
export function opPreservesGrid(op: SymOp, shape: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) {
    if (!isInteger(op.trans[i] * shape[i])) return false;
    for (let j = 0; j < 3; j++) if (!isInteger((shape[i] * op.rot[i][j]) / shape[j])) return false;
  }
  return true;
}

/** The smallest grid at or above `shape` (each n_i + 0…12) that the most operations map onto itself. */
export function symmetryFittingShape(shape: readonly number[], ops: readonly SymOp[]): [number, number, number] {
  let best: [number, number, number] = [shape[0], shape[1], shape[2]];
  let bestOps = -1, bestSize = Infinity;
  for (let d0 = 0; d0 <= 12; d0++) for (let d1 = 0; d1 <= 12; d1++) for (let d2 = 0; d2 <= 12; d2++) {
    const n: [number, number, number] = [shape[0] + d0, shape[1] + d1, shape[2] + d2];
    const size = n[0] * n[1] * n[2];
    if (size > bestSize && bestOps === ops.length) continue;
    const fit = ops.filter((op) => opPreservesGrid(op, n)).length;
    if (fit > bestOps || (fit === bestOps && size < bestSize)) { best = n; bestOps = fit; bestSize = size; }
  }
  return best;
}

/** Representative (smallest index) of each grid point's orbit under `ops` (which must form a group with the grid). */
export function gridOrbits(shape: readonly number[], ops: readonly SymOp[]): Int32Array {
  const [n0, n1, n2] = shape;
  const size = n0 * n1 * n2;
  const rep = new Int32Array(size).fill(-1);
  // Integer form: k'_i = Σ_j (n_i R_ij / n_j) k_j + n_i t_i (mod n_i).
  const mats = ops.map((op) => ({
    m: [0, 1, 2].map((i) => [0, 1, 2].map((j) => Math.round((shape[i] * op.rot[i][j]) / shape[j]))),
    t: [0, 1, 2].map((i) => Math.round(op.trans[i] * shape[i])),
  }));
  const mod = (a: number, n: number) => ((a % n) + n) % n;
  for (let idx = 0; idx < size; idx++) {
    if (rep[idx] >= 0) continue;
    const k2 = idx % n2, k1 = ((idx - k2) / n2) % n1, k0 = (idx - k2 - k1 * n2) / (n1 * n2);
    rep[idx] = idx;
    for (const { m, t } of mats) {
      const a = mod(m[0][0] * k0 + m[0][1] * k1 + m[0][2] * k2 + t[0], n0);
      const b = mod(m[1][0] * k0 + m[1][1] * k1 + m[1][2] * k2 + t[1], n1);
      const c = mod(m[2][0] * k0 + m[2][1] * k1 + m[2][2] * k2 + t[2], n2);
      const j = (a * n1 + b) * n2 + c;
      if (rep[j] < 0) rep[j] = idx;
    }
  }
  return rep;
}

/** Operations that fix the fractional site f (mod lattice translations). */
export function siteSymmetry(ops: readonly SymOp[], f: Vec3, lattice: Mat3): SymOp[] {
  return ops.filter((op) => {
    const g = [0, 1, 2].map((i) => op.rot[i][0] * f[0] + op.rot[i][1] * f[1] + op.rot[i][2] * f[2] + op.trans[i]);
    return periodicDistance(lattice, g, f) < 1e-3;
  });
}

// ---- the scan ----------------------------------------------------------------------------------------------

export interface Job {
  ion: ScanAtom;
  atomIndex: number;
  framework: FrozenFramework;
  /** Grid points to evaluate (representatives, not skipped) and the site (unperturbed reference). */
  points: Int32Array;
  rep: Int32Array;
  skip: Uint8Array;
  energies: Float64Array;
  symmetryOps: number;
}

function defaultFrozenBatch(provider: string, atomsPerCopy: number): number {
  // The per-probe cost is the per-atom network. On the CPU ~1,000 atom rows per call were fastest (LiFePO4, 28 atoms:
  // 146 evaluations/s one per call, 248 at 32, 141 at 64; Li2Te: 444 at 1, 1,394 at 32, 1,429 at 128, 1,234 at 256),
  // and keep a call near 0.2 s for progress and cancel; GPUs need large graphs to be busy.
  const [target, cap] = provider === 'cpu' ? [1_024, 128] : [200_000, 4_096];
  return Math.max(1, Math.min(cap, Math.round(target / Math.max(1, atomsPerCopy))));
}

function defaultBatch(provider: string, edgesPerCopy: number): number {
  // On the CPU the cost is linear in the edges (measured: no gain from larger batches), so batches stay small enough
  // for frequent progress and cancellation; GPUs need large graphs to be busy.
  const target = provider === 'cpu' ? 4_000 : 400_000;
  return Math.max(1, Math.min(512, Math.round(target / Math.max(1, edgesPerCopy))));
}

/** What a scan will evaluate: the cell, the grid, one job per distinct ion, the references; no inference. */
export interface ScanPlan {
  cell: ScanCell;
  variant: ScanVariant;
  shape: [number, number, number];
  size: number;
  mobile: string;
  skipRadius: number;
  ions: { a: ScanAtom; i: number; count: number }[];
  jobs: Job[];
  references: { job: Job; frac: Vec3; ionLabel: string }[];
  frac: (index: number) => Vec3;
  /** Evaluations of the optimised scan and of the brute-force scan of the same grids. */
  evaluations: number;
  evaluationsBruteForce: number;
  /** Without symmetry and scanning every mobile ion, equivalent ones included (the authors' loop). */
  evaluationsEveryIon: number;
}

/** Estimates plan at most this many distinct ions' grids and scale the count to all (a P1 approximant has dozens). */
export const ESTIMATE_SAMPLED_IONS = 4;

/**
 * The scan's plan. `sampleIons` (estimates only): build the grids of that many distinct ions and scale their
 * evaluation count to all of them; the returned `jobs` are then the sampled ones only, and must not be scanned.
 */
export function planFrozenFrameworkScan(structure: Structure, options: ScanOptions = {}, sampleIons = Infinity): ScanPlan {
  const variant: ScanVariant = options.variant ?? 'other Li kept';
  if (variant !== 'other Li kept' && variant !== 'empty framework') throw new LandscapeError('bad-option', `Unknown scan variant '${variant}' (use 'other Li kept' or 'empty framework').`);
  const mobile = options.mobile ?? 'Li';
  const skipRadius = options.skipRadius ?? MLIP_SKIP_RADIUS;
  const useSymmetry = !options.bruteForce && (options.symmetry ?? true);
  const cell = prepareScanCell(structure, options.cell ?? 'primitive-standardized');
  const L = cell.lattice.matrix;
  let shape = options.shape ?? scanGridShape(L, options.gridSpacing ?? MLIP_GRID_SPACING);
  if (options.gridFitsSymmetry && !options.shape) shape = symmetryFittingShape(shape, cell.ops);
  if (shape.some((n) => !Number.isInteger(n) || n < 1)) throw new LandscapeError('bad-option', `Grid shape must be three positive integers, got ${shape.join('×')}.`);
  checkGridSize(shape, undefined);
  const size = shape[0] * shape[1] * shape[2];
  const mobileAtoms = cell.atoms.map((a, i) => ({ a, i })).filter(({ a }) => a.element === mobile);
  if (!mobileAtoms.length) throw new LandscapeError('no-mobile-ion', `The structure has no ${mobile}: there is no mobile ion to scan.`, { element: mobile });
  for (const a of cell.atoms) speciesIndex(a.element, a.label); // unknown elements fail before any work
  // One job per distinct ion (other Li kept) or one job for all (empty framework).
  const distinct = new Map<number, { a: ScanAtom; i: number; count: number }>();
  for (const m of mobileAtoms) {
    const d = distinct.get(m.a.orbit);
    if (d) d.count++; else distinct.set(m.a.orbit, { a: m.a, i: m.i, count: 1 });
  }
  const ions = [...distinct.values()];
  const frac = (idx: number): Vec3 => {
    const k2 = idx % shape[2], k1 = ((idx - k2) / shape[2]) % shape[1], k0 = (idx - k2 - k1 * shape[2]) / (shape[1] * shape[2]);
    return [k0 / shape[0], k1 / shape[1], k2 / shape[2]];
  };
  const jobs: Job[] = [];
  const scanned = variant === 'empty framework' ? ions.slice(0, 1) : ions;
  for (const { a: ion, i: atomIndex } of scanned.slice(0, Math.max(1, sampleIons))) {
    const fixed = cell.atoms.filter((b, j) => j !== atomIndex && (variant === 'other Li kept' || b.element !== mobile));
    // One Li alone in its cell (bcc Li's primitive cell), or a Li-only crystal without the other Li: no atom is left
    // for the probe to feel (the potential's graph would have no edges).
    if (!fixed.length) {
      throw new LandscapeError('no-framework', `Once the probe ${mobile} is taken out, the ${options.cell === 'as-given' ? 'given' : 'primitive standardized'} cell holds no other atom (${cell.atoms.length} atom${cell.atoms.length === 1 ? '' : 's'}${variant === 'empty framework' ? ', the other ' + mobile + ' removed' : ''}): there is no framework to scan.`);
    }
    const framework = new FrozenFramework(L, fixed, ion);
    const group = variant === 'empty framework' ? cell.ops : siteSymmetry(cell.ops, ion.frac, L);
    const gridOps = useSymmetry ? group.filter((op) => opPreservesGrid(op, shape)) : [];
    const rep = gridOps.length > 1 ? gridOrbits(shape, gridOps) : Int32Array.from({ length: size }, (_, k) => k);
    const skip = new Uint8Array(size);
    const points: number[] = [];
    for (let k = 0; k < size; k++) {
      if (rep[k] !== k) continue;
      if (framework.probeEdges(frac(k)).minDistance < skipRadius) skip[k] = 1;
      else points.push(k);
    }
    for (let k = 0; k < size; k++) skip[k] = skip[rep[k]];
    jobs.push({ ion, atomIndex, framework, points: Int32Array.from(points), rep, skip, energies: new Float64Array(size).fill(NaN), symmetryOps: Math.max(1, gridOps.length) });
  }
  // Unperturbed references: one per distinct ion in the empty framework (different sites), one in all otherwise.
  const references: { job: Job; frac: Vec3; ionLabel: string }[] = variant === 'empty framework'
    ? ions.map(({ a }) => ({ job: jobs[0], frac: a.frac.map((x) => x - Math.floor(x)) as Vec3, ionLabel: a.label }))
    : [{ job: jobs[0], frac: jobs[0].ion.frac.map((x) => x - Math.floor(x)) as Vec3, ionLabel: jobs[0].ion.label }];

  const nonSkipped = (j: Job) => { let n = 0; for (let k = 0; k < size; k++) if (!j.skip[k]) n++; return n; };
  const perJob = jobs.map(nonSkipped);
  const evaluationsBruteForce = perJob.reduce((a, b) => a + b, 0) + references.length;
  // The authors' loop scans every Li, equivalent or not (other Li kept); one probe scan in the empty framework.
  const evaluationsEveryIon = (variant === 'empty framework' ? perJob[0] : jobs.reduce((s2, j, q) => s2 + perJob[q] * ions.find((x) => x.i === j.atomIndex)!.count, 0)) + references.length;
  // Sampled (estimates): the mean over the sampled ions' grids, times the ions scanned.
  const evaluations = Math.round(jobs.reduce((s, j) => s + j.points.length, 0) * (scanned.length / jobs.length)) + references.length;
  return { cell, variant, shape, size, mobile, skipRadius, ions, jobs, references, frac, evaluations, evaluationsBruteForce, evaluationsEveryIon };
}

/**
 * CPU time of one probe evaluation through the frozen-framework graphs with 2 threads: a + b·atoms ms, fitted to
 * scripts/bench-mlip.ts (LiFePO4, 28 atoms: 5.3 ms; Li2Te, 3 atoms: 1.05 ms; 16:17 UTC, shared 2-core machine).
 */
export const CPU_MS_PER_EVALUATION = { base: 0.5, perAtom: 0.17, threads: 2 } as const;
/** Whole cells through the main graph (no frozen-framework pair beside a user's model) cost ~6.9× as much (LiFePO4). */
export const WHOLE_CELL_COST_FACTOR = 6.9;

export interface ScanEstimate {
  evaluations: number;
  atoms: number;
  gridShape: [number, number, number];
  /** Expected wall time on the CPU provider (s), from CPU_MS_PER_EVALUATION scaled by the thread count. */
  seconds: number;
}

/** What a scan will cost, from its plan (no inference): a time to show before starting (the CodeLens, rank). */
export function estimateFrozenFrameworkScan(structure: Structure, options: ScanOptions = {}, threads: number = CPU_MS_PER_EVALUATION.threads, wholeCell = false): ScanEstimate {
  const plan = planFrozenFrameworkScan(structure, options, ESTIMATE_SAMPLED_IONS);
  const atoms = plan.cell.atoms.length;
  const perEvaluation = (CPU_MS_PER_EVALUATION.base + CPU_MS_PER_EVALUATION.perAtom * atoms) * (CPU_MS_PER_EVALUATION.threads / Math.max(1, threads))
    * (wholeCell ? WHOLE_CELL_COST_FACTOR : 1);
  return { evaluations: plan.evaluations, atoms, gridShape: plan.shape, seconds: (plan.evaluations * perEvaluation) / 1000 };
}

/** "≈ 22 s, 4,139 evaluations of 28 atoms" (" over 5 orderings" when several structures are scanned). */
export function describeScanEstimate(e: { seconds: number; evaluations: number; atoms: number; structures?: number }): string {
  return `${formatDuration(e.seconds)}, ${e.evaluations.toLocaleString('en-US')} evaluations of ${e.atoms} atoms${(e.structures ?? 1) > 1 ? ` over ${e.structures} orderings` : ''}`;
}

/** "≈ 20 s", "≈ 4 min", "≈ 1.5 h": an estimate in words. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return '< 1 s';
  if (seconds < 90) return `≈ ${Math.round(seconds)} s`;
  if (seconds < 5400) return `≈ ${Math.round(seconds / 60)} min`;
  return `≈ ${(seconds / 3600).toFixed(1)} h`;
}

export async function scanFrozenFramework(structure: Structure, options: ScanOptions = {}, hooks: WorkHooks = {}): Promise<ScanResult> {
  const t0 = performance.now();
  const throwIfAborted = () => { if (hooks.signal?.aborted) throw new CancelledError(); };
  throwIfAborted();
  const plan = planFrozenFrameworkScan(structure, options);
  const { cell, variant, shape, size, mobile, skipRadius, ions, jobs, references, frac, evaluationsBruteForce } = plan;
  const L = cell.lattice.matrix;
  const t1 = performance.now();
  const potential = options.potential ?? (await getPotentialSession(options.session));
  throwIfAborted();
  const referenceEnergy = new Map<string, number>();
  const totalPoints = options.bruteForce ? jobs.length * size + references.length : plan.evaluations;
  const t2 = performance.now();
  let done = 0;
  const progress = () => hooks.onProgress?.(Math.min(1, done / Math.max(1, totalPoints)));

  let batch = 1;
  if (options.bruteForce) {
    for (const job of jobs) {
      const atoms = cell.atoms.filter((b, j) => j === job.atomIndex || variant === 'other Li kept' || b.element !== mobile);
      const ionIndex = atoms.indexOf(job.ion);
      const evaluate = async (p: Vec3): Promise<{ energy: number; minDistance: number }> => {
        throwIfAborted();
        const { graph, minDistance } = fullGraph(L, atoms, ionIndex, p);
        done++; progress();
        if (minDistance < skipRadius) return { energy: NaN, minDistance };
        return { energy: copyEnergies(await potential.atomEnergies(graph), graph.species.length, 1)[0], minDistance };
      };
      // Every grid point on its own, the skip test from the full neighbour list.
      for (let k = 0; k < size; k++) {
        const r = await evaluate(frac(k));
        job.skip[k] = r.minDistance < skipRadius ? 1 : 0;
        job.energies[k] = r.energy;
      }
      for (const r of references) if (r.job === job) referenceEnergy.set(r.ionLabel, (await evaluate(r.frac)).energy);
    }
  } else {
    const frozen = potential.frozen;
    const edgesPerCopy = jobs[0].framework.baseEdgeCount + 2 * jobs[0].framework.probeEdges(references[0].frac).dst.length;
    batch = Math.max(1, Math.floor(options.batch ?? (frozen
      ? defaultFrozenBatch(potential.executionProvider, jobs[0].framework.fixedCount + 1)
      : defaultBatch(potential.executionProvider, edgesPerCopy))));
    // All probes of all jobs in one queue, so batches stay full across ions (each batch uses one framework).
    for (const job of jobs) {
      throwIfAborted();
      const fixed: FixedPart | null = frozen ? await frozen.fixedPart(job.framework.fixedGraph()) : null;
      const queue: { p: Vec3; put: (e: number) => void }[] = [];
      for (let q = 0; q < job.points.length; q++) { const k = job.points[q]; queue.push({ p: frac(k), put: (e) => { job.energies[k] = e; } }); }
      for (const r of references) if (r.job === job) queue.push({ p: r.frac, put: (e) => { referenceEnergy.set(r.ionLabel, e); } });
      for (let s = 0; s < queue.length; s += batch) {
        throwIfAborted();
        const chunk = queue.slice(s, s + batch);
        const probes = chunk.map((c) => c.p);
        const edges = probes.map((p) => job.framework.probeEdges(p));
        const atomEnergy = frozen && fixed
          ? await frozen.probeEnergies(fixed, job.framework.probeBatch(probes, edges))
          : await potential.atomEnergies(job.framework.graph(probes, edges));
        const energies = copyEnergies(atomEnergy, job.framework.fixedCount + 1, chunk.length);
        chunk.forEach((c, b) => c.put(energies[b]));
        done += chunk.length;
        progress();
      }
    }
  }
  throwIfAborted();
  const t3 = performance.now();

  // Copy orbit values, fill skipped points, shift by the minimum.
  const warnings: string[] = [];
  const results: IonScan[] = [];
  for (const { a: ion, i: atomIndex, count } of ions) {
    const job = variant === 'empty framework' ? jobs[0] : jobs.find((j) => j.atomIndex === atomIndex)!;
    const E = new Float64Array(size);
    let max = -Infinity, min = Infinity, argmin = -1;
    for (let k = 0; k < size; k++) {
      if (job.skip[k]) continue;
      const v = job.energies[job.rep[k]];
      E[k] = v;
      if (v > max) max = v;
      if (v < min) { min = v; argmin = k; }
    }
    if (argmin < 0) throw new LandscapeError('bad-grid', `Every grid point lies within ${skipRadius} Å of an atom for ${ion.label}: nothing to scan.`, { siteLabel: ion.label });
    const pes = new Float32Array(size);
    for (let k = 0; k < size; k++) pes[k] = (job.skip[k] ? max : E[k]) - min;
    const unperturbed = referenceEnergy.get(variant === 'empty framework' ? ion.label : jobs[0].ion.label)!;
    const minimumFrac = frac(argmin);
    const minimumDistance_A = periodicDistance(L, minimumFrac, ion.frac);
    let skipped = 0;
    for (let k = 0; k < size; k++) skipped += job.skip[k];
    if (minimumDistance_A > SANITY_DISTANCE_A) {
      warnings.push(`${ion.label}: the energy minimum of the scan (TensorNet-MatPES, ${variant}) lies ${minimumDistance_A.toFixed(2)} Å from the ion's own site (check: ${SANITY_DISTANCE_A} Å): the ion does not sit in its minimum in this frozen framework.`);
    }
    if (unperturbed - min > SANITY_ENERGY_EV) {
      warnings.push(`${ion.label}: the scan's minimum is ${(unperturbed - min).toFixed(2)} eV below the energy with the ion on its own site (check: ${SANITY_ENERGY_EV} eV; TensorNet-MatPES, ${variant}): the structure is far from this potential's equilibrium.`);
    }
    results.push({
      label: ion.label, atomIndex, frac: ion.frac, multiplicity: count, shape, pes, minimumEnergy_eV: min, minimumFrac, minimumDistance_A,
      unperturbedEnergy_eV: unperturbed, skipped, symmetryOps: job.symmetryOps,
      equivalentIonsExact: cell.atoms.filter((b) => b.orbit === ion.orbit).every((b) => cell.ops.some((op) => {
        if (!opPreservesGrid(op, shape)) return false;
        const g = [0, 1, 2].map((i) => op.rot[i][0] * ion.frac[0] + op.rot[i][1] * ion.frac[1] + op.rot[i][2] * ion.frac[2] + op.trans[i]);
        return periodicDistance(L, g, b.frac) < 1e-3;
      })),
    });
  }
  let evaluations = references.length;
  for (const j of jobs) for (let k = 0; k < size; k++) if (!Number.isNaN(j.energies[k])) evaluations++;
  hooks.onProgress?.(1);
  return {
    cell, variant, ions: results, warnings,
    executionProvider: potential.executionProvider, fallbacks: potential.fallbacks, modelSha256: potential.sha256,
    evaluation: options.bruteForce ? { path: 'whole cell', reason: 'brute-force reference' }
      : potential.frozen ? { path: 'frozen framework', sha256: potential.frozen.sha256 }
        : { path: 'whole cell', reason: potential.frozenMissing ?? 'no frozen-framework graphs' },
    evaluations, evaluationsBruteForce, evaluationsEveryIon: plan.evaluationsEveryIon, batch, gridShape: shape,
    timings_ms: { plan: t1 - t0, session: t2 - t1, inference: t3 - t2, total: performance.now() - t0 },
  };
}
