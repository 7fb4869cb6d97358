/**
 * "Show transport landscape": a webview beside the CIF with the structure, the BVSE isosurface and
 * the migration path (webview/). One panel per file; it follows edits (debounced) and saves, shows
 * progress while the host computes, survives a reload (serializer), saves images and exports grids.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { renderWebviewHtml } from '../../webview/html';
import type { HostClient } from '../compute/host/client';
import { writeFileAtomically } from './workspaceFiles';
import { Endpoint, ProtocolError } from '../protocol/endpoint';
import { channelOf } from '../protocol/channel';
import type { ExtensionMethodsFromWebview, ExtensionNotificationsFromWebview, SceneExportKind, SceneRendered, WebviewMethods, WebviewNotifications } from '../protocol/scene';
import { config } from './config';
import { anchorLine, STRUCTURE_SELECTOR } from './structureDocuments';
import { ScanEstimates } from './scanEstimate';

/** The "Compute Ξ" lens: its title (with the time estimate) is filled in when VS Code resolves it. */
class ComputeXiLens extends vscode.CodeLens {
  constructor(range: vscode.Range, readonly document: vscode.TextDocument) { super(range); }
}

const VIEW_TYPE = 'ionpath.landscape';
const EDIT_DEBOUNCE_MS = 800;

type ViewEndpoint = Endpoint<WebviewMethods, ExtensionMethodsFromWebview, WebviewNotifications, ExtensionNotificationsFromWebview>;

export class LandscapePanel {
  private readonly endpoint: ViewEndpoint;
  private ready = false;
  private abort: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** What the view last reported drawing (tests read it through the extension API). */
  lastRendered: SceneRendered | undefined;
  private readonly renderedWaiters: ((r: SceneRendered) => void)[] = [];

