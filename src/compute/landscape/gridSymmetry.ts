/**
 * Symmetry of a periodic grid: which operations of a framework map the energy grid onto itself, and the orbit map
 * point → representative, so that a field with that symmetry need only be evaluated at one point per orbit.
 *
 * Conventions. Grid (grid.ts): voxel i = (i0, i1, i2) sits at fractional f = (i0/n0, i1/n1, i2/n2), origin at the
 * cell origin, no endpoint duplicate. An operation (W, w) acts on fractional column vectors, f' = W f + w (mod 1),
 * with W an integer matrix. It maps the grid onto itself exactly when
 *
 *     M_jk = W_jk · n_j / n_k  is an integer for all j, k   and   t_j = w_j · n_j  is an integer (within 1e-9),
 *
 * and then voxel i goes to (M i + t) mod n (M is unimodular, det M = det W = ±1, so this is a bijection). A rotation
 * that exchanges axes therefore fits only where their n agree, and a half translation only along an even n.
 *
 * Where the operations come from. A field computed from a framework of sites (position, kind) and the lattice metric
 * alone is invariant under exactly the operations that preserve the metric (Wᵀ G W = G, G = L Lᵀ) and map every site
 * onto a site of the same kind. `frameworkGridOperations` finds them directly on the sites it is given — the
 * framework the energy is computed from, not the CIF's list — and keeps only those that fit the grid:
 * W with entries in {−1, 0, 1} (the point operations of reduced and conventional cells; one with larger entries, in
 * a skewed cell, is left out), w = t/n taken on the grid and then checked on every site to 1e-8 Å. So a CIF with noisy special
 * positions, an ordered approximant (P1 supercell) or an odd grid simply gets fewer operations (at least the
 * identity), never a wrong one.
 */
import type { Mat3, Vec3 } from '../structure/types';

/** An operation as a map of voxel indices: i' = (M i + t) mod n. */
export interface GridOperation {
  /** The fractional operation it comes from: f' = W f + w. */
  W: Mat3;
  w: Vec3;
  /** M_jk = W_jk n_j / n_k and t_j = w_j n_j (integers). */
  M: Mat3;
  t: Vec3;
}

export interface FrameworkSite {
  /** Fractional position (any cell; wrapped here). */
  frac: Vec3;
  /** Sites of equal kind are interchangeable (same species, same occupancies). */
  kind: number;
}

/** Largest distance (Å) between an image of a site and the site it must land on. */
export const SITE_MATCH_TOLERANCE = 1e-8;
/** Relative tolerance of Wᵀ G W = G. */
const METRIC_TOLERANCE = 1e-9;
/** Position hash cells per axis (2^16: keys below 2^48, exact in a double). */
const HASH_CELLS = 65536;
/** Integer tolerance for M and t. */
const GRID_TOLERANCE = 1e-9;

function wrap(x: number): number {
  return x - Math.floor(x);
}

/** Integer columns c (entries in {−1, 0, 1}, c ≠ 0) with cᵀ G c = G_kk: candidate images of basis vector k. */
function candidateColumns(G: Mat3, k: number, scale: number): Vec3[] {
  const out: Vec3[] = [];
  for (let a = -1; a <= 1; a++)
    for (let b = -1; b <= 1; b++)
      for (let c = -1; c <= 1; c++) {
        if (!a && !b && !c) continue;
        const v: Vec3 = [a, b, c];
        let len = 0;
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) len += v[i] * G[i][j] * v[j];
        if (Math.abs(len - G[k][k]) <= METRIC_TOLERANCE * scale) out.push(v);
      }
  return out;
}

