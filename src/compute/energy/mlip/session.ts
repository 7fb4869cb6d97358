/**
 * The TensorNet-MatPES inference session (onnxruntime-node), one per worker (module cache keyed by model path,
 * execution provider and threads).
 *
 * Model contract (the repo's own ONNX export of matgl's TensorNet-MatPES-PBE-v2025.1, SCIENCE.md §6):
 *   inputs   species int64 [N]      index into the model's element list (`element_types`, not Z)
 *            positions float32 [N,3] Å
 *            edge_src, edge_dst int64 [E]; edge_shift float32 [E,3] Å: r = positions[dst] + shift − positions[src]
 *   output   atom_energy float32 [N] eV; E = Σ atom_energy. Disjoint structures may share one graph (batching).
 *
 * The scan's fast path is a second pair of graphs from the same export and weights (models/tensornet/frozen.py):
 *   <model>.frozen-fixed.onnx   the framework's fixed part, once per frozen framework (F atoms + the probe, its
 *                               fixed edges: framework–framework and probe–own-images) → embedding_sum [N,9,C],
 *                               pair_weights [L,3,C,N,N]
 *   <model>.frozen-probe.onnx   B probe positions at once: the probe's edges to the framework and the per-atom network
 *                               → atom_energy [B,N]
 * When they are missing beside the model file (a user-supplied model), the scan runs whole cells through the main graph.
 *
 * Execution providers are tried in the order cuda → webgpu → cpu; the first whose session can be created and can run
 * a tiny probe graph is the one used, and it is reported with every result (the numbers do not depend on it beyond
 * float32 rounding). onnxruntime-node is a native addon, kept a runtime `require` (external in every bundle).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { LandscapeError } from '../../util/errors';

export const TENSORNET_MODEL_ID = 'tensornet-matpes-pbe-v2025.1';
export const DEFAULT_MODEL_RELATIVE_PATH = 'models/tensornet/tensornet-matpes-pbe-v2025.1.onnx';
/**
 * The model's element list (matgl `element_types`, 89 entries, in this order): species index = position here.
 * Copied from `model.json` of TensorNet-MatPES-PBE-v2025.1 (matgl, BSD-3).
 */
export const TENSORNET_ELEMENTS: readonly string[] = [
  'H', 'He', 'Li', 'Be', 'B', 'C', 'N', 'O', 'F', 'Ne', 'Na', 'Mg', 'Al', 'Si', 'P', 'S', 'Cl', 'Ar', 'K', 'Ca', 'Sc',
  'Ti', 'V', 'Cr', 'Mn', 'Fe', 'Co', 'Ni', 'Cu', 'Zn', 'Ga', 'Ge', 'As', 'Se', 'Br', 'Kr', 'Rb', 'Sr', 'Y', 'Zr', 'Nb',
  'Mo', 'Tc', 'Ru', 'Rh', 'Pd', 'Ag', 'Cd', 'In', 'Sn', 'Sb', 'Te', 'I', 'Xe', 'Cs', 'Ba', 'La', 'Ce', 'Pr', 'Nd',
  'Pm', 'Sm', 'Eu', 'Gd', 'Tb', 'Dy', 'Ho', 'Er', 'Tm', 'Yb', 'Lu', 'Hf', 'Ta', 'W', 'Re', 'Os', 'Ir', 'Pt', 'Au', 'Hg',
  'Tl', 'Pb', 'Bi', 'Ac', 'Th', 'Pa', 'U', 'Np', 'Pu',
];

export type ExecutionProvider = 'cuda' | 'webgpu' | 'cpu';
export const PROVIDER_CHAIN: readonly ExecutionProvider[] = ['cuda', 'webgpu', 'cpu'];

export interface SessionOptions {
  /** Path of the .onnx file; relative paths are resolved against the package root. */
  modelPath?: string;
  /** Providers to try, in order (default cuda → webgpu → cpu). */
  providers?: readonly ExecutionProvider[];
  /** Intra-op threads (default: the available cores). */
  threads?: number;
}

/** One graph (or several disjoint ones concatenated): what the model reads. */
export interface ModelGraph {
  species: BigInt64Array;
  positions: Float32Array;
  edgeSrc: BigInt64Array;
  edgeDst: BigInt64Array;
  edgeShift: Float32Array;
}

