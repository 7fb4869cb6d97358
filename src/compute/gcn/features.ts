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
import type { Vec3 } from '../structure/types';
import { buildInterstitialNetwork, CAVD_LI_RADIUS, CAVD_TOLERANCE, NEAREST_ATOMS, networkFeatures, percolationThresholds, type InterstitialNetwork, type NetworkOptions } from '../network';
import { bvsePointEnergy } from '../energy/bvse/bvse';

/**
 * Default clip of the BVSE features (eV): above it the number only says "blocked". A model records the cap it was
 * trained with in its ONNX metadata (`energy_cap`; absent = 5 eV, v3/v3.1) and gcn/model.ts passes it back here.
 */
export const ENERGY_CAP = 5;

/** BVSE energies on the full-cell network (see the header), raw (not clipped), eV. */
export interface NetworkEnergies {
  /** E_min: lowest interstice energy (absolute BVSE, eV). */
  minimum: number;
  /** Per network node: E − E_min. */
  node: Float64Array;
  /** Per network edge: E(bottleneck) − E_min. */
  bottleneck: Float64Array;
  /** Per network edge: max(E_bottleneck, E_a, E_b) − E_min. */
  edgeBarrier: Float64Array;
  /** The network's percolation barrier in 1D/2D/3D (eV above E_min; Infinity when it never percolates). */
  barriers: Vec3;
}

/**
 * BVSE at every interstice and bottleneck of `network` and its percolation barriers. `energyAt` is the absolute
 * site energy (default: bvsePointEnergy of the structure); `perOrbit` evaluates one member per orbit (typeId) and
 * copies (default true; false evaluates every point, which the unit test compares against).
 */
export function networkEnergies(structure: Structure, network: InterstitialNetwork, energyAt?: (frac: Vec3) => number, perOrbit = true): NetworkEnergies {
  const at = energyAt ?? bvsePointEnergy(structure).energyAt;
  const evaluate = <T extends { typeId: number }>(items: readonly T[], point: (t: T) => Vec3): Float64Array => {
    const out = new Float64Array(items.length);
    const byType = new Map<number, number>();
    items.forEach((t, i) => {
      let e = perOrbit ? byType.get(t.typeId) : undefined;
      if (e === undefined) { e = at(point(t)); if (perOrbit) byType.set(t.typeId, e); }
      out[i] = e;
    });
    return out;
  };
  const node = evaluate(network.nodes, (n) => n.frac);
  const bottleneck = evaluate(network.edges, (e) => e.bottleneckFrac);
  let minimum = Infinity;
  for (const e of node) minimum = Math.min(minimum, e);
  if (!Number.isFinite(minimum)) minimum = 0;
  for (let i = 0; i < node.length; i++) node[i] -= minimum;
  const edgeBarrier = new Float64Array(network.edges.length);
  network.edges.forEach((e, i) => {
    bottleneck[i] -= minimum;
    edgeBarrier[i] = Math.max(bottleneck[i], node[e.a], node[e.b]);
  });
  const barriers = percolationThresholds(network.nodes.length, network.edges, Array.from(edgeBarrier), 'smallest-first');
  return { minimum, node, bottleneck, edgeBarrier, barriers };
}

/**
 * The `accessible` column: interstice radius ≥ CAVD's Li radius × 0.85 = 0.453 Å, fixed (the rule the committed model
 * was trained with; the network's own probe may shrink locally for its channel analysis, which must not change the
 * model's input).
 */
export const ACCESSIBLE_RADIUS = CAVD_LI_RADIUS * CAVD_TOLERANCE;

export interface InterstitialGraphOptions {
  network?: Omit<NetworkOptions, 'signal'>;
  /** Absolute Li⁺ site energy at a fractional point (default: bvsePointEnergy of the structure). */
  energyAt?: (frac: Vec3) => number;
  /** 'symmetry' (default): one node per interstice orbit, as the seed; 'none': every interstice of the cell. */
  reduce?: 'symmetry' | 'none';
  /** Clip of every BVSE feature, eV (default ENERGY_CAP); must equal the model's `energy_cap`. */
  energyCap?: number;
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
  /** The network's BVSE percolation barriers (eV above E_min, not clipped; Infinity: never). */
  networkBarriers: Vec3;
  /** Channel dimensionality of the Li-accessible network (0…3). */
  dimensionality: number;
  /** Interstices and bottlenecks of the full cell before the reduction. */
  cellNodes: number;
  cellEdges: number;
  warnings: string[];
  /** The clip applied to the BVSE features, eV. */
  energyCap: number;
}

