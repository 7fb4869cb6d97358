/**
 * Do the mobile-ion sites that an ordering leaves free of framework cations still form a connected network?
 *
 * In an ordered approximant of a CIF where the mobile ion shares sites with framework cations (La on the A sites of
 * LLTO), whole cations sit on some of those positions. BVSE removes the mobile ion, so the free positions are where
 * it can go. If they do not connect across the periodic supercell while the sublattice as a whole does, every path
 * must cross a cation's core, and the ordering's barrier says more about where the approximant put the cations than
 * about the crystal (LLTO `gas`: 6 free A sites of 17, isolated; docs/VALIDATION.md).
 *
 * Network: positions of the mobile-ion orbits, joined when closer than HOP_FACTOR × d*, where d* is the shortest
 * distance at which the whole sublattice (every position free) connects across the supercell (at most MAX_HOP; LLTO:
 * the A–A distance 3.88 Å, the next being 5.49 Å; a garnet: its 24d–96h hop). Connected across the cell = some
 * cluster reaches a periodic image of one of its own positions (union-find with lattice offsets, the wrapping
 * criterion of percolation theory).
 */
import type { Mat3, Vec3 } from '../types';
import { periodicNeighbourFinder } from '../neighbours';

/** Neighbours: within this factor of the sublattice's own connecting distance (see freeSiteNetwork). */
export const HOP_FACTOR = 1.15;
/** Longest hop considered between two mobile-ion positions (Å). */
export const MAX_HOP = 6;

export interface FreeSiteNetwork {
  /** Free positions (no framework cation) and all positions of the mobile-ion orbits. */
  free: number;
  total: number;
  /** The whole sublattice connects across the supercell. */
  sublatticeConnects: boolean;
  /** The free positions alone connect across the supercell. */
  freeConnect: boolean;
}

type Edge = { i: number; j: number; shift: Vec3 };

type Pair = Edge & { d: number };

/** Every pair of positions (with the image shift) within MAX_HOP, nearest first. */
function pairsOf(lattice: Mat3, fracs: Vec3[]): Pair[] {
  const finder = periodicNeighbourFinder(lattice, fracs, MAX_HOP);
  const pairs: Pair[] = [];
  for (let i = 0; i < fracs.length; i++) {
    finder.around(i, (j, d, t0, t1, t2) => {
      if (j < i || (j === i && !t0 && !t1 && !t2)) return;
      pairs.push({ i, j, shift: [t0, t1, t2], d });
    });
  }
  return pairs.sort((x, y) => x.d - y.d);
}

/** Whether the nodes kept by `keep` form a cluster that wraps around the periodic cell. */
function wraps(n: number, edges: Edge[], keep: (i: number) => boolean): boolean {
  // Union-find storing each node's lattice offset from its root.
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const offset: Vec3[] = Array.from({ length: n }, () => [0, 0, 0]);
  const find = (i: number): number => {
    if (parent[i] === i) return i;
    const root = find(parent[i]);
    if (parent[i] !== root) { const o = offset[parent[i]]; offset[i] = [offset[i][0] + o[0], offset[i][1] + o[1], offset[i][2] + o[2]]; parent[i] = root; }
    return root;
  };
  for (const { i, j, shift } of edges) {
    if (!keep(i) || !keep(j)) continue;
    if (i === j) return true; // a position joined to its own image
    const ri = find(i), rj = find(j);
    // Position j sits at i + shift (in cells): offset(j) should equal offset(i) + shift relative to a common root.
    const want: Vec3 = [offset[i][0] + shift[0] - offset[j][0], offset[i][1] + shift[1] - offset[j][1], offset[i][2] + shift[2] - offset[j][2]];
    if (ri === rj) { if (want[0] || want[1] || want[2]) return true; continue; }
    parent[rj] = ri;
    offset[rj] = want;
  }
  return false;
}

/**
 * The mobile-ion sublattice of a supercell (`fracs`, fractional in `lattice`) and which of its positions are free.
 */
export function freeSiteNetwork(lattice: Mat3, fracs: Vec3[], free: boolean[]): FreeSiteNetwork {
  const pairs = pairsOf(lattice, fracs);
  const counts = { free: free.filter(Boolean).length, total: fracs.length };
  // d*: the shortest prefix of the sorted pairs that connects the whole sublattice (binary search; wrapping is
  // monotone in the prefix length).
  if (!pairs.length || !wraps(fracs.length, pairs, () => true)) return { ...counts, sublatticeConnects: false, freeConnect: false };
  let lo = 0, hi = pairs.length - 1;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (wraps(fracs.length, pairs.slice(0, mid + 1), () => true)) hi = mid; else lo = mid + 1; }
  const reach = HOP_FACTOR * pairs[lo].d + 1e-9;
  const edges = pairs.filter((p) => p.d <= reach);
  return { ...counts, sublatticeConnects: true, freeConnect: wraps(fracs.length, edges, (i) => free[i]) };
}
