/**
 * Which grid points count as neighbours when connecting low-energy regions.
 *
 * - 'index26': the 26 points differing by at most one step along each grid axis. Right for orthogonal cells and
 *   what BVlain/CCNB use (scipy's 3×3×3 structure element), but in a skewed cell some of those steps are long
 *   Cartesian jumps (γ = 30°: the (1,1,0) step is ~1.9 grid spacings) while shorter steps such as (2,−1,0) are
 *   missing, so connectivity depends on the cell setting.
 * - 'sqrt3' (default): every step whose Cartesian length is at most √(|g_a|² + |g_b|² + |g_c|²), g_i = a_i/N_i, the
 *   body diagonal of the equivalent orthogonal voxel (the pes_fingerprint "sqrt3" idea), excluding steps that pass
 *   straight through another grid point (gcd of |d_i| > 1, e.g. (2,0,0)): those must go via that point, so a
 *   one-voxel barrier is never jumped. In an orthogonal cell this is exactly the 26-neighbourhood; in a skewed cell
 *   it follows geometry instead of indices.
 */
import type { Mat3 } from '../structure/types';
import { inverse3 } from '../structure/geometry';

export type StencilKind = 'sqrt3' | 'index26';

export interface Stencil {
  kind: StencilKind;
  /** Steps (d0, d1, d2) flattened; symmetric (every step's negative is present); no zero step. */
  steps: Int32Array;
  /** Cartesian length (Å) of each step. */
  lengths: Float64Array;
  count: number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Upper bound on |d_i| so a pathological cell cannot explode the stencil. */
const MAX_REACH = 4;

export function buildStencil(lattice: Mat3, shape: readonly number[], kind: StencilKind = 'sqrt3'): Stencil {
  const g = [0, 1, 2].map((i) => lattice[i].map((x) => x / shape[i]));
  const stepLength = (d0: number, d1: number, d2: number): number => {
    const x = d0 * g[0][0] + d1 * g[1][0] + d2 * g[2][0];
    const y = d0 * g[0][1] + d1 * g[1][1] + d2 * g[2][1];
    const z = d0 * g[0][2] + d1 * g[1][2] + d2 * g[2][2];
    return Math.hypot(x, y, z);
  };
  const steps: number[] = [];
  const lengths: number[] = [];
  if (kind === 'index26') {
    for (let d0 = -1; d0 <= 1; d0++)
      for (let d1 = -1; d1 <= 1; d1++)
        for (let d2 = -1; d2 <= 1; d2++) {
          if (d0 === 0 && d1 === 0 && d2 === 0) continue;
          steps.push(d0, d1, d2);
          lengths.push(stepLength(d0, d1, d2));
        }
  } else {
    const limit = Math.sqrt(g.reduce((s, v) => s + v[0] * v[0] + v[1] * v[1] + v[2] * v[2], 0)) * (1 + 1e-9);
    // A step with |d_i| = m is at least m grid-plane spacings long along the reciprocal direction i.
    const inv = inverse3(lattice);
    const reach = [0, 1, 2].map((i) => {
      const recipNorm = Math.hypot(inv[0][i], inv[1][i], inv[2][i]);
      const planeSpacing = 1 / (recipNorm * shape[i]);
      return Math.min(MAX_REACH, Math.floor(limit / planeSpacing));
    });
    for (let d0 = -reach[0]; d0 <= reach[0]; d0++)
      for (let d1 = -reach[1]; d1 <= reach[1]; d1++)
        for (let d2 = -reach[2]; d2 <= reach[2]; d2++) {
          if (d0 === 0 && d1 === 0 && d2 === 0) continue;
          if (gcd(gcd(Math.abs(d0), Math.abs(d1)), Math.abs(d2)) !== 1) continue;
          const len = stepLength(d0, d1, d2);
          if (len <= limit) {
            steps.push(d0, d1, d2);
            lengths.push(len);
          }
        }
  }
  return { kind, steps: Int32Array.from(steps), lengths: Float64Array.from(lengths), count: lengths.length };
}

/**
 * Neighbour lookup on the periodic grid: for voxel coordinates and a step, the neighbour's index and the lattice
 * translation (in cells) crossed. Written for speed: results land in the preallocated `out` fields.
 */
export class PeriodicNeighbours {
  readonly n0: number;
  readonly n1: number;
  readonly n2: number;
  /** Outputs of `at`: neighbour index and the cell translation (t0, t1, t2) of the neighbour's image. */
  index = 0;
  t0 = 0;
  t1 = 0;
  t2 = 0;

  constructor(shape: readonly number[]) {
    this.n0 = shape[0];
    this.n1 = shape[1];
    this.n2 = shape[2];
  }

  private c0 = 0;
  private c1 = 0;
  private c2 = 0;

  /** Sets the voxel whose neighbours `step` visits next (grid index, last axis fastest). */
  centre(v: number): void {
    const n12 = this.n1 * this.n2;
    this.c0 = (v / n12) | 0;
    const r = v - this.c0 * n12;
    this.c1 = (r / this.n2) | 0;
    this.c2 = r - this.c1 * this.n2;
  }

  /** Neighbour `s` of the stencil around the voxel given to `centre`; results in `index` and `t0..t2`. */
  step(stencil: Stencil, s: number): void {
    const steps = stencil.steps;
    this.at(this.c0, this.c1, this.c2, steps[3 * s], steps[3 * s + 1], steps[3 * s + 2]);
  }

  at(i0: number, i1: number, i2: number, d0: number, d1: number, d2: number): void {
    let j0 = i0 + d0;
    let j1 = i1 + d1;
    let j2 = i2 + d2;
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    if (j0 < 0 || j0 >= this.n0) {
      t0 = Math.floor(j0 / this.n0);
      j0 -= t0 * this.n0;
    }
    if (j1 < 0 || j1 >= this.n1) {
      t1 = Math.floor(j1 / this.n1);
      j1 -= t1 * this.n1;
    }
    if (j2 < 0 || j2 >= this.n2) {
      t2 = Math.floor(j2 / this.n2);
      j2 -= t2 * this.n2;
    }
    this.index = (j0 * this.n1 + j1) * this.n2 + j2;
    this.t0 = t0;
    this.t1 = t1;
    this.t2 = t2;
  }
}
