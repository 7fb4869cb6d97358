/**
 * Rank one shard: each of its files computed once (results appended to the shard's own journal as they come), a
 * row per file (failures with their reason), and the shard's output file, a ranking JSON whose meta says which
 * input, which options and method, which shard of how many, and the sha256 of every input it ranked.
 *
 * Idempotent and resumable:
 *   - an output that is complete for the same input files (same relative paths, same contents), options, method and
 *     shard means the shard is done: a re-run reads the files, compares, and computes and writes nothing;
 *   - a shard that was killed resumes from its journal (only the structures in flight are lost).
 * The compute function is the caller's (a pool of compute hosts in the CLI, the calling thread in tests).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { landscapeJobKey, type LandscapeJobResult } from '../analysis/job';
import { normaliseOptions, type AnalysisOptions } from '../analysis/options';
import { rowFromResult, rowsToJson, sortRows, type RankRow } from '../analysis/ranking';
import type { RankProgress } from '../host/rankFolder';
import { writeFileAtomic } from '../util/atomicWrite';
import { readInputFile } from '../util/readInput';
import type { ShardJournal } from './journal';
import { PARTITION_RULE, type ShardSpec } from './partition';
import type { InputFile, InputListing } from './inputs';

/** The part of a shard output's meta that decides whether two outputs belong to the same ranking. */
export interface ShardIdentity {
  input: string;
  /** The whole input's file list when this shard read it (inputs.ts: why the list and not the contents). */
  listing: InputListing;
  /** Method id ('bvse', 'mlip', …): the energy source the numbers come from (options.method, repeated for readers). */
  method: string;
  /** The normalised job options: every parameter that changes the numbers. */
  options: Record<string, unknown>;
  shard: ShardSpec & { partition: string };
}

export interface ShardMeta extends ShardIdentity {
  kind: 'shard';
  root: string;
  /** Every input file of this shard with the sha256 of its bytes (null: unreadable). */
  inputs: { file: string; sha256: string | null }[];
  /** Files in this shard (inputs lists only those read so far when the shard is incomplete). */
  files: number;
  complete: boolean;
  computed: number;
  fromJournal: number;
}

export interface RunShardOptions {
  identity: Omit<ShardIdentity, 'options' | 'shard' | 'method'> & { shard: ShardSpec };
  root: string;
  /** This shard's files only (see partition.ts). */
  files: InputFile[];
  options: AnalysisOptions;
  journal: ShardJournal;
  compute: (text: string, options: AnalysisOptions, signal?: AbortSignal) => Promise<LandscapeJobResult>;
  /** Structures computed at once. */
  lanes: number;
  signal?: AbortSignal;
  onProgress?: (p: RankProgress) => void;
  maxFileBytes?: number;
}

export interface RunShardResult { rows: RankRow[]; meta: ShardMeta; cancelled: boolean }

/** Errors that say the computation did not happen (a crashed or timed-out host): retried on resume, never journalled. */
const TRANSIENT = /^compute host: /;

export function shardIdentity(o: Pick<RunShardOptions, 'identity' | 'options'>): ShardIdentity {
  const options = normaliseOptions(o.options);
  return { input: o.identity.input, listing: { ...o.identity.listing }, method: options.method, options: { ...options }, shard: { ...o.identity.shard, partition: PARTITION_RULE } };
}

