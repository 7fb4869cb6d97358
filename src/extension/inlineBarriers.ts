/**
 * Inline Ea: when a CIF is opened, edited (debounced) or saved, its landscape is computed in the
 * compute host and shown as an inlay hint on the `data_` line, with the full report in a hover.
 * Results are cached by content hash; closing the document cancels its work.
 *
 * Preview: BVSE takes a second or more (TensorNet-MatPES minutes), the GCN on the interstitial network
 * milliseconds. So when a CIF opens, Ea(GCN-IN) is requested first and shown until the inline method's result
 * replaces it (setting `ionpath.inlineEa.gcnPreview`). The hover says which number is shown, and that GCN-IN
 * is a surrogate of BVSE with the test R² of its model card (models/gcn/MODEL_CARD.md, read at run time).
 * With `ionpath.disorder: approximants` the preview is BVSE's mean field instead (a fraction of a second), shown
 * while the ensemble of ordered approximants computes and refines it.
 */
import * as vscode from 'vscode';
import type { HostClient } from '../compute/host/client';
import { landscapeJobKey, type LandscapeJobResult } from '../compute/analysis/job';
import type { LandscapeReport } from '../compute/analysis/report';
import { barrierHint, HINT_PADDING, reportMarkdown, xiLabel } from '../compute/analysis/format';
import { METHOD_TIME_LIMIT_MS, normaliseOptions, type AnalysisOptions } from '../compute/analysis/options';
import { ProtocolError } from '../protocol/endpoint';
import { config } from './config';
import type { MethodId } from '../compute/energy/source';
import { anchorLine, blockNote, isStructureDocument, STRUCTURE_SELECTOR } from './structureDocuments';

const EDIT_DEBOUNCE_MS = 1200;
/** The longest the inline method waits for the GCN preview to answer first. */
const PREVIEW_HEAD_START_MS = 1000;
/** The longest the inline method waits for the preview at all, host start-up included. */
const PREVIEW_WAIT_CAP_MS = 10_000;
/** The longest the ensemble waits for the mean field it refines, counted from the host's receipt of it. */
const MEAN_FIELD_WAIT_CAP_MS = 60_000;
const SELECTOR: vscode.DocumentSelector = STRUCTURE_SELECTOR; // CIF, POSCAR/CONTCAR, extended XYZ

/** What stands in while the inline method computes: BVSE's mean field before an approximant ensemble, else the GCN. */
type PreviewKind = 'mean-field' | 'gcn';

type Entry =
  | { state: 'running'; progress: number; abort: AbortController; promise: Promise<LandscapeJobResult | null> }
  | { state: 'done'; result: LandscapeJobResult; hostFailure?: boolean };


export class InlineBarriers implements vscode.Disposable, vscode.InlayHintsProvider {
  private readonly byHash = new Map<string, Entry>();
  private readonly docHash = new Map<string, string>();
  /** The GCN preview's job key, by document. */
  private readonly previewHash = new Map<string, string>();
  /** "test R² 0.60 ± 0.08, MAE 0.291 ± 0.030 eV against BVSE …", from the model card. */
  private readonly gcnAccuracy: Promise<string>;
  /** Results of other methods computed on request ("Compute Ξ with TensorNet-MatPES"), by document. */
  private readonly extraHashes = new Map<string, Set<string>>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeInlayHints = this.changed.event;
  private readonly status = vscode.window.createStatusBarItem('ionpath.landscape', vscode.StatusBarAlignment.Right, 99);
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly previewStarted = new Map<string, number>();
  /** Milliseconds from the preview's request to its result (shown in the hover; read by tests). */
  readonly previewMs = new Map<string, number>();
  /** Failures of the analysis that point at a line (a site softBV has no parameters for): shown where they are. */
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('ionpath-landscape');

