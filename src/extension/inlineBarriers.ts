/**
 * Inline Ea: when a CIF is opened, edited (debounced) or saved, its landscape is computed in the
 * compute host and shown as an inlay hint on the `data_` line, with the full report in a hover.
 * Results are cached by content hash; closing the document cancels its work.
 */
import * as vscode from 'vscode';
import type { HostClient } from '../compute/host/client';
import { landscapeJobKey, type LandscapeJobResult } from '../compute/analysis/job';
import { barrierHint, reportMarkdown } from '../compute/analysis/format';
import { METHOD_TIME_LIMIT_MS, normaliseOptions } from '../compute/analysis/options';
import { ProtocolError } from '../protocol/endpoint';
import { config } from './config';
import type { MethodId } from '../compute/energy/source';
import { anchorLine, blockNote, isStructureDocument, STRUCTURE_SELECTOR } from './structureDocuments';

const EDIT_DEBOUNCE_MS = 1200;
const SELECTOR: vscode.DocumentSelector = STRUCTURE_SELECTOR; // CIF, POSCAR/CONTCAR, extended XYZ

type Entry =
  | { state: 'running'; progress: number; abort: AbortController; promise: Promise<LandscapeJobResult | null> }
  | { state: 'done'; result: LandscapeJobResult; hostFailure?: boolean };


export class InlineBarriers implements vscode.Disposable, vscode.InlayHintsProvider {
  private readonly byHash = new Map<string, Entry>();
  private readonly docHash = new Map<string, string>();
  /** Results of other methods computed on request ("Compute Ξ with TensorNet-MatPES"), by document. */
  private readonly extraHashes = new Map<string, Set<string>>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeInlayHints = this.changed.event;
  private readonly status = vscode.window.createStatusBarItem('ionpath.landscape', vscode.StatusBarAlignment.Left, 9);
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Failures of the analysis that point at a line (a site softBV has no parameters for): shown where they are. */
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('ionpath-landscape');