export function interstitialGraph(structure: Structure, options: InterstitialGraphOptions = {}, signal?: AbortSignal): InterstitialGraph {
  const network = buildInterstitialNetwork(structure, { ...options.network, signal });
  const feats = networkFeatures(structure, network, { bothDirections: true });
  const energies = networkEnergies(structure, network, options.energyAt);
  const cap = options.energyCap ?? ENERGY_CAP;
  const clip = (e: number) => Math.min(cap, e);
  const F0 = feats.nodeFeatureCount, F = F0 + 2;
  const featureNames = [...feats.featureNames, 'accessible', 'energy'];
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
    nodeFeatures[g * F + F0 + 1] = clip(energies.node[i]);
  });
  const G0 = feats.edgeFeatureCount, G = G0 + 3;
  const edgeFeatureNames = [...feats.edgeFeatureNames, 'accessible', 'energy', 'barrier'];
  const src: number[] = [], dst: number[] = [], edgeRow: number[] = [], edgeBarrier: number[] = [];
  const E = feats.edgeCount;
  const E0 = network.edges.length;
  const ef = feats.edgeFeatures;
  // networkFeatures' row e is network edge e mod E0 (both directions).
  const barrierOf = (e: number) => energies.edgeBarrier[e % E0];
  if (reduce === 'symmetry') {
    const pairs = new Map<number, number>(); // pair key → graph edge
    for (let e = 0; e < E; e++) {
      const a = map[feats.edgeIndex[e]], b = map[feats.edgeIndex[E + e]];
      const key = a * n + b;
      const g = pairs.get(key);
      if (g !== undefined) {
        if (ef[e * G0] > ef[edgeRow[g] * G0]) edgeRow[g] = e;
        edgeBarrier[g] = Math.min(edgeBarrier[g], barrierOf(e));
        continue;
      }
      pairs.set(key, src.length);
      src.push(a); dst.push(b); edgeRow.push(e); edgeBarrier.push(barrierOf(e));
    }
  } else {
    for (let e = 0; e < E; e++) { src.push(feats.edgeIndex[e]); dst.push(feats.edgeIndex[E + e]); edgeRow.push(e); edgeBarrier.push(barrierOf(e)); }
  }
  const edgeIndex = new Int32Array(2 * src.length);
  edgeIndex.set(src, 0);
  edgeIndex.set(dst, src.length);
  const edgeFeatures = new Float32Array(src.length * G);
  edgeRow.forEach((e, g) => {
    edgeFeatures.set(ef.subarray(e * G0, (e + 1) * G0), g * G);
    edgeFeatures[g * G + G0] = ef[e * G0] >= ACCESSIBLE_RADIUS ? 1 : 0;
    edgeFeatures[g * G + G0 + 1] = clip(energies.bottleneck[e % E0]);
    edgeFeatures[g * G + G0 + 2] = clip(edgeBarrier[g]);
  });
  const graph = graphLevelFeatures(structure, network, ef, G0, energies.barriers.map(clip));
  return {
    nodeFeatures, nodeCount: n, edgeIndex, featureNames, edgeFeatures, edgeFeatureNames,
    graphFeatures: graph.values, graphFeatureNames: graph.names,
    networkBarriers: energies.barriers,
    dimensionality: network.channels.dimensionality,
    cellNodes: N0, cellEdges: network.edges.length,
    warnings: network.warnings,
    energyCap: cap,
  };
}

/** The graph-level row (see the header); `edgeFeatures` are networkFeatures' rows (G0 columns, env from column 2). */
function graphLevelFeatures(structure: Structure, network: InterstitialNetwork, edgeFeatures: Float32Array, G0: number, barriers: number[]): { names: string[]; values: Float32Array } {
  const env: string[] = [];
  for (let k = 1; k <= NEAREST_ATOMS; k++) env.push(`crit_Z${k}`, `crit_chi${k}`, `crit_d${k}`);
  const names = ['rcrit1', 'rcrit2', 'rcrit3', 'dimensionality', 'lnVolumePerFrameworkIon', 'liPerFrameworkIon', ...env, 'networkBarrier1', 'networkBarrier2', 'networkBarrier3'];
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
  values.set(barriers, 6 + 3 * NEAREST_ATOMS);
  return { names, values };
}
