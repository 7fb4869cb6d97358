/**
 * Interstitial network of a crystal framework (CAVD-style; Shi et al., the seed paper of SCIENCE.md §4–5).
 *
 * 1. Remove the mobile ions; every framework ion gets its Shannon effective ionic radius R (radii.ts).
 * 2. Radical (power) Voronoi decomposition of the periodic framework, weights R² (powerCell.ts): each atom's cell
 *    is clipped by the power planes of its periodic neighbours until the cell is provably complete.
 * 3. Interstices (nodes):
 *    - every Voronoi vertex V, radius r(V) = min over its generating atoms g of (|V − x_g| − R_g);
 *    - optionally the centre of a Voronoi face between atoms i and j: the point P where the segment x_i x_j crosses
 *      its power plane, kept when P lies inside the face and r(P) = min(|P − x_i| − R_i, |P − x_j| − R_j) > 0.
 *    Points closer than `mergeTolerance` (0.02 Å) are one node.
 * 4. Bottlenecks (edges): every Voronoi edge AB (and segment face-centre → face vertex). Over the atoms C that
 *    generate the edge, t = AB·AC/|AB|² clipped to [0, 1], O = A + t·AB, radius = |CO| − R_C; the edge keeps the C
 *    that gives the smallest radius. An edge from node a (in the cell) to node b in the cell translated by
 *    `offset` (integers, lattice units); bottleneckFrac is O in the frame where node a sits at its `frac`.
 * 5. Li-accessible channels (after CAVD): a node is accessible when r ≥ probe, an edge when both its nodes are and
 *    its bottleneck radius ≥ probe. Dimensionality of a connected component = rank of the lattice translations of
 *    its closed loops (as landscape/percolation.ts does for voxel components); the network's = the largest.
 *    Critical radii r_crit(d) = the largest probe at which a d-dimensional channel exists (a maximum-spanning-tree
 *    sweep over edges by width min(bottleneck, r_a, r_b)). Default probe = 0.85 × 0.5327 Å × f, with CAVD's Li
 *    radius 0.5327 Å, its 0.85 tolerance and the local factor f = min(1, r_crit(1)/0.5327) ≤ 1: the probe shrinks
 *    with the framework's widest channel, so large anions (S, Te, Cl) that narrow every window do not close the
 *    network; the dimensionality then says which directions are within 15 % of the widest channel.
 * 6. Symmetry: node and edge types are the orbits of the structure's space-group operations (moyo, on the whole
 *    structure, mobile ions included, so the types respect the mobile-ion ordering).
 *
 * Checks: test/unit/network-voronoi.test.ts (same power cells and vertices as voro++ -r -p), network-sites (Li sites
 * on interstices), network-channels (dimensionality vs BVSE percolation), scripts/check-network-mp.ts (1,000 MP
 * structures), scripts/bench-network.ts (timings). Known limit: a Li site in planar or linear coordination (Li2 in
 * Li3N) lies on a Voronoi edge, not at a vertex or face centre: it is represented by that edge's bottleneck.
 */
import type { Lattice, Structure, Vec3 } from '../structure/types';
import { fromMoyo, moyoDataset, siteKindKey } from '../structure/symmetry';
import { CancelledError } from '../util/errors';
import { frameworkOf, type FrameworkAtom } from './radii';
import { PeriodicCloud, cartToFrac, fracToCart } from './geometry';
import { clip, cube, maxRadius2, volume, type Polyhedron } from './powerCell';

export interface NetworkNode {
  /** Fractional position in [0, 1). */
  frac: Vec3;
  cart: Vec3;
  /** Interstice radius (Å): free distance to the nearest framework ion surface. */
  radius: number;
  kind: 'vertex' | 'face';
  /** Symmetry-distinct type (orbit index, 0-based, dense). */
  typeId: number;
  /** r ≥ probe radius. */
  accessible: boolean;
}

export interface NetworkEdge {
  a: number;
  b: number;
  /** Node b lies in the cell translated by offset (lattice units) relative to node a's cell. */
  offset: Vec3;
  bottleneckFrac: Vec3;
  bottleneckRadius: number;
  /** |AB| in Å. */
  length: number;
  typeId: number;
  accessible: boolean;
}

