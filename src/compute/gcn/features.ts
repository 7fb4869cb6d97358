/**
 * The GCN's input graph (seed 000_, §2.2; SCIENCE.md §4–5): the interstitial network of the framework with the
 * mobile ions removed (network/: buildInterstitialNetwork), node features from network/networkFeatures (interstice
 * radius, vertex/face flag, Z, χ, d of the 12 nearest framework ions), and the seed's "nonequivalent" reduction:
 * interstices in the same symmetry orbit are one node (the orbit's first member stands for it), and bottlenecks
 * between two orbits are one undirected edge (emitted in both directions; an edge inside one orbit is one self-edge).
 * One more node column, `accessible` (r ≥ 0.453 Å), is appended: the Li-accessible part of the network.
 *
 * This is the one feature code: scripts/export-graphs.ts writes the training set with it and gcn/model.ts feeds
 * the ONNX model with it.
 */
import type { Structure } from '../structure/types';
import { buildInterstitialNetwork, CAVD_LI_RADIUS, CAVD_TOLERANCE, networkFeatures, type NetworkOptions } from '../network';

/**
 * The `accessible` column: interstice radius ≥ CAVD's Li radius × 0.85 = 0.453 Å, fixed (the rule the committed model
 * was trained with; the network's own probe may shrink locally for its channel analysis, which must not change the
 * model's input).
 */
export const ACCESSIBLE_RADIUS = CAVD_LI_RADIUS * CAVD_TOLERANCE;

export interface InterstitialGraphOptions {
  network?: Omit<NetworkOptions, 'signal'>;
  /** 'symmetry' (default): one node per interstice orbit, as the seed; 'none': every interstice of the cell. */
  reduce?: 'symmetry' | 'none';
}

export interface InterstitialGraph {
  /** nodeCount × featureNames.length, row-major. */
  nodeFeatures: Float32Array;
  nodeCount: number;
  /** 2 × E: sources, then targets; both directions present. */
  edgeIndex: Int32Array;
  featureNames: string[];
  /** Channel dimensionality of the Li-accessible network (0…3). */
  dimensionality: number;
  /** Interstices and bottlenecks of the full cell before the reduction. */
  cellNodes: number;
  cellEdges: number;
  warnings: string[];
}

export function interstitialGraph(structure: Structure, options: InterstitialGraphOptions = {}, signal?: AbortSignal): InterstitialGraph {
  const network = buildInterstitialNetwork(structure, { ...options.network, signal });
  const feats = networkFeatures(structure, network, { bothDirections: true });
  const F0 = feats.nodeFeatureCount, F = F0 + 1;
  const featureNames = [...feats.featureNames, 'accessible'];
  const reduce = options.reduce ?? 'symmetry';
  const N0 = network.nodes.length;
  // node → graph node
  const map = new Int32Array(N0);
  const reps: number[] = [];
  if (reduce === 'symmetry') {
    const seen = new Map<number, number>();
    network.nodes.forEach((n, i) => {
      let g = seen.get(n.typeId);
      if (g === undefined) { g = reps.length; seen.set(n.typeId, g); reps.push(i); }
      map[i] = g;
    });
  } else {
    for (let i = 0; i < N0; i++) { map[i] = i; reps.push(i); }
  }
  const n = reps.length;
  const nodeFeatures = new Float32Array(n * F);
  reps.forEach((i, g) => {
    nodeFeatures.set(feats.nodeFeatures.subarray(i * F0, (i + 1) * F0), g * F);
    nodeFeatures[g * F + F0] = network.nodes[i].radius >= ACCESSIBLE_RADIUS ? 1 : 0;
  });
  const src: number[] = [], dst: number[] = [];
  const E = feats.edgeCount;
  if (reduce === 'symmetry') {
    const pairs = new Set<number>();
    for (let e = 0; e < E; e++) {
      const a = map[feats.edgeIndex[e]], b = map[feats.edgeIndex[E + e]];
      const key = a * n + b;
      if (pairs.has(key)) continue;
      pairs.add(key);
      src.push(a); dst.push(b);
    }
  } else {
    for (let e = 0; e < E; e++) { src.push(feats.edgeIndex[e]); dst.push(feats.edgeIndex[E + e]); }
  }
  const edgeIndex = new Int32Array(2 * src.length);
  edgeIndex.set(src, 0);
  edgeIndex.set(dst, src.length);
  return {
    nodeFeatures, nodeCount: n, edgeIndex, featureNames,
    dimensionality: network.channels.dimensionality,
    cellNodes: N0, cellEdges: network.edges.length,
    warnings: network.warnings,
  };
}