/** The probe positions of one call to the frozen-probe graph (see FrozenFramework.probeBatch in scan.ts). */
export interface ProbeBatch {
  copies: number;
  /** x_j + shift − x_probe (Å) of every probe edge. */
  probeVec: Float32Array;
  probeAtom: BigInt64Array;
  /** [copies·F, kPair]: the probe edges of copy b to framework atom j at row b·F + j, padded with the edge count. */
  pairTable: BigInt64Array;
  kPair: number;
  /** [copies, kCopy]: all probe edges of copy b, padded likewise. */
  copyTable: BigInt64Array;
  kCopy: number;
}

/** A framework's fixed part as the frozen-fixed graph computed it, kept in onnxruntime's tensors. */
export interface FixedPart {
  atoms: number;
  species: BigInt64Array;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  embeddingSum: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  pairWeights: any;
}

export interface FrozenFrameworkPotential {
  /** sha256 of the two graphs (fixed, probe), joined by '+'. */
  readonly sha256: string;
  /** The fixed part of a framework: `graph` holds F framework atoms and the probe last, with the fixed edges only. */
  fixedPart(graph: ModelGraph): Promise<FixedPart>;
  /** Per-atom energies [copies · N] (eV) of the framework with the probe at each position. */
  probeEnergies(fixed: FixedPart, batch: ProbeBatch): Promise<Float32Array>;
}

export interface PotentialSession {
  readonly modelPath: string;
  readonly sha256: string;
  readonly executionProvider: ExecutionProvider;
  /** Providers that were tried before and failed, with the reason. */
  readonly fallbacks: { provider: ExecutionProvider; reason: string }[];
  readonly threads: number;
  /** Per-atom energies (eV), float32 as the model gives them. */
  atomEnergies(graph: ModelGraph): Promise<Float32Array>;
  /** The frozen-framework graphs on the same provider, or null (files missing or not loadable: `frozenMissing` says why). */
  readonly frozen: FrozenFrameworkPotential | null;
  readonly frozenMissing?: string;
  release(): Promise<void>;
}

