/**
 * The GCN's input graph (seed 000_, §2.2; SCIENCE.md §4–5): the interstitial network of the framework with the
 * mobile ions removed (network/: buildInterstitialNetwork), node features from network/networkFeatures (interstice
 * radius, vertex/face flag, Z, χ, d of the 12 nearest framework ions), and the seed's "nonequivalent" reduction:
 * interstices in the same symmetry orbit are one node (the orbit's first member stands for it), and bottlenecks
 * between two orbits are one undirected edge (emitted in both directions; an edge inside one orbit is one self-edge).
 * One more node column, `accessible` (r ≥ 0.453 Å), is appended: the Li-accessible part of the network.
 *
 * Edge features (the seed's bottlenecks, §2.2), one row per graph edge: [bottleneckRadius, length, Z/χ/d of the 12
 * nearest framework ions at the bottleneck point, accessible (bottleneck ≥ 0.453 Å)]. Where several bottlenecks join
 * the same two orbits, the edge carries the widest (the one a percolating path takes).
 * Graph features (the seed's "conduction thresholds" and "transport channel dimensionality", §2.2), geometric only:
 *   rcrit1/2/3  r_crit(d): largest probe radius (Å) at which the Li-free network still percolates in d dimensions
 *               (network.channels.criticalRadii: union-find with periodic offsets over edges by width),
 *   dimensionality at the fixed probe, ln(V / framework ion) (Å³), Li per framework ion,
 *   and the 12-nearest-ion Z/χ/d at the critical bottleneck of r_crit(1): the edge whose width
 *   min(bottleneck, r_a, r_b) equals r_crit(1), the narrowest point of the widest 1D channel.
 *
 * This is the one feature code: scripts/export-graphs.ts writes the training set with it and gcn/model.ts feeds
 * the ONNX model with it.
 */
import type { Structure } from '../structure/types';
import { buildInterstitialNetwork, CAVD_LI_RADIUS, CAVD_TOLERANCE, NEAREST_ATOMS, networkFeatures, type InterstitialNetwork, type NetworkOptions } from '../network';

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
  /** E × edgeFeatureNames.length, row-major, rows in the order of edgeIndex's columns. */
  edgeFeatures: Float32Array;
  edgeFeatureNames: string[];
  /** One row per graph (see the header). */
  graphFeatures: Float32Array;
  graphFeatureNames: string[];
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
  const G0 = feats.edgeFeatureCount, G = G0 + 1;
  const edgeFeatureNames = [...feats.edgeFeatureNames, 'accessible'];
  const src: number[] = [], dst: number[] = [], edgeRow: number[] = [];
  const E = feats.edgeCount;
  const ef = feats.edgeFeatures;
  if (reduce === 'symmetry') {
    const pairs = new Map<number, number>(); // pair key → graph edge
    for (let e = 0; e < E; e++) {
      const a = map[feats.edgeIndex[e]], b = map[feats.edgeIndex[E + e]];
      const key = a * n + b;
      const g = pairs.get(key);
      if (g !== undefined) { if (ef[e * G0] > ef[edgeRow[g] * G0]) edgeRow[g] = e; continue; }
      pairs.set(key, src.length);
      src.push(a); dst.push(b); edgeRow.push(e);
    }
  } else {
    for (let e = 0; e < E; e++) { src.push(feats.edgeIndex[e]); dst.push(feats.edgeIndex[E + e]); edgeRow.push(e); }
  }
  const edgeIndex = new Int32Array(2 * src.length);
  edgeIndex.set(src, 0);
  edgeIndex.set(dst, src.length);
  const edgeFeatures = new Float32Array(src.length * G);
  edgeRow.forEach((e, g) => {
    edgeFeatures.set(ef.subarray(e * G0, (e + 1) * G0), g * G);
    edgeFeatures[g * G + G0] = ef[e * G0] >= ACCESSIBLE_RADIUS ? 1 : 0;
  });
  const graph = graphLevelFeatures(structure, network, ef, G0);
  return {
    nodeFeatures, nodeCount: n, edgeIndex, featureNames, edgeFeatures, edgeFeatureNames,
    graphFeatures: graph.values, graphFeatureNames: graph.names,
    dimensionality: network.channels.dimensionality,
    cellNodes: N0, cellEdges: network.edges.length,
    warnings: network.warnings,
  };
}

/** The graph-level row (see the header); `edgeFeatures` are networkFeatures' rows (G0 columns, env from column 2). */
function graphLevelFeatures(structure: Structure, network: InterstitialNetwork, edgeFeatures: Float32Array, G0: number): { names: string[]; values: Float32Array } {
  const env: string[] = [];
  for (let k = 1; k <= NEAREST_ATOMS; k++) env.push(`crit_Z${k}`, `crit_chi${k}`, `crit_d${k}`);
  const names = ['rcrit1', 'rcrit2', 'rcrit3', 'dimensionality', 'lnVolumePerFrameworkIon', 'liPerFrameworkIon', ...env];
  const values = new Float32Array(names.length);
  const [r1, r2, r3] = network.channels.criticalRadii;
  const nf = Math.max(1, network.framework.length);
  values.set([r1, r2, r3, network.channels.dimensionality, Math.log(structure.lattice.volume / nf), network.mobileSites.length / nf]);
  // The critical bottleneck: an edge whose width equals r_crit(1) (equivalent edges tie; the first stands for them).
  let crit = -1, bestGap = Infinity;
  network.edges.forEach((e, i) => {
    const w = Math.min(e.bottleneckRadius, network.nodes[e.a].radius, network.nodes[e.b].radius);
    const gap = Math.abs(w - r1);
    if (r1 > 0 && gap < bestGap) { bestGap = gap; crit = i; }
  });
  if (crit >= 0) values.set(edgeFeatures.subarray(crit * G0 + 2, crit * G0 + 2 + 3 * NEAREST_ATOMS), 6);
  return { names, values };
}
