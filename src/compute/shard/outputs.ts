/**
 * Which existing file a shard or merge output may replace. These commands write beside their --out as well as to it
 * (s1.json beside --out s1.csv), so a user's file that happens to carry the name would be lost without a word: an
 * existing file is replaced only when it is ionpath's own output of the same kind, recognised by its content.
 */
import { readFileSync, statSync } from 'node:fs';
import { headOf } from '../util/fileHead';
import { isRankingCsvHeader } from '../analysis/ranking';

export type OutputKind = 'shard JSON' | 'ranking JSON' | 'ranking CSV';

const NOT_OURS: Record<OutputKind, string> = {
  'shard JSON': 'is not an ionpath shard output (schema ionpath.ranking/…, kind shard)',
  'ranking JSON': 'is not an ionpath ranking JSON (schema ionpath.ranking/…)',
  'ranking CSV': 'is not an ionpath ranking CSV (header file,formula,Xi,Ea_1D_eV,…,error)',
};

/**
 * Null when `path` may be written: it does not exist, or it is ionpath's own output of this kind. Otherwise what the
 * file is instead, for the message ("is not an ionpath ranking CSV …"). Links are followed; a special file is left
 * to writeTarget to refuse. A shard output and a merged ranking are of different kinds: neither replaces the other.
 */
export function notReplaceable(path: string, kind: OutputKind): string | null {
  try { if (!statSync(path).isFile()) return null; } catch { return null; }
  try {
    if (kind === 'ranking CSV') return isRankingCsvHeader(headOf(path).split('\n')[0]) ? null : NOT_OURS[kind];
    const data = JSON.parse(readFileSync(path, 'utf8')) as { schema?: unknown; kind?: unknown; rows?: unknown };
    if (!(typeof data.schema === 'string' && data.schema.startsWith('ionpath.ranking/') && Array.isArray(data.rows))) return NOT_OURS[kind];
    if (kind === 'shard JSON') return data.kind === 'shard' ? null : 'is an ionpath ranking but not a shard output';
    return data.kind === 'shard' ? 'is an ionpath shard output, which merge does not replace' : null;
  } catch { return NOT_OURS[kind]; } // unreadable or not JSON: not known to be ours
}

/** The refusal to write `path` (named in messages as `label`), or null when it may be written. */
export function foreignOutputRefusal(path: string | undefined, label: string, kind: OutputKind): string | null {
  const why = path ? notReplaceable(path, kind) : null;
  return why ? `${label} already exists and ${why}: ionpath replaces only its own outputs of the same kind, so move that file or give another name` : null;
}
