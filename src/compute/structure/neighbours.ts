/**
 * Periodic neighbours within a radius, through fractional bins.
 *
 * Each axis k is cut into bins at least `radius` thick across (interplanar spacing d_k = V / |a_i × a_j|), so a
 * neighbour within the radius lies in the same or an adjacent bin along every axis: |Δf_k| · d_k ≤ |Δr| ≤ radius.
 * Looking up a site then costs the sites in 27 bins (all bins along an axis with fewer than three), not all N. Every
 * lattice image within the radius is visited, so a cell thinner than the radius yields a site's images several times
 * (and the site itself at distance 0, which callers skip or count as they need). Used by vacancies.ts,
 * bondValence.ts and approximants/freeSites.ts.
 */
import type { Mat3, Structure, Vec3 } from './types';
import { det3, norm } from './geometry';

const cross = (u: readonly number[], v: readonly number[]): [number, number, number] =>
  [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];

export interface NeighbourFinder {
  /**
   * Calls `visit(j, r, t0, t1, t2)` for every point j among the members (and each of its lattice images) within the
   * radius of point i; the image is frac_j + (t0, t1, t2), in cells, so its displacement from i is that minus frac_i.
   */
  around(i: number, visit: (j: number, r: number, t0: number, t1: number, t2: number) => void): void;
}

/** A finder over the sites of a structure that `member(j)` accepts (all sites when omitted). */
export function neighbourFinder(structure: Structure, radius: number, member: (j: number) => boolean = () => true): NeighbourFinder {
  return periodicNeighbourFinder(structure.lattice.matrix, structure.sites.map((s) => s.frac), radius, member);
}

/** The same over any fractional points in a cell (rows of `m`: the lattice vectors, Å). */
export function periodicNeighbourFinder(m: Mat3, fracs: readonly Vec3[], radius: number, member: (j: number) => boolean = () => true): NeighbourFinder {
  const volume = Math.abs(det3(m));
  const spacing = [norm(cross(m[1], m[2])), norm(cross(m[2], m[0])), norm(cross(m[0], m[1]))].map((area) => volume / area);
  const bins = spacing.map((d) => Math.max(1, Math.floor(d / radius)));
  const binOf = (f: readonly number[]) => f.map((x, k) => Math.min(bins[k] - 1, Math.floor((x - Math.floor(x)) * bins[k])));
  const key = (b: readonly number[]) => (b[0] * bins[1] + b[1]) * bins[2] + b[2];
  const members = new Map<number, number[]>();
  fracs.forEach((frac, j) => {
    if (!member(j)) return;
    const k = key(binOf(frac));
    const list = members.get(k);
    if (list) list.push(j); else members.set(k, [j]);
  });
  /**
   * Along one axis, the (bin, lattice shift) pairs to search from bin b. With three bins or more, the unwrapped bins
   * b − 1, b, b + 1 are distinct and each is one bin with one shift, so every image within the radius is met once.
   * With fewer, every bin with every shift that can come within the radius (|Δf| ≤ 1 + radius / d).
   */
  const near = (b: number, k: number): [number, number][] => {
    const n = bins[k];
    if (n >= 3) return [-1, 0, 1].map((d) => { const raw = b + d; return [(raw + n) % n, raw < 0 ? -1 : raw >= n ? 1 : 0]; });
    const reach = Math.ceil(radius / spacing[k]) + 1;
    const out: [number, number][] = [];
    for (let bin = 0; bin < n; bin++) for (let shift = -reach; shift <= reach; shift++) out.push([bin, shift]);
    return out;
  };
  const r2 = radius * radius;
  return {
    around(i, visit) {
      const f0 = fracs[i];
      const b = binOf(f0);
      const c0 = f0.map(Math.floor);
      const axes = [near(b[0], 0), near(b[1], 1), near(b[2], 2)];
      for (const [b0, s0] of axes[0]) for (const [b1, s1] of axes[1]) for (const [b2, s2] of axes[2]) {
        for (const j of members.get(key([b0, b1, b2])) ?? []) {
          const fj = fracs[j];
          const t0 = s0 - Math.floor(fj[0]) + c0[0], t1 = s1 - Math.floor(fj[1]) + c0[1], t2 = s2 - Math.floor(fj[2]) + c0[2];
          const f = [fj[0] + t0 - f0[0], fj[1] + t1 - f0[1], fj[2] + t2 - f0[2]];
          const x = f[0] * m[0][0] + f[1] * m[1][0] + f[2] * m[2][0];
          const y = f[0] * m[0][1] + f[1] * m[1][1] + f[2] * m[2][1];
          const z = f[0] * m[0][2] + f[1] * m[1][2] + f[2] * m[2][2];
          const rr = x * x + y * y + z * z;
          if (rr <= r2) visit(j, Math.sqrt(rr), t0, t1, t2);
        }
      }
    },
  };
}
