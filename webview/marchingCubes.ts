/**
 * Periodic marching cubes over a scalar grid on the unit cell. Pure: no DOM, no three.js objects
 * (only the standard case tables, imported from three's examples and tree-shaken), so it runs in
 * the isosurface worker, on the main thread as a fallback, and in Node unit tests.
 *
 * Grid convention (same as `SceneLandscape`): value index (i0*n1 + i1)*n2 + i2 sits at fractional
 * (i0/n0, i1/n1, i2/n2) and the grid wraps, so the cells between index n−1 and 0 are included and a
 * channel through the cell boundary comes out closed on the 3-torus. Vertices lie in the unit cell
 * (fractional [0, 1]); a surface crossing the boundary continues in the neighbouring cell's copy.
 *
 * The region below the level (value < level) is "inside". Normals are the normalised gradient of
 * the field (interpolated along each edge), so they point outwards, towards higher energy; triangles
 * are wound counter-clockwise seen from outside (from the side the normals point to).
 */
import { edgeTable, triTable } from 'three/examples/jsm/objects/MarchingCubes.js';

export type Mat3 = [[number, number, number], [number, number, number], [number, number, number]];

export interface IsoMesh {
  /** Cartesian Å, xyz per vertex. */
  positions: Float32Array;
  /** Unit normals, xyz per vertex, pointing towards higher values. */
  normals: Float32Array;
  /** Three vertex indices per triangle. */
  indices: Uint32Array;
  /**
   * Per vertex: the grid edge it lies on, with the grid index wrapped (edgeIndex*3 + axis). Two
   * vertices with the same id are the same point of the periodic surface (one on each face of the
   * cell). Lets callers weld across the cell boundary, e.g. to check the surface is closed.
   */
  periodicIds: Uint32Array;
}

// Corners in the case-table numbering (d0, d1, d2): 0 (0,0,0), 1 (1,0,0), 2 (1,1,0), 3 (0,1,0),
// 4 (0,0,1), 5 (1,0,1), 6 (1,1,1), 7 (0,1,1); bit c of the case index is set when corner c < level.
/** Table edge → [origin corner offset d0, d1, d2, axis]; every edge runs from origin along +axis. */
const EDGES: ReadonlyArray<readonly [number, number, number, number]> = [
  [0, 0, 0, 0], [1, 0, 0, 1], [0, 1, 0, 0], [0, 0, 0, 1],
  [0, 0, 1, 0], [1, 0, 1, 1], [0, 1, 1, 0], [0, 0, 1, 1],
  [0, 0, 0, 2], [1, 0, 0, 2], [1, 1, 0, 2], [0, 1, 0, 2],
];

class Growable {
  pos: Float32Array;
  nrm: Float32Array;
  ids: Uint32Array;
  idx: Uint32Array;
  nv = 0;
  ni = 0;
  constructor(v: number, i: number) {
    this.pos = new Float32Array(v * 3);
    this.nrm = new Float32Array(v * 3);
    this.ids = new Uint32Array(v);
    this.idx = new Uint32Array(i);
  }
  growV(): void {
    const cap = this.ids.length * 2;
    const p = new Float32Array(cap * 3); p.set(this.pos); this.pos = p;
    const n = new Float32Array(cap * 3); n.set(this.nrm); this.nrm = n;
    const d = new Uint32Array(cap); d.set(this.ids); this.ids = d;
  }
  growI(): void {
    const i = new Uint32Array(this.idx.length * 2); i.set(this.idx); this.idx = i;
  }
}

/**
 * Extract the level set `value = level` of a periodic grid.
 * @param grid values, length n0*n1*n2, layout as above
 * @param shape [n0, n1, n2], each ≥ 2
 * @param level the iso value (same unit as the grid)
 * @param lattice rows a, b, c in Cartesian Å
 */
