/**
 * "Rank folder by Ξ": every CIF under a folder analysed on a pool of compute hosts (one per core),
 * with a cancellable progress notification and a sortable results table; results are cached on disk
 * so that a cancelled or repeated run resumes. Rows go to the table as files finish, in batches
 * (`upsertRows`, at most one message per ROW_BATCH_MS), so the table grows without being rebuilt.
 * Files are read and exports written through vscode.workspace.fs (exports atomically).
 */
import * as vscode from 'vscode';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { HostPool } from '../compute/host/pool';
import { compressedFilesWarning, describeEstimate, noStructureFilesWarning, RankCache, rankFolder } from '../compute/host/rankFolder';
import { rankOrderFor, rowsToCsv, rowsToJson, type RankRow } from '../compute/analysis/ranking';
import { readStructureText, writeFileAtomically } from './workspaceFiles';
import { Endpoint } from '../protocol/endpoint';
import { channelOf } from '../protocol/channel';
import type { RankTableHostMethods, RankTableMethods, RankTableState } from '../protocol/ranking';
import { config } from './config';
import { METHOD_TIME_LIMIT_MS, normaliseOptions } from '../compute/analysis/options';
import { METHOD_NAMES } from '../compute/energy/registry';
import type { MethodId } from '../compute/energy/source';

/** At most one `upsertRows` message per this many ms while a ranking runs. */
const ROW_BATCH_MS = 250;

/** One batch of rows the table confirmed (its handler ran): when, how many rows it then held, finished or not. */
export interface RowBatchRecord { atMs: number; rowsInTable: number; finished: boolean }

export interface RankOutcome {
  rows: RankRow[];
  cancelled: boolean;
  panel: vscode.WebviewPanel;
  /** The batches the table confirmed, in order (tests check that rows arrived before the run ended). */
  batches: RowBatchRecord[];
  /** What the run was estimated to cost before it started (TensorNet-MatPES only), as shown in the progress. */
  estimate?: { text: string; seconds: number; sampled: number; sampledCached: number };
}

export function registerRankFolder(context: vscode.ExtensionContext, onProblem: (m: string) => void): vscode.Disposable {
  return vscode.commands.registerCommand('ionpath.rankFolder', async (folderArg?: vscode.Uri, options?: { cancelAfter?: number; method?: MethodId } | vscode.Uri[]) => {
    const folder = folderArg ?? (await pickFolder());
    if (!folder) return undefined;
    // Scripted calls name the method; a person picks it, with what each costs.
    const method = options && !Array.isArray(options) && options.method ? options.method : await pickMethod(folder);
    if (!method) return undefined;
    return runRanking(context, folder, onProblem, method, Array.isArray(options) ? undefined : options?.cancelAfter);
  });
}

async function pickMethod(folder: vscode.Uri): Promise<MethodId | undefined> {
  const preferred = config.rankMethod(folder);
  const items: (vscode.QuickPickItem & { method: MethodId })[] = [
    { method: 'bvse', label: 'BVSE', description: 'bond-valence site energy, ≈ 0.3 s per structure', detail: 'Ranks by Ea(BVSE, 3D), low first.' },
    { method: 'mlip', label: 'TensorNet-MatPES', description: 'machine-learned potential scan, seconds to minutes per structure (estimated before it starts)', detail: 'Ranks by Ξ(TensorNet-MatPES, frozen), high first (Maevskiy et al.).' },
    { method: 'gcn', label: 'GCN-IN', description: 'graph network on the interstitial network, milliseconds per structure', detail: 'Ranks by Ea(GCN-IN), low first; trained on BVSE barriers.' },
  ];
  items.sort((a, b) => Number(b.method === preferred) - Number(a.method === preferred));
  return (await vscode.window.showQuickPick(items, { title: 'Rank folder: method', placeHolder: 'Which method computes the ranking?' }))?.method;
}

async function pickFolder(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Rank CIFs in this folder', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
  return picked?.[0];
}

