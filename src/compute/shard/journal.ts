/**
 * A shard's result cache as an append-only journal: one JSON line per finished structure, appended as soon as it
 * is known. A shard killed at any moment (scancel, time limit, node failure, SIGKILL) loses only the structures that
 * were in flight; a line cut short by the kill is skipped when the journal is read back. Appending costs the same
 * for the thousandth structure as for the first (a single JSON cache file would be rewritten whole every time).
 *
 * Entries are keyed like the ranking cache (`landscapeJobKey`: sha256 of the options and the CIF text), so an
 * edited CIF or changed options are computed afresh and an unchanged one never twice.
 */
import { promises as fs, readFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LandscapeJobResult } from '../analysis/job';

const SCHEMA = 'ionpath.shard-journal/1';

export class ShardJournal {
  private readonly entries = new Map<string, LandscapeJobResult>();
  /** Lines that could not be read back (a torn last line after a kill); reported, never fatal. */
  readonly skippedLines: number;
  readonly file: string;
  private handle: Promise<fs.FileHandle> | null = null;
  /** Appends run one after another, so lines from parallel lanes never interleave. */
  private tail: Promise<void> = Promise.resolve();

  constructor(readonly dir: string) {
    this.file = join(dir, 'results.jsonl');
    let skipped = 0;
    if (existsSync(this.file)) {
      for (const line of readFileSync(this.file, 'utf8').split('\n')) {
        if (!line) continue;
        try {
          const e = JSON.parse(line) as { schema?: string; key?: string; result?: LandscapeJobResult };
          if (e.schema === SCHEMA && typeof e.key === 'string' && e.result && typeof e.result.ok === 'boolean') this.entries.set(e.key, e.result);
          else skipped++;
        } catch { skipped++; }
      }
    }
    this.skippedLines = skipped;
  }

  get size(): number { return this.entries.size; }
  get(key: string): LandscapeJobResult | undefined { return this.entries.get(key); }

  /** Record a result: in memory at once, on disk before the returned promise resolves. */
  async add(key: string, result: LandscapeJobResult): Promise<void> {
    this.entries.set(key, result);
    if (!this.handle) {
      mkdirSync(this.dir, { recursive: true });
      this.handle = fs.open(this.file, 'a');
    }
    const handle = this.handle;
    // A leading newline ends a line torn by an earlier kill, so this entry stays readable.
    const line = '\n' + JSON.stringify({ schema: SCHEMA, key, result }) + '\n';
    const write = this.tail.then(async () => { await (await handle).appendFile(line); });
    this.tail = write.catch(() => undefined);
    await write;
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    await this.tail;
    if (h) await (await h).close();
  }
}
