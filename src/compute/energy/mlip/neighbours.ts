/**
 * Periodic neighbour list for the machine-learned potential (TensorNet, 5 Å cut-off; SCIENCE.md §6).
 *
 *   edge (src → dst, image n ∈ ℤ³):   r_src→dst = x_dst + n·L − x_src,   |r| < r_c
 *
 * with L the lattice matrix (rows a, b, c) and x the Cartesian positions as given. Both directions of every pair are
 * listed; an atom's own zero-shift image is excluded, its other periodic images are neighbours like any atom (cells
 * shorter than the cut-off have many). This is the graph the ONNX export of the model consumes: `edge_shift` = n·L.
 *
 * Cell list: atoms (wrapped into [0, 1)) are binned into m_i = max(1, ⌊d_i / r_c⌋) bins along each axis, d_i the
 * interplanar spacing |V| / |a_j × a_k|. Two points closer than r_c differ in fractional coordinate i by at most
 * r_c / d_i, hence in bin index by at most R_i = ⌈r_c·m_i / d_i⌉; scanning the unwrapped bin offsets −R_i…R_i visits
 * every candidate image exactly once (an unwrapped bin is one (bin, image) pair), for any triclinic cell. Order is
 * deterministic: by source atom, then destination atom, then image (n0, n1, n2) lexicographically.
 */
import type { Mat3, Vec3 } from '../../structure/types';
import { inverse3 } from '../../structure/geometry';

export const TENSORNET_CUTOFF = 5.0;

export interface NeighbourList {
  /** Directed edges; length E. */
  src: Int32Array;
  dst: Int32Array;
  /** Integer image offsets n (E×3, row-major), relative to the positions as given. */
  image: Int32Array;
  /** Cartesian shifts n·L (E×3, Å). */
  shift: Float64Array;
  count: number;
}

/** Interplanar spacings d_i = 1 / |column i of L⁻¹| (Å). */
export function interplanarSpacings(lattice: Mat3): Vec3 {
  const inv = inverse3(lattice);
  return [0, 1, 2].map((i) => 1 / Math.hypot(inv[0][i], inv[1][i], inv[2][i])) as Vec3;
}

/**
 * All directed pairs within `cutoff` (Å) of the periodic structure with fractional positions `frac` (any values;
 * images are counted from the positions as given). `cart` may be passed when already known.
 */