export function marchingCubes(grid: ArrayLike<number>, shape: readonly [number, number, number], level: number, lattice: Mat3): IsoMesh {
  const [n0, n1, n2] = shape;
  if (!(n0 >= 2 && n1 >= 2 && n2 >= 2) || grid.length !== n0 * n1 * n2) {
    throw new Error(`marchingCubes: grid of length ${grid.length} does not match shape ${n0}×${n1}×${n2} (each ≥ 2)`);
  }
  const out = new Growable(1 << 12, 1 << 13);
  if (!Number.isFinite(level)) return finish(out);

  const L = lattice;
  const inv = invert(L);
  // Winding: the case table winds triangles facing the low side; flip so they face outwards
  // (towards higher values), and flip again for a left-handed lattice.
  const flip = det(L) > 0;

  const s1 = n2, s0 = n1 * n2;
  const m1 = n1 + 1, m2 = n2 + 1; // slab of edge origins, unwrapped indices 0..n
  const slab = m1 * m2;
  const xCache = new Int32Array(slab);
  const yCache = [new Int32Array(slab), new Int32Array(slab)];
  const zCache = [new Int32Array(slab), new Int32Array(slab)];
  yCache[0].fill(-1); zCache[0].fill(-1);

  const v = new Float64Array(8);
  const cornerIdx = new Int32Array(8);
  const edgeVert = new Int32Array(12);
  const g0 = new Float64Array(3), g1 = new Float64Array(3);
  const h0 = n0 / 2, h1 = n1 / 2, h2 = n2 / 2;

  /** Cartesian gradient at wrapped grid point (a, b, c) into `g`. */
  const gradient = (a: number, b: number, c: number, g: Float64Array): void => {
    const ap = a + 1 === n0 ? 0 : a + 1, am = a === 0 ? n0 - 1 : a - 1;
    const bp = b + 1 === n1 ? 0 : b + 1, bm = b === 0 ? n1 - 1 : b - 1;
    const cp = c + 1 === n2 ? 0 : c + 1, cm = c === 0 ? n2 - 1 : c - 1;
    const f0 = (grid[ap * s0 + b * s1 + c] - grid[am * s0 + b * s1 + c]) * h0;
    const f1 = (grid[a * s0 + bp * s1 + c] - grid[a * s0 + bm * s1 + c]) * h1;
    const f2 = (grid[a * s0 + b * s1 + cp] - grid[a * s0 + b * s1 + cm]) * h2;
    // dE/dcart_j = Σ_k dE/dfrac_k · ∂frac_k/∂cart_j, frac = cart · inv
    g[0] = f0 * inv[0][0] + f1 * inv[0][1] + f2 * inv[0][2];
    g[1] = f0 * inv[1][0] + f1 * inv[1][1] + f2 * inv[1][2];
    g[2] = f0 * inv[2][0] + f1 * inv[2][1] + f2 * inv[2][2];
  };

  /** Add the vertex on the edge from unwrapped origin (p0,p1,p2) along `axis`. */
  const addVertex = (p0: number, p1: number, p2: number, axis: number): number => {
    const w0 = p0 === n0 ? 0 : p0, w1 = p1 === n1 ? 0 : p1, w2 = p2 === n2 ? 0 : p2;
    let e0 = w0, e1 = w1, e2 = w2;
    if (axis === 0) e0 = w0 + 1 === n0 ? 0 : w0 + 1;
    else if (axis === 1) e1 = w1 + 1 === n1 ? 0 : w1 + 1;
    else e2 = w2 + 1 === n2 ? 0 : w2 + 1;
    const va = grid[w0 * s0 + w1 * s1 + w2], vb = grid[e0 * s0 + e1 * s1 + e2];
    let t = (level - va) / (vb - va);
    if (!(t >= 0)) t = 0; else if (t > 1) t = 1;
    const f0 = (p0 + (axis === 0 ? t : 0)) / n0;
    const f1 = (p1 + (axis === 1 ? t : 0)) / n1;
    const f2 = (p2 + (axis === 2 ? t : 0)) / n2;
    gradient(w0, w1, w2, g0);
    gradient(e0, e1, e2, g1);
    let nx = g0[0] + t * (g1[0] - g0[0]);
    let ny = g0[1] + t * (g1[1] - g0[1]);
    let nz = g0[2] + t * (g1[2] - g0[2]);
    const len = Math.hypot(nx, ny, nz);
    if (len > 0) { nx /= len; ny /= len; nz /= len; } else { nx = 0; ny = 0; nz = 1; }
    if (out.nv === out.ids.length) out.growV();
    const k = out.nv++;
    const o = k * 3;
    out.pos[o] = f0 * L[0][0] + f1 * L[1][0] + f2 * L[2][0];
    out.pos[o + 1] = f0 * L[0][1] + f1 * L[1][1] + f2 * L[2][1];
    out.pos[o + 2] = f0 * L[0][2] + f1 * L[1][2] + f2 * L[2][2];
    out.nrm[o] = nx; out.nrm[o + 1] = ny; out.nrm[o + 2] = nz;
    out.ids[k] = ((w0 * n1 + w1) * n2 + w2) * 3 + axis;
    return k;
  };

  for (let i = 0; i < n0; i++) {
    const cur = i & 1, nxt = cur ^ 1;
    xCache.fill(-1);
    yCache[nxt].fill(-1);
    zCache[nxt].fill(-1);
    const i1w = i + 1 === n0 ? 0 : i + 1;
    for (let j = 0; j < n1; j++) {
      const j1w = j + 1 === n1 ? 0 : j + 1;
      for (let k = 0; k < n2; k++) {
        const k1w = k + 1 === n2 ? 0 : k + 1;
        cornerIdx[0] = i * s0 + j * s1 + k;
        cornerIdx[1] = i1w * s0 + j * s1 + k;
        cornerIdx[2] = i1w * s0 + j1w * s1 + k;
        cornerIdx[3] = i * s0 + j1w * s1 + k;
        cornerIdx[4] = i * s0 + j * s1 + k1w;
        cornerIdx[5] = i1w * s0 + j * s1 + k1w;
        cornerIdx[6] = i1w * s0 + j1w * s1 + k1w;
        cornerIdx[7] = i * s0 + j1w * s1 + k1w;
        let cube = 0;
        for (let c = 0; c < 8; c++) {
          const x = grid[cornerIdx[c]];
          v[c] = x;
          if (x < level) cube |= 1 << c;
        }
        const bits = edgeTable[cube];
        if (bits === 0) continue;
        for (let e = 0; e < 12; e++) {
          if (!(bits & (1 << e))) continue;
          const [d0, d1, d2, axis] = EDGES[e];
          const p0 = i + d0, p1 = j + d1, p2 = k + d2;
          const si = p1 * m2 + p2;
          let cache: Int32Array;
          if (axis === 0) cache = xCache;
          else if (axis === 1) cache = yCache[d0 ? nxt : cur];
          else cache = zCache[d0 ? nxt : cur];
          let vi = cache[si];
          if (vi < 0) { vi = addVertex(p0, p1, p2, axis); cache[si] = vi; }
          edgeVert[e] = vi;
        }
        const base = cube << 4;
        for (let t = 0; triTable[base + t] !== -1; t += 3) {
          if (out.ni + 3 > out.idx.length) out.growI();
          const a = edgeVert[triTable[base + t]];
          const b = edgeVert[triTable[base + t + 1]];
          const c = edgeVert[triTable[base + t + 2]];
          out.idx[out.ni++] = a;
          if (flip) { out.idx[out.ni++] = c; out.idx[out.ni++] = b; }
          else { out.idx[out.ni++] = b; out.idx[out.ni++] = c; }
        }
      }
    }
  }
  return finish(out);
}