/** The package root: the first directory above `from` that holds a package.json. */
export function packageRoot(from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** The frozen-framework graphs that belong to a model file: `<model minus .onnx>.frozen-{fixed,probe}.onnx`. */
export function frozenGraphPaths(modelPath: string): { fixed: string; probe: string } {
  const stem = modelPath.endsWith('.onnx') ? modelPath.slice(0, -5) : modelPath;
  return { fixed: `${stem}.frozen-fixed.onnx`, probe: `${stem}.frozen-probe.onnx` };
}

/** sha256 of both frozen-framework graphs ('fixed+probe'), or null when either is missing. */
export function frozenGraphsSha256(modelPath: string): string | null {
  const { fixed, probe } = frozenGraphPaths(modelPath);
  if (!existsSync(fixed) || !existsSync(probe)) return null;
  return `${modelSha256(fixed)}+${modelSha256(probe)}`;
}

export function resolveModelPath(modelPath?: string): string {
  const p = modelPath ?? DEFAULT_MODEL_RELATIVE_PATH;
  return isAbsolute(p) ? p : join(packageRoot(), p);
}

/** Species index of an element in the model's list; throws a located LandscapeError for unknown elements. */
export function speciesIndex(element: string, siteLabel?: string): number {
  const i = TENSORNET_ELEMENTS.indexOf(element);
  if (i < 0) {
    throw new LandscapeError('unknown-ion', `TensorNet-MatPES has no parameters for ${element} (its list of ${TENSORNET_ELEMENTS.length} elements covers H–Bi and Ac–Pu).`, { element, siteLabel });
  }
  return i;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ort = any;
let ortModule: Ort | null = null;
function ort(): Ort {
  // A runtime require keeps the native addon out of the bundle (esbuild leaves `require` of an external alone).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!ortModule) ortModule = require('onnxruntime-node');
  return ortModule;
}

const cache = new Map<string, Promise<PotentialSession>>();
const hashes = new Map<string, string>();

/** The model's sha256 (hex), cached per path. */
export function modelSha256(path: string): string {
  let h = hashes.get(path);
  if (!h) {
    h = createHash('sha256').update(readFileSync(path)).digest('hex');
    hashes.set(path, h);
  }
  return h;
}

/** The session for these options, created once per worker. */
export function getPotentialSession(options: SessionOptions = {}): Promise<PotentialSession> {
  const modelPath = resolveModelPath(options.modelPath);
  const providers = options.providers ?? PROVIDER_CHAIN;
  const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  const key = `${modelPath}|${providers.join(',')}|${threads}`;
  let s = cache.get(key);
  if (!s) {
    s = createSession(modelPath, providers, threads);
    cache.set(key, s);
    s.catch(() => cache.delete(key)); // a failure (missing file) is retried next time
  }
  return s;
}

/** Drop cached sessions (tests; a changed model file). */
export async function releasePotentialSessions(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  hashes.clear();
  for (const p of all) {
    try { await (await p).release(); } catch { /* never created, or already gone */ }
  }
}

/** Two Li atoms 2.5 Å apart: enough to make every kernel of the graph run once. */
function probeGraph(): ModelGraph {
  const li = BigInt(TENSORNET_ELEMENTS.indexOf('Li'));
  return {
    species: BigInt64Array.from([li, li]),
    positions: Float32Array.from([0, 0, 0, 2.5, 0, 0]),
    edgeSrc: BigInt64Array.from([0n, 1n]),
    edgeDst: BigInt64Array.from([1n, 0n]),
    edgeShift: new Float32Array(6),
  };
}

async function createSession(modelPath: string, providers: readonly ExecutionProvider[], threads: number): Promise<PotentialSession> {
  if (!existsSync(modelPath)) {
    throw new LandscapeError('bad-option', `The TensorNet-MatPES model file was not found at ${modelPath} (build it with the repo's export script, or set the model path option).`);
  }
  const sha256 = modelSha256(modelPath);
  const o = ort();
  const fallbacks: { provider: ExecutionProvider; reason: string }[] = [];
  const supported = new Set<string>((o.listSupportedBackends?.() ?? []).map((b: { name: string }) => b.name));
  for (const provider of providers) {
    if (supported.size && !supported.has(provider)) { fallbacks.push({ provider, reason: 'not in this onnxruntime-node build' }); continue; }
    const missing = provider === 'cuda' ? missingCudaLibrary() : null;
    if (missing) { fallbacks.push({ provider, reason: missing }); continue; }
    const sessionOptions = {
      executionProviders: [provider],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      // Spin-waiting intra-op threads cost more than they save when the cores are shared (worker pools, busy
      // machines): measured 233 → 114 ms per 3-atom evaluation with 2 threads on a loaded 2-core machine.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
      // A missing GPU library is expected on most machines: the fallback reason is reported instead of a log line.
      logSeverityLevel: provider === 'cpu' ? 2 : 4,
    };
    let session: Ort;
    try {
      session = await o.InferenceSession.create(modelPath, sessionOptions);
    } catch (e) {
      fallbacks.push({ provider, reason: onnxErrorLine(e) });
      continue;
    }
    const run = async (graph: ModelGraph): Promise<Float32Array> => {
      const n = graph.species.length, e = graph.edgeSrc.length;
      const feeds = {
        species: new o.Tensor('int64', graph.species, [n]),
        positions: new o.Tensor('float32', graph.positions, [n, 3]),
        edge_src: new o.Tensor('int64', graph.edgeSrc, [e]),
        edge_dst: new o.Tensor('int64', graph.edgeDst, [e]),
        edge_shift: new o.Tensor('float32', graph.edgeShift, [e, 3]),
      };
      const out = await session.run(feeds);
      const t = out.atom_energy;
      if (!t) throw new Error(`the model has no 'atom_energy' output (outputs: ${Object.keys(out).join(', ')})`);
      return t.data as Float32Array;
    };
    try {
      const probe = await run(probeGraph());
      if (probe.length !== 2 || !Number.isFinite(probe[0])) throw new Error(`probe run gave ${Array.from(probe).join(', ')}`);
    } catch (e) {
      fallbacks.push({ provider, reason: `probe run failed: ${onnxErrorLine(e)}` });
      try { await session.release?.(); } catch { /* ignore */ }
      continue;
    }
    const { frozen, frozenMissing, release: releaseFrozen } = await createFrozen(o, modelPath, sessionOptions);
    return {
      modelPath, sha256, executionProvider: provider, fallbacks, threads, atomEnergies: run, frozen, frozenMissing,
      release: async () => { await session.release?.(); await releaseFrozen(); },
    };
  }
  throw new LandscapeError('bad-option', `No onnxruntime execution provider could run the TensorNet-MatPES model: ${fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')}.`);
}

async function createFrozen(o: Ort, modelPath: string, sessionOptions: object): Promise<{ frozen: FrozenFrameworkPotential | null; frozenMissing?: string; release: () => Promise<void> }> {
  const paths = frozenGraphPaths(modelPath);
  const sha256 = frozenGraphsSha256(modelPath);
  if (!sha256) return { frozen: null, frozenMissing: `no frozen-framework graphs beside the model (${paths.fixed}, ${paths.probe})`, release: async () => {} };
  let fixedSession: Ort, probeSession: Ort;
  try {
    fixedSession = await o.InferenceSession.create(paths.fixed, sessionOptions);
    probeSession = await o.InferenceSession.create(paths.probe, sessionOptions);
  } catch (e) {
    return { frozen: null, frozenMissing: `the frozen-framework graphs could not be loaded: ${onnxErrorLine(e)}`, release: async () => {} };
  }
  const frozen: FrozenFrameworkPotential = {
    sha256,
    async fixedPart(graph) {
      const n = graph.species.length, e = graph.edgeSrc.length;
      const out = await fixedSession.run({
        species: new o.Tensor('int64', graph.species, [n]),
        positions: new o.Tensor('float32', graph.positions, [n, 3]),
        edge_src: new o.Tensor('int64', graph.edgeSrc, [e]),
        edge_dst: new o.Tensor('int64', graph.edgeDst, [e]),
        edge_shift: new o.Tensor('float32', graph.edgeShift, [e, 3]),
      });
      return { atoms: n, species: graph.species, embeddingSum: out.embedding_sum, pairWeights: out.pair_weights };
    },
    async probeEnergies(fixed, b) {
      const p = b.probeAtom.length, f = fixed.atoms - 1;
      const out = await probeSession.run({
        species: new o.Tensor('int64', fixed.species, [fixed.atoms]),
        embedding_sum: fixed.embeddingSum,
        pair_weights: fixed.pairWeights,
        probe_vec: new o.Tensor('float32', b.probeVec, [p, 3]),
        probe_atom: new o.Tensor('int64', b.probeAtom, [p]),
        probe_pair_table: new o.Tensor('int64', b.pairTable, [b.copies * f, b.kPair]),
        probe_copy_table: new o.Tensor('int64', b.copyTable, [b.copies, b.kCopy]),
      });
      return out.atom_energy.data as Float32Array;
    },
  };
  return { frozen, release: async () => { await fixedSession.release?.(); await probeSession.release?.(); } };
}

/**
 * onnxruntime-node loads its CUDA provider from a shared library next to the binding, which the npm package downloads
 * only on request (this repo's .npmrc skips it): without it, say so instead of letting onnxruntime log a failure.
 */
function missingCudaLibrary(): string | null {
  try {
    const dir = join(dirname(require.resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
    const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    return existsSync(join(dir, lib)) ? null : `the CUDA provider library (${lib}) is not installed with onnxruntime-node`;
  } catch {
    return null; // unusual layout: let onnxruntime try
  }
}

/**
 * An onnxruntime error as one readable line. Its C++ errors read "<source>.cc:136 <function signature> <condition>
 * was false. Failed to get a WebGPU adapter: …": the source location and the signature mean nothing to a user, the
 * sentence after them does.
 */
export function onnxErrorLine(e: unknown): string {
  let s = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  if (/^\S+\.(?:cc|cpp|h):\d+ /.test(s)) {
    const after = s.lastIndexOf(' was false. ');
    s = after >= 0 ? s.slice(after + ' was false. '.length) : s.replace(/^\S+\.(?:cc|cpp|h):\d+ /, '');
  }
  return s.length > 200 ? `${s.slice(0, 199)}…` : s;
}
