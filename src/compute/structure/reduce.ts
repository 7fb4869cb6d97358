/**
 * The reduced cell: the same lattice in its shortest basis, for cells given in a skewed one.
 *
 * A lattice has many bases; a skewed one (MP's rhombohedral primitive of mp-723352: a = b = c = 36.8 Å,
 * α = β = γ = 6.2°) holds the same crystal as the reduced one (lengths near 8 Å), but a grid laid along its long
 * axes needs (abc)/(a′b′c′) times the points (85× there: 31 s instead of 0.5 s), with voxels stretched along
 * them, and its lattice planes look nearly flat although the crystal is not.
 *
 * Convention: the new basis rows are B = T · M (M: the given rows a, b, c; T: an integer matrix with det T = +1),
 * so fractional coordinates map as f′ = f · T⁻¹ (T⁻¹ is an integer matrix too) and Cartesian distances are kept.
 * The reduction is the greedy algorithm of Nguyen & Stehlé (ACM Trans. Algorithms 5, 46 (2009)), which in three
 * dimensions gives a Minkowski-reduced basis: b₁ is a shortest lattice vector, b₂ the shortest independent of it,
 * and b₃ the shortest independent of both. The structure is re-expressed only where it pays:
 * (abc)/(a′b′c′) > REDUCE_WHEN_GRID_RATIO, i.e. the given cell's grid would hold that many times the points.
 * Below it (a monoclinic β = 120° cell, a hexagonal cell), the cell is kept as the file gives it.
 */
import { det3, inverse3, latticeFromVectors, vecMat, wrap01 } from './geometry';
import type { Mat3, Structure, StructureMessage, Vec3 } from './types';

/** Re-express a structure in its reduced cell when the given cell's grid would be this many times larger. */
export const REDUCE_WHEN_GRID_RATIO = 1.5;

const dot = (u: Vec3, v: Vec3) => u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
const sub = (u: Vec3, v: Vec3, k: number): Vec3 => [u[0] - k * v[0], u[1] - k * v[1], u[2] - k * v[2]];

/** The reduced basis of the lattice whose rows are `matrix`: B = T · matrix, T integer, det T = +1. */
export function reduceBasis(matrix: Mat3): { basis: Mat3; transform: Mat3 } {
  let b: Vec3[] = matrix.map((r) => [...r] as Vec3);
  let t: Vec3[] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const shorter = (x: Vec3, y: Vec3) => dot(x, x) < dot(y, y) * (1 - 1e-12);
  // Each pass shortens a vector or stops; 200 passes is far beyond any cell that meets the geometry limits.
  for (let pass = 0; pass < 200; pass++) {
    const order = [0, 1, 2].sort((i, j) => dot(b[i], b[i]) - dot(b[j], b[j]));
    b = order.map((i) => b[i]); t = order.map((i) => t[i]);
    let changed = false;
    // b₂ against b₁: the nearest multiple.
    const k = Math.round(dot(b[1], b[0]) / dot(b[0], b[0]));
    if (k !== 0) {
      const c = sub(b[1], b[0], k);
      if (shorter(c, b[1])) { b[1] = c; t[1] = sub(t[1], t[0], k); changed = true; }
    }
    // b₃ against the plane lattice of b₁, b₂: the nearest of the four lattice points around its projection.
    const g00 = dot(b[0], b[0]), g01 = dot(b[0], b[1]), g11 = dot(b[1], b[1]);
    const r0 = dot(b[2], b[0]), r1 = dot(b[2], b[1]), det = g00 * g11 - g01 * g01;
    const x = (r0 * g11 - r1 * g01) / det, y = (r1 * g00 - r0 * g01) / det;
    let best = b[2], bestT = t[2];
    for (const u of [Math.floor(x), Math.ceil(x)]) for (const v of [Math.floor(y), Math.ceil(y)]) {
      const c = sub(sub(b[2], b[0], u), b[1], v);
      if (shorter(c, best)) { best = c; bestT = sub(sub(t[2], t[0], u), t[1], v); }
    }
    if (best !== b[2]) { b[2] = best; t[2] = bestT; changed = true; }
    if (!changed) break;
  }
  const order = [0, 1, 2].sort((i, j) => dot(b[i], b[i]) - dot(b[j], b[j]));
  b = order.map((i) => b[i]); t = order.map((i) => t[i]);
  // A right-handed basis, as the given one is (a left-handed file is mirrored by its reader).
  if (det3(t as Mat3) < 0) { b[2] = b[2].map((v) => -v) as Vec3; t[2] = t[2].map((v) => -v) as Vec3; }
  return { basis: b as Mat3, transform: t.map((r) => r.map((v) => Math.round(v) || 0)) as Mat3 };
}