export function neighbourList(lattice: Mat3, frac: readonly Vec3[], cutoff = TENSORNET_CUTOFF): NeighbourList {
  const n = frac.length;
  const L = lattice;
  const spacing = interplanarSpacings(L);
  const m = spacing.map((d) => Math.max(1, Math.floor(d / cutoff))) as Vec3;
  const reach = spacing.map((d, i) => Math.ceil((cutoff * m[i]) / d)) as Vec3;
  // Wrapped fractional positions, the integer cell each atom was wrapped from, bins.
  const wrapped = new Float64Array(3 * n);
  const cellOf = new Int32Array(3 * n);
  const binOf = new Int32Array(3 * n);
  const cart = new Float64Array(3 * n);
  const bins = new Map<number, number[]>();
  const binKey = (b0: number, b1: number, b2: number) => (b0 * m[1] + b1) * m[2] + b2;
  for (let a = 0; a < n; a++) {
    for (let i = 0; i < 3; i++) {
      const f = frac[a][i];
      let c = Math.floor(f);
      let w = f - c;
      if (w >= 1) { w -= 1; c += 1; } // f − floor(f) can round up to 1 for tiny negative f
      wrapped[3 * a + i] = w;
      cellOf[3 * a + i] = c;
      binOf[3 * a + i] = Math.min(m[i] - 1, Math.floor(w * m[i]));
    }
    const w0 = wrapped[3 * a], w1 = wrapped[3 * a + 1], w2 = wrapped[3 * a + 2];
    for (let k = 0; k < 3; k++) cart[3 * a + k] = w0 * L[0][k] + w1 * L[1][k] + w2 * L[2][k];
    const key = binKey(binOf[3 * a], binOf[3 * a + 1], binOf[3 * a + 2]);
    const list = bins.get(key);
    if (list) list.push(a); else bins.set(key, [a]);
  }
  const rc2 = cutoff * cutoff;
  // Edges of one source collected as (dst, image) and sorted, so the order does not depend on the binning.
  const src: number[] = [], dst: number[] = [], img: number[] = [];
  const found: { j: number; n0: number; n1: number; n2: number }[] = [];
  for (let a = 0; a < n; a++) {
    found.length = 0;
    const xa = cart[3 * a], ya = cart[3 * a + 1], za = cart[3 * a + 2];
    const b0 = binOf[3 * a], b1 = binOf[3 * a + 1], b2 = binOf[3 * a + 2];
    for (let d0 = -reach[0]; d0 <= reach[0]; d0++) {
      const u0 = b0 + d0, s0 = Math.floor(u0 / m[0]), w0 = u0 - s0 * m[0];
      for (let d1 = -reach[1]; d1 <= reach[1]; d1++) {
        const u1 = b1 + d1, s1 = Math.floor(u1 / m[1]), w1 = u1 - s1 * m[1];
        for (let d2 = -reach[2]; d2 <= reach[2]; d2++) {
          const u2 = b2 + d2, s2 = Math.floor(u2 / m[2]), w2 = u2 - s2 * m[2];
          const members = bins.get(binKey(w0, w1, w2));
          if (!members) continue;
          const sx = s0 * L[0][0] + s1 * L[1][0] + s2 * L[2][0];
          const sy = s0 * L[0][1] + s1 * L[1][1] + s2 * L[2][1];
          const sz = s0 * L[0][2] + s1 * L[1][2] + s2 * L[2][2];
          for (const j of members) {
            if (j === a && s0 === 0 && s1 === 0 && s2 === 0) continue;
            const dx = cart[3 * j] + sx - xa, dy = cart[3 * j + 1] + sy - ya, dz = cart[3 * j + 2] + sz - za;
            if (dx * dx + dy * dy + dz * dz >= rc2) continue;
            // Image relative to the positions as given: x_j(given) = w_j + c_j, so n = s − c_j + c_a.
            found.push({
              j,
              n0: s0 - cellOf[3 * j] + cellOf[3 * a],
              n1: s1 - cellOf[3 * j + 1] + cellOf[3 * a + 1],
              n2: s2 - cellOf[3 * j + 2] + cellOf[3 * a + 2],
            });
          }
        }
      }
    }
    found.sort((p, q) => p.j - q.j || p.n0 - q.n0 || p.n1 - q.n1 || p.n2 - q.n2);
    for (const f of found) { src.push(a); dst.push(f.j); img.push(f.n0, f.n1, f.n2); }
  }
  const count = src.length;
  const image = Int32Array.from(img);
  const shift = new Float64Array(3 * count);
  for (let e = 0; e < count; e++) {
    const n0 = image[3 * e], n1 = image[3 * e + 1], n2 = image[3 * e + 2];
    for (let k = 0; k < 3; k++) shift[3 * e + k] = n0 * L[0][k] + n1 * L[1][k] + n2 * L[2][k];
  }
  return { src: Int32Array.from(src), dst: Int32Array.from(dst), image, shift, count };
}

/**
 * The same list by exhaustive search over all images that can lie within the cut-off for positions within ±1 cell of [0, 1) (|n_i| ≤ ⌈r_c / d_i⌉ + 2):
 * O(N²·images), for tests only.
 */
export function neighbourListBruteForce(lattice: Mat3, frac: readonly Vec3[], cutoff = TENSORNET_CUTOFF): NeighbourList {
  const spacing = interplanarSpacings(lattice);
  const R = spacing.map((d) => Math.ceil(cutoff / d) + 2);
  const toCart = (f: readonly number[]): Vec3 => [0, 1, 2].map((k) => f[0] * lattice[0][k] + f[1] * lattice[1][k] + f[2] * lattice[2][k]) as Vec3;
  const src: number[] = [], dst: number[] = [], img: number[] = [], sh: number[] = [];
  for (let a = 0; a < frac.length; a++) {
    for (let j = 0; j < frac.length; j++) {
      for (let n0 = -R[0]; n0 <= R[0]; n0++) for (let n1 = -R[1]; n1 <= R[1]; n1++) for (let n2 = -R[2]; n2 <= R[2]; n2++) {
        if (a === j && !n0 && !n1 && !n2) continue;
        const d = toCart([frac[j][0] + n0 - frac[a][0], frac[j][1] + n1 - frac[a][1], frac[j][2] + n2 - frac[a][2]]);
        if (Math.hypot(...d) >= cutoff) continue;
        src.push(a); dst.push(j); img.push(n0, n1, n2); sh.push(...toCart([n0, n1, n2]));
      }
    }
  }
  return { src: Int32Array.from(src), dst: Int32Array.from(dst), image: Int32Array.from(img), shift: Float64Array.from(sh), count: src.length };
}