/** Metric-preserving integer matrices W (Wᵀ G W = G) whose grid matrix M is integral. */
function gridPointOperations(lattice: Mat3, shape: readonly number[]): { W: Mat3; M: Mat3 }[] {
  const G = [0, 1, 2].map((i) => [0, 1, 2].map((j) => lattice[i][0] * lattice[j][0] + lattice[i][1] * lattice[j][1] + lattice[i][2] * lattice[j][2])) as Mat3;
  const scale = Math.max(G[0][0], G[1][1], G[2][2]);
  const columns = [0, 1, 2].map((k) => candidateColumns(G, k, scale));
  const dot = (u: Vec3, v: Vec3) => {
    let s = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += u[i] * G[i][j] * v[j];
    return s;
  };
  const out: { W: Mat3; M: Mat3 }[] = [];
  for (const c0 of columns[0])
    for (const c1 of columns[1]) {
      if (Math.abs(dot(c0, c1) - G[0][1]) > METRIC_TOLERANCE * scale) continue;
      for (const c2 of columns[2]) {
        if (Math.abs(dot(c0, c2) - G[0][2]) > METRIC_TOLERANCE * scale || Math.abs(dot(c1, c2) - G[1][2]) > METRIC_TOLERANCE * scale) continue;
        // Column k of W is the image of basis vector k.
        const W = [0, 1, 2].map((j) => [c0[j], c1[j], c2[j]]) as Mat3;
        const M = [0, 1, 2].map((j) => [0, 1, 2].map((k) => (W[j][k] * shape[j]) / shape[k])) as Mat3;
        if (M.every((row) => row.every((x) => Math.abs(x - Math.round(x)) <= GRID_TOLERANCE))) {
          out.push({ W, M: M.map((row) => row.map(Math.round)) as Mat3 });
        }
      }
    }
  return out;
}

/**
 * The operations that map both the framework (sites with kinds, the lattice metric) and the grid onto themselves.
 * Always contains the identity first.
 */
export function frameworkGridOperations(sites: readonly FrameworkSite[], lattice: Mat3, shape: readonly number[]): GridOperation[] {
  const identity: GridOperation = { W: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], w: [0, 0, 0], M: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], t: [0, 0, 0] };
  if (!sites.length) return [identity];
  const frac = sites.map((s) => s.frac.map(wrap) as Vec3);
  const byKind = new Map<number, number[]>();
  sites.forEach((s, i) => {
    const list = byKind.get(s.kind);
    if (list) list.push(i);
    else byKind.set(s.kind, [i]);
  });
  // The rarest kind's first site fixes the candidate translations.
  let refList: number[] = [];
  for (const list of byKind.values()) if (!refList.length || list.length < refList.length) refList = list;
  const ref = refList[0];
  const tol2 = SITE_MATCH_TOLERANCE * SITE_MATCH_TOLERANCE;
  const L = lattice;
  // Sites of each kind by their position rounded to 1/HASH_CELLS of each axis. An image that should land on a site
  // does so to ~1e-15, so it finds it under the same key; one that straddles a rounding boundary (odds ~1e-10) is
  // missed, which only drops an operation.
  const key = (p: Vec3) => {
    let k = 0;
    for (let a = 0; a < 3; a++) k = k * HASH_CELLS + (Math.round(wrap(p[a]) * HASH_CELLS) % HASH_CELLS);
    return k;
  };
  const index = new Map<number, Map<number, number>>();
  sites.forEach((s, i) => {
    let m = index.get(s.kind);
    if (!m) index.set(s.kind, (m = new Map()));
    m.set(key(frac[i]), i);
  });
  /** Does p land on a site of `kind` (to SITE_MATCH_TOLERANCE)? */
  const landsOnKind = (p: Vec3, kind: number): boolean => {
    const j = index.get(kind)!.get(key(p));
    if (j === undefined) return false;
    let d0 = p[0] - frac[j][0], d1 = p[1] - frac[j][1], d2 = p[2] - frac[j][2];
    d0 -= Math.round(d0);
    d1 -= Math.round(d1);
    d2 -= Math.round(d2);
    const x = d0 * L[0][0] + d1 * L[1][0] + d2 * L[2][0];
    const y = d0 * L[0][1] + d1 * L[1][1] + d2 * L[2][1];
    const z = d0 * L[0][2] + d1 * L[1][2] + d2 * L[2][2];
    return x * x + y * y + z * z <= tol2;
  };
  const apply = (W: Mat3, w: Vec3, f: Vec3): Vec3 => [
    W[0][0] * f[0] + W[0][1] * f[1] + W[0][2] * f[2] + w[0],
    W[1][0] * f[0] + W[1][1] * f[1] + W[1][2] * f[2] + w[1],
    W[2][0] * f[0] + W[2][1] * f[1] + W[2][2] * f[2] + w[2],
  ];
  const out: GridOperation[] = [];
  for (const { W, M } of gridPointOperations(lattice, shape)) {
    const image = apply(W, [0, 0, 0], frac[ref]);
    for (const j of refList) {
      // The translation that takes the reference site onto site j, on the grid (t_j = w_j n_j integral) or not at all.
      const t = [0, 1, 2].map((a) => wrap(frac[j][a] - image[a]) * shape[a]) as Vec3;
      if (t.some((x) => Math.abs(x - Math.round(x)) > GRID_TOLERANCE * Math.max(1, shape[0], shape[1], shape[2]))) continue;
      const ti = [0, 1, 2].map((a) => ((Math.round(t[a]) % shape[a]) + shape[a]) % shape[a]) as Vec3;
      const w = [0, 1, 2].map((a) => ti[a] / shape[a]) as Vec3;
      let fits = true;
      for (let s = 0; s < sites.length && fits; s++) fits = landsOnKind(apply(W, w, frac[s]), sites[s].kind);
      if (fits) out.push({ W, w, M, t: ti });
    }
  }
  // Identity first (it is always found: W = 1, t = 0 takes the reference site onto itself).
  const isIdentity = (o: GridOperation) => o.t.every((x) => x === 0) && o.W.every((row, j) => row.every((x, k) => x === (j === k ? 1 : 0)));
  const rest = out.filter((o) => !isIdentity(o));
  return [identity, ...rest];
}