/** (abc) of the given cell over (a′b′c′) of the reduced one: how many times the grid points the given cell needs. */
export function gridRatio(matrix: Mat3): number {
  const { basis } = reduceBasis(matrix);
  const len = (v: Vec3) => Math.hypot(v[0], v[1], v[2]);
  return (len(matrix[0]) * len(matrix[1]) * len(matrix[2])) / (len(basis[0]) * len(basis[1]) * len(basis[2]));
}

/** "2a−b+c" for a row of T. */
export function combinationName(row: Vec3): string {
  const parts: string[] = [];
  row.forEach((k, i) => {
    if (!k) return;
    const sign = k < 0 ? '−' : parts.length ? '+' : '';
    parts.push(`${sign}${Math.abs(k) === 1 ? '' : Math.abs(k)}${'abc'[i]}`);
  });
  return parts.join('');
}

/**
 * The structure in its reduced cell, with the message that says so, or null when the given cell is kept
 * (grid ratio ≤ REDUCE_WHEN_GRID_RATIO). The input is not changed.
 */
export function reducedCellOf(structure: Structure): { structure: Structure; message: StructureMessage } | null {
  const given = structure.lattice;
  const { basis, transform } = reduceBasis(given.matrix);
  const len = (v: Vec3) => Math.hypot(v[0], v[1], v[2]);
  const ratio = (given.a * given.b * given.c) / (len(basis[0]) * len(basis[1]) * len(basis[2]));
  if (!(ratio > REDUCE_WHEN_GRID_RATIO)) return null;
  const lattice = latticeFromVectors(basis);
  const inverse = inverse3(transform).map((r) => r.map((v) => Math.round(v))) as Mat3;
  const toReduced = (f: Vec3) => vecMat(f, inverse).map(wrap01) as Vec3;
  const sites = structure.sites.map((s) => {
    const frac = toReduced(s.frac);
    return { ...s, frac, cart: vecMat(frac, lattice.matrix) };
  });
  const asymmetricSites = structure.asymmetricSites.map((a) => ({ ...a, frac: toReduced(a.frac) }));
  const f = (x: number, d = 3) => Number(x.toFixed(d));
  const message: StructureMessage = {
    severity: 'info', code: 'cell-reduced',
    message: `the cell (a ${f(given.a)} Å, b ${f(given.b)} Å, c ${f(given.c)} Å, α ${f(given.alpha, 2)}°, β ${f(given.beta, 2)}°, γ ${f(given.gamma, 2)}°) is a skewed basis of its lattice: ` +
      `the analyses use the reduced cell a′ = ${combinationName(transform[0])}, b′ = ${combinationName(transform[1])}, c′ = ${combinationName(transform[2])} ` +
      `(a′ ${f(lattice.a)} Å, b′ ${f(lattice.b)} Å, c′ ${f(lattice.c)} Å, α′ ${f(lattice.alpha, 2)}°, β′ ${f(lattice.beta, 2)}°, γ′ ${f(lattice.gamma, 2)}°), the same crystal on ${ratio >= 10 ? Math.round(ratio) : ratio.toFixed(1)}× fewer grid points; positions and exports are in that cell`,
  };
  return { structure: { ...structure, lattice, sites, asymmetricSites, messages: [...structure.messages, message] }, message };
}