export interface NetworkChannels {
  /** 0…3: largest rank of a connected component of accessible nodes and edges. */
  dimensionality: number;
  /** Independent lattice translations (integer, lattice units) of that component's loops. */
  directions: Vec3[];
  /** Number of connected components of the accessible network. */
  components: number;
  probeRadius: number;
  /**
   * r_crit(d), d = 1, 2, 3: the largest probe radius (Å) at which the network still has a d-dimensional channel
   * (0 when never). The network's own width scale, probe-independent.
   */
  criticalRadii: Vec3;
}

export interface InterstitialNetwork {
  nodes: NetworkNode[];
  edges: NetworkEdge[];
  channels: NetworkChannels;
  /** Framework ions used (mobile ions removed), with their radii and CNs. */
  framework: FrameworkAtom[];
  /** Fractional positions of the sites that held the mobile ion. */
  mobileSites: Vec3[];
  /** Power-cell volume (Å³) of each framework atom (same order as framework). */
  cellVolumes: number[];
  nodeTypeCount: number;
  edgeTypeCount: number;
  warnings: string[];
}

export interface NetworkOptions {
  mobileIon?: string;
  probeRadius?: number;
  /** Add face-centre interstices (default true). */
  faceCentres?: boolean;
  /** Interstices closer than this are merged (Å, default 0.02). */
  mergeTolerance?: number;
  signal?: AbortSignal;
}

/** CAVD's Li probe radius (Å) and its tolerance factor. */
export const CAVD_LI_RADIUS = 0.5327;
export const CAVD_TOLERANCE = 0.85;

/** Framework ions: power cells are computed for all, so this is also a cost guard. */
const MAX_FRAMEWORK_ATOMS = 5000;