  constructor(private readonly host: HostClient, gcnModelCard?: vscode.Uri) {
    this.gcnAccuracy = gcnModelCard ? readGcnAccuracy(gcnModelCard) : Promise.resolve(GCN_ACCURACY_UNKNOWN);
    this.status.name = 'ionpath landscape';
    this.subscriptions.push(
      this.changed, this.status, this.diagnostics,
      vscode.languages.registerInlayHintsProvider(SELECTOR, this),
      vscode.languages.registerHoverProvider(SELECTOR, { provideHover: (d, p) => this.hover(d, p) }),
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidSaveTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => { if (e.contentChanges.length) this.schedule(e.document, EDIT_DEBOUNCE_MS); }),
      vscode.workspace.onDidCloseTextDocument((d) => this.cancel(d)),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('ionpath')) { for (const d of vscode.workspace.textDocuments) this.schedule(d, 0); this.changed.fire(); } }),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private enabled(document?: vscode.TextDocument): boolean {
    return config.inlineEnabled(document?.uri);
  }

  /** The result for the document's current text, computing it if needed. Resolves null on cancel. */
  /** `onHostStart`: called when the host has received the request (at once for a result already there or running). */
  resultFor(document: vscode.TextDocument, method?: MethodId, role: 'inline' | 'extra' | 'preview' = method ? 'extra' : 'inline', onHostStart?: () => void): Promise<LandscapeJobResult | null> {
    const text = document.getText();
    const options = role === 'preview' ? this.previewOptions(document) : config.analysisOptions(document.uri, method);
    // The job's own key, the same the host and the ranking cache use.
    const hash = landscapeJobKey(text, options);
    const uri = document.uri.toString();
    if (role === 'preview') {
      const previous = this.previewHash.get(uri);
      if (previous && previous !== hash) this.abortPreview(previous);
      this.previewHash.set(uri, hash);
    } else if (role === 'extra') {
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
    if (hit) { onHostStart?.(); return hit.state === 'done' ? Promise.resolve(hit.result) : hit.promise; }
    if (role === 'preview') this.previewStarted.set(hash, Date.now());

    const abort = new AbortController();
    const entry: Entry = { state: 'running', progress: 0, abort, promise: Promise.resolve(null) };
    this.byHash.set(hash, entry);
    this.showStatus();
    entry.promise = this.host.request('landscape', { text, options, withGrid: false }, {
      signal: abort.signal,
      onStarted: onHostStart,
      timeoutMs: METHOD_TIME_LIMIT_MS[normaliseOptions(options).method],
      onProgress: (p) => { entry.progress = p; this.showStatus(); },
    }).then(({ result }) => {
      this.byHash.set(hash, { state: 'done', result });
      if (role === 'preview') {
        const started = this.previewStarted.get(hash);
        if (started !== undefined && result.ok) this.previewMs.set(hash, Date.now() - started);
      } else if (role === 'inline') this.showDiagnostics(document, result);
      else this.addFailureDiagnostic(document, result); // an extra method's located failure, beside the inline findings
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
    const method = methodName(config.analysisOptions(document.uri).method);
    const preview = this.previewFor(document);
    if (preview && entry?.state !== 'done') {
      // The preview's number until the inline method's arrives; the hint says the other is still computing.
      const pending = this.previewKind(document) === 'mean-field' ? 'approximants' : method;
      const hint = new vscode.InlayHint(end, `${HINT_PADDING}${barrierHint(preview)} · ${pending} ${entry ? `${Math.round(entry.progress * 100)} %` : '…'}`, vscode.InlayHintKind.Type);
      hint.paddingLeft = true;
      return [hint];
    }
    // Before the ensemble starts, the mean field it waits for is what is computing: its progress is shown.
    const meanField = !entry && this.previewKind(document) === 'mean-field' ? this.byHash.get(this.previewHash.get(document.uri.toString()) ?? '') : undefined;
    if (meanField?.state === 'running') label = `Ea(${method}): computing… ${Math.round(meanField.progress * 100)} %`;
    else if (!entry) return [];
    else if (entry.state === 'running') label = `Ea(${method}): computing… ${Math.round(entry.progress * 100)} %`;
    else if (entry.result.ok && entry.result.report) label = barrierHint(entry.result.report);
    else label = `Ea(${method}): not computed (see hover)`;
    // After "Compute Ξ with TensorNet-MatPES" the line shows what was asked for: Ξ. VS Code's length limit
    // (43 characters by default) is for all hints of a line together, so it replaces the inline result, which
    // stays in the hover beside it.
    const xi = this.xiReport(document);
    if (xi) label = `${xiLabel(xi)} ${xi.Xi!.toFixed(2)}`;
    const hint = new vscode.InlayHint(end, `${HINT_PADDING}${label}`, vscode.InlayHintKind.Type);
    hint.paddingLeft = true;
    if (entry?.state === 'done' && entry.result.report) hint.tooltip = new vscode.MarkdownString(reportMarkdown(entry.result.report));
    return [hint];
  }

  /** The TensorNet-MatPES report computed on request for the document's current text, when it has Ξ. */
  private xiReport(document: vscode.TextDocument): LandscapeReport | null {
    if (normaliseOptions(config.analysisOptions(document.uri)).method === 'mlip') return null;
    if (!this.extraHashes.get(document.uri.toString())?.size) return null;
    const e = this.byHash.get(landscapeJobKey(document.getText(), config.analysisOptions(document.uri, 'mlip')));
    const r = e?.state === 'done' ? e.result.report : null;
    return r && r.Xi !== null ? r : null;
  }

  private async hover(document: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    if (pos.line !== anchorLine(document)) return undefined;
    const entry = this.byHash.get(this.docHash.get(document.uri.toString()) ?? '');
    const preview = this.previewFor(document);
    const method = methodName(config.analysisOptions(document.uri).method);
    const meanFieldFirst = this.previewKind(document) === 'mean-field';
    if (preview && entry?.state !== 'done') {
      const ms = this.previewMs.get(this.previewHash.get(document.uri.toString()) ?? '');
      const head = meanFieldFirst
        ? preview.disorder?.treatment === 'mean-field'
          ? `**Shown: ${barrierHint(preview)}**, BVSE's mean field${ms !== undefined ? ` (${ms} ms)` : ''}. The ensemble of ordered approximants (\`ionpath.disorder: approximants\`) is computing and replaces it when it arrives.`
          : `**Shown: ${barrierHint(preview)}**, BVSE${ms !== undefined ? ` (${ms} ms)` : ''}. No framework site is partially occupied, so the ensemble (\`ionpath.disorder: approximants\`), computing now, will give the same.`
        : `**Shown: ${barrierHint(preview)}**, the GCN on the interstitial network${ms !== undefined ? ` (${ms} ms)` : ''}: a fast surrogate of BVSE, trained on BVSE barriers, not on experiment; ${await this.gcnAccuracy}. Ea(${method}) is computing and replaces it when it arrives.`;
      return new vscode.Hover([new vscode.MarkdownString(head), new vscode.MarkdownString(reportMarkdown(preview))]);
    }
    if (!entry || entry.state !== 'done') return undefined;
    // Bad options come from the user's settings here (the CLI's come from its flags): say where to look.
    const fromSettings = entry.result.failure?.code === 'bad-option' ? ' (from the `ionpath.*` settings: see Settings → Extensions → ionpath)' : '';
    let md = entry.result.report ? reportMarkdown(entry.result.report) : `**Ea(${method}) not computed**: ${entry.result.error}${fromSettings}`;
    const xi = this.xiReport(document);
    if (xi) {
      // The line shows Ξ (computed on request): its report first, then the inline method's.
      const shown = `**Shown: ${xiLabel(xi)} ${xi.Xi!.toFixed(2)}**, computed on request ("Compute Ξ with TensorNet-MatPES"); the inline ${method} result follows it.`;
      return new vscode.Hover([new vscode.MarkdownString(shown), new vscode.MarkdownString(reportMarkdown(xi)), new vscode.MarkdownString(md)]);
    }
    if (preview) {
      const was = meanFieldFirst ? "BVSE's mean field, shown while the ensemble computed" : `GCN-IN, a surrogate of BVSE; ${await this.gcnAccuracy}`;
      md = `**Shown: ${entry.result.report ? barrierHint(entry.result.report) : `Ea(${method}) (not computed)`}.** Before it arrived the hint showed ${barrierHint(preview)} (${was}).\n\n${md}`;
    }
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

  /**
   * The inline result's own findings at their rows: a failure that names a line, or what the computation decided
   * (an ordering's rounded occupancies, the mean field's opened sites). Problems of the file itself are already the
   * language diagnostics.
   */
  private showDiagnostics(document: vscode.TextDocument, result: LandscapeJobResult): void {
    const failure = this.failureDiagnostic(document, result);
    const out = failure ? [failure] : [];
    for (const m of result.ok ? result.computedMessages ?? [] : []) {
      if (!m.at || m.at.line >= document.lineCount) continue;
      const start = new vscode.Position(m.at.line, m.at.column);
      const d = new vscode.Diagnostic(new vscode.Range(start, start.translate(0, Math.max(1, m.at.length))), m.message, m.severity === 'info' ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Warning);
      d.source = 'ionpath landscape';
      d.code = m.code;
      out.push(d);
    }
    if (out.length) this.diagnostics.set(document.uri, out);
    else this.diagnostics.delete(document.uri);
  }

  private addFailureDiagnostic(document: vscode.TextDocument, result: LandscapeJobResult): void {
    const failure = this.failureDiagnostic(document, result);
    if (failure) this.diagnostics.set(document.uri, [...(this.diagnostics.get(document.uri) ?? []), failure]);
  }

  /** A method failure that names a line (a site softBV has no parameters for), or null. */
  private failureDiagnostic(document: vscode.TextDocument, result: LandscapeJobResult): vscode.Diagnostic | null {
    const at = result.failure?.at;
    if (result.ok || result.failure?.stage !== 'method' || !at?.line || at.line > document.lineCount) return null;
    const d = new vscode.Diagnostic(document.lineAt(at.line - 1).range, `${result.error}`, vscode.DiagnosticSeverity.Warning);
    d.source = 'ionpath landscape';
    d.code = result.failure.code;
    return d;
  }

  /** Recompute a document's inline result now (e.g. after another data block was chosen). */
  refresh(document: vscode.TextDocument): void {
    this.schedule(document, 0);
  }

  private schedule(document: vscode.TextDocument, delay: number): void {
    if (!isStructureDocument(document) || !this.enabled(document) || document.uri.scheme === 'git') return;
    const uri = document.uri.toString();
    clearTimeout(this.timers.get(uri));
    this.timers.set(uri, setTimeout(() => {
      this.timers.delete(uri);
      // The preview first. The host interleaves its jobs, so the GCN's head start is short: the inline method
      // starts when the GCN has answered (milliseconds; the first call also loads the model), or
      // PREVIEW_HEAD_START_MS after the host received the preview (the head start does not count the host's own
      // start-up, which can take longer on a busy machine), and never later than PREVIEW_WAIT_CAP_MS.
      // The mean field is a fraction of the ensemble's own work, so the ensemble waits for it: run side by side on
      // a busy host, the two could finish in either order and the mean field would never be seen.
      const startInline = () => { if (!document.isClosed) void this.resultFor(document); };
      const kind = this.previewKind(document);
      if (!kind) { startInline(); return; }
      let received: () => void = () => {};
      const hostReceived = new Promise<void>((r) => { received = r; });
      const preview = this.resultFor(document, undefined, 'preview', () => received());
      const waits = kind === 'mean-field'
        ? [preview, hostReceived.then(() => new Promise((r) => setTimeout(r, MEAN_FIELD_WAIT_CAP_MS)))]
        : [preview, hostReceived.then(() => new Promise((r) => setTimeout(r, PREVIEW_HEAD_START_MS))), new Promise((r) => setTimeout(r, PREVIEW_WAIT_CAP_MS))];
      void Promise.race(waits).then(startInline, startInline);
    }, delay));
  }

  private cancel(document: vscode.TextDocument): void {
    const uri = document.uri.toString();
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    const hash = this.docHash.get(uri);
    this.docHash.delete(uri);
    this.diagnostics.delete(document.uri);
    if (hash) this.abortIfUnused(hash, uri);
    const preview = this.previewHash.get(uri);
    this.previewHash.delete(uri);
    if (preview) this.abortPreview(preview);
  }

  /** The GCN preview's report for the document's current text, when it is done and the preview applies. */
  private previewFor(document: vscode.TextDocument): LandscapeReport | null {
    if (!this.previewApplies(document)) return null;
    const e = this.byHash.get(this.previewHash.get(document.uri.toString()) ?? '');
    return e?.state === 'done' && e.result.ok && e.result.report ? e.result.report : null;
  }

  private previewApplies(document: vscode.TextDocument): boolean {
    return this.previewKind(document) !== null;
  }

  private previewKind(document: vscode.TextDocument): PreviewKind | null {
    const o = normaliseOptions(config.analysisOptions(document.uri));
    // The ensemble refines the mean field, which BVSE computes in a fraction of a second: shown first, always.
    if (o.method === 'bvse' && o.disorder === 'approximants') return 'mean-field';
    return config.gcnPreviewEnabled(document.uri) && o.method !== 'gcn' ? 'gcn' : null;
  }

  private previewOptions(document: vscode.TextDocument): AnalysisOptions {
    if (this.previewKind(document) === 'mean-field') return { ...config.analysisOptions(document.uri), disorder: 'mean-field' };
    // The GCN preview is only worth it where it is fast: not on a structure the GCN would first have to order.
    return { ...config.analysisOptions(document.uri, 'gcn'), orderedOnly: true };
  }

  private abortPreview(hash: string): void {
    const entry = this.byHash.get(hash);
    if (entry?.state !== 'running') return;
    for (const h of this.previewHash.values()) if (h === hash) return;
    entry.abort.abort();
    this.byHash.delete(hash);
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

const GCN_ACCURACY_UNKNOWN = 'its test error against BVSE is in models/gcn/MODEL_CARD.md';

/** The shipped GCN-IN row of the model card's results table: "| **GCN-IN v2** (…) | **R²** | **MAE (eV)** | …" (bold = shipped). */
async function readGcnAccuracy(card: vscode.Uri): Promise<string> {
  try {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(card));
    const m = /^\|\s*\*\*GCN-IN[^*|]*\*\*[^|]*\|\s*\**([^|*]+?)\**\s*\|\s*\**([^|*]+?)\**\s*\|/m.exec(text);
    if (!m) return GCN_ACCURACY_UNKNOWN;
    return `measured test R² ${m[1].trim()}, MAE ${m[2].trim()} eV against BVSE on held-out random splits (models/gcn/MODEL_CARD.md)`;
  } catch {
    return GCN_ACCURACY_UNKNOWN;
  }
}

/** The method's label before a result exists (afterwards the report's own source names it). */
function methodName(method: string | undefined): string {
  return method === 'mlip' ? 'TensorNet-MatPES' : method === 'gcn' ? 'GCN-IN' : 'BVSE';
}
