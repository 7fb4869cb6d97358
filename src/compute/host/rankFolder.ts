/**
 * Rank every structure file under a folder (CIF, POSCAR/CONTCAR/*.vasp, extended XYZ: structure/read.ts) by Ξ, in parallel on a pool of compute hosts. Files that fail get a
 * row with the reason; results are cached by content hash (and options) so a cancelled or repeated
 * run picks up where it stopped. Runs on the caller's thread only as a dispatcher: the work is in
 * the hosts. Only answers are cached: a host that timed out or crashed on a file gives that file a row with
 * the reason, and the next run tries it again (perhaps with a longer limit). Files are read through
 * util/readInput (regular files only, size cap, timeout), so a FIFO or a /dev/zero link named x.cif is a row.
 */
import { formatDuration } from '../energy/mlip/scan';
import { promises as fs, readFileSync, existsSync } from 'node:fs';
import { headOf } from '../util/fileHead';
import { join, relative } from 'node:path';
import type { HostPool } from './pool';
import { landscapeJobKey, type LandscapeJobOptions, type LandscapeJobResult } from '../analysis/job';
import { normaliseOptions } from '../analysis/options';
import { rowFromResult, sortRows, type RankRow } from '../analysis/ranking';
import { writeFileAtomic } from '../util/atomicWrite';
import { notRegularFile, readInputFile, MAX_INPUT_BYTES } from '../util/readInput';
import { ProtocolError } from '../../protocol/endpoint';
import { formatOfFile, isStructureFileName, STRUCTURE_EXTENSIONS } from '../structure/read';

export interface RankProgress { total: number; done: number; failed: number; cached: number }

const CACHE_SCHEMA = 'ionpath.rank-cache/1';
/** How every cache file this code writes begins: a file that does not is someone else's, never overwritten. */
const CACHE_HEAD = '{"schema":"ionpath.rank-cache/';

/** Results by cache key, kept in one JSON file. */
export class RankCache {
  private readonly entries = new Map<string, LandscapeJobResult>();
  private dirty = false;
  /** Why an existing cache file was not used, or null. */
  readProblem: string | null = null;

  /** Throws when `file` exists and is not an ionpath cache (a CSV, a structure, a binary): it is not replaced. */
  constructor(private readonly file: string | null) {
    // A cache that is not a regular file (a FIFO would block the read) is not read; writing it is refused later.
    if (file && existsSync(file) && !notRegularFile(file)) {
      const head = headOf(file, CACHE_HEAD.length);
      if (head.trim() !== '' && head !== CACHE_HEAD) {
        throw new Error(`${file} exists and is not an ionpath cache (it does not begin with ${CACHE_HEAD}…): not overwritten; name another cache file, or remove this one`);
      }
      try {
        const data = JSON.parse(readFileSync(file, 'utf8')) as { schema?: string; entries?: [string, LandscapeJobResult][] };
        if (data.schema === CACHE_SCHEMA && Array.isArray(data.entries)) for (const [k, v] of data.entries) this.entries.set(k, v);
      } catch (e) {
        // A damaged cache (cut short by a full disk or a killed run) is only a cache: start afresh, and say so.
        this.readProblem = `the cache ${file} could not be read (${e instanceof SyntaxError ? 'cut short or damaged' : e instanceof Error ? e.message : String(e)}): every file is computed afresh`;
      }
    }
  }

  get(key: string): LandscapeJobResult | undefined { return this.entries.get(key); }
  set(key: string, value: LandscapeJobResult): void { this.entries.set(key, value); this.dirty = true; }
  get size(): number { return this.entries.size; }

  async save(): Promise<void> {
    if (!this.file || !this.dirty) return;
    this.dirty = false;
    await fs.mkdir(join(this.file, '..'), { recursive: true });
    await writeFileAtomic(this.file, JSON.stringify({ schema: CACHE_SCHEMA, entries: [...this.entries] }));
  }
}

/** Every structure file under `folder` (by name: *.cif, *.mcif, POSCAR*, CONTCAR*, *.vasp, *.xyz, …), sorted; hidden folders skipped. */
export async function listStructureFiles(folder: string): Promise<string[]> {
  return (await listStructureFolder(folder)).files;
}

/** Compression suffixes of structure files that a ranking does not read (`B.cif.gz`). */
const COMPRESSED = /\.(gz|bz2|xz|zst|zip|Z)$/;

/**
 * One walk of `folder`: its structure files, and the compressed structure files (`*.cif.gz`, `POSCAR.bz2`, …) that a
 * ranking does not read and says so rather than leave out without a word. Both sorted; hidden folders skipped.
 */
