import type { Lattice, Mat3, Vec3 } from './types';

export const DEG = Math.PI / 180;

/** Lattice vectors as rows, a along x, b in the xy plane. */
export function latticeMatrix(a: number, b: number, c: number, alpha: number, beta: number, gamma: number): Mat3 {
  const ca = Math.cos(alpha * DEG), cb = Math.cos(beta * DEG), cg = Math.cos(gamma * DEG), sg = Math.sin(gamma * DEG);
  const cx = c * cb;
  const cy = (c * (ca - cb * cg)) / sg;
  const cz = Math.sqrt(Math.max(0, c * c - cx * cx - cy * cy));
  return [
    [a, 0, 0],
    [b * cg, b * sg, 0],
    [cx, cy, cz],
  ];
}

export function det3(m: Mat3): number {
  return (
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
  );
}

export function inverse3(m: Mat3): Mat3 {
  const d = det3(m);
  const [[a, b, c], [d1, e, f], [g, h, i]] = m;
  return [
    [(e * i - f * h) / d, (c * h - b * i) / d, (b * f - c * e) / d],
    [(f * g - d1 * i) / d, (a * i - c * g) / d, (c * d1 - a * f) / d],
    [(d1 * h - e * g) / d, (b * g - a * h) / d, (a * e - b * d1) / d],
  ];
}

/** Row vector times matrix: frac · M = cart when M is the lattice matrix. */
export function vecMat(v: Vec3, m: Mat3): Vec3 {
  return [
    v[0] * m[0][0] + v[1] * m[1][0] + v[2] * m[2][0],
    v[0] * m[0][1] + v[1] * m[1][1] + v[2] * m[2][1],
    v[0] * m[0][2] + v[1] * m[1][2] + v[2] * m[2][2],
  ];
}

/**
 * Fractional coordinates of one lattice → another's, through the Cartesian frame both share (a supercell built as
 * S · cell, e.g. an ordered approximant and its CIF): f_to = (f_from · M_from) · M_to⁻¹.
 */
export function fractionalMap(from: Mat3, to: Mat3): (frac: Vec3) => Vec3 {
  const inv = inverse3(to);
  return (frac) => vecMat(vecMat(frac, from), inv);
}

export function norm(v: Vec3): number {
  return Math.hypot(v[0], v[1], v[2]);
}

/** Wrap a fractional coordinate into [0, 1). */
export function wrap01(x: number): number {
  const w = x - Math.floor(x);
  return w >= 1 - 1e-12 ? 0 : w;
}

/** Lengths (Å) and angles (degrees) of a lattice given by its row vectors, in any orientation. */
export function latticeFromVectors(vectors: Mat3): Lattice {
  const len = (v: Vec3) => Math.hypot(v[0], v[1], v[2]);
  const angle = (u: Vec3, v: Vec3) => (Math.acos(Math.max(-1, Math.min(1, (u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (len(u) * len(v))))) * 180) / Math.PI;
  const [va, vb, vc] = vectors;
  const a = len(va), b = len(vb), c = len(vc);
  const alpha = angle(vb, vc), beta = angle(va, vc), gamma = angle(va, vb);
  const matrix = latticeMatrix(a, b, c, alpha, beta, gamma);
  return { a, b, c, alpha, beta, gamma, matrix, inverse: inverse3(matrix), volume: det3(matrix) };
}
