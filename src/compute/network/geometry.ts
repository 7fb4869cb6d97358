/**
 * Periodic point clouds: every image of a set of points that lies within `margin` Å of the unit cell
 * (the parallelepiped spanned by the lattice rows), binned on a Cartesian grid for radius queries.
 * Queries are complete for any query point inside the cell and any radius ≤ margin.
 */
import type { Lattice, Vec3 } from '../structure/types';

/** Distance between the lattice planes (100), (010), (001) in Å. */
export function planeSpacings(lattice: Lattice): Vec3 {
  const [a, b, c] = lattice.matrix;
  const cross = (u: Vec3, v: Vec3): Vec3 => [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
  const n = (u: Vec3) => Math.hypot(u[0], u[1], u[2]);
  return [lattice.volume / n(cross(b, c)), lattice.volume / n(cross(c, a)), lattice.volume / n(cross(a, b))];
}

export function fracToCart(f: Vec3 | Float64Array | number[], m: Lattice['matrix']): Vec3 {
  return [
    f[0] * m[0][0] + f[1] * m[1][0] + f[2] * m[2][0],
    f[0] * m[0][1] + f[1] * m[1][1] + f[2] * m[2][1],
    f[0] * m[0][2] + f[1] * m[1][2] + f[2] * m[2][2],
  ];
}

export function cartToFrac(c: Vec3 | number[], inv: Lattice['inverse']): Vec3 {
  return [
    c[0] * inv[0][0] + c[1] * inv[1][0] + c[2] * inv[2][0],
    c[0] * inv[0][1] + c[1] * inv[1][1] + c[2] * inv[2][1],
    c[0] * inv[0][2] + c[1] * inv[1][2] + c[2] * inv[2][2],
  ];
}

export class PeriodicCloud {
  /** Cartesian coordinates of the images, 3 per point. */
  readonly xyz: Float64Array;
  /** Index of the original point of each image. */
  readonly owner: Int32Array;
  /** Lattice translation of each image, 3 ints per point. */
  readonly image: Int32Array;
  readonly count: number;
  private readonly binSize: number;
  private readonly origin: Vec3;
  private readonly dims: [number, number, number];
  private readonly binStart: Int32Array;
  private readonly binItems: Int32Array;

  constructor(lattice: Lattice, carts: readonly Vec3[], readonly margin: number) {
    const m = lattice.matrix, inv = lattice.inverse;
    const spacing = planeSpacings(lattice);
    const reach = spacing.map((d) => margin / d) as Vec3;
    const n = reach.map((r) => Math.ceil(r) + 1);
    const xyz: number[] = [], owner: number[] = [], image: number[] = [];
    carts.forEach((c, i) => {
      const f = cartToFrac(c, inv);
      const w = f.map((x) => x - Math.floor(x)) as Vec3;
      const shift = [w[0] - f[0], w[1] - f[1], w[2] - f[2]].map(Math.round);
      for (let p = -n[0]; p <= n[0]; p++) {
        const fx = w[0] + p;
        if (fx < -reach[0] || fx > 1 + reach[0]) continue;
        for (let q = -n[1]; q <= n[1]; q++) {
          const fy = w[1] + q;
          if (fy < -reach[1] || fy > 1 + reach[1]) continue;
          for (let r = -n[2]; r <= n[2]; r++) {
            const fz = w[2] + r;
            if (fz < -reach[2] || fz > 1 + reach[2]) continue;
            const x = fracToCart([fx, fy, fz], m);
            xyz.push(x[0], x[1], x[2]);
            owner.push(i);
            image.push(p + shift[0], q + shift[1], r + shift[2]);
          }
        }
      }
    });
    this.xyz = Float64Array.from(xyz);
    this.owner = Int32Array.from(owner);
    this.image = Int32Array.from(image);
    this.count = owner.length;
    // Bins: cubes of ~margin/3 (at least 1.5 Å), at most 64 per axis.
    let lo: Vec3 = [Infinity, Infinity, Infinity], hi: Vec3 = [-Infinity, -Infinity, -Infinity];
    for (let k = 0; k < this.count; k++) for (let d = 0; d < 3; d++) { lo[d] = Math.min(lo[d], this.xyz[3 * k + d]); hi[d] = Math.max(hi[d], this.xyz[3 * k + d]); }
    if (!this.count) { lo = [0, 0, 0]; hi = [0, 0, 0]; }
    let size = Math.max(1.5, margin / 3);
    for (let d = 0; d < 3; d++) size = Math.max(size, (hi[d] - lo[d]) / 64);
    this.binSize = size;
    this.origin = lo;
    this.dims = [0, 1, 2].map((d) => Math.max(1, Math.floor((hi[d] - lo[d]) / size) + 1)) as [number, number, number];
    const nb = this.dims[0] * this.dims[1] * this.dims[2];
    const counts = new Int32Array(nb + 1);
    const binOf = new Int32Array(this.count);
    for (let k = 0; k < this.count; k++) {
      const b = this.binIndex(this.xyz[3 * k], this.xyz[3 * k + 1], this.xyz[3 * k + 2]);
      binOf[k] = b;
      counts[b + 1]++;
    }
    for (let b = 0; b < nb; b++) counts[b + 1] += counts[b];
    this.binStart = counts;
    const fill = counts.slice(0, nb);
    this.binItems = new Int32Array(this.count);
    for (let k = 0; k < this.count; k++) this.binItems[fill[binOf[k]]++] = k;
  }

  private binIndex(x: number, y: number, z: number): number {
    const [nx, ny, nz] = this.dims;
    const i = Math.min(nx - 1, Math.max(0, Math.floor((x - this.origin[0]) / this.binSize)));
    const j = Math.min(ny - 1, Math.max(0, Math.floor((y - this.origin[1]) / this.binSize)));
    const k = Math.min(nz - 1, Math.max(0, Math.floor((z - this.origin[2]) / this.binSize)));
    return (i * ny + j) * nz + k;
  }

  /** Calls back (owner, distance, imagePoint) for every image within r of p (p inside the cell, r ≤ margin). */
  forEachWithin(p: Vec3 | number[], r: number, cb: (owner: number, d: number, point: number) => void): void {
    const [nx, ny, nz] = this.dims;
    const s = this.binSize, o = this.origin;
    const i0 = Math.max(0, Math.floor((p[0] - r - o[0]) / s)), i1 = Math.min(nx - 1, Math.floor((p[0] + r - o[0]) / s));
    const j0 = Math.max(0, Math.floor((p[1] - r - o[1]) / s)), j1 = Math.min(ny - 1, Math.floor((p[1] + r - o[1]) / s));
    const k0 = Math.max(0, Math.floor((p[2] - r - o[2]) / s)), k1 = Math.min(nz - 1, Math.floor((p[2] + r - o[2]) / s));
    const r2 = r * r;
    const xyz = this.xyz;
    for (let i = i0; i <= i1; i++) for (let j = j0; j <= j1; j++) for (let k = k0; k <= k1; k++) {
      const b = (i * ny + j) * nz + k;
      for (let t = this.binStart[b]; t < this.binStart[b + 1]; t++) {
        const q = this.binItems[t];
        const dx = xyz[3 * q] - p[0], dy = xyz[3 * q + 1] - p[1], dz = xyz[3 * q + 2] - p[2];
        const d2 = dx * dx + dy * dy + dz * dz;
        if (d2 <= r2) cb(this.owner[q], Math.sqrt(d2), q);
      }
    }
  }
}