export interface GridOrbits {
  /** For every voxel, the index of its orbit's representative (the smallest index reached from it). */
  representative: Int32Array;
  /** Number of orbits (= voxels that must be evaluated). */
  count: number;
  operations: number;
}

/**
 * Orbit map of a grid under operations (each a bijection of the voxels). Voxels are visited in index order; an
 * unassigned voxel becomes a representative and every image of it under one operation is assigned to it. Each
 * assignment v → r means v = g(r) for one of the operations, so a field invariant under them has value(v) = value(r);
 * if the set is not closed under composition some orbits are split (more representatives), never merged wrongly.
 */
export function gridOrbits(shape: readonly number[], operations: readonly GridOperation[]): GridOrbits {
  const [n0, n1, n2] = shape;
  const total = n0 * n1 * n2;
  const representative = new Int32Array(total).fill(-1);
  const ops = operations.filter((o) => !(o.t.every((x) => x === 0) && o.M.every((row, j) => row.every((x, k) => x === (j === k ? 1 : 0)))));
  // Flattened: 9 matrix entries and 3 translations per operation.
  const flat = new Int32Array(12 * ops.length);
  ops.forEach((o, k) => {
    for (let j = 0; j < 3; j++) {
      for (let c = 0; c < 3; c++) flat[12 * k + 3 * j + c] = o.M[j][c];
      flat[12 * k + 9 + j] = o.t[j];
    }
  });
  let count = 0;
  let v = 0;
  for (let i0 = 0; i0 < n0; i0++)
    for (let i1 = 0; i1 < n1; i1++)
      for (let i2 = 0; i2 < n2; i2++, v++) {
        if (representative[v] >= 0) continue;
        representative[v] = v;
        count++;
        for (let k = 0; k < ops.length; k++) {
          const b = 12 * k;
          // |M_jk i_k| < n_j for each k, so a few additions wrap it (faster in V8 than % on signed values).
          let j0 = flat[b] * i0 + flat[b + 1] * i1 + flat[b + 2] * i2 + flat[b + 9];
          let j1 = flat[b + 3] * i0 + flat[b + 4] * i1 + flat[b + 5] * i2 + flat[b + 10];
          let j2 = flat[b + 6] * i0 + flat[b + 7] * i1 + flat[b + 8] * i2 + flat[b + 11];
          while (j0 < 0) j0 += n0;
          while (j0 >= n0) j0 -= n0;
          while (j1 < 0) j1 += n1;
          while (j1 >= n1) j1 -= n1;
          while (j2 < 0) j2 += n2;
          while (j2 >= n2) j2 -= n2;
          const u = (j0 * n1 + j1) * n2 + j2;
          if (representative[u] < 0) representative[u] = v;
        }
      }
  return { representative, count, operations: ops.length + 1 };
}

/** Copy each representative's value to the rest of its orbit. */
export function fillFromRepresentatives(data: Float32Array, orbits: GridOrbits): void {
  const rep = orbits.representative;
  for (let v = 0; v < data.length; v++) {
    const r = rep[v];
    if (r !== v) data[v] = data[r];
  }
}
