/**
 * Merge shard outputs into the one ranking: the union of their rows in the ranking's order (sortRows), refused
 * unless the outputs are the complete set of shards 1…N of one input with one method and one set of options.
 *
 * Refused, with every problem named:
 *   - mixed input, method, options or shard count (compared as canonical JSON of the shard meta);
 *   - shards that saw different states of the input (another list of files: inputs.ts InputListing), or that were
 *     written before shards recorded it;
 *   - a shard given twice, a shard missing, a shard incomplete (killed before it finished: re-run it to resume);
 *   - duplicate rows (one file ranked in two outputs, or twice in one), a row in a shard the partition does not
 *     put it in, rows missing for files the shard lists.
 * The merged rows are exactly the rows a single-machine run over the same files gives (same sort, same numbers).
 */
import { sortRows, type RankRow } from '../analysis/ranking';
import { PARTITION_RULE, shardOf } from './partition';
import { canonical, type ShardMeta } from './run';

export interface ShardOutput { path: string; meta: ShardMeta; rows: RankRow[] }

export interface MergeResult {
  rows: RankRow[];
  /** Meta of the merged ranking (for rowsToJson). */
  meta: Record<string, unknown>;
  /** Why the outputs cannot be merged; empty when they can. */
  problems: string[];
}

/** Read one shard output (the JSON a shard writes); a clear error naming the file otherwise. */
export function parseShardOutput(path: string, text: string): ShardOutput {
  let data: Partial<ShardMeta> & { schema?: string; rows?: RankRow[] };
  try { data = JSON.parse(text) as typeof data; } catch (e) {
    throw new Error(`${path}: not JSON (${e instanceof Error ? e.message : String(e)}); merge reads the JSON output of each shard`);
  }
  if (typeof data.schema !== 'string' || !data.schema.startsWith('ionpath.ranking/') || !Array.isArray(data.rows)) throw new Error(`${path}: not an ionpath ranking (schema ${JSON.stringify(data.schema ?? null)})`);
  if (data.kind !== 'shard' || !data.shard || typeof data.shard.index !== 'number' || typeof data.shard.count !== 'number') {
    throw new Error(`${path}: a ranking but not a shard output (no shard K/N in its meta): merge combines the outputs of 'rank --shard K/N'`);
  }
  const { rows, schema: _schema, units: _units, sortedBy: _sortedBy, ...meta } = data as typeof data & { units?: unknown; sortedBy?: unknown };
  return { path, meta: meta as ShardMeta, rows: rows as RankRow[] };
}