  constructor(private readonly host: HostClient) {
    this.status.name = 'ionpath landscape';
    this.subscriptions.push(
      this.changed, this.status, this.diagnostics,
      vscode.languages.registerInlayHintsProvider(SELECTOR, this),
      vscode.languages.registerHoverProvider(SELECTOR, { provideHover: (d, p) => this.hover(d, p) }),
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidSaveTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => { if (e.contentChanges.length) this.schedule(e.document, EDIT_DEBOUNCE_MS); }),
      vscode.workspace.onDidCloseTextDocument((d) => this.cancel(d)),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('ionpath')) { for (const d of vscode.workspace.textDocuments) this.schedule(d, 0); } }),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private enabled(document?: vscode.TextDocument): boolean {
    return config.inlineEnabled(document?.uri);
  }

  /** The result for the document's current text, computing it if needed. Resolves null on cancel. */
  resultFor(document: vscode.TextDocument, method?: MethodId): Promise<LandscapeJobResult | null> {
    const text = document.getText();
    const options = config.analysisOptions(document.uri, method);
    // The job's own key, the same the host and the ranking cache use.
    const hash = landscapeJobKey(text, options);
    const uri = document.uri.toString();
    if (method) {
      // An extra method asked for by command: kept beside the inline one, shown in the hover.
      const extras = this.extraHashes.get(uri) ?? new Set<string>();
      extras.add(hash);
      this.extraHashes.set(uri, extras);
    } else {
      const previous = this.docHash.get(uri);
      if (previous && previous !== hash) this.abortIfUnused(previous, uri);
      this.docHash.set(uri, hash);
    }
    const hit = this.byHash.get(hash);
    if (hit) return hit.state === 'done' ? Promise.resolve(hit.result) : hit.promise;

    const abort = new AbortController();
    const entry: Entry = { state: 'running', progress: 0, abort, promise: Promise.resolve(null) };
    this.byHash.set(hash, entry);
    this.showStatus();
    entry.promise = this.host.request('landscape', { text, options, withGrid: false }, {
      signal: abort.signal,
      timeoutMs: METHOD_TIME_LIMIT_MS[normaliseOptions(options).method],
      onProgress: (p) => { entry.progress = p; this.showStatus(); },
    }).then(({ result }) => {
      this.byHash.set(hash, { state: 'done', result });
      this.showFailure(document, result);
      return result;
    }, (e) => {
      this.byHash.delete(hash);
      if (e instanceof ProtocolError && e.code === 'cancelled') return null;
      // A host failure is itself a result to show, not a silent gap.
      const message = e instanceof Error ? e.message : String(e);
      const result: LandscapeJobResult = { ok: false, key: hash, formula: null, report: null, messages: [], error: message, failure: { code: e instanceof ProtocolError ? e.code : 'failed', message } };
      this.byHash.set(hash, { state: 'done', result, hostFailure: true });
      return result;
    }).finally(() => { this.showStatus(); this.changed.fire(); });
    this.changed.fire();
    return entry.promise;
  }

  provideInlayHints(document: vscode.TextDocument, range: vscode.Range): vscode.InlayHint[] {
    if (!this.enabled(document)) return [];
    const line = anchorLine(document);
    if (line < 0 || !range.contains(new vscode.Position(line, 0))) return [];
    const entry = this.byHash.get(this.docHash.get(document.uri.toString()) ?? '');
    const end = document.lineAt(line).range.end;
    let label: string;
    if (!entry) return [];
    const method = methodName(config.analysisOptions(document.uri).method);
    if (entry.state === 'running') label = `Ea(${method}): computing… ${Math.round(entry.progress * 100)} %`;
    else if (entry.result.ok && entry.result.report) label = barrierHint(entry.result.report);
    else label = `Ea(${method}): not computed (see hover)`;
    const hint = new vscode.InlayHint(end, `  ${label}`, vscode.InlayHintKind.Type);
    hint.paddingLeft = true;
    if (entry.state === 'done' && entry.result.report) hint.tooltip = new vscode.MarkdownString(reportMarkdown(entry.result.report));
    return [hint];
  }

  private hover(document: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    if (pos.line !== anchorLine(document)) return undefined;
    const entry = this.byHash.get(this.docHash.get(document.uri.toString()) ?? '');
    if (!entry || entry.state !== 'done') return undefined;
    const md = entry.result.report ? reportMarkdown(entry.result.report) : `**Ea(${methodName(config.analysisOptions(document.uri).method)}) not computed**: ${entry.result.error}`;
    // Other methods computed for this document, each under its own label.
    const extras = [...(this.extraHashes.get(document.uri.toString()) ?? [])]
      .map((h) => this.byHash.get(h))
      .filter((e): e is Extract<Entry, { state: 'done' }> => e?.state === 'done' && e.result.report !== null && e !== entry)
      .map((e) => reportMarkdown(e.result.report!));
    const block = blockNote(document);
    return new vscode.Hover([...(block ? [new vscode.MarkdownString(block)] : []), new vscode.MarkdownString(md), ...extras.map((x) => new vscode.MarkdownString(x))]);
  }

  /** Cancel an extra method's computation for a document. */
  cancelExtra(document: vscode.TextDocument, method: MethodId): void {
    const hash = landscapeJobKey(document.getText(), config.analysisOptions(document.uri, method));
    const entry = this.byHash.get(hash);
    if (entry?.state === 'running') { entry.abort.abort(); this.byHash.delete(hash); }
  }

  /** Forget failures that came from the host itself (crash, time-out), e.g. after "Restart Compute Host". */
  clearHostFailures(): void {
    for (const [h, e] of this.byHash) if (e.state === 'done' && e.hostFailure) this.byHash.delete(h);
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private showFailure(document: vscode.TextDocument, result: LandscapeJobResult): void {
    const at = result.failure?.at;
    // Only the computation's own failures: problems of the file itself are already the language diagnostics.
    if (result.ok || result.failure?.stage !== 'method' || !at?.line || at.line > document.lineCount) { this.diagnostics.delete(document.uri); return; }
    const line = document.lineAt(at.line - 1);
    const d = new vscode.Diagnostic(line.range, `${result.error}`, vscode.DiagnosticSeverity.Warning);
    d.source = 'ionpath landscape';
    d.code = result.failure!.code;
    this.diagnostics.set(document.uri, [d]);
  }

  /** Recompute a document's inline result now (e.g. after another data block was chosen). */
  refresh(document: vscode.TextDocument): void {
    this.schedule(document, 0);
  }

  private schedule(document: vscode.TextDocument, delay: number): void {
    if (!isStructureDocument(document) || !this.enabled(document) || document.uri.scheme === 'git') return;
    const uri = document.uri.toString();
    clearTimeout(this.timers.get(uri));
    this.timers.set(uri, setTimeout(() => { this.timers.delete(uri); void this.resultFor(document); }, delay));
  }

  private cancel(document: vscode.TextDocument): void {
    const uri = document.uri.toString();
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    const hash = this.docHash.get(uri);
    this.docHash.delete(uri);
    this.diagnostics.delete(document.uri);
    if (hash) this.abortIfUnused(hash, uri);
  }

  /** Cancel a running computation that no other open document is waiting for. */
  private abortIfUnused(hash: string, exceptUri: string): void {
    const entry = this.byHash.get(hash);
    if (entry?.state !== 'running') return;
    for (const [u, h] of this.docHash) if (h === hash && u !== exceptUri) return;
    entry.abort.abort();
    this.byHash.delete(hash);
  }

  private showStatus(): void {
    const running = [...this.byHash.values()].filter((e): e is Extract<Entry, { state: 'running' }> => e.state === 'running');
    if (!running.length) { this.status.hide(); return; }
    const p = Math.round((running.reduce((s, e) => s + e.progress, 0) / running.length) * 100);
    this.status.text = `$(sync~spin) ionpath ${running.length > 1 ? `${running.length} files ` : ''}${p} %`;
    this.status.tooltip = 'ionpath is computing transport landscapes in the background';
    this.status.show();
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const e of this.byHash.values()) if (e.state === 'running') e.abort.abort();
    for (const s of this.subscriptions) s.dispose();
  }
}

/** The method's label before a result exists (afterwards the report's own source names it). */
function methodName(method: string | undefined): string {
  return method === 'mlip' ? 'TensorNet-MatPES' : method === 'gcn' ? 'GCN-IN' : 'BVSE';
}