async function runRanking(context: vscode.ExtensionContext, folder: vscode.Uri, onProblem: (m: string) => void, methodId: MethodId, cancelAfter?: number): Promise<RankOutcome> {
  const options = config.analysisOptions(folder, methodId);
  const o = normaliseOptions(options);
  const order = rankOrderFor(o.method);
  const method = `${METHOD_NAMES[o.method]}, ${o.ion}${o.ionCharge > 1 ? o.ionCharge : ''}+${o.resolution ? `, grid ${o.resolution} Å` : ''}${o.cell ? `, ${o.cell} cell, ${o.variant}` : ''}; ${order.caption}`;
  const panel = vscode.window.createWebviewPanel('ionpath.ranking', `Ranking (${o.method}): ${folder.path.split('/').pop()}`, vscode.ViewColumn.Active, {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist')],
    retainContextWhenHidden: true,
  });
  const state: RankTableState = { folder: folder.fsPath, method, methodId: o.method, sortedBy: order.caption, rows: [], progress: { total: 0, done: 0, failed: 0, cached: 0 }, finished: false, cancelled: false };
  const table = connect(panel, context, state, folder);
  const cache = new RankCache(join(context.globalStorageUri.fsPath, `rank-cache-${o.method}.json`));
  const pool = new HostPool(join(context.extensionPath, 'dist', 'worker.js'), Math.max(1, availableParallelism()), { onProblem }, METHOD_TIME_LIMIT_MS[o.method]);

  // Rows wait here until the next batch; none is sent before the table is ready (its `ready` gets the full state).
  const pending: RankRow[] = [];
  const batches: RowBatchRecord[] = [];
  const t0 = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = (final: boolean): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (!table.ready) return Promise.resolve();
    const rows = pending.splice(0);
    if (!rows.length && !final) return Promise.resolve();
    const inTable = state.rows.length;
    return table.endpoint.request('upsertRows', { rows, progress: { ...state.progress }, ...(final ? { finished: true, cancelled: state.cancelled } : {}) })
      .then(() => { batches.push({ atMs: Date.now() - t0, rowsInTable: inTable, finished: final }); }, () => undefined);
  };
  table.onReady = () => { pending.length = 0; };
  let estimated: RankOutcome['estimate'];

  try {
    const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ionpath: ranking (${order.caption})`, cancellable: true }, async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      panel.onDidDispose(() => abort.abort());
      let reported = 0;
      let estimate = '';
      return rankFolder(folder.fsPath, {
        pool, options, cache, signal: abort.signal,
        readText: (path, { maxBytes }) => readStructureText(vscode.Uri.file(path), maxBytes),
        onEstimate: (e) => {
          estimate = describeEstimate(e);
          estimated = { text: estimate, seconds: e.seconds, sampled: e.sampled, sampledCached: e.sampledCached };
          progress.report({ message: estimate });
        },
        onRow: (row) => {
          state.rows.push(row);
          pending.push(row);
          timer ??= setTimeout(() => void flush(false), ROW_BATCH_MS);
        },
        onProgress: (p) => {
          const pct = p.total ? (100 * p.done) / p.total : 100;
          progress.report({ increment: pct - reported, message: `${p.done}/${p.total} files, ${p.failed} failed, ${p.cached} from cache${estimate ? ` — ${estimate}` : ''}` });
          reported = pct;
          state.progress = p;
          if (cancelAfter !== undefined && p.done >= cancelAfter) abort.abort();
        },
      });
    });
    state.rows = outcome.rows;
    state.finished = true;
    state.cancelled = outcome.cancelled;
    state.progress = { ...state.progress, total: outcome.files };
    await flush(true);
    if (outcome.cancelled) void vscode.window.showInformationMessage(`Ranking cancelled after ${outcome.rows.length} of ${outcome.files} files; run it again to resume from the cache.`);
    else if (!outcome.files) void vscode.window.showWarningMessage(`ionpath: ${noStructureFilesWarning(folder.fsPath)}`);
    const compressed = compressedFilesWarning(outcome.compressed, folder.fsPath);
    if (compressed) void vscode.window.showWarningMessage(`ionpath: ${compressed}`);
    return { rows: outcome.rows, cancelled: outcome.cancelled, panel, batches, estimate: estimated };
  } finally {
    clearTimeout(timer);
    pool.dispose();
  }
}

interface RankTable {
  endpoint: Endpoint<RankTableMethods, RankTableHostMethods>;
  /** The webview has loaded and asked for the state: batches can go to it. */
  ready: boolean;
  /** Called when the table (re)loads and has been sent the full state. */
  onReady?: () => void;
}

function connect(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, state: RankTableState, folder: vscode.Uri): RankTable {
  const webview = panel.webview;
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'rankTable.js'));
  webview.html = `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
 body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); background: var(--vscode-editor-background); }
 table { border-collapse: collapse; width: 100%; font-size: var(--vscode-font-size); }
 th, td { padding: 3px 8px; border-bottom: 1px solid var(--vscode-panel-border); text-align: left; white-space: nowrap; }
 th { cursor: pointer; position: sticky; top: 0; background: var(--vscode-editor-background); }
 td.num { text-align: right; font-variant-numeric: tabular-nums; }
 tr:hover, tr:focus { background: var(--vscode-list-hoverBackground); cursor: pointer; outline: none; }
 tr.failed td { color: var(--vscode-errorForeground); }
 button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 4px 10px; margin-right: 6px; cursor: pointer; }
 button:hover { background: var(--vscode-button-hoverBackground); }
 #summary { margin: 8px 0; }
</style></head><body>
<div><button id="export-csv">Export CSV…</button><button id="export-json">Export JSON…</button></div>
<div id="summary">starting…</div>
<table id="table" aria-label="CIF files ranked by Xi"></table>
<script nonce="${nonce}" src="${script}"></script>
</body></html>`;
  const endpoint = new Endpoint<RankTableMethods, RankTableHostMethods>(channelOf(webview));
  const table: RankTable = { endpoint, ready: false };
  // A (re)loaded table gets every row so far at once; later rows come in batches.
  endpoint.handle('ready', () => { table.ready = true; table.onReady?.(); void endpoint.request('setState', state).catch(() => undefined); return null; });
  endpoint.handle('openFile', async ({ file }) => {
    await vscode.window.showTextDocument(vscode.Uri.joinPath(folder, file), { viewColumn: vscode.ViewColumn.Beside, preview: true });
    return null;
  });
  endpoint.handle('exportAs', async ({ format }) => {
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(folder, `ionpath-ranking.${format}`), filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] } });
    if (!target) return { saved: null };
    const content = format === 'csv' ? rowsToCsv(state.rows) : rowsToJson(state.rows, { folder: state.folder, method: state.methodId, description: state.method, complete: state.finished && !state.cancelled });
    await writeFileAtomically(target, content);
    void vscode.window.showInformationMessage(`Saved ${state.rows.length} rows to ${target.fsPath}`);
    return { saved: target.fsPath };
  });
  panel.onDidDispose(() => endpoint.dispose());
  return table;
}
