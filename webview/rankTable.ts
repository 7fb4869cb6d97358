/**
 * The "Rank folder by Ξ" results table. Rows appear as they arrive (`upsertRows`): each row's <tr> is
 * created once and updated in place, and rows are moved (not rebuilt) to keep the sort order. Sortable
 * columns (click a header; the caption says what the order is), filters (Ea 1D below x eV, channel
 * dimensionality), columns resizable by dragging a header's right edge, a row click opens the file.
 * Numbers carry their method and unit in the column headers; failures show their reason.
 *
 * Channel: in VS Code `acquireVsCodeApi().postMessage` / window 'message'; in a plain browser (the
 * test harness) messages go to `window.__rankHost(message)` and come back by `window.postMessage`.
 */
import { Endpoint, type Channel, type WireMessage } from '../src/protocol/endpoint';
import type { RankTableHostMethods, RankTableMethods, RankTableRowsUpdate, RankTableState } from '../src/protocol/ranking';
import { rankOrderFor, type RankRow } from '../src/compute/analysis/ranking';

declare const acquireVsCodeApi: undefined | (() => { postMessage(m: unknown): void });
type HostWindow = Window & { __rankHost?: (m: WireMessage) => void; __rankOutbox?: WireMessage[] };
const win = window as HostWindow;
const vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
const WIRE_KINDS = new Set(['request', 'progress', 'result', 'error', 'cancel', 'notify']);
const channel: Channel = {
  post: (m) => {
    if (vscode) vscode.postMessage(m);
    else if (win.__rankHost) win.__rankHost(m);
    else (win.__rankOutbox ??= []).push(m);
  },
  listen: (handler) => {
    const f = (e: MessageEvent) => {
      const d = e.data as WireMessage | undefined;
      if (d && typeof d === 'object' && WIRE_KINDS.has((d as { kind?: string }).kind ?? '')) handler(d);
    };
    window.addEventListener('message', f);
    return () => window.removeEventListener('message', f);
  },
};
const endpoint = new Endpoint<RankTableHostMethods, RankTableMethods>(channel);

type Column = { key: keyof RankRow; label: string; title: string; width: number; format?: (r: RankRow) => string; numeric?: boolean };
const num = (x: number | null, d = 3) => (x === null ? '—' : x.toFixed(d));
const COLUMNS: Column[] = [
  { key: 'file', label: 'file', title: 'structure file (click the row to open it)', width: 200 },
  { key: 'formula', label: 'formula', title: 'reduced formula of the structure as read', width: 150 },
  { key: 'Xi', label: 'Ξ(BVSE)', title: 'Ξ of Maevskiy et al. from free volumes at 0.5 eV on the BVSE landscape (0–1, high = likely superionic)', numeric: true, width: 100, format: (r) => num(r.Xi) },
  { key: 'Ea_1D_eV', label: 'Ea 1D (eV)', title: 'BVSE percolation barrier in 1D, eV', numeric: true, width: 110, format: (r) => num(r.Ea_1D_eV) },
  { key: 'Ea_2D_eV', label: 'Ea 2D (eV)', title: 'BVSE percolation barrier in 2D, eV', numeric: true, width: 110, format: (r) => num(r.Ea_2D_eV) },
  { key: 'Ea_3D_eV', label: 'Ea 3D (eV)', title: 'BVSE percolation barrier in 3D, eV', numeric: true, width: 110, format: (r) => num(r.Ea_3D_eV) },
  { key: 'MPE_eV', label: 'MPE (eV)', title: 'minimum percolation energy from the level map, eV', numeric: true, width: 100, format: (r) => num(r.MPE_eV) },
  { key: 'FV_connected', label: 'FV_c', title: 'connected free volume at 0.5 eV (fraction of the cell)', numeric: true, width: 80, format: (r) => (r.FV_connected === null ? '—' : r.FV_connected.toPrecision(3)) },
  { key: 'FV_disconnected', label: 'FV_d', title: 'disconnected free volume at 0.5 eV (fraction of the cell)', numeric: true, width: 80, format: (r) => (r.FV_disconnected === null ? '—' : r.FV_disconnected.toPrecision(3)) },
  { key: 'dimensionality', label: 'dim', title: 'channel dimensionality: directions that open within 0.5 eV of Ea 1D', numeric: true, width: 60, format: (r) => (r.dimensionality === null ? '—' : `${r.dimensionality}D`) },
  { key: 'disorder', label: 'disorder', title: 'partial occupancy: mean field, Li sites only (removed, nothing averaged), or ordered approximants (supercell, orderings, Ea 1D range)', width: 170, format: (r) => r.disorder ?? '' },
  { key: 'warnings', label: 'warnings', title: 'what the researcher should know about this result', width: 80, format: (r) => (r.warnings.length ? `⚠ ${r.warnings.length}` : '') },
  { key: 'error', label: 'error', title: 'why no result', width: 260, format: (r) => r.error ?? '' },
];

