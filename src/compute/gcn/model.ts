/**
 * The GCN on the interstitial network as a `BarrierModel` (seed 000_: Shi et al.; SCIENCE.md §5): structure →
 * interstitial network + node features (features.ts, the same code that wrote the training set) → ONNX model
 * (models/gcn/gcn-in.onnx, trained by models/training/train.py on ionpath's own BVSE Ea_1D labels) → Ea_1D in eV.
 *
 * The ONNX file takes one graph per call: `node_features` float32 [N, F] (raw, the model standardises them) and
 * `edge_index` int64 [2, E] (directed, both directions present), and returns `ea_1d_ev` float32 [1]. A v2 model
 * (gcn-in-bvse-ea1d-v2) also takes `edge_features` float32 [E, G] (the bottlenecks, in edge_index's column order) and
 * `graph_features` float32 [1, H] (r_crit(d) and the other graph-level features); they are fed when the session
 * declares them. The v3 models (gcn-in-bvse-ea1d-v3, -v3.1) have the same inputs with the BVSE columns of features.ts
 * appended: node and edge `energy`, edge `barrier`, graph `networkBarrier1/2/3` (the network's own BVSE percolation
 * barriers); it predicts Ea_1D as the network barrier 1D plus a learned correction (see MODEL_CARD.md), inside the
 * ONNX graph. v3.2 (gcn-in-bvse-ea1d-v3.2) was trained with the BVSE features clipped at 10 eV instead of 5 and
 * says so in its metadata (`energy_cap`), which is passed to features.ts; a file without it gets 5 eV (v3, v3.1).
 * Its feature names are stored in the file's metadata (`feature_names`, and for v2 `edge_feature_names`,
 * `graph_feature_names`, JSON) and must equal the ones features.ts produces: a mismatch is an error, not a silent
 * wrong number.
 *
 * A partially occupied CIF reaches the model as its lowest-Ewald ordering (the network needs atoms at definite
 * positions); the pipeline then also hands over the CIF (`PredictInputs.meanFieldOf`), and the BVSE columns are the
 * CIF's mean field at the ordering's interstices and bottlenecks, so that the preview predicts the number that
 * replaces it (Ea(BVSE), the mean field). On the OBELiX training CIFs this moved ρ(Ea(GCN-IN), log σ) from −0.22 to
 * −0.33 and ρ with the literature Ea from 0.29 to 0.44 (docs/VALIDATION.md; scripts/explore-gcn-mean-field.ts).
 *
 * onnxruntime-node is a native addon loaded with `require` at first use (external in every bundle). Execution
 * providers are tried in the order cuda → webgpu → cpu; the one that created the session is reported in
 * details.executionProvider.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Structure, Vec3 } from '../structure/types';
import type { BarrierModel, PredictedBarriers, PredictInputs, SourceIdentity } from '../energy/source';
import { bvsePointEnergy } from '../energy/bvse/bvse';
import { CancelledError } from '../util/errors';
import type { WorkHooks } from '../util/work';
import { ENERGY_CAP, interstitialGraph, type InterstitialGraphOptions } from './features';

/** A GCN model problem (file, runtime, feature mismatch, output): a stable code and a readable message. */
export class GcnModelError extends Error {
  override name = 'GcnModelError';
  constructor(readonly code: 'model-runtime-missing' | 'model-missing' | 'model-session' | 'model-features' | 'model-output', message: string) {
    super(message);
  }
}

export const GCN_MODEL_ID = 'gcn-in-bvse-ea1d-v3.2';
export const DEFAULT_EXECUTION_PROVIDERS = ['cuda', 'webgpu', 'cpu'] as const;

export interface GcnModelOptions {
  /** Path of the ONNX file; default: models/gcn/gcn-in.onnx found from the working directory or the bundle. */
  modelPath?: string;
  /** Tried in order until one creates a session. */
  executionProviders?: readonly string[];
  network?: InterstitialGraphOptions;
  /** onnxruntime intra-op threads (default 1: one graph of a few dozen nodes is too small to split, and ranking
   * runs one model per worker; measured in scripts/bench-gcn.ts). 0: onnxruntime's default (all cores). */
  intraOpThreads?: number;
}

/** Where the committed model lives, for bundles in dist/, out/test/unit/, out/scripts/ and for the repo root. */
export function defaultModelPath(): string {
  const candidates = [
    join(process.cwd(), 'models', 'gcn', 'gcn-in.onnx'),
    resolve(__dirname, '..', 'models', 'gcn', 'gcn-in.onnx'),
    resolve(__dirname, '..', '..', 'models', 'gcn', 'gcn-in.onnx'),
    resolve(__dirname, '..', '..', '..', 'models', 'gcn', 'gcn-in.onnx'),
  ];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

// Minimal view of the onnxruntime-node API we use (the package's own types are not imported, so the bundle keeps it
// a runtime require).
interface OrtTensor { data: Float32Array | BigInt64Array; dims: readonly number[] }
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  inputNames: readonly string[];
  outputNames: readonly string[];
}
interface Ort {
  InferenceSession: { create(bytes: Uint8Array, options: { executionProviders: string[]; graphOptimizationLevel?: string; intraOpNumThreads?: number; interOpNumThreads?: number }): Promise<OrtSession> };
  Tensor: new (type: string, data: Float32Array | BigInt64Array, dims: number[]) => OrtTensor;
}