export function buildInterstitialNetwork(structure: Structure, options: NetworkOptions = {}): InterstitialNetwork {
  const mobileIon = options.mobileIon ?? 'Li';
  const mergeTol = options.mergeTolerance ?? 0.02;
  const withFaces = options.faceCentres ?? true;
  const signal = options.signal;
  const lattice = structure.lattice;
  const fw = frameworkOf(structure, mobileIon);
  const warnings = [...fw.warnings];
  const atoms = fw.atoms;
  const empty = (why: string): InterstitialNetwork => ({
    nodes: [], edges: [], channels: { dimensionality: 0, directions: [], components: 0, probeRadius: options.probeRadius ?? CAVD_LI_RADIUS * CAVD_TOLERANCE, criticalRadii: [0, 0, 0] },
    framework: atoms, mobileSites: fw.mobileSites, cellVolumes: atoms.map(() => 0), nodeTypeCount: 0, edgeTypeCount: 0,
    warnings: [...warnings, why],
  });
  if (atoms.length === 0) return empty(`no framework ions left after removing ${mobileIon}: no interstitial network`);
  if (atoms.length > MAX_FRAMEWORK_ATOMS) return empty(`${atoms.length} framework ions exceed the limit of ${MAX_FRAMEWORK_ATOMS}: no interstitial network`);

  const radii = atoms.map((a) => a.radius);
  const rMax = Math.max(...radii);
  const perAtom = Math.cbrt(lattice.volume / atoms.length);
  let cutoff = Math.max(4, 2.5 * perAtom + rMax);
  let cloud = new PeriodicCloud(lattice, atoms.map((a) => a.cart), cutoff);

  const nodes = new NodeSet(lattice, mergeTol);
  const edges = new Map<string, NetworkEdge>();
  const cellVolumes: number[] = [];
  const inv = lattice.inverse;

  for (let i = 0; i < atoms.length; i++) {
    if (signal?.aborted) throw new CancelledError();
    const xi = atoms[i].cart;
    // Query radius: start near twice the typical vertex distance, widen until the cell is provably complete.
    let cell: Polyhedron | null = null;
    let reach = Math.min(cutoff, 2 * perAtom + rMax);
    for (let attempt = 0; attempt < 8 && !cell; attempt++) {
      cell = powerCell(cloud, i, xi, radii, reach);
      if (!cell) {
        if (reach >= cutoff) {
          cutoff *= 1.5;
          cloud = new PeriodicCloud(lattice, atoms.map((a) => a.cart), cutoff);
        }
        reach = Math.min(cutoff, reach * 1.4);
      }
    }
    if (!cell) { warnings.push(`power cell of framework ion ${i} (${atoms[i].element}) not closed within ${cutoff.toFixed(1)} Å: skipped`); cellVolumes.push(0); continue; }
    cellVolumes.push(volume(cell));
    if (!cell.faces.length) continue; // an ion whose power cell is empty (engulfed by larger neighbours)

    // Faces through each vertex; generators = this atom + the face neighbours.
    const nv = cell.verts.length / 3;
    const vertFaces: number[][] = Array.from({ length: nv }, () => []);
    cell.faces.forEach((f, fi) => { for (const k of f.loop) vertFaces[k].push(fi); });
    const pointPos = (q: number): Vec3 => [cloud.xyz[3 * q], cloud.xyz[3 * q + 1], cloud.xyz[3 * q + 2]];
    const selfPoint = -1;
    const genPos = (g: number): Vec3 => (g === selfPoint ? xi : pointPos(g));
    const genR = (g: number): number => (g === selfPoint ? radii[i] : radii[cloud.owner[g]]);
    const vertAbs: Vec3[] = [];
    const vertNode: { id: number; img: Vec3 }[] = [];
    for (let k = 0; k < nv; k++) {
      const v: Vec3 = [xi[0] + cell.verts[3 * k], xi[1] + cell.verts[3 * k + 1], xi[2] + cell.verts[3 * k + 2]];
      vertAbs.push(v);
      let r = Infinity;
      for (const g of [selfPoint, ...vertFaces[k].map((fi) => cell!.faces[fi].plane)]) r = Math.min(r, dist(v, genPos(g)) - genR(g));
      vertNode.push(nodes.add(cartToFrac(v, inv), r, 'vertex'));
    }
    const addEdge = (A: Vec3, na: { id: number; img: Vec3 }, B: Vec3, nb: { id: number; img: Vec3 }, gens: number[]) => {
      let a = na.id, b = nb.id;
      let off: Vec3 = [nb.img[0] - na.img[0], nb.img[1] - na.img[1], nb.img[2] - na.img[2]];
      if (a === b && off[0] === 0 && off[1] === 0 && off[2] === 0) return;
      let base = na.img;
      if (a > b || (a === b && (off[0] < 0 || (off[0] === 0 && (off[1] < 0 || (off[1] === 0 && off[2] < 0)))))) {
        [a, b] = [b, a];
        off = [-off[0], -off[1], -off[2]];
        base = nb.img;
      }
      const key = `${a},${b},${off[0]},${off[1]},${off[2]}`;
      if (edges.has(key)) return;
      const ab: Vec3 = [B[0] - A[0], B[1] - A[1], B[2] - A[2]];
      const len2 = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2];
      let best = Infinity;
      let bestO: Vec3 = A;
      for (const g of gens) {
        const C = genPos(g);
        let t = len2 > 0 ? ((C[0] - A[0]) * ab[0] + (C[1] - A[1]) * ab[1] + (C[2] - A[2]) * ab[2]) / len2 : 0;
        t = Math.min(1, Math.max(0, t));
        const O: Vec3 = [A[0] + t * ab[0], A[1] + t * ab[1], A[2] + t * ab[2]];
        const r = dist(O, C) - genR(g);
        if (r < best) { best = r; bestO = O; }
      }
      const of = cartToFrac(bestO, inv);
      edges.set(key, {
        a, b, offset: off, bottleneckFrac: [of[0] - base[0], of[1] - base[1], of[2] - base[2]],
        bottleneckRadius: best, length: Math.sqrt(len2), typeId: -1, accessible: false,
      });
    };
    for (const f of cell.faces) {
      const L = f.loop;
      for (let t = 0; t < L.length; t++) {
        const p = L[t], q = L[(t + 1) % L.length];
        if (p > q) continue; // each edge is in two faces of the cell (opposite directions): take it once
        const shared = vertFaces[p].filter((fi) => vertFaces[q].includes(fi)).map((fi) => cell!.faces[fi].plane);
        addEdge(vertAbs[p], vertNode[p], vertAbs[q], vertNode[q], [selfPoint, ...shared]);
      }
    }
    if (withFaces) {
      for (const f of cell.faces) {
        const j = f.plane;
        if (j < 0) continue;
        const xj = pointPos(j);
        const n: Vec3 = [xj[0] - xi[0], xj[1] - xi[1], xj[2] - xi[2]];
        const n2 = n[0] * n[0] + n[1] * n[1] + n[2] * n[2];
        const s = (n2 + radii[i] * radii[i] - genR(j) * genR(j)) / (2 * n2);
        if (s <= 0 || s >= 1) continue;
        const P: Vec3 = [xi[0] + s * n[0], xi[1] + s * n[1], xi[2] + s * n[2]];
        const r = Math.min(Math.sqrt(n2) * s - radii[i], Math.sqrt(n2) * (1 - s) - genR(j));
        if (r <= 0 || !insideFace(cell, f.loop, P, xi, n)) continue;
        const np = nodes.add(cartToFrac(P, inv), r, 'face');
        for (const k of f.loop) addEdge(P, np, vertAbs[k], vertNode[k], [selfPoint, j]);
      }
    }
  }

  const edgeList = [...edges.values()];
  const criticalRadii = criticalChannelRadii(nodes.list.map((n) => n.radius), edgeList);
  const probe = options.probeRadius ?? CAVD_TOLERANCE * Math.min(CAVD_LI_RADIUS, criticalRadii[0]);
  const nodeList = nodes.list.map((n) => ({ ...n, cart: fracToCart(n.frac, lattice.matrix), typeId: -1, accessible: n.radius >= probe }));
  for (const e of edgeList) e.accessible = nodeList[e.a].accessible && nodeList[e.b].accessible && e.bottleneckRadius >= probe;

  const { nodeTypeCount, edgeTypeCount } = assignTypes(structure, nodes, nodeList, edgeList, warnings);
  const channels = { ...channelDimensionality(nodeList.length, edgeList, probe), criticalRadii };
  return { nodes: nodeList, edges: edgeList, channels, framework: atoms, mobileSites: fw.mobileSites, cellVolumes, nodeTypeCount, edgeTypeCount, warnings };
}