let meta: Omit<RankTableState, 'rows'> | null = null;
const rows = new Map<string, RankRow>();
const rowEls = new Map<string, HTMLTableRowElement>();
let sortKey: keyof RankRow = 'Xi';
let sortDir = -1;

/** Pages from before webview/rankTableHtml.ts lack the filters and the caption: add them. */
function ensureControls(): void {
  if (document.getElementById('filter-ea')) return;
  const bar = document.createElement('div');
  bar.className = 'bar';
  const ea = Object.assign(document.createElement('input'), { id: 'filter-ea', type: 'number', min: '0', step: '0.05', placeholder: 'any' });
  ea.setAttribute('aria-label', 'Show rows with Ea 1D below this value, eV');
  const dim = Object.assign(document.createElement('select'), { id: 'filter-dim' });
  dim.setAttribute('aria-label', 'Show rows with this channel dimensionality');
  for (const [v, t] of [['', 'any'], ['1', '1D'], ['2', '2D'], ['3', '3D'], ['0', 'none']]) dim.append(new Option(t, v));
  const l1 = document.createElement('label'); l1.append('Ea 1D below ', ea, ' eV ');
  const l2 = document.createElement('label'); l2.append(' Dimensionality ', dim);
  bar.append(l1, l2);
  const cap = Object.assign(document.createElement('div'), { id: 'sort-caption' });
  const t = document.getElementById('table')!;
  t.before(bar, cap);
}
ensureControls();

const table = document.getElementById('table') as HTMLTableElement;
const summary = document.getElementById('summary')!;
const caption = document.getElementById('sort-caption')!;
const filterEa = document.getElementById('filter-ea') as HTMLInputElement;
const filterDim = document.getElementById('filter-dim') as HTMLSelectElement;
const colgroup = document.createElement('colgroup');
const headRow = table.createTHead().insertRow();
const body = table.createTBody();
table.prepend(colgroup);

function compare(a: RankRow, b: RankRow): number {
  // Failed rows last, then missing values last, whatever the direction.
  if (!!a.error !== !!b.error) return a.error ? 1 : -1;
  const x = a[sortKey], y = b[sortKey];
  const missing = (v: unknown) => v === null || v === undefined;
  if (missing(x) || missing(y)) return missing(x) === missing(y) ? a.file.localeCompare(b.file) : missing(x) ? 1 : -1;
  if (typeof x === 'number' && typeof y === 'number') return (x - y) * sortDir || a.file.localeCompare(b.file);
  if (Array.isArray(x) && Array.isArray(y)) return (x.length - y.length) * sortDir || a.file.localeCompare(b.file);
  return String(x).localeCompare(String(y)) * sortDir || a.file.localeCompare(b.file);
}

function visible(r: RankRow): boolean {
  const ea = filterEa.value.trim() === '' ? null : Number(filterEa.value);
  if (ea !== null && Number.isFinite(ea) && !(r.Ea_1D_eV !== null && r.Ea_1D_eV < ea)) return false;
  if (filterDim.value !== '' && (r.dimensionality ?? 0) !== Number(filterDim.value)) return false;
  return true;
}

function buildHeader(): void {
  COLUMNS.forEach((c) => {
    const col = document.createElement('col');
    col.style.width = `${c.width}px`;
    colgroup.append(col);
    const th = document.createElement('th');
    th.dataset.key = c.key;
    th.title = c.title;
    th.style.position = 'sticky';
    const label = document.createElement('span');
    label.className = 'label';
    label.tabIndex = 0;
    label.setAttribute('role', 'button');
    const sortBy = () => {
      if (sortKey === c.key) sortDir = -sortDir;
      else { sortKey = c.key; sortDir = c.key === 'Xi' ? -1 : 1; }
      order();
    };
    label.addEventListener('click', sortBy);
    label.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(); } });
    const grip = document.createElement('div');
    grip.className = 'resizer';
    grip.setAttribute('aria-hidden', 'true');
    grip.addEventListener('pointerdown', (e) => startResize(e, col, grip));
    th.append(label, grip);
    headRow.append(th);
  });
  fitTableWidth();
}

function startResize(e: PointerEvent, col: HTMLTableColElement, grip: HTMLElement): void {
  e.preventDefault();
  e.stopPropagation();
  const x0 = e.clientX, w0 = parseFloat(col.style.width) || 80;
  grip.classList.add('active');
  grip.setPointerCapture(e.pointerId);
  const move = (m: PointerEvent) => { col.style.width = `${Math.max(36, w0 + m.clientX - x0)}px`; fitTableWidth(); };
  const up = () => { grip.classList.remove('active'); grip.removeEventListener('pointermove', move); grip.removeEventListener('pointerup', up); };
  grip.addEventListener('pointermove', move);
  grip.addEventListener('pointerup', up);
}