function loadOrt(): Ort {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('onnxruntime-node') as Ort;
  } catch (e) {
    throw new GcnModelError('model-runtime-missing', `onnxruntime-node could not be loaded (${e instanceof Error ? e.message : String(e)}); the GCN needs it`);
  }
}

/** The feature names stored in the ONNX file's metadata_props (protobuf field 14 of ModelProto). */
export function onnxMetadata(bytes: Uint8Array): Record<string, string> {
  // A small protobuf walk: ModelProto.metadata_props = 14 (StringStringEntryProto: key = 1, value = 2).
  const out: Record<string, string> = {};
  const dec = new TextDecoder();
  let i = 0;
  const varint = (): number => { let r = 0, s = 0, b: number; do { b = bytes[i++]; r += (b & 0x7f) * 2 ** s; s += 7; } while (b & 0x80); return r; };
  while (i < bytes.length) {
    const tag = varint(), field = Math.floor(tag / 8), wire = tag & 7;
    if (wire === 0) { varint(); continue; }
    if (wire === 1) { i += 8; continue; }
    if (wire === 5) { i += 4; continue; }
    if (wire !== 2) break;
    const len = varint(), end = i + len;
    if (field === 14) {
      let key = '', value = '';
      while (i < end) {
        const t = varint(), l = varint();
        const s = dec.decode(bytes.subarray(i, i + l));
        i += l;
        if (t >> 3 === 1) key = s; else if (t >> 3 === 2) value = s;
      }
      out[key] = value;
    }
    i = end;
  }
  return out;
}

/**
 * The clip of the BVSE features the model was trained with (metadata `energy_cap`, eV; absent: ENERGY_CAP, v3/v3.1),
 * so that the features are clipped where its training set clipped them.
 */
export function energyCapOf(meta: Record<string, string>): number {
  const cap = meta.energy_cap !== undefined ? Number(meta.energy_cap) : ENERGY_CAP;
  if (!(cap > 0)) throw new GcnModelError('model-features', `the GCN model's energy_cap metadata is not a positive number: ${meta.energy_cap}`);
  return cap;
}

interface Loaded { session: OrtSession; executionProvider: string; tried: string[]; featureNames: string[]; edgeFeatureNames: string[]; graphFeatureNames: string[] }

