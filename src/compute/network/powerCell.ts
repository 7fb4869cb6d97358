/**
 * One cell of a radical (power) Voronoi diagram by half-space clipping, as voro++ does (Rycroft 2009).
 *
 * The power cell of atom i (centre x_i, radius R_i) is {x : |x − x_i|² − R_i² ≤ |x − x_j|² − R_j² for all j}.
 * With coordinates relative to x_i and n = x_j − x_i, each neighbour contributes the half-space
 *   n·x ≤ (|n|² + R_i² − R_j²) / 2.
 * The cell starts as a cube and is cut by the neighbours' planes nearest first; a neighbour whose plane lies
 * beyond the farthest vertex cannot cut and is skipped. Faces keep the id of the neighbour that made them, so
 * every vertex knows its generating atoms (the cell's atom and the neighbours of the faces through it) and every
 * edge its three (or more, at degeneracies) atoms.
 */

/** A convex polyhedron: vertices (relative Cartesian, 3 per vertex) and faces as ordered loops (outward normal, CCW). */
export interface Polyhedron {
  verts: number[];
  faces: { plane: number; loop: number[] }[];
}

/** Planes of the starting cube carry ids −1…−6. */
export function cube(half: number): Polyhedron {
  const h = half;
  const verts = [-h, -h, -h, h, -h, -h, h, h, -h, -h, h, -h, -h, -h, h, h, -h, h, h, h, h, -h, h, h];
  const faces = [
    { plane: -1, loop: [0, 3, 2, 1] }, // z = −h (outward −z)
    { plane: -2, loop: [4, 5, 6, 7] }, // z = +h
    { plane: -3, loop: [0, 1, 5, 4] }, // y = −h
    { plane: -4, loop: [2, 3, 7, 6] }, // y = +h
    { plane: -5, loop: [0, 4, 7, 3] }, // x = −h
    { plane: -6, loop: [1, 2, 6, 5] }, // x = +h
  ];
  return { verts, faces };
}

export function maxRadius2(p: Polyhedron): number {
  let m = 0;
  const v = p.verts;
  for (let k = 0; k < v.length; k += 3) m = Math.max(m, v[k] * v[k] + v[k + 1] * v[k + 1] + v[k + 2] * v[k + 2]);
  return m;
}

/**
 * Cut p by {x : nx·x + ny·y + nz·z ≤ h}; the new face gets id `plane`. Returns false when nothing is left.
 * eps: distance tolerance (Å) under which a vertex counts as on the plane.
 */
export function clip(p: Polyhedron, nx: number, ny: number, nz: number, h: number, plane: number, eps = 1e-9): boolean {
  const norm = Math.hypot(nx, ny, nz);
  const v = p.verts;
  const nv = v.length / 3;
  const s = new Float64Array(nv);
  let anyOut = false, anyIn = false;
  for (let k = 0; k < nv; k++) {
    const d = (nx * v[3 * k] + ny * v[3 * k + 1] + nz * v[3 * k + 2] - h) / norm;
    s[k] = Math.abs(d) <= eps ? 0 : d;
    if (s[k] > 0) anyOut = true;
    if (s[k] < 0) anyIn = true;
  }
  if (!anyOut) return true;
  if (!anyIn) { p.verts = []; p.faces = []; return false; }
  const cut = new Map<number, number>(); // edge key → new vertex index
  const onPlane = new Set<number>();
  const faces: Polyhedron['faces'] = [];
  for (const f of p.faces) {
    const loop = f.loop;
    const out: number[] = [];
    let allOn = true;
    for (let t = 0; t < loop.length; t++) {
      const a = loop[t], b = loop[(t + 1) % loop.length];
      if (s[a] !== 0) allOn = false;
      if (s[a] <= 0) out.push(a);
      if (s[a] === 0) onPlane.add(a);
      if ((s[a] < 0 && s[b] > 0) || (s[a] > 0 && s[b] < 0)) {
        const key = a < b ? a * nv + b : b * nv + a;
        let m = cut.get(key);
        if (m === undefined) {
          const t0 = s[a] / (s[a] - s[b]);
          m = v.length / 3;
          v.push(v[3 * a] + t0 * (v[3 * b] - v[3 * a]), v[3 * a + 1] + t0 * (v[3 * b + 1] - v[3 * a + 1]), v[3 * a + 2] + t0 * (v[3 * b + 2] - v[3 * a + 2]));
          cut.set(key, m);
        }
        out.push(m);
        onPlane.add(m);
      }
    }
    if (allOn) return true; // this plane is an existing face: nothing to cut
    if (out.length >= 3) faces.push({ plane: f.plane, loop: out });
  }
  // New face: the on-plane vertices that remaining faces use, ordered CCW around the outward normal.
  const used = new Set<number>();
  for (const f of faces) for (const k of f.loop) if (onPlane.has(k)) used.add(k);
  const ring = [...used];
  if (ring.length >= 3) {
    let cx = 0, cy = 0, cz = 0;
    for (const k of ring) { cx += v[3 * k]; cy += v[3 * k + 1]; cz += v[3 * k + 2]; }
    cx /= ring.length; cy /= ring.length; cz /= ring.length;
    // Orthonormal basis (u, w) of the plane with u × w = n/|n|.
    const ux0 = Math.abs(nx) < 0.9 * norm ? 1 : 0, uy0 = ux0 ? 0 : 1;
    // u = e × n normalised
    let ux = uy0 * nz - 0 * ny, uy = 0 * nx - ux0 * nz, uz = ux0 * ny - uy0 * nx;
    const un = Math.hypot(ux, uy, uz);
    ux /= un; uy /= un; uz /= un;
    const wx = (ny * uz - nz * uy) / norm, wy = (nz * ux - nx * uz) / norm, wz = (nx * uy - ny * ux) / norm;
    const ang = new Map<number, number>();
    for (const k of ring) {
      const dx = v[3 * k] - cx, dy = v[3 * k + 1] - cy, dz = v[3 * k + 2] - cz;
      // u × w = n̂ makes (u, w) right-handed around n̂; angle increasing = CCW seen from outside.
      ang.set(k, Math.atan2(dx * wx + dy * wy + dz * wz, dx * ux + dy * uy + dz * uz));
    }
    ring.sort((a, b) => ang.get(a)! - ang.get(b)!);
    faces.push({ plane, loop: ring });
  }
  // Compact the vertices.
  const remap = new Int32Array(v.length / 3).fill(-1);
  const verts: number[] = [];
  for (const f of faces) for (let t = 0; t < f.loop.length; t++) {
    const k = f.loop[t];
    if (remap[k] < 0) { remap[k] = verts.length / 3; verts.push(v[3 * k], v[3 * k + 1], v[3 * k + 2]); }
    f.loop[t] = remap[k];
  }
  p.verts = verts;
  p.faces = faces;
  return faces.length >= 4;
}

/** Volume (Å³) of a polyhedron with outward-oriented faces. */
export function volume(p: Polyhedron): number {
  const v = p.verts;
  let sum = 0;
  for (const f of p.faces) {
    const a = f.loop[0];
    for (let t = 1; t + 1 < f.loop.length; t++) {
      const b = f.loop[t], c = f.loop[t + 1];
      sum += v[3 * a] * (v[3 * b + 1] * v[3 * c + 2] - v[3 * b + 2] * v[3 * c + 1])
        - v[3 * a + 1] * (v[3 * b] * v[3 * c + 2] - v[3 * b + 2] * v[3 * c])
        + v[3 * a + 2] * (v[3 * b] * v[3 * c + 1] - v[3 * b + 1] * v[3 * c]);
    }
  }
  return sum / 6;
}