function dist(a: Vec3, b: Vec3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** P on the face's plane inside its (convex) loop? Vertices are relative to x_i; n is the face normal direction. */
function insideFace(cell: Polyhedron, loop: number[], P: Vec3, xi: Vec3, n: Vec3): boolean {
  const v = cell.verts;
  const px = P[0] - xi[0], py = P[1] - xi[1], pz = P[2] - xi[2];
  for (let t = 0; t < loop.length; t++) {
    const a = loop[t], b = loop[(t + 1) % loop.length];
    const ex = v[3 * b] - v[3 * a], ey = v[3 * b + 1] - v[3 * a + 1], ez = v[3 * b + 2] - v[3 * a + 2];
    const qx = px - v[3 * a], qy = py - v[3 * a + 1], qz = pz - v[3 * a + 2];
    const cx = ey * qz - ez * qy, cy = ez * qx - ex * qz, cz = ex * qy - ey * qx;
    if (cx * n[0] + cy * n[1] + cz * n[2] < -1e-9) return false;
  }
  return true;
}

/**
 * Power cell of framework atom i (at xi) from the cloud's images within `cutoff`; null when the cutoff does not
 * provably contain every neighbour that could cut it. A neighbour j at distance d has its plane at
 * h = (d² + R_i² − R_j²)/(2d) ≥ (d² − R_max²)/(2d) from x_i; it cuts only if h < r (the farthest vertex), so the
 * cell is complete once (cutoff² − R_max²)/(2·cutoff) ≥ r and no face of the starting cube is left.
 */
function powerCell(cloud: PeriodicCloud, i: number, xi: Vec3, radii: number[], cutoff: number): Polyhedron | null {
  const nb: { q: number; h: number; nx: number; ny: number; nz: number; d: number }[] = [];
  const Ri = radii[i];
  cloud.forEachWithin(xi, cutoff, (owner, d, q) => {
    if (d < 1e-8) return; // itself
    const Rj = radii[owner];
    const h = (d * d + Ri * Ri - Rj * Rj) / 2; // plane n·x ≤ h with n = x_j − x_i (unnormalised)
    nb.push({ q, h, nx: cloud.xyz[3 * q] - xi[0], ny: cloud.xyz[3 * q + 1] - xi[1], nz: cloud.xyz[3 * q + 2] - xi[2], d });
  });
  nb.sort((a, b) => a.h / a.d - b.h / b.d);
  const cell = cube(cutoff);
  let r2 = maxRadius2(cell);
  for (const n of nb) {
    const hn = n.h / n.d; // signed distance of the plane from x_i
    if (hn * hn > r2 && hn > 0) break; // sorted by hn: no later plane can cut either
    if (!clip(cell, n.nx, n.ny, n.nz, n.h, n.q)) { cell.verts = []; cell.faces = []; return cell; }
    r2 = maxRadius2(cell);
  }
  if (cell.faces.some((f) => f.plane < 0)) return null;
  const r = Math.sqrt(r2);
  const Rmax = Math.max(...radii);
  if ((cutoff * cutoff - Rmax * Rmax) / (2 * cutoff) < r) return null;
  return cell;
}

/** Interstices merged within a tolerance, periodic; `add` returns the node and the image the point lies in. */
class NodeSet {
  readonly list: { frac: Vec3; radius: number; kind: 'vertex' | 'face' }[] = [];
  private readonly bins = new Map<number, number[]>();
  private readonly dims: Vec3;
  constructor(private readonly lattice: Lattice, private readonly tol: number) {
    const bin = Math.max(0.25, 4 * tol);
    this.dims = [lattice.a, lattice.b, lattice.c].map((l) => Math.max(1, Math.floor(l / bin))) as Vec3;
  }
  private key(i: number, j: number, k: number): number {
    const [nx, ny, nz] = this.dims;
    return ((((i % nx) + nx) % nx) * ny + (((j % ny) + ny) % ny)) * nz + (((k % nz) + nz) % nz);
  }
  /** Nearest node within tol of frac (any image), with the image offset of frac relative to it. */
  find(frac: Vec3, tol = this.tol): { id: number; img: Vec3 } | null {
    const w0 = frac[0] - Math.floor(frac[0]), w1 = frac[1] - Math.floor(frac[1]), w2 = frac[2] - Math.floor(frac[2]);
    const [nx, ny, nz] = this.dims;
    const bi = Math.floor(w0 * nx), bj = Math.floor(w1 * ny), bk = Math.floor(w2 * nz);
    const L = this.lattice;
    const ri = Math.min(nx, Math.ceil((tol / L.a) * nx * 1.5)), rj = Math.min(ny, Math.ceil((tol / L.b) * ny * 1.5)), rk = Math.min(nz, Math.ceil((tol / L.c) * nz * 1.5));
    const m = L.matrix;
    let best = -1, bestD2 = tol * tol;
    for (let di = -ri; di <= ri; di++) for (let dj = -rj; dj <= rj; dj++) for (let dk = -rk; dk <= rk; dk++) {
      const bin = this.bins.get(this.key(bi + di, bj + dj, bk + dk));
      if (!bin) continue;
      for (const id of bin) {
        const f = this.list[id].frac;
        let x = w0 - f[0], y = w1 - f[1], z = w2 - f[2];
        x -= Math.round(x); y -= Math.round(y); z -= Math.round(z);
        const cx = x * m[0][0] + y * m[1][0] + z * m[2][0], cy = x * m[0][1] + y * m[1][1] + z * m[2][1], cz = x * m[0][2] + y * m[1][2] + z * m[2][2];
        const d2 = cx * cx + cy * cy + cz * cz;
        if (d2 <= bestD2) { bestD2 = d2; best = id; }
      }
    }
    if (best < 0) return null;
    const f = this.list[best].frac;
    return { id: best, img: [Math.round(frac[0] - f[0]), Math.round(frac[1] - f[1]), Math.round(frac[2] - f[2])] };
  }
  add(frac: Vec3, radius: number, kind: 'vertex' | 'face'): { id: number; img: Vec3 } {
    const hit = this.find(frac);
    if (hit) return hit;
    const w = frac.map((x) => { const y = x - Math.floor(x); return y >= 1 ? 0 : y; }) as Vec3;
    const id = this.list.length;
    this.list.push({ frac: w, radius, kind });
    const [nx, ny, nz] = this.dims;
    const key = this.key(Math.floor(w[0] * nx), Math.floor(w[1] * ny), Math.floor(w[2] * nz));
    const bin = this.bins.get(key);
    if (bin) bin.push(id); else this.bins.set(key, [id]);
    return { id, img: [Math.round(frac[0] - w[0]), Math.round(frac[1] - w[1]), Math.round(frac[2] - w[2])] };
  }
}

/** Orbits of nodes and edges under the structure's space-group operations (moyo); identity types without moyo. */
function assignTypes(structure: Structure, nodes: NodeSet, nodeList: NetworkNode[], edgeList: NetworkEdge[], warnings: string[]): { nodeTypeCount: number; edgeTypeCount: number } {
  const nodeParent = nodeList.map((_, i) => i);
  const edgeParent = edgeList.map((_, i) => i);
  const find = (p: number[], x: number): number => { while (p[x] !== x) { p[x] = p[p[x]]; x = p[x]; } return x; };
  const unite = (p: number[], x: number, y: number) => { const a = find(p, x), b = find(p, y); if (a !== b) p[Math.max(a, b)] = Math.min(a, b); };
  let ops: { rot: number[][]; trans: number[] }[] = [];
  try {
    const sites = structure.sites;
    if (sites.length <= 1000) {
      ops = fromMoyo(moyoDataset(structure.lattice.matrix, sites.map((s) => s.frac), sites.map((s) => siteKindKey(s.species)), 1e-2).operations);
    } else {
      warnings.push(`symmetry types skipped for ${sites.length} sites: every node and edge is its own type`);
    }
  } catch (e) {
    warnings.push(`symmetry detection failed (${e instanceof Error ? e.message : String(e)}): every node and edge is its own type`);
  }
  ops = generatorsOf(ops);
  const apply = (op: { rot: number[][]; trans: number[] }, f: Vec3): Vec3 => [0, 1, 2].map((r) => op.rot[r][0] * f[0] + op.rot[r][1] * f[1] + op.rot[r][2] * f[2] + op.trans[r]) as Vec3;
  const edgeIndex = new Map<string, number>();
  edgeList.forEach((e, i) => edgeIndex.set(`${e.a},${e.b},${e.offset[0]},${e.offset[1]},${e.offset[2]}`, i));
  const tol = 0.1;
  let misses = 0;
  for (const op of ops) {
    const R = op.rot;
    const image = nodeList.map((n) => nodes.find(apply(op, n.frac), tol));
    image.forEach((h, i) => { if (h) unite(nodeParent, i, h.id); else misses++; });
    // op(f_b + offset) = op(f_b) + R·offset: the image of b's translate is b's image, translated by R·offset.
    edgeList.forEach((e, i) => {
      const ha = image[e.a], hb = image[e.b];
      if (!ha || !hb) return;
      const o = e.offset;
      let a = ha.id, b = hb.id;
      let off = [0, 1, 2].map((r) => hb.img[r] + R[r][0] * o[0] + R[r][1] * o[1] + R[r][2] * o[2] - ha.img[r]);
      if (a > b || (a === b && (off[0] < 0 || (off[0] === 0 && (off[1] < 0 || (off[1] === 0 && off[2] < 0)))))) { [a, b] = [b, a]; off = off.map((x) => -x); }
      const j = edgeIndex.get(`${a},${b},${off[0]},${off[1]},${off[2]}`);
      if (j !== undefined) unite(edgeParent, i, j); else misses++;
    });
  }
  if (misses) warnings.push(`${misses} symmetry images of nodes/edges not found in the network (tolerance ${tol} Å): those stay separate types`);
  const dense = (p: number[], set: (i: number, t: number) => void): number => {
    const ids = new Map<number, number>();
    p.forEach((_, i) => { const r = find(p, i); if (!ids.has(r)) ids.set(r, ids.size); set(i, ids.get(r)!); });
    return ids.size;
  };
  const nodeTypeCount = dense(nodeParent, (i, t) => { nodeList[i].typeId = t; });
  const edgeTypeCount = dense(edgeParent, (i, t) => { edgeList[i].typeId = t; });
  return { nodeTypeCount, edgeTypeCount };
}

/**
 * r_crit(d) for d = 1, 2, 3: edges sorted by width w = min(bottleneck, r_a, r_b), largest first, joined in a
 * union-find that keeps each node's image offset from its root and a basis of loop translations per root; r_crit(d)
 * is the width of the edge at which some component first reaches rank d.
 */
export function criticalChannelRadii(nodeRadii: readonly number[], edges: readonly NetworkEdge[]): Vec3 {
  const widths = edges.map((e) => Math.min(e.bottleneckRadius, nodeRadii[e.a], nodeRadii[e.b]));
  const r = percolationThresholds(nodeRadii.length, edges, widths, 'largest-first', (w) => w > 0);
  return r.map((w) => (Number.isFinite(w) ? w : 0)) as Vec3;
}

/**
 * Percolation thresholds of a periodic network: edges taken in order of `weights` ('largest-first' for widths,
 * 'smallest-first' for energies), while `admit(weight)` holds, joined in a union-find that keeps each node's image
 * offset from its root and a basis of loop translations per root. Threshold d (d = 1, 2, 3) is the weight of the
 * edge at which some component first reaches rank d (a d-dimensional channel); ±Infinity (the empty end of the
 * order) when it never does.
 */
export function percolationThresholds(
  nodeCount: number,
  edges: readonly Pick<NetworkEdge, 'a' | 'b' | 'offset'>[],
  weights: readonly number[],
  order: 'largest-first' | 'smallest-first',
  admit: (weight: number) => boolean = () => true,
): Vec3 {
  const n = nodeCount;
  const parent = new Int32Array(n).map((_, i) => i);
  const size = new Int32Array(n).fill(1);
  const off = new Int32Array(3 * n); // offset of node from its parent's image
  const basis: Vec3[][] = Array.from({ length: n }, () => []);
  const never = order === 'largest-first' ? -Infinity : Infinity;
  const out: Vec3 = [never, never, never];
  let best = 0;
  const find = (v: number): [number, number, number, number] => {
    let x = 0, y = 0, z = 0, u = v;
    while (parent[u] !== u) { x += off[3 * u]; y += off[3 * u + 1]; z += off[3 * u + 2]; u = parent[u]; }
    // Path compression with accumulated offsets.
    let w = v, ax = x, ay = y, az = z;
    while (parent[w] !== u && parent[w] !== w) {
      const next = parent[w];
      const nx = ax - off[3 * w], ny = ay - off[3 * w + 1], nz = az - off[3 * w + 2];
      parent[w] = u; off[3 * w] = ax; off[3 * w + 1] = ay; off[3 * w + 2] = az;
      w = next; ax = nx; ay = ny; az = nz;
    }
    return [u, x, y, z];
  };
  const sign = order === 'largest-first' ? -1 : 1;
  const sorted = edges.map((_, i) => i).sort((p, q) => sign * (weights[p] - weights[q]));
  for (const i of sorted) {
    const w = weights[i];
    if (!admit(w)) break;
    const e = edges[i];
    const [ra, ax, ay, az] = find(e.a);
    const [rb, bx, by, bz] = find(e.b);
    // b's root sits at (a's position + offset − b's offset from its root) in a's root frame.
    const dx = ax + e.offset[0] - bx, dy = ay + e.offset[1] - by, dz = az + e.offset[2] - bz;
    let root = ra;
    if (ra === rb) {
      const loop: Vec3 = [dx, dy, dz];
      if (basis[ra].length < 3 && independent(basis[ra], loop)) basis[ra].push(loop);
    } else {
      let keep = ra, absorb = rb, s = 1;
      if (size[ra] < size[rb]) { keep = rb; absorb = ra; s = -1; }
      parent[absorb] = keep;
      off[3 * absorb] = s * dx; off[3 * absorb + 1] = s * dy; off[3 * absorb + 2] = s * dz;
      size[keep] += size[absorb];
      for (const v of basis[absorb]) if (basis[keep].length < 3 && independent(basis[keep], v)) basis[keep].push(v);
      basis[absorb] = [];
      root = keep;
    }
    while (best < basis[root].length) out[best++] = w;
    if (best === 3) break;
  }
  return out;
}

type Op = { rot: number[][]; trans: number[] };

/**
 * A generating subset of a space group's operations (orbits under the generators are the orbits under the group):
 * each operation not yet in the closure of the chosen ones becomes a generator. Translations compare modulo 1.
 */
export function generatorsOf(ops: Op[]): Op[] {
  const key = (o: Op) => `${o.rot.flat().join(',')}|${o.trans.map((t) => (Math.round((t - Math.floor(t)) * 1e4) % 1e4)).join(',')}`;
  const compose = (p: Op, q: Op): Op => ({
    rot: [0, 1, 2].map((r) => [0, 1, 2].map((c) => p.rot[r][0] * q.rot[0][c] + p.rot[r][1] * q.rot[1][c] + p.rot[r][2] * q.rot[2][c])),
    trans: [0, 1, 2].map((r) => p.rot[r][0] * q.trans[0] + p.rot[r][1] * q.trans[1] + p.rot[r][2] * q.trans[2] + p.trans[r]),
  });
  const identity: Op = { rot: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], trans: [0, 0, 0] };
  const gens: Op[] = [];
  let closure = new Set([key(identity)]);
  for (const op of ops) {
    if (closure.has(key(op))) continue;
    gens.push(op);
    closure = new Set([key(identity)]);
    const queue: Op[] = [identity];
    while (queue.length && closure.size <= 4 * ops.length) {
      const e = queue.pop()!;
      for (const g of gens) {
        const p = compose(g, e);
        const k = key(p);
        if (!closure.has(k)) { closure.add(k); queue.push(p); }
      }
    }
  }
  return gens;
}

