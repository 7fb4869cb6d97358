/** Messages between the extension and the ranking-table webview (over the same Endpoint). */
import type { RankRow } from '../compute/analysis/ranking';

export interface RankTableState {
  folder: string;
  /** The method in words, with ion, grid and the order. */
  method: string;
  methodId: string;
  /** "sorted by Ea(BVSE, 3D), low first". */
  sortedBy: string;
  rows: RankRow[];
  progress: { total: number; done: number; failed: number; cached: number };
  finished: boolean;
  cancelled: boolean;
}

/**
 * Rows as they arrive: each row replaces the row of the same `file` or is inserted in sort order; the
 * table updates those rows only (it is not rebuilt per tick). `progress`, `finished`, `cancelled` update
 * the summary when given. Send `setState` once at the start (folder, method), then `upsertRows`.
 */
export interface RankTableRowsUpdate {
  rows: RankRow[];
  progress?: RankTableState['progress'];
  finished?: boolean;
  cancelled?: boolean;
}

/** Served by the webview. */
export type RankTableMethods = {
  setState: { params: RankTableState; result: null };
  upsertRows: { params: RankTableRowsUpdate; result: null };
}

/** Served by the extension. */
export type RankTableHostMethods = {
  ready: { params: Record<string, never>; result: null };
  openFile: { params: { file: string }; result: null };
  exportAs: { params: { format: 'csv' | 'json' }; result: { saved: string | null } };
}