export function gcnModel(options: GcnModelOptions = {}): BarrierModel {
  const modelPath = options.modelPath ?? defaultModelPath();
  const providers = options.executionProviders ?? DEFAULT_EXECUTION_PROVIDERS;
  let bytes: Uint8Array | null = null, sha256 = '', meta: Record<string, string> = {};
  let loading: Promise<Loaded> | null = null;

  function file(): Uint8Array {
    if (!bytes) {
      if (!existsSync(modelPath)) throw new GcnModelError('model-missing', `GCN model file not found: ${modelPath}`);
      bytes = new Uint8Array(readFileSync(modelPath));
      sha256 = createHash('sha256').update(bytes).digest('hex');
      meta = onnxMetadata(bytes);
    }
    return bytes;
  }

  async function load(): Promise<Loaded> {
    const ort = loadOrt();
    const data = file();
    const tried: string[] = [];
    for (const ep of providers) {
      try {
        const threads = options.intraOpThreads ?? 1;
        const session = await ort.InferenceSession.create(data, { executionProviders: [ep], ...(threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}) });
        const names = (key: string) => JSON.parse(meta[key] ?? '[]') as string[];
        return { session, executionProvider: ep, tried, featureNames: names('feature_names'), edgeFeatureNames: names('edge_feature_names'), graphFeatureNames: names('graph_feature_names') };
      } catch (e) {
        tried.push(`${ep}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
      }
    }
    throw new GcnModelError('model-session', `no execution provider could run ${modelPath}: ${tried.join('; ')}`);
  }

  const identity = (): SourceIdentity => {
    file();
    return {
      method: 'gcn',
      label: 'GCN-IN',
      model: { id: meta.model_id ?? GCN_MODEL_ID, sha256 },
      parameters: { target: meta.target ?? 'Ea_1D (BVSE)', network: options.network ?? {} },
      cell: 'as-given',
      variant: 'interstitial network, mobile ions removed',
    };
  };

  return {
    kind: 'barriers',
    orderedInput: 'framework', // the interstitial network of the framework (mobile ions removed); trained on ordered crystals
    identity,
    async predict(structure: Structure, hooks: WorkHooks = {}, inputs: PredictInputs = {}): Promise<PredictedBarriers> {
      if (hooks.signal?.aborted) throw new CancelledError();
      const id = identity();
      const t0 = performance.now();
      // The CIF's mean field for an ordering's network; an energy function given with the model's options wins. A CIF
      // whose mean field cannot be set up (say, every framework site shared with Li) keeps the ordering's own BVSE.
      const cif = inputs.meanFieldOf;
      let meanField: ReturnType<typeof bvsePointEnergy> | undefined;
      let meanFieldFailure: string | undefined;
      if (cif && !options.network?.energyAt) {
        try { meanField = bvsePointEnergy(cif.structure); } catch (e) { meanFieldFailure = e instanceof Error ? e.message : String(e); }
      }
      const energyAt = meanField && cif ? (frac: Vec3) => meanField.energyAt(cif.toCif(frac)) : options.network?.energyAt;
      const graph = interstitialGraph(structure, { ...options.network, energyAt, energyCap: energyCapOf(meta) }, hooks.signal);
      const t1 = performance.now();
      hooks.onProgress?.(0.5);
      loading ??= load();
      let loaded: Loaded;
      try { loaded = await loading; } catch (e) { loading = null; throw e; }
      if (loaded.featureNames.length && loaded.featureNames.join('|') !== graph.featureNames.join('|')) {
        throw new GcnModelError('model-features', `the GCN model was trained on features [${loaded.featureNames.join(', ')}] but this build produces [${graph.featureNames.join(', ')}]; retrain or update the model`);
      }
      const wantsEdges = loaded.session.inputNames.includes('edge_features');
      const wantsGraph = loaded.session.inputNames.includes('graph_features');
      for (const [wants, trained, built, what] of [[wantsEdges, loaded.edgeFeatureNames, graph.edgeFeatureNames, 'edge'], [wantsGraph, loaded.graphFeatureNames, graph.graphFeatureNames, 'graph']] as const) {
        if (wants && trained.join('|') !== built.join('|')) {
          throw new GcnModelError('model-features', `the GCN model was trained on ${what} features [${trained.join(', ')}] but this build produces [${built.join(', ')}]; retrain or update the model`);
        }
      }
      if (hooks.signal?.aborted) throw new CancelledError();
      const warnings: string[] = [];
      let ea: number | null = null;
      const t2 = performance.now();
      if (graph.nodeCount === 0 || ((wantsEdges) && graph.edgeIndex.length === 0)) {
        warnings.push(graph.nodeCount === 0 ? 'the interstitial network has no node accessible to Li: no GCN prediction' : 'the interstitial network has no bottleneck (edge): no GCN prediction');
      } else {
        const ort = loadOrt();
        const e = graph.edgeIndex.length / 2;
        const feeds: Record<string, OrtTensor> = {
          node_features: new ort.Tensor('float32', graph.nodeFeatures, [graph.nodeCount, graph.featureNames.length]),
          edge_index: new ort.Tensor('int64', BigInt64Array.from(graph.edgeIndex, (v) => BigInt(v)), [2, e]),
        };
        if (wantsEdges) feeds.edge_features = new ort.Tensor('float32', graph.edgeFeatures, [e, graph.edgeFeatureNames.length]);
        if (wantsGraph) feeds.graph_features = new ort.Tensor('float32', graph.graphFeatures, [1, graph.graphFeatureNames.length]);
        const result = await loaded.session.run(feeds);
        const y = result[loaded.session.outputNames[0]].data[0] as number;
        if (!Number.isFinite(y)) throw new GcnModelError('model-output', `the GCN returned a non-finite Ea (${y})`);
        ea = y;
      }
      if (hooks.signal?.aborted) throw new CancelledError();
      hooks.onProgress?.(1);
      const t3 = performance.now();
      if (structure.sites.some((s) => s.species.some((sp) => sp.element !== 'Li' && sp.occupancy < 0.999))) {
        warnings.push('partially occupied framework sites: the GCN was trained on ordered crystals only');
      }
      if (meanField) warnings.push("the network is the ordering's; its BVSE inputs are the CIF's mean field at the network's points (the number Ea(BVSE) gives)");
      if (meanFieldFailure) warnings.push(`the CIF's mean field could not be set up (${meanFieldFailure}); the BVSE inputs are the ordering's own`);
      return {
        identity: id,
        structure,
        Ea_1D_eV: ea,
        Ea_2D_eV: null,
        Ea_3D_eV: null,
        dimensionality: graph.dimensionality,
        warnings,
        details: { executionProvider: loaded.executionProvider, providersFailed: loaded.tried, nodes: graph.nodeCount, edges: graph.edgeIndex.length / 2, bvseInputs: meanField ? 'mean field of the CIF' : 'this structure' },
        timings_ms: { network: t1 - t0, inference: t3 - t2, total: t3 - t0 },
      };
    },
  };
}