export async function listStructureFolder(folder: string): Promise<{ files: string[]; compressed: string[] }> {
  const files: string[] = [], compressed: string[] = [];
  const walk = async (dir: string) => {
    let entries;
    try { entries = await fs.readdir(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      // Before the name test: POSCAR* also matches POSCAR.gz.
      else if (COMPRESSED.test(e.name) && isStructureFileName(e.name.replace(COMPRESSED, ''))) compressed.push(p);
      else if (isStructureFileName(e.name)) files.push(p);
    }
  };
  await walk(folder);
  return { files: files.sort(), compressed: compressed.sort() };
}

/** What a ranking says of the compressed structure files it skipped (the CLI and the editor); null when none. */
export function compressedFilesWarning(files: readonly string[], folder: string): string | null {
  if (!files.length) return null;
  const shown = files.slice(0, 3).map((f) => relative(folder, f)).join(', ');
  return `${files.length} compressed structure file${files.length === 1 ? ' is' : 's are'} not read (${shown}${files.length > 3 ? ', …' : ''}): ionpath reads plain text; decompress them first (e.g. gunzip -k)`;
}

/** What a ranking of a folder without structure files says (the CLI and the editor): usually a wrong folder. */
export function noStructureFilesWarning(folder: string): string {
  const patterns = [...Object.values(STRUCTURE_EXTENSIONS).flat().map((e) => `*${e}`), 'POSCAR*', 'CONTCAR*'];
  return `no structure files under ${folder} (looked for ${patterns.join(', ')}; hidden folders skipped)`;
}


export interface RankOptions {
  pool: HostPool;
  options: LandscapeJobOptions;
  cache: RankCache;
  signal?: AbortSignal;
  onProgress?: (p: RankProgress) => void;
  /** Largest file accepted (bytes); bigger ones get a row with the reason. */
  maxFileBytes?: number;
  /** Each file's row as soon as it is known (the table shows rows as they arrive). */
  onRow?: (row: RankRow) => void;
  /** Reads a file's text (the extension reads through vscode.workspace.fs); default: util/readInput. */
  readText?: (path: string, limits: { maxBytes: number; signal?: AbortSignal }) => Promise<string>;
  /**
   * For the TensorNet-MatPES scan (minutes per structure): before starting, what the run will cost, from the plans of
   * a few files (grid, site symmetry, skipped points; no inference) extrapolated to the folder.
   */
  onEstimate?: (e: RankEstimate) => void;
  /** The folder as the caller has listed it already (listStructureFolder), so it is walked once. */
  listing?: { files: readonly string[]; compressed: readonly string[] };
}

export interface RankEstimate {
  files: number;
  /** Files whose plan was made (evenly spaced over the folder), and how many of those were already in the cache. */
  sampled: number;
  sampledCached: number;
  /** Expected wall time of the whole run on this machine's CPU (s). */
  seconds: number;
}

/** "TensorNet-MatPES scan of 286 file(s): ≈ 25 min of scanning on this machine's CPU, plus the model's start-up (estimated from the plans of 8 of them)". */
export function describeEstimate(e: RankEstimate): string {
  const cached = e.sampledCached ? `, ${e.sampledCached} of them already cached` : '';
  return `TensorNet-MatPES scan of ${e.files} file(s): ${formatDuration(e.seconds)} of scanning on this machine's CPU, plus the model's start-up (estimated from the plans of ${e.sampled} of them${cached})`;
}

/** Files planned for the estimate. */
const ESTIMATE_SAMPLE = 8;

async function estimateRun(files: string[], options: LandscapeJobOptions, o: RankOptions, read: (path: string) => Promise<string>): Promise<RankEstimate | null> {
  const picks = [...new Set(Array.from({ length: Math.min(ESTIMATE_SAMPLE, files.length) }, (_, i) => files[Math.floor((i * files.length) / Math.min(ESTIMATE_SAMPLE, files.length))]))];
  const seconds: number[] = [];
  let cached = 0;
  await Promise.all(picks.map(async (path) => {
    try {
      const text = await read(path);
      const fileOptions = { ...options, format: formatOfFile(path, text) };
      if (o.cache.get(landscapeJobKey(text, fileOptions))) { cached++; seconds.push(0); return; }
      const e = await o.pool.request('estimateScan', { text, options: fileOptions }, { signal: o.signal });
      seconds.push(e.ok ? e.seconds : 0); // a file the scan refuses fails at once
    } catch { seconds.push(0); }
  }));
  if (!seconds.length) return null;
  const mean = seconds.reduce((a, b) => a + b, 0) / seconds.length;
  return { files: files.length, sampled: picks.length, sampledCached: cached, seconds: mean * files.length };
}

export class RankFolderError extends Error {
  override name = 'RankFolderError';
}

export async function rankFolder(folder: string, o: RankOptions): Promise<{ rows: RankRow[]; cancelled: boolean; files: number; compressed: readonly string[] }> {
  // A missing folder is an error, not "0/0 files".
  let st;
  try { st = await fs.stat(folder); } catch { throw new RankFolderError(`${folder}: no such folder`); }
  if (!st.isDirectory()) throw new RankFolderError(`${folder} is not a folder`);
  const listing = o.listing ?? await listStructureFolder(folder);
  const files = [...listing.files];
  const options = normaliseOptions(o.options);
  const progress: RankProgress = { total: files.length, done: 0, failed: 0, cached: 0 };
  const rows: RankRow[] = [];
  let next = 0;
  let lastSave = Date.now();
  const maxBytes = o.maxFileBytes ?? MAX_INPUT_BYTES;

  if (o.onEstimate && options.method === 'mlip' && files.length) {
    const read = async (path: string) => (o.readText ? await o.readText(path, { maxBytes, signal: o.signal }) : (await readInputFile(path, { maxBytes, signal: o.signal })).text);
    const e = await estimateRun(files, options, o, read);
    if (e) o.onEstimate(e);
  }

  const one = async (path: string) => {
    const rel = relative(folder, path);
    let text: string;
    try {
      text = o.readText ? await o.readText(path, { maxBytes, signal: o.signal }) : (await readInputFile(path, { maxBytes, signal: o.signal })).text;
    } catch (e) {
      if (o.signal?.aborted) throw e;
      const row = { ...emptyRow(rel), error: `cannot read: ${e instanceof Error ? e.message : String(e)}` };
      rows.push(row);
      o.onRow?.(row);
      progress.failed++;
      return;
    }
    // Each file is read in its own format (by name, else content), which is part of its key.
    const fileOptions = { ...options, format: formatOfFile(path, text) };
    const key = landscapeJobKey(text, fileOptions);
    const cached = o.cache.get(key);
    let result: LandscapeJobResult;
    if (cached) { result = cached; progress.cached++; }
    else {
      try {
        result = (await o.pool.request('landscape', { text, options: fileOptions, withGrid: false }, { signal: o.signal })).result;
        o.cache.set(key, result);
      } catch (e) {
        if (o.signal?.aborted) throw e;
        // A crashed or timed-out host is this file's problem, not the run's; not cached, so a re-run retries it.
        const what = e instanceof ProtocolError && (e.code === 'timeout' || e.code === 'host-crashed') ? `${e.code}: ` : '';
        result = { ok: false, key, formula: null, report: null, messages: [], error: `compute host ${what}${e instanceof Error ? e.message : String(e)} (not cached: retried on the next run)`, failure: { code: e instanceof ProtocolError ? e.code : 'host', message: e instanceof Error ? e.message : String(e) } };
      }
    }
    if (!result.ok) progress.failed++;
    const row = rowFromResult(rel, result, !!cached);
    rows.push(row);
    o.onRow?.(row);
  };

  const lane = async () => {
    while (next < files.length && !o.signal?.aborted) {
      const path = files[next++];
      try { await one(path); } catch (e) { if (o.signal?.aborted) return; throw e; }
      progress.done++;
      o.onProgress?.({ ...progress });
      if (Date.now() - lastSave > 5000) { lastSave = Date.now(); await o.cache.save(); }
    }
  };
  try {
    await Promise.all(Array.from({ length: o.pool.size }, lane));
  } finally {
    await o.cache.save();
  }
  return { rows: sortRows(rows, options.method), cancelled: !!o.signal?.aborted, files: files.length, compressed: listing.compressed };
}

/**
 * Where a ranking's output goes, so that an interrupted run never replaces a complete earlier output: a complete
 * run writes `out` (and removes a stale partial file); an incomplete one writes `<out without .csv>.partial.csv`
 * (`.partial.json` for JSON) and leaves `out` as it was. Returns the path written and a line for the user.
 */
export async function writeRankOutput(out: string, content: string, complete: boolean): Promise<{ path: string; note: string }> {
  const partial = partialPathOf(out);
  if (complete) {
    await writeFileAtomic(out, content);
    await fs.rm(partial, { force: true });
    return { path: out, note: `wrote ${out}` };
  }
  await writeFileAtomic(partial, content);
  const kept = existsSync(out) ? `; ${out} (an earlier run) was left unchanged` : '';
  return { path: partial, note: `the run is incomplete: partial results written to ${partial}${kept}` };
}

/** `ranking.csv` → `ranking.partial.csv`; `x.json` → `x.partial.json`; other names get `.partial` appended. */
export function partialPathOf(out: string): string {
  const m = /^(.*?)(\.(?:csv|json|tsv))$/i.exec(out);
  return m ? `${m[1]}.partial${m[2]}` : `${out}.partial`;
}

function emptyRow(file: string): RankRow {
  return { file, formula: null, Xi: null, Ea_1D_eV: null, Ea_2D_eV: null, Ea_3D_eV: null, MPE_eV: null, FV_connected: null, FV_disconnected: null, dimensionality: null, disorder: null, method: null, source: null, warnings: [], error: null, fromCache: false, seconds: null };
}
