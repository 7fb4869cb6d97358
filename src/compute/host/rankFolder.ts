/**
 * Rank every CIF under a folder by Ξ, in parallel on a pool of compute hosts. Files that fail get a
 * row with the reason; results are cached by content hash (and options) so a cancelled or repeated
 * run picks up where it stopped. Runs on the caller's thread only as a dispatcher: the work is in
 * the hosts.
 */
import { promises as fs, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { HostPool } from './pool';
import { landscapeJobKey, type LandscapeJobOptions, type LandscapeJobResult } from '../analysis/job';
import { normaliseOptions } from '../analysis/options';
import { rowFromResult, sortRows, type RankRow } from '../analysis/ranking';
import { writeFileAtomic } from '../util/atomicWrite';

export interface RankProgress { total: number; done: number; failed: number; cached: number }

/** Results by cache key, kept in one JSON file. */
export class RankCache {
  private readonly entries = new Map<string, LandscapeJobResult>();
  private dirty = false;

  constructor(private readonly file: string | null) {
    if (file && existsSync(file)) {
      try {
        const data = JSON.parse(readFileSync(file, 'utf8')) as { schema?: string; entries?: [string, LandscapeJobResult][] };
        if (data.schema === 'ionpath.rank-cache/1' && Array.isArray(data.entries)) for (const [k, v] of data.entries) this.entries.set(k, v);
      } catch {
        // A damaged cache is only a cache: start afresh.
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
    await writeFileAtomic(this.file, JSON.stringify({ schema: 'ionpath.rank-cache/1', entries: [...this.entries] }));
  }
}

export async function listCifFiles(folder: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    let entries;
    try { entries = await fs.readdir(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/\.m?cif$/i.test(e.name)) out.push(p);
    }
  };
  await walk(folder);
  return out.sort();
}

export interface RankOptions {
  pool: HostPool;
  options: LandscapeJobOptions;
  cache: RankCache;
  signal?: AbortSignal;
  onProgress?: (p: RankProgress) => void;
  /** Largest file accepted (bytes); bigger ones get a row with the reason. */
  maxFileBytes?: number;
}

export async function rankFolder(folder: string, o: RankOptions): Promise<{ rows: RankRow[]; cancelled: boolean; files: number }> {
  const files = await listCifFiles(folder);
  const options = normaliseOptions(o.options);
  const progress: RankProgress = { total: files.length, done: 0, failed: 0, cached: 0 };
  const rows: RankRow[] = [];
  let next = 0;
  let lastSave = Date.now();
  const maxBytes = o.maxFileBytes ?? 20 * 1024 * 1024;

  const one = async (path: string) => {
    const rel = relative(folder, path);
    let text: string;
    try {
      const st = await fs.stat(path);
      if (st.size > maxBytes) throw new Error(`file is ${(st.size / 1e6).toFixed(1)} MB, larger than the ${maxBytes / 1e6} MB limit`);
      text = await fs.readFile(path, 'utf8');
    } catch (e) {
      rows.push({ ...emptyRow(rel), error: `cannot read: ${e instanceof Error ? e.message : String(e)}` });
      progress.failed++;
      return;
    }
    const key = landscapeJobKey(text, options);
    const cached = o.cache.get(key);
    let result: LandscapeJobResult;
    if (cached) { result = cached; progress.cached++; }
    else {
      try {
        result = (await o.pool.request('landscape', { text, options, withGrid: false }, { signal: o.signal })).result;
      } catch (e) {
        if (o.signal?.aborted) throw e;
        // A crashed or timed-out host is this file's problem, not the run's.
        result = { ok: false, key, formula: null, report: null, messages: [], error: `compute host: ${e instanceof Error ? e.message : String(e)}`, failure: { code: 'host', message: `compute host: ${e instanceof Error ? e.message : String(e)}` } };
      }
      o.cache.set(key, result);
    }
    if (!result.ok) progress.failed++;
    rows.push(rowFromResult(rel, result, !!cached));
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
  return { rows: sortRows(rows, options.method), cancelled: !!o.signal?.aborted, files: files.length };
}

function emptyRow(file: string): RankRow {
  return { file, formula: null, Xi: null, Ea_1D_eV: null, Ea_2D_eV: null, Ea_3D_eV: null, MPE_eV: null, FV_connected: null, FV_disconnected: null, dimensionality: null, method: null, source: null, warnings: [], error: null, fromCache: false, seconds: null };
}