export async function runShard(o: RunShardOptions): Promise<RunShardResult> {
  const options = normaliseOptions(o.options);
  const maxBytes = o.maxFileBytes ?? 20 * 1024 * 1024;
  const progress: RankProgress = { total: o.files.length, done: 0, failed: 0, cached: 0 };
  const rows: RankRow[] = [];
  const inputs = new Map<string, string | null>();
  let computed = 0, next = 0;

  const one = async (f: InputFile) => {
    let text: string;
    try {
      // The one safe read (regular files only, a size limit, encodings): a FIFO in the list would block fs.readFile.
      const read = await readInputFile(f.path, { maxBytes, signal: o.signal });
      inputs.set(f.rel, sha256(read.raw));
      text = read.text;
    } catch (e) {
      if (o.signal?.aborted) throw e;
      if (!inputs.has(f.rel)) inputs.set(f.rel, null);
      rows.push({ ...emptyRow(f.rel), error: `cannot read: ${e instanceof Error ? e.message : String(e)}` });
      progress.failed++;
      return;
    }
    const key = landscapeJobKey(text, options);
    const known = o.journal.get(key);
    let result: LandscapeJobResult;
    if (known) { result = known; progress.cached++; }
    else {
      try {
        result = await o.compute(text, options, o.signal);
      } catch (e) {
        if (o.signal?.aborted) throw e;
        const message = `compute host: ${e instanceof Error ? e.message : String(e)}`;
        result = { ok: false, key, formula: null, report: null, messages: [], error: message, failure: { code: 'host', message } };
      }
      computed++;
      if (!(result.error && TRANSIENT.test(result.error))) await o.journal.add(key, result);
    }
    if (!result.ok) progress.failed++;
    rows.push(rowFromResult(f.rel, result, !!known));
  };

  const lane = async () => {
    while (next < o.files.length && !o.signal?.aborted) {
      const f = o.files[next++];
      try { await one(f); } catch (e) { if (o.signal?.aborted) return; throw e; }
      progress.done++;
      o.onProgress?.({ ...progress });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.lanes) }, lane));
  const cancelled = !!o.signal?.aborted && rows.length < o.files.length;
  const meta: ShardMeta = {
    kind: 'shard', ...shardIdentity(o), root: o.root,
    inputs: o.files.filter((f) => inputs.has(f.rel)).map((f) => ({ file: f.rel, sha256: inputs.get(f.rel) ?? null })),
    files: o.files.length,
    complete: !cancelled && rows.length === o.files.length,
    computed, fromJournal: progress.cached,
  };
  return { rows: sortRows(rows, options.method), meta, cancelled };
}

export function shardOutputJson(r: Pick<RunShardResult, 'rows' | 'meta'>): string {
  return rowsToJson(r.rows, { ...r.meta });
}

export async function writeShardOutput(path: string, r: Pick<RunShardResult, 'rows' | 'meta'>): Promise<void> {
  await writeFileAtomic(path, shardOutputJson(r));
}

/**
 * Whether the output at `path` already is this shard, complete, for exactly these files with these contents.
 * Returns the reason it is not (for the log), or null when it is done.
 */
export async function shardNotDoneReason(path: string, identity: ShardIdentity, files: InputFile[]): Promise<string | null> {
  let meta: Partial<ShardMeta>;
  try { meta = JSON.parse(await fs.readFile(path, 'utf8')) as Partial<ShardMeta>; } catch { return 'no output yet'; }
  if (meta.kind === 'shard' && meta.input === identity.input && meta.listing && meta.listing.sha256 !== identity.listing.sha256) {
    return `the input's file list changed (${identity.listing.files} files now, ${meta.listing.files} then)`;
  }
  if (meta.kind !== 'shard' || canonical(identityOf(meta)) !== canonical(identity)) return 'the output there is for another shard, input or options';
  if (!meta.complete) return 'the output there is incomplete';
  const had = new Map((meta.inputs ?? []).map((x) => [x.file, x.sha256]));
  if (had.size !== files.length) return `the input changed (${files.length} files now, ${had.size} then)`;
  for (const f of files) {
    if (!had.has(f.rel)) return `the input changed (${f.rel} is new)`;
    const now = await readInputFile(f.path).then((r) => sha256(r.raw), () => null);
    if (now !== had.get(f.rel)) return `the input changed (${f.rel})`;
  }
  return null;
}

export function identityOf(m: Partial<ShardIdentity>): ShardIdentity {
  return { input: m.input as string, listing: m.listing as InputListing, method: m.method as string, options: m.options as Record<string, unknown>, shard: m.shard as ShardIdentity['shard'] };
}

/** JSON with keys sorted at every level: equal values give equal strings. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}

function sha256(b: Uint8Array): string { return createHash('sha256').update(b).digest('hex'); }

function emptyRow(file: string): RankRow {
  return { file, formula: null, Xi: null, Ea_1D_eV: null, Ea_2D_eV: null, Ea_3D_eV: null, MPE_eV: null, FV_connected: null, FV_disconnected: null, dimensionality: null, disorder: null, method: null, source: null, warnings: [], error: null, fromCache: false, seconds: null };
}
