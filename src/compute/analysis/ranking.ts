/**
 * Ranking many CIFs by Ξ: the row model, the order, and CSV/JSON export. Shared by the editor's
 * "Rank folder by Ξ" and `ionpath rank`.
 */
import type { LandscapeJobResult } from './job';
import { disorderCell, methodLabel, sourceCaption } from './format';

export interface RankRow {
  file: string;               // path relative to the ranked folder
  formula: string | null;
  Xi: number | null;
  Ea_1D_eV: number | null;
  Ea_2D_eV: number | null;
  Ea_3D_eV: number | null;
  MPE_eV: number | null;
  FV_connected: number | null;
  FV_disconnected: number | null;
  dimensionality: number | null;
  /**
   * How partial occupancy was treated, for a structure that has it: "mean field", "lowest-Ewald ordering of 9 cells",
   * "min of 6 orderings of 17 cells, Ea 1D 6.52–8.30 eV" (format.ts disorderCell); null for an ordered one.
   */
  disorder: string | null;
  /** The method's label ("BVSE", "TensorNet-MatPES", "GCN-IN") and its full description with ion and grid. */
  method: string | null;
  source: string | null;
  warnings: string[];
  error: string | null;
  fromCache: boolean;
  seconds: number | null;
}

export function rowFromResult(file: string, r: LandscapeJobResult, fromCache: boolean): RankRow {
  const p = r.report;
  const structureWarnings = r.messages.filter((m) => m.severity === 'warning').map((m) => m.message);
  return {
    file,
    formula: r.formula,
    Xi: p?.Xi ?? null,
    Ea_1D_eV: p?.Ea_1D_eV ?? null,
    Ea_2D_eV: p?.Ea_2D_eV ?? null,
    Ea_3D_eV: p?.Ea_3D_eV ?? null,
    MPE_eV: p?.MPE_eV ?? null,
    FV_connected: p?.FV_connected ?? null,
    FV_disconnected: p?.FV_disconnected ?? null,
    dimensionality: p ? p.channelDimensionality : null,
    disorder: p ? disorderCell(p) : null,
    method: p ? methodLabel(p) : null,
    source: p ? sourceCaption(p) : null,
    warnings: [...new Set([...structureWarnings, ...(p?.warnings ?? [])])],
    error: r.ok ? null : r.error,
    fromCache,
    seconds: p ? p.timings_ms.total / 1000 : null,
  };
}

/**
 * What a ranking is sorted by, per method. Ξ's thresholds are calibrated for a machine-learned PES (seed 001), so
 * only the potential scan ranks by Ξ. On a BVSE grid Ξ ranks poorly (OBELiX training CIFs: ρ(Ξ_BVSE, log σ) = +0.22
 * against ρ(−Ea 3D, log σ) = +0.42, docs/VALIDATION.md), so BVSE ranks by Ea 3D, low first; the GCN predicts Ea 1D.
 */
export interface RankOrder {
  key: 'Xi' | 'Ea_1D_eV' | 'Ea_3D_eV';
  descending: boolean;
  /** Shown above the table and in the JSON: "sorted by Ea(BVSE, 3D), low first". */
  caption: string;
}

export function rankOrderFor(method: string | undefined): RankOrder {
  if (method === 'mlip') return { key: 'Xi', descending: true, caption: 'sorted by Ξ(TensorNet-MatPES, frozen), high first' };
  if (method === 'gcn') return { key: 'Ea_1D_eV', descending: false, caption: 'sorted by Ea(GCN-IN), low first' };
  if (method === 'analytic') return { key: 'Ea_1D_eV', descending: false, caption: 'sorted by Ea 1D of the analytic test landscape, low first' };
  return { key: 'Ea_3D_eV', descending: false, caption: 'sorted by Ea(BVSE, 3D), low first (then Ea 1D)' };
}

/** In the method's order (rankOrderFor); ties by the lower Ea 1D; rows without the key, then failures, last. */
export function sortRows(rows: RankRow[], method?: string): RankRow[] {
  const order = rankOrderFor(method);
  const value = (r: RankRow) => {
    const x = r[order.key];
    return x === null ? Infinity : order.descending ? -x : x;
  };
  const key = (x: number | null) => (x === null ? Infinity : x);
  return [...rows].sort((a, b) =>
    Number(a.error !== null) - Number(b.error !== null) ||
    value(a) - value(b) ||
    key(a.Ea_1D_eV) - key(b.Ea_1D_eV) ||
    a.file.localeCompare(b.file));
}

const CSV_COLUMNS: [keyof RankRow, string][] = [
  ['file', 'file'], ['formula', 'formula'], ['Xi', 'Xi'], ['Ea_1D_eV', 'Ea_1D_eV'], ['Ea_2D_eV', 'Ea_2D_eV'], ['Ea_3D_eV', 'Ea_3D_eV'],
  ['MPE_eV', 'MPE_eV'], ['FV_connected', 'FV_connected'], ['FV_disconnected', 'FV_disconnected'], ['dimensionality', 'dimensionality'],
  ['disorder', 'disorder'], ['method', 'method'], ['source', 'source'], ['warnings', 'warnings'], ['error', 'error'],
];

/**
 * Whether a CSV's first line is the header of a ranking ionpath wrote, in any version: the columns were added to over
 * time (disorder, source), always from file,formula,Xi,Ea_1D_eV to error.
 */
export function isRankingCsvHeader(line: string): boolean {
  const columns = line.replace(/\r$/, '').split(',');
  return columns.slice(0, 4).join(',') === 'file,formula,Xi,Ea_1D_eV' && columns[columns.length - 1] === 'error';
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = Array.isArray(v) ? v.join(' | ') : typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function rowsToCsv(rows: RankRow[]): string {
  return [CSV_COLUMNS.map(([, h]) => h).join(','), ...rows.map((r) => CSV_COLUMNS.map(([k]) => csvCell(r[k])).join(','))].join('\n') + '\n';
}

export function rowsToJson(rows: RankRow[], meta: Record<string, unknown> & { method?: string }): string {
  return JSON.stringify({ schema: 'ionpath.ranking/2', sortedBy: rankOrderFor(meta.method).caption, ...meta, units: { Ea: 'eV', MPE: 'eV', FV: 'fraction', Xi: '0–1' }, rows }, null, 2) + '\n';
}
