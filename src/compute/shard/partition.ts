/**
 * Deterministic partition of a set of input files into N shards, for ranking on many machines.
 *
 *   shard(file) = 1 + (first 48 bits of sha256(relative path, '/'-separated, UTF-8)) mod N      (shards are 1…N)
 *
 * A file's shard depends on its own relative path and N only, so adding files to the folder never moves the
 * files already assigned (their cached results stay in the shard that computed them), and every machine computes
 * the same assignment without talking to the others. Changing N reassigns files (as any mod-N scheme does).
 * The relative path is taken from the ranked folder (or, for a file list, from the list's own folder), the same
 * path the ranking shows in its `file` column.
 */
import { createHash } from 'node:crypto';
import { sep } from 'node:path';

/** Shard K of N, K in 1…N. */
export interface ShardSpec { index: number; count: number }

export const PARTITION_RULE = 'sha256(relative path) mod N';

/** "K/N" → { index: K, count: N }, with a message that says what is wrong. */
export function parseShardSpec(text: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`--shard '${text}' is not of the form K/N (e.g. 3/16; shards are numbered 1…N)`);
  const index = Number(m[1]), count = Number(m[2]);
  if (!(count >= 1 && count <= 1_000_000)) throw new Error(`--shard ${text}: N must be between 1 and 1000000`);
  if (!(index >= 1 && index <= count)) throw new Error(`--shard ${text}: K must be between 1 and N=${count} (shards are numbered 1…N)`);
  return { index, count };
}

/** The relative path as the partition sees it: '/'-separated whatever the platform. */
export function partitionKey(relativePath: string): string {
  return sep === '/' ? relativePath : relativePath.split(sep).join('/');
}

/** The shard (1…count) a file belongs to. */
export function shardOf(relativePath: string, count: number): number {
  if (!(Number.isInteger(count) && count >= 1)) throw new Error(`shard count must be a positive integer, got ${count}`);
  const h = createHash('sha256').update(partitionKey(relativePath), 'utf8').digest();
  return 1 + (h.readUIntBE(0, 6) % count);
}

/** The files (relative paths) of one shard, in sorted order. */
export function filesOfShard<T extends { rel: string }>(files: T[], spec: ShardSpec): T[] {
  return files.filter((f) => shardOf(f.rel, spec.count) === spec.index).sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** Every shard's files (index 0 is shard 1). */
export function partition<T extends { rel: string }>(files: T[], count: number): T[][] {
  const out: T[][] = Array.from({ length: count }, () => []);
  for (const f of files) out[shardOf(f.rel, count) - 1].push(f);
  for (const s of out) s.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return out;
}