export function mergeShardOutputs(outputs: ShardOutput[], opts: { allowPartial?: boolean } = {}): MergeResult {
  const problems: string[] = [];
  if (!outputs.length) return { rows: [], meta: {}, problems: ['no shard outputs given'] };
  const first = outputs[0];
  const ref = first.meta;
  const count = ref.shard.count;

  // One input, one method, one set of options, one partition.
  for (const o of outputs.slice(1)) {
    const m = o.meta;
    if (m.input !== ref.input) problems.push(`${o.path} ranks ${m.input}, ${first.path} ranks ${ref.input}: outputs of different inputs`);
    if (m.method !== ref.method) problems.push(`${o.path} has method ${m.method}, ${first.path} has ${ref.method}: mixed methods`);
    if (canonical(m.options) !== canonical(ref.options)) problems.push(`${o.path} and ${first.path} were computed with different parameters: ${optionDiff(m.options, ref.options)}`);
    if (m.shard.count !== count || m.shard.partition !== ref.shard.partition) problems.push(`${o.path} is shard ${m.shard.index}/${m.shard.count}, ${first.path} is ${ref.shard.index}/${count}: outputs of different partitions`);
  }
  problems.push(...listingProblems(outputs));
  if (ref.shard.partition !== PARTITION_RULE) problems.push(`${first.path}: partition '${ref.shard.partition}' is not this version's '${PARTITION_RULE}'`);

  // Every shard once.
  const byIndex = new Map<number, ShardOutput[]>();
  for (const o of outputs) byIndex.set(o.meta.shard.index, [...(byIndex.get(o.meta.shard.index) ?? []), o]);
  for (const [k, list] of [...byIndex].sort(([a], [b]) => a - b)) if (list.length > 1) problems.push(`shard ${k}/${count} given ${list.length} times: ${list.map((o) => o.path).join(', ')}`);
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((k) => !byIndex.has(k));
  const partialNotes: string[] = [];
  if (missing.length) (opts.allowPartial ? partialNotes : problems).push(`missing ${missing.length} of ${count} shards: ${abbreviate(missing.map((k) => `${k}/${count}`))} (no output given for them: run them, or give their outputs)`);
  for (const o of outputs) {
    if (!o.meta.complete) (opts.allowPartial ? partialNotes : problems).push(`shard ${o.meta.shard.index}/${count} (${o.path}) is incomplete: ${o.rows.length} of ${o.meta.files ?? '?'} files ranked; re-run that shard to resume from its cache`);
  }

  // Every row once, in the shard the partition puts it in, and every listed file ranked.
  const where = new Map<string, string[]>();
  for (const o of outputs) {
    for (const r of o.rows) {
      where.set(r.file, [...(where.get(r.file) ?? []), o.path]);
      if (count === o.meta.shard.count && shardOf(r.file, count) !== o.meta.shard.index) problems.push(`${o.path}: row ${r.file} belongs to shard ${shardOf(r.file, count)}/${count} by ${PARTITION_RULE}, not ${o.meta.shard.index}/${count}`);
    }
    if (o.meta.complete) {
      const ranked = new Set(o.rows.map((r) => r.file));
      const unranked = (o.meta.inputs ?? []).map((x) => x.file).filter((f) => !ranked.has(f));
      if (unranked.length) problems.push(`${o.path} says it is complete but has no row for ${abbreviate(unranked)}`);
    }
  }
  const dup = [...where].filter(([, paths]) => paths.length > 1);
  if (dup.length) problems.push(`${dup.length} duplicate row${dup.length > 1 ? 's' : ''}: ${abbreviate(dup.map(([f, paths]) => `${f} (in ${paths.join(', ')})`))}`);

  // Rows labelled with a different method than the rest would mean mixed numbers even if the meta agrees.
  const labels = new Set(outputs.flatMap((o) => o.rows.map((r) => r.method).filter((m): m is string => m !== null)));
  if (labels.size > 1) problems.push(`rows carry ${labels.size} different method labels: ${[...labels].join(' / ')}`);

  if (problems.length) return { rows: [], meta: {}, problems };
  const rows = sortRows(outputs.flatMap((o) => o.rows), ref.method);
  const meta = {
    kind: 'merged', input: ref.input, listing: ref.listing, root: ref.root, method: ref.method, options: ref.options,
    shards: { count, partition: ref.shard.partition, outputs: outputs.map((o) => o.path).sort() },
    complete: missing.length === 0 && outputs.every((o) => o.meta.complete),
    ...(partialNotes.length ? { notes: partialNotes } : {}),
  };
  return { rows, meta, problems: [] };
}

/** Why the shards did not all see one list of input files, in one sentence per kind of problem. */
function listingProblems(outputs: ShardOutput[]): string[] {
  const label = (o: ShardOutput) => `${o.meta.shard.index}/${o.meta.shard.count}`;
  const unrecorded = outputs.filter((o) => !o.meta.listing);
  const problems = unrecorded.map((o) => `${o.path} (shard ${label(o)}) was written by an earlier ionpath that did not record the input's file list: re-run that shard (it resumes from its cache) and merge again`);
  const groups = new Map<string, ShardOutput[]>();
  for (const o of outputs) if (o.meta.listing) groups.set(o.meta.listing.sha256, [...(groups.get(o.meta.listing.sha256) ?? []), o]);
  if (groups.size > 1) {
    const counts = new Set<number>();
    const saw = [...groups.values()].map((list) => list.sort((a, b) => a.meta.shard.index - b.meta.shard.index))
      .sort((a, b) => a[0].meta.shard.index - b[0].meta.shard.index)
      .map((list) => {
        const n = list[0].meta.listing.files;
        const other = counts.has(n) ? ' other' : '';
        counts.add(n);
        return `shard${list.length > 1 ? 's' : ''} ${abbreviate(list.map(label))} saw ${n}${other} files`;
      });
    const what = outputs[0].meta.input?.startsWith('list:') ? 'file list' : 'folder';
    problems.push(`the shards saw different states of the input: ${saw.join(', ')}; re-run the shards on one state of the ${what} (each resumes from its cache)`);
  }
  return problems;
}

function optionDiff(a: Record<string, unknown>, b: Record<string, unknown>): string {
  const keys = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort();
  return keys.filter((k) => canonical(a?.[k]) !== canonical(b?.[k])).map((k) => `${k} ${canonical(a?.[k]) ?? 'unset'} vs ${canonical(b?.[k]) ?? 'unset'}`).join(', ') || 'options differ';
}

function abbreviate(items: string[], max = 10): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
