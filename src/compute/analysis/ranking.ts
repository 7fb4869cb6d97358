/**
 * Ranking many CIFs by Ξ: the row model, the order, and CSV/JSON export. Shared by the editor's
 * "Rank folder by Ξ" and `ionpath rank`.
 */
import type { LandscapeJobResult } from './job';
import { channelDimensionality } from './format';

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
  method: string | null;
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
    dimensionality: p ? channelDimensionality(p) : null,
    method: p ? `${p.method}, ${p.ion}, ${p.resolution_A} Å` : null,
    warnings: [...new Set([...structureWarnings, ...(p?.warnings ?? [])])],
    error: r.ok ? null : r.error,
    fromCache,
    seconds: p ? p.timings_ms.total / 1000 : null,
  };
}

/** High Ξ first; ties by the lower Ea_1D; failures last, by name. */
export function sortRows(rows: RankRow[]): RankRow[] {
  const key = (x: number | null, fallback: number) => (x === null ? fallback : x);
  return [...rows].sort((a, b) =>
    Number(a.error !== null) - Number(b.error !== null) ||
    key(b.Xi, -1) - key(a.Xi, -1) ||
    key(a.Ea_1D_eV, Infinity) - key(b.Ea_1D_eV, Infinity) ||
    a.file.localeCompare(b.file));
}

const CSV_COLUMNS: [keyof RankRow, string][] = [
  ['file', 'file'], ['formula', 'formula'], ['Xi', 'Xi'], ['Ea_1D_eV', 'Ea_1D_eV'], ['Ea_2D_eV', 'Ea_2D_eV'], ['Ea_3D_eV', 'Ea_3D_eV'],
  ['MPE_eV', 'MPE_eV'], ['FV_connected', 'FV_connected'], ['FV_disconnected', 'FV_disconnected'], ['dimensionality', 'dimensionality'],
  ['method', 'method'], ['warnings', 'warnings'], ['error', 'error'],
];

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = Array.isArray(v) ? v.join(' | ') : typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function rowsToCsv(rows: RankRow[]): string {
  return [CSV_COLUMNS.map(([, h]) => h).join(','), ...rows.map((r) => CSV_COLUMNS.map(([k]) => csvCell(r[k])).join(','))].join('\n') + '\n';
}

export function rowsToJson(rows: RankRow[], meta: Record<string, unknown>): string {
  return JSON.stringify({ schema: 'ionpath.ranking/1', ...meta, units: { Ea: 'eV', MPE: 'eV', FV: 'fraction', Xi: '0–1' }, rows }, null, 2) + '\n';
}
