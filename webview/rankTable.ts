/**
 * The "Rank folder by Ξ" results table: sortable columns, a row click opens the CIF, export buttons.
 * Numbers carry their method and unit in the column headers; failures show their reason.
 */
import { Endpoint, type Channel, type WireMessage } from '../src/protocol/endpoint';
import type { RankTableHostMethods, RankTableMethods, RankTableState } from '../src/protocol/ranking';
import type { RankRow } from '../src/compute/analysis/ranking';

declare function acquireVsCodeApi(): { postMessage(m: unknown): void };

const vscode = acquireVsCodeApi();
const channel: Channel = {
  post: (m) => vscode.postMessage(m),
  listen: (handler) => {
    const f = (e: MessageEvent) => handler(e.data as WireMessage);
    window.addEventListener('message', f);
    return () => window.removeEventListener('message', f);
  },
};
const endpoint = new Endpoint<RankTableHostMethods, RankTableMethods>(channel);

type Column = { key: keyof RankRow; label: string; title: string; format?: (r: RankRow) => string; numeric?: boolean };
const num = (x: number | null, d = 3) => (x === null ? '—' : x.toFixed(d));
const COLUMNS: Column[] = [
  { key: 'file', label: 'file', title: 'CIF file (click to open)' },
  { key: 'formula', label: 'formula', title: 'reduced formula of the structure as read' },
  { key: 'Xi', label: 'Ξ(BVSE)', title: 'Ξ of Maevskiy et al. from free volumes at 0.5 eV on the BVSE landscape (0–1, high = likely superionic)', numeric: true, format: (r) => num(r.Xi) },
  { key: 'Ea_1D_eV', label: 'Ea 1D (eV)', title: 'BVSE percolation barrier in 1D, eV', numeric: true, format: (r) => num(r.Ea_1D_eV) },
  { key: 'Ea_2D_eV', label: 'Ea 2D (eV)', title: 'BVSE percolation barrier in 2D, eV', numeric: true, format: (r) => num(r.Ea_2D_eV) },
  { key: 'Ea_3D_eV', label: 'Ea 3D (eV)', title: 'BVSE percolation barrier in 3D, eV', numeric: true, format: (r) => num(r.Ea_3D_eV) },
  { key: 'MPE_eV', label: 'MPE (eV)', title: 'minimum percolation energy from the level map, eV', numeric: true, format: (r) => num(r.MPE_eV) },
  { key: 'FV_connected', label: 'FV_c', title: 'connected free volume at 0.5 eV (fraction)', numeric: true, format: (r) => (r.FV_connected === null ? '—' : r.FV_connected.toPrecision(3)) },
  { key: 'FV_disconnected', label: 'FV_d', title: 'disconnected free volume at 0.5 eV (fraction)', numeric: true, format: (r) => (r.FV_disconnected === null ? '—' : r.FV_disconnected.toPrecision(3)) },
  { key: 'dimensionality', label: 'dim', title: 'channel dimensionality: directions that open within 0.5 eV of Ea 1D', numeric: true, format: (r) => (r.dimensionality === null ? '—' : `${r.dimensionality}D`) },
  { key: 'warnings', label: 'warnings', title: 'what the researcher should know about this result', format: (r) => (r.warnings.length ? `⚠ ${r.warnings.length}` : '') },
  { key: 'error', label: 'error', title: 'why no result', format: (r) => r.error ?? '' },
];

let state: RankTableState | null = null;
let sortKey: keyof RankRow | null = null;
let sortDir = 1;

function sorted(rows: RankRow[]): RankRow[] {
  if (!sortKey) return rows;
  const k = sortKey;
  return [...rows].sort((a, b) => {
    const x = a[k], y = b[k];
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * sortDir;
    return String(x).localeCompare(String(y)) * sortDir;
  });
}

function render(): void {
  if (!state) return;
  const p = state.progress;
  const head = document.getElementById('summary')!;
  head.textContent = `${state.folder} — ${state.method}. ${p.done}/${p.total} files${p.failed ? `, ${p.failed} failed` : ''}${p.cached ? `, ${p.cached} from cache` : ''}${state.finished ? (state.cancelled ? ' — cancelled (run again to resume)' : ' — finished') : ' — running…'}`;
  const table = document.getElementById('table') as HTMLTableElement;
  table.replaceChildren();
  const thead = table.createTHead().insertRow();
  for (const c of COLUMNS) {
    const th = document.createElement('th');
    th.textContent = c.label + (sortKey === c.key ? (sortDir > 0 ? ' ▲' : ' ▼') : '');
    th.title = c.title;
    th.tabIndex = 0;
    th.setAttribute('role', 'button');
    const sortBy = () => { if (sortKey === c.key) sortDir = -sortDir; else { sortKey = c.key; sortDir = c.numeric && c.key === 'Xi' ? -1 : 1; } render(); };
    th.addEventListener('click', sortBy);
    th.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(); } });
    thead.appendChild(th);
  }
  const body = table.createTBody();
  for (const r of sorted(state.rows)) {
    const tr = body.insertRow();
    tr.className = r.error ? 'failed' : '';
    tr.tabIndex = 0;
    tr.dataset.file = r.file;
    const open = () => void endpoint.request('openFile', { file: r.file });
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
    for (const c of COLUMNS) {
      const td = tr.insertCell();
      td.textContent = c.format ? c.format(r) : String(r[c.key] ?? '');
      if (c.numeric) td.className = 'num';
      if (c.key === 'warnings' && r.warnings.length) td.title = r.warnings.join('\n');
      if (c.key === 'file' && r.method) td.title = r.method;
    }
  }
}

endpoint.handle('setState', (s) => { state = s; render(); return null; });
for (const format of ['csv', 'json'] as const) {
  document.getElementById(`export-${format}`)!.addEventListener('click', () => void endpoint.request('exportAs', { format }));
}
void endpoint.request('ready', {});