function finish(out: Growable): IsoMesh {
  return {
    positions: out.pos.slice(0, out.nv * 3),
    normals: out.nrm.slice(0, out.nv * 3),
    indices: out.idx.slice(0, out.ni),
    periodicIds: out.ids.slice(0, out.nv),
  };
}

function det(m: Mat3): number {
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
    - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
    + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

function invert(m: Mat3): Mat3 {
  const d = det(m);
  const [[a, b, c], [d1, e, f], [g, h, i]] = m;
  return [
    [(e * i - f * h) / d, (c * h - b * i) / d, (b * f - c * e) / d],
    [(f * g - d1 * i) / d, (a * i - c * g) / d, (c * d1 - a * f) / d],
    [(d1 * h - e * g) / d, (b * g - a * h) / d, (a * e - b * d1) / d],
  ];
}

/** Axis-aligned Cartesian bounds of a position array; null when empty. */
export function bounds(positions: Float32Array): { min: [number, number, number]; max: [number, number, number] } | null {
  if (positions.length === 0) return null;
  const min: [number, number, number] = [Infinity, Infinity, Infinity];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < positions.length; i += 3) {
    for (let a = 0; a < 3; a++) {
      const x = positions[i + a];
      if (x < min[a]) min[a] = x;
      if (x > max[a]) max[a] = x;
    }
  }
  return { min, max };
}