/**
 * Components of the accessible subgraph and the rank of their loop translations. BFS gives every node an image
 * offset in its component's frame; an edge a→b(+offset) closing a loop adds off(a) + offset − off(b).
 */
export function channelDimensionality(nodeCount: number, edges: readonly NetworkEdge[], probeRadius: number): Omit<NetworkChannels, 'criticalRadii'> {
  const adj: { to: number; off: Vec3 }[][] = Array.from({ length: nodeCount }, () => []);
  const nodeUsed = new Uint8Array(nodeCount);
  for (const e of edges) {
    if (!e.accessible) continue;
    adj[e.a].push({ to: e.b, off: e.offset });
    adj[e.b].push({ to: e.a, off: [-e.offset[0], -e.offset[1], -e.offset[2]] });
    nodeUsed[e.a] = nodeUsed[e.b] = 1;
  }
  const pos: (Vec3 | null)[] = new Array(nodeCount).fill(null);
  let best: Vec3[] = [];
  let components = 0;
  for (let s = 0; s < nodeCount; s++) {
    if (!nodeUsed[s] || pos[s]) continue;
    components++;
    pos[s] = [0, 0, 0];
    const queue = [s];
    const basis: Vec3[] = [];
    while (queue.length) {
      const u = queue.pop()!;
      const pu = pos[u]!;
      for (const { to, off } of adj[u]) {
        const want: Vec3 = [pu[0] + off[0], pu[1] + off[1], pu[2] + off[2]];
        const pv = pos[to];
        if (!pv) { pos[to] = want; queue.push(to); continue; }
        const loop: Vec3 = [want[0] - pv[0], want[1] - pv[1], want[2] - pv[2]];
        if (basis.length < 3 && independent(basis, loop)) basis.push(loop);
      }
    }
    if (basis.length > best.length) best = basis;
  }
  return { dimensionality: best.length, directions: best, components, probeRadius };
}

function independent(basis: Vec3[], v: Vec3): boolean {
  if (v[0] === 0 && v[1] === 0 && v[2] === 0) return false;
  if (basis.length === 0) return true;
  if (basis.length === 1) {
    const a = basis[0];
    return a[1] * v[2] - a[2] * v[1] !== 0 || a[2] * v[0] - a[0] * v[2] !== 0 || a[0] * v[1] - a[1] * v[0] !== 0;
  }
  const [a, b] = basis;
  return v[0] * (a[1] * b[2] - a[2] * b[1]) - v[1] * (a[0] * b[2] - a[2] * b[0]) + v[2] * (a[0] * b[1] - a[1] * b[0]) !== 0;
}