/** A fixed-layout table is as wide as its columns. */
function fitTableWidth(): void {
  let w = 0;
  for (const c of colgroup.children) w += parseFloat((c as HTMLElement).style.width) || 0;
  table.style.width = `${w}px`;
}

function fillRow(tr: HTMLTableRowElement, r: RankRow): void {
  tr.className = r.error ? 'failed' : '';
  COLUMNS.forEach((c, i) => {
    const td = tr.cells[i];
    const text = c.format ? c.format(r) : String(r[c.key] ?? '');
    if (td.textContent !== text) td.textContent = text;
    td.title = c.key === 'warnings' && r.warnings.length ? r.warnings.join('\n') : c.key === 'file' && r.method ? r.method : c.key === 'error' && r.error ? r.error : '';
  });
}

function rowElement(r: RankRow): HTMLTableRowElement {
  let tr = rowEls.get(r.file);
  if (!tr) {
    tr = document.createElement('tr');
    tr.tabIndex = 0;
    tr.dataset.file = r.file;
    for (const c of COLUMNS) { const td = tr.insertCell(); if (c.numeric) td.className = 'num'; }
    const file = r.file;
    const open = () => void endpoint.request('openFile', { file });
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
    rowEls.set(r.file, tr);
  }
  return tr;
}

/** Sort order and filters applied by moving existing rows; only rows out of place move. */
function order(): void {
  const list = [...rows.values()].sort(compare);
  let prev: HTMLTableRowElement | null = null;
  for (const r of list) {
    const tr = rowEls.get(r.file)!;
    tr.hidden = !visible(r);
    const want: ChildNode | null = prev ? prev.nextSibling : body.firstChild;
    if (want !== tr) body.insertBefore(tr, want);
    prev = tr;
  }
  for (const th of headRow.cells) {
    const c = COLUMNS.find((x) => x.key === th.dataset.key)!;
    const label = th.querySelector('.label')!;
    label.textContent = c.label + (sortKey === c.key ? (sortDir > 0 ? ' ▲' : ' ▼') : '');
    th.setAttribute('aria-sort', sortKey === c.key ? (sortDir > 0 ? 'ascending' : 'descending') : 'none');
  }
  const c = COLUMNS.find((x) => x.key === sortKey)!;
  const dirText = c.numeric ? (sortDir > 0 ? 'lowest first' : 'highest first') : sortDir > 0 ? 'A → Z' : 'Z → A';
  const shown = list.filter(visible).length;
  caption.textContent = `sorted by ${c.label}, ${dirText} (failed and missing values last)${shown !== list.length ? ` · ${shown} of ${list.length} rows shown` : ''}`;
}

function renderSummary(): void {
  if (!meta) return;
  const p = meta.progress;
  summary.textContent = `${meta.folder} — ${meta.method}. ${p.done}/${p.total} files${p.failed ? `, ${p.failed} failed` : ''}${p.cached ? `, ${p.cached} from cache` : ''}${meta.finished ? (meta.cancelled ? ' — cancelled (run again to resume)' : ' — finished') : ' — running…'}`;
}

function upsert(update: RankTableRowsUpdate): void {
  for (const r of update.rows) {
    rows.set(r.file, r);
    const tr = rowElement(r);
    fillRow(tr, r);
    if (!tr.isConnected) body.append(tr);
  }
  if (meta) {
    if (update.progress) meta.progress = update.progress;
    if (update.finished !== undefined) meta.finished = update.finished;
    if (update.cancelled !== undefined) meta.cancelled = update.cancelled;
  }
  order();
  renderSummary();
}

endpoint.handle('setState', (s) => {
  const { rows: all, ...rest } = s;
  // The first state sets the method's order (BVSE: Ea 3D low first; TensorNet-MatPES: Ξ high first); a click changes it.
  if (!meta && s.methodId) { const o = rankOrderFor(s.methodId); sortKey = o.key; sortDir = o.descending ? -1 : 1; }
  meta = { ...rest, progress: { ...rest.progress } };
  const keep = new Set(all.map((r) => r.file));
  for (const [file, tr] of rowEls) if (!keep.has(file)) { tr.remove(); rowEls.delete(file); rows.delete(file); }
  upsert({ rows: all });
  return null;
});
endpoint.handle('upsertRows', (u) => { upsert(u); return null; });
filterEa.addEventListener('input', order);
filterDim.addEventListener('change', order);
for (const format of ['csv', 'json'] as const) {
  document.getElementById(`export-${format}`)!.addEventListener('click', () => void endpoint.request('exportAs', { format }));
}
buildHeader();
order();
void endpoint.request('ready', {});
