/**
 * Graph features of an interstitial network for the GCN (SCIENCE.md §4–5, after Shi et al.): nodes are interstices,
 * edges bottlenecks. Per point (interstice or bottleneck):
 *   size (Å), for each of the 12 nearest framework ions: atomic number Z, Pauling electronegativity χ, distance d (Å)
 *   (sorted by distance; zero-padded when the framework has fewer ions within reach), and optionally the energy at the
 *   point from a caller-supplied `energyAt(frac)` (e.g. BVSE, eV).
 * Node rows:  [radius, isFace, (energy), Z1, χ1, d1, …, Z12, χ12, d12]
 * Edge rows:  [bottleneckRadius, length, (energy), Z1, χ1, d1, …]   (energy at the bottleneck point)
 * edgeIndex is [2 × E] row-major (sources, then targets), in both directions by default (GCN adjacency is
 * symmetric); edge feature rows follow edgeIndex's columns. Periodic offsets are dropped in the graph (nodes are
 * the cell's interstices; an edge to an image connects the node itself).
 */
import type { Structure, Vec3 } from '../structure/types';
import { PeriodicCloud, fracToCart } from './geometry';
import type { InterstitialNetwork } from './network';

export const NEAREST_ATOMS = 12;

export interface FeatureOptions {
  /** Energy at a fractional position (e.g. BVSE, eV); adds an 'energy' column to nodes and edges. */
  energyAt?: (frac: Vec3) => number;
  /** Emit each undirected edge in both directions (default true). */
  bothDirections?: boolean;
  /** Reach (Å) for the nearest-ion search (default 8). */
  reach?: number;
}

export interface NetworkFeatures {
  nodeFeatures: Float32Array;
  nodeFeatureCount: number;
  edgeIndex: Int32Array;
  edgeFeatures: Float32Array;
  edgeFeatureCount: number;
  featureNames: string[];
  edgeFeatureNames: string[];
  nodeCount: number;
  edgeCount: number;
}

export function networkFeatures(structure: Structure, network: InterstitialNetwork, options: FeatureOptions = {}): NetworkFeatures {
  const reach = options.reach ?? 8;
  const both = options.bothDirections ?? true;
  const withEnergy = !!options.energyAt;
  const atoms = network.framework;
  const cloud = new PeriodicCloud(structure.lattice, atoms.map((a) => a.cart), reach);
  const env: string[] = [];
  for (let k = 1; k <= NEAREST_ATOMS; k++) env.push(`Z${k}`, `chi${k}`, `d${k}`);
  const featureNames = ['radius', 'isFace', ...(withEnergy ? ['energy'] : []), ...env];
  const edgeFeatureNames = ['bottleneckRadius', 'length', ...(withEnergy ? ['energy'] : []), ...env];
  const F = featureNames.length, G = edgeFeatureNames.length;
  const m = structure.lattice.matrix;

  // The 12 nearest ions by insertion into a sorted buffer (no allocation per point).
  const bestD = new Float64Array(NEAREST_ATOMS), bestA = new Int32Array(NEAREST_ATOMS);
  let filled = 0;
  const offer = (owner: number, d: number) => {
    if (filled === NEAREST_ATOMS && d >= bestD[NEAREST_ATOMS - 1]) return;
    let k = filled < NEAREST_ATOMS ? filled++ : NEAREST_ATOMS - 1;
    while (k > 0 && bestD[k - 1] > d) { bestD[k] = bestD[k - 1]; bestA[k] = bestA[k - 1]; k--; }
    bestD[k] = d; bestA[k] = owner;
  };
  const environment = (frac: Vec3, out: Float32Array, at: number) => {
    const w = frac.map((x) => x - Math.floor(x)) as Vec3;
    const p = fracToCart(w, m);
    // Most points have 12 ions within 4.5 Å; widen to `reach` only when not.
    for (const r of [Math.min(4.5, reach), reach]) {
      filled = 0;
      cloud.forEachWithin(p, r, offer);
      if (filled >= NEAREST_ATOMS) break;
    }
    for (let k = 0; k < filled; k++) {
      const a = atoms[bestA[k]];
      out[at + 3 * k] = a.z;
      out[at + 3 * k + 1] = a.electronegativity;
      out[at + 3 * k + 2] = bestD[k];
    }
  };

  const N = network.nodes.length;
  const nodeFeatures = new Float32Array(N * F);
  network.nodes.forEach((n, i) => {
    let c = i * F;
    nodeFeatures[c++] = n.radius;
    nodeFeatures[c++] = n.kind === 'face' ? 1 : 0;
    if (withEnergy) nodeFeatures[c++] = options.energyAt!(n.frac);
    environment(n.frac, nodeFeatures, c);
  });

  const E0 = network.edges.length;
  const E = both ? 2 * E0 : E0;
  const edgeIndex = new Int32Array(2 * E);
  const edgeFeatures = new Float32Array(E * G);
  network.edges.forEach((e, i) => {
    let c = i * G;
    edgeFeatures[c++] = e.bottleneckRadius;
    edgeFeatures[c++] = e.length;
    if (withEnergy) edgeFeatures[c++] = options.energyAt!(e.bottleneckFrac);
    environment(e.bottleneckFrac, edgeFeatures, c);
    edgeIndex[i] = e.a;
    edgeIndex[E + i] = e.b;
    if (both) {
      edgeFeatures.copyWithin((E0 + i) * G, i * G, (i + 1) * G);
      edgeIndex[E0 + i] = e.b;
      edgeIndex[E + E0 + i] = e.a;
    }
  });
  return { nodeFeatures, nodeFeatureCount: F, edgeIndex, edgeFeatures, edgeFeatureCount: G, featureNames, edgeFeatureNames, nodeCount: N, edgeCount: E };
}