  constructor(readonly panel: vscode.WebviewPanel, readonly documentUri: vscode.Uri, private readonly host: HostClient, context: vscode.ExtensionContext, private readonly onDispose: () => void) {
    const dist = vscode.Uri.joinPath(context.extensionUri, 'dist');
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    panel.webview.html = renderWebviewHtml({
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      workerUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'isosurface.worker.js')).toString(),
      cspSource: panel.webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      title: `Transport landscape: ${documentUri.path.split('/').pop()}`,
      documentUri: documentUri.toString(),
    });
    this.endpoint = new Endpoint(channelOf(panel.webview));
    this.endpoint.handle('ready', () => { this.ready = true; void this.refresh(); });
    this.endpoint.handle('saveImage', ({ pngBase64, suggestedName }) => this.saveImage(pngBase64, suggestedName));
    this.endpoint.handle('exportGrid', ({ format }) => this.exportGrid(format));
    this.endpoint.handle('exportData', ({ kind, ordering, images }) => this.exportData(kind, { ordering, images }));
    this.endpoint.onNotification('rendered', (r) => { this.lastRendered = r; for (const w of this.renderedWaiters.splice(0)) w(r); });
    this.endpoint.onNotification('viewError', ({ message }) => console.warn(`ionpath view: ${message}`));
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidChangeTextDocument((e) => { if (e.document.uri.toString() === documentUri.toString() && e.contentChanges.length) this.schedule(); }),
      vscode.workspace.onDidSaveTextDocument((d) => { if (d.uri.toString() === documentUri.toString()) this.schedule(0); }),
    );
  }

  /** Resolves with the next `rendered` report of the view (for tests and scripted use). */
  nextRendered(): Promise<SceneRendered> {
    return new Promise((r) => this.renderedWaiters.push(r));
  }

  private schedule(delay = EDIT_DEBOUNCE_MS): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  /** Recompute the scene for the document's current text and send it to the view. */
  async refresh(): Promise<void> {
    if (!this.ready) return;
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    let text: string;
    try {
      text = (await vscode.workspace.openTextDocument(this.documentUri)).getText();
    } catch (e) {
      await this.endpoint.request('setStatus', { state: 'error', message: `Cannot read ${this.documentUri.fsPath}: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    await this.endpoint.request('setStatus', { state: 'computing', message: `Computing the ${methodTitle(config.analysisOptions(this.documentUri).method)} landscape…` });
    try {
      const scene = await this.host.request('scene', { text, options: config.analysisOptions(this.documentUri), network: false }, {
        signal: abort.signal,
        onProgress: (p) => void this.endpoint.request('setStatus', { state: 'computing', message: `Computing the ${methodTitle(config.analysisOptions(this.documentUri).method)} landscape… ${Math.round(p * 100)} %` }).catch(() => undefined),
      });
      if (abort.signal.aborted) return;
      if (!scene.structure) {
        const first = scene.messages.find((m) => m.severity === 'error');
        await this.endpoint.request('setStatus', { state: 'error', message: `The structure could not be built: ${first?.message ?? 'see the Problems panel'}${first?.at ? ` (line ${first.at.line + 1})` : ''}` });
        return;
      }
      await this.endpoint.request('setScene', { structure: scene.structure, landscape: scene.landscape, path: scene.path, source: scene.source, network: null, ensemble: scene.ensemble ?? null });
      const problem = scene.result && !scene.result.ok ? `No landscape: ${scene.result.error}` : null;
      await this.endpoint.request('setStatus', problem ? { state: 'error', message: problem } : { state: 'ready', message: scene.result?.report?.warnings.join(' ') ?? '' });
      // The interstitial network after the first picture (it can cost as much as the BVSE grid): same cached analysis.
      if (scene.landscape || scene.result?.ok) {
        const { network } = await this.host.request('sceneNetwork', { text, options: config.analysisOptions(this.documentUri) }, { signal: abort.signal });
        if (!abort.signal.aborted && network) await this.endpoint.request('setScene', { network });
      }
    } catch (e) {
      if (e instanceof ProtocolError && e.code === 'cancelled') return;
      await this.endpoint.request('setStatus', { state: 'error', message: e instanceof Error ? e.message : String(e) }).catch(() => undefined);
    }
  }

  /** Writes the view's PNG where the user chooses (`target` skips the dialog: tests, scripted use). */
  async saveImage(pngBase64: string, suggestedName?: string, target?: vscode.Uri): Promise<{ path: string | null }> {
    const base = this.documentUri.path.split('/').pop()?.replace(/\.m?cif$/i, '') ?? 'ionpath';
    target ??= await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(this.documentUri, '..', suggestedName ?? `${base}-landscape.png`), filters: { PNG: ['png'] } });
    if (!target || this.refusesTarget(target)) return { path: null };
    await writeFileAtomically(target, Buffer.from(pngBase64, 'base64'));
    return { path: target.fsPath };
  }

  /** Writes the landscape as .cube or VESTA .grd where the user chooses (`target` skips the dialog). */
  async exportGrid(format: 'cube' | 'grd', target?: vscode.Uri): Promise<{ path: string | null }> {
    const base = this.documentUri.path.split('/').pop()?.replace(/\.m?cif$/i, '') ?? 'ionpath';
    target ??= await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(this.documentUri, '..', `${base}-${config.analysisOptions(this.documentUri).method ?? 'bvse'}.${format}`), filters: format === 'cube' ? { 'Gaussian cube': ['cube'] } : { 'VESTA grid': ['grd'] } });
    if (!target || this.refusesTarget(target)) return { path: null };
    const text = (await vscode.workspace.openTextDocument(this.documentUri)).getText();
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ionpath: writing ${format}` }, () => this.host.request('exportLandscape', { text, options: config.analysisOptions(this.documentUri), format }));
    if (!r.ok || r.content === null) { void vscode.window.showErrorMessage(`Export failed: ${r.error}`); return { path: null }; }
    await writeFileAtomically(target, r.content);
    return { path: target.fsPath };
  }

  /**
   * Writes an export of the analysis (analysis/exports.ts, the same as `ionpath analyze --ordered-cif …`) where the
   * user chooses; the NEB chain is a folder of 00 … NN. `target` skips the dialog (tests, scripted use).
   */
  async exportData(kind: SceneExportKind, o: { ordering?: number; images?: number } = {}, target?: vscode.Uri): Promise<{ path: string | null }> {
    const base = this.documentUri.path.split('/').pop()?.replace(/\.[^.]+$/, '') ?? 'ionpath';
    const suffix = o.ordering !== undefined ? `-ordering${o.ordering + 1}` : '';
    const choice: Record<SceneExportKind, [string, Record<string, string[]>]> = {
      'structure-cif': [`${base}${suffix}-ordered.cif`, { CIF: ['cif'] }],
      'structure-poscar': [`${base}${suffix}-POSCAR.vasp`, { POSCAR: ['vasp', ''] }],
      neb: [`${base}${suffix}-neb`, {}],
      'profile-csv': [`${base}${suffix}-profile.csv`, { CSV: ['csv'] }],
      'report-json': [`${base}-report.json`, { JSON: ['json'] }],
    };
    const [name, filters] = choice[kind];
    target ??= await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(this.documentUri, '..', name), filters: Object.keys(filters).length ? filters : undefined, saveLabel: kind === 'neb' ? 'Create NEB folder' : undefined });
    if (!target || this.refusesTarget(target)) return { path: null };
    const text = (await vscode.workspace.openTextDocument(this.documentUri)).getText();
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ionpath: writing ${kind}` }, () => this.host.request('exportAnalysis', { text, options: config.analysisOptions(this.documentUri), kind, ...o }));
    if (!r.ok) { void vscode.window.showErrorMessage(`Export failed: ${r.error}`); return { path: null }; }
    if (kind === 'neb') {
      for (const f of r.files) {
        const uri = vscode.Uri.joinPath(target, f.name);
        await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
        await writeFileAtomically(uri, f.content);
      }
    } else await writeFileAtomically(target, r.files[0].content);
    return { path: target.fsPath };
  }

  /** The structure shown is never written over (a save dialog pointed at it by mistake): said, and nothing written. */
  private refusesTarget(target: vscode.Uri): boolean {
    if (target.toString() !== this.documentUri.toString()) return false;
    void vscode.window.showErrorMessage(`ionpath: ${target.fsPath} is the structure shown; ionpath never writes over its inputs. Choose another name.`);
    return true;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.abort?.abort();
    this.endpoint.dispose();
    for (const d of this.disposables) d.dispose();
    this.onDispose();
  }
}

/** Panels by document; the command, the CodeLens and the serializer. */
export class LandscapePanels implements vscode.Disposable {
  private readonly panels = new Map<string, LandscapePanel>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Time estimates of TensorNet-MatPES scans (the CodeLens and the command's progress). */
  readonly estimates: ScanEstimates;

  constructor(private readonly context: vscode.ExtensionContext, private readonly host: HostClient) {
    this.estimates = new ScanEstimates(host);
    const lensesChanged = new vscode.EventEmitter<void>(); // the switch applies without an edit
    this.subscriptions.push(
      vscode.commands.registerCommand('ionpath.showLandscape', (uri?: vscode.Uri) => this.show(uri ?? vscode.window.activeTextEditor?.document.uri)),
      lensesChanged,
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('ionpath.codeLens.enabled')) lensesChanged.fire(); }),
      vscode.languages.registerCodeLensProvider(STRUCTURE_SELECTOR, {
        onDidChangeCodeLenses: lensesChanged.event,
        provideCodeLenses: (doc) => {
          if (!config.codeLensEnabled(doc.uri)) return [];
          const line = anchorLine(doc); // the data_ line of the analysed block; line 1 of a POSCAR/XYZ
          if (line < 0) return [];
          const at = new vscode.Range(line, 0, line, 0);
          return [
            new vscode.CodeLens(at, { title: 'Show transport landscape', command: 'ionpath.showLandscape', arguments: [doc.uri] }),
            new ComputeXiLens(at, doc),
          ];
        },
        resolveCodeLens: async (lens) => {
          if (!(lens instanceof ComputeXiLens)) return lens;
          const estimate = await this.estimates.describe(lens.document);
          lens.command = { title: `Compute Ξ with TensorNet-MatPES (${estimate})`, command: 'ionpath.computeXi', arguments: [lens.document.uri] };
          return lens;
        },
      }),
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: { documentUri?: string } | undefined) => {
          if (!state?.documentUri) { panel.dispose(); return; }
          this.adopt(panel, vscode.Uri.parse(state.documentUri));
        },
      }),
    );
  }

  get(uri: vscode.Uri): LandscapePanel | undefined {
    return this.panels.get(uri.toString());
  }

  show(uri: vscode.Uri | undefined): LandscapePanel | undefined {
    if (!uri) { void vscode.window.showInformationMessage('Open a CIF file first.'); return undefined; }
    const existing = this.panels.get(uri.toString());
    if (existing) { existing.panel.reveal(vscode.ViewColumn.Beside); return existing; }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, `Landscape: ${uri.path.split('/').pop()}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, retainContextWhenHidden: true });
    return this.adopt(panel, uri);
  }

  private adopt(panel: vscode.WebviewPanel, uri: vscode.Uri): LandscapePanel {
    const p = new LandscapePanel(panel, uri, this.host, this.context, () => this.panels.delete(uri.toString()));
    this.panels.set(uri.toString(), p);
    return p;
  }

  dispose(): void {
    for (const p of this.panels.values()) p.panel.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

const methodTitle = (m: string | undefined) => (m === 'mlip' ? 'TensorNet-MatPES' : m === 'gcn' ? 'GCN-IN' : 'BVSE');
