// Independent checks of what the webview draws, in Node: the atom images a (super)cell view must
// show, and the topology of the isosurface mesh on the 3-torus (which lattice directions each
// connected piece of the surface winds around, i.e. along which axes the channel it bounds runs).
import * as esbuild from 'esbuild';
import { join } from 'node:path';
import { root } from './server.mjs';

/**
 * Expected number of atom spheres for `repeats`: every periodic image whose fractional coordinates
 * lie in [0, R] (closed, tolerance 1e-3), so an atom with k coordinates within 1e-3 of 0 or 1 is
 * drawn 2^k times in a 1×1×1 view.
 */
export function expectedAtomCount(structure, repeats, { includeMobile = true } = {}) {
  const tol = 1e-3;
  let total = 0;
  for (const atom of structure.atoms) {
    if (!includeMobile && atom.mobile) continue;
    let prod = 1;
    for (let ax = 0; ax < 3; ax++) {
      let f = atom.frac[ax] - Math.floor(atom.frac[ax]);
      if (f > 1 - tol) f -= 1;
      let c = 0;
      for (let shift = -1; shift <= repeats[ax] + 1; shift++) if (f + shift >= -tol && f + shift <= repeats[ax] + tol) c++;
      prod *= c;
    }
    total += prod;
  }
  return total;
}

/** The 1×1×1 count by the 2^k rule alone (k = coordinates within 1e-3 of 0 or 1). */
export function faceRuleCount(structure, { includeMobile = true } = {}) {
  let total = 0;
  for (const atom of structure.atoms) {
    if (!includeMobile && atom.mobile) continue;
    const k = atom.frac.filter((x) => { const f = x - Math.floor(x); return f < 1e-3 || f > 1 - 1e-3; }).length;
    total += 2 ** k;
  }
  return total;
}

export function invert3(m) {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

let mcPromise;
/** webview/marchingCubes.ts bundled for Node (the same pure function the worker runs). */
export function loadMarchingCubes() {
  mcPromise ??= esbuild.build({ entryPoints: [join(root, 'webview/marchingCubes.ts')], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'warning' })
    .then((r) => import('data:text/javascript;base64,' + Buffer.from(r.outputFiles[0].text).toString('base64')))
    .then((m) => m.marchingCubes);
  return mcPromise;
}

/** Integer rank of a set of integer 3-vectors (0–3). */
export function rank(vectors) {
  const rows = vectors.map((v) => [...v]);
  let r = 0;
  for (let col = 0; col < 3 && r < rows.length; col++) {
    let p = -1, best = 0;
    for (let i = r; i < rows.length; i++) if (Math.abs(rows[i][col]) > best + 1e-9) { best = Math.abs(rows[i][col]); p = i; }
    if (p < 0) continue;
    [rows[r], rows[p]] = [rows[p], rows[r]];
    for (let i = 0; i < rows.length; i++) if (i !== r) {
      const f = rows[i][col] / rows[r][col];
      for (let k = 0; k < 3; k++) rows[i][k] -= f * rows[r][k];
    }
    r++;
  }
  return r;
}

/**
 * Connected pieces of a periodic marching-cubes mesh on the 3-torus. Vertices of one triangle are
 * connected; vertices with the same `periodicIds` entry are the same point seen from two faces of
 * the cell, glued with the lattice translation between them. Walking each piece with unwrapped cell
 * shifts, every glue that closes a loop with a non-zero shift is a winding vector: the piece wraps
 * around the torus along it (a channel that runs on into the next cell).
 * Returns pieces sorted by size: { vertices, windings: [[i,j,k]...], dim, fracMin, fracMax (unwrapped) }.
 */
export function meshPieces(mesh, lattice) {
  const P = mesh.positions, I = mesh.indices, ids = mesh.periodicIds;
  const nv = P.length / 3;
  const inv = invert3(lattice);
  const frac = new Float64Array(nv * 3);
  for (let v = 0; v < nv; v++) for (let a = 0; a < 3; a++) frac[v * 3 + a] = P[v * 3] * inv[0][a] + P[v * 3 + 1] * inv[1][a] + P[v * 3 + 2] * inv[2][a];
  // Adjacency: triangle edges (shift 0) and periodic glue (shift = round(f(v) − f(u))).
  const head = new Int32Array(nv).fill(-1);
  const next = [], to = [];
  const link = (u, v) => { to.push(v); next.push(head[u]); head[u] = to.length - 1; };
  for (let t = 0; t < I.length; t += 3) {
    const [x, y, z] = [I[t], I[t + 1], I[t + 2]];
    link(x, y); link(y, x); link(y, z); link(z, y); link(z, x); link(x, z);
  }
  const byId = new Map();
  for (let v = 0; v < nv; v++) {
    const first = byId.get(ids[v]);
    if (first === undefined) byId.set(ids[v], v);
    else { link(first, v); link(v, first); }
  }
  const shift = new Int32Array(nv * 3);
  const seen = new Uint8Array(nv);
  const pieces = [];
  for (let s = 0; s < nv; s++) {
    if (seen[s]) continue;
    seen[s] = 1;
    const stack = [s];
    const windings = [];
    const fmin = [Infinity, Infinity, Infinity], fmax = [-Infinity, -Infinity, -Infinity];
    let count = 0;
    while (stack.length) {
      const u = stack.pop();
      count++;
      for (let a = 0; a < 3; a++) {
        const f = frac[u * 3 + a] + shift[u * 3 + a];
        if (f < fmin[a]) fmin[a] = f;
        if (f > fmax[a]) fmax[a] = f;
      }
      for (let e = head[u]; e >= 0; e = next[e]) {
        const v = to[e];
        // Unwrapped positions agree: f(v) + s(v) = f(u) + s(u) (up to the glue's rounding).
        const want = [0, 1, 2].map((a) => shift[u * 3 + a] + Math.round(frac[u * 3 + a] - frac[v * 3 + a]));
        if (!seen[v]) {
          seen[v] = 1;
          for (let a = 0; a < 3; a++) shift[v * 3 + a] = want[a];
          stack.push(v);
        } else {
          const w = [0, 1, 2].map((a) => shift[v * 3 + a] - want[a]);
          if (w.some((x) => x !== 0) && windings.length < 64 && !windings.some((o) => o.every((x, a) => x === w[a] || x === -w[a]))) windings.push(w);
        }
      }
    }
    pieces.push({ vertices: count, windings, dim: rank(windings), fracMin: fmin, fracMax: fmax });
  }
  return pieces.sort((x, y) => y.vertices - x.vertices);
}

/** Same isosurface as the view draws (level above the grid minimum), with its pieces. */
export async function analyseIsosurface(landscape, lattice, levelAboveMin) {
  const marchingCubes = await loadMarchingCubes();
  let min = Infinity;
  for (const x of landscape.data) if (x < min) min = x;
  const mesh = marchingCubes(landscape.data, landscape.shape, min + levelAboveMin, lattice);
  const pieces = meshPieces(mesh, lattice);
  const windings = pieces.flatMap((p) => p.windings);
  return { vertexCount: mesh.positions.length / 3, pieces, dim: rank(windings), windings };
}
