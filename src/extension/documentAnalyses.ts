/**
 * One analysis per CIF document version, computed in the compute host. Providers await it; edits are
 * debounced before diagnostics are refreshed; closing a document drops its entry.
 */
import * as vscode from 'vscode';
import type { DocumentAnalysis } from '../compute/language/types';
import type { HostClient } from '../compute/host/client';
import { config } from './config';
import { formatOf, isStructureDocument, structureInput } from './structureDocuments';

const DEBOUNCE_MS = 250;

export class DocumentAnalyses implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; block: string | undefined; result: Promise<DocumentAnalysis>; abort: AbortController }>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('ionpath');
  private readonly changed = new vscode.EventEmitter<{ uri: vscode.Uri; analysis: DocumentAnalysis }>();
  readonly onDidAnalyze = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly host: HostClient) {
    this.subscriptions.push(
      this.diagnostics,
      this.changed,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DEBOUNCE_MS)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('ionpath.cif.languageFeatures')) return;
        for (const [key, entry] of this.cache) void entry.result.then((a) => { if (this.cache.get(key) === entry) this.publish(vscode.Uri.parse(key), a); }, () => undefined);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  /** The analysis of the document's current version (computed once per version). */
  get(document: vscode.TextDocument): Promise<DocumentAnalysis> {
    const key = document.uri.toString();
    const hit = this.cache.get(key);
    const block = structureInput(document.uri).block;
    if (hit && hit.version === document.version && hit.block === block) return hit.result;
    hit?.abort.abort();
    const abort = new AbortController();
    const result = this.host.request('analyzeDocument', { text: document.getText(), format: formatOf(document.uri), ...(block ? { block } : {}) }, { signal: abort.signal });
    const entry = { version: document.version, block, result, abort };
    this.cache.set(key, entry);
    result.then((analysis) => {
      if (this.cache.get(key) !== entry) return;
      this.publish(document.uri, analysis);
      this.changed.fire({ uri: document.uri, analysis });
    }, () => { if (this.cache.get(key) === entry) this.cache.delete(key); });
    return result;
  }

  private schedule(document: vscode.TextDocument, delay: number): void {
    if (!isStructureDocument(document)) return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => { this.timers.delete(key); void this.get(document).catch(() => undefined); }, delay));
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.cache.get(key)?.abort.abort();
    this.cache.delete(key);
    this.diagnostics.delete(uri);
  }

  private publish(uri: vscode.Uri, analysis: DocumentAnalysis): void {
    // Syntax errors are the other CIF extension's when ionpath's generic CIF features are off; the structure's
    // own problems (symmetry, occupancy, oxidation states: what the computation reads) always stay.
    const generic = config.cifLanguageFeatures(uri);
    this.diagnostics.set(uri, analysis.diagnostics.filter((d) => generic || d.code !== 'syntax-error').map((d) => {
      const diag = new vscode.Diagnostic(
        new vscode.Range(d.range.startLine, d.range.startColumn, d.range.endLine, d.range.endColumn),
        d.message,
        d.severity === 'error' ? vscode.DiagnosticSeverity.Error : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information,
      );
      diag.code = d.code;
      diag.source = 'ionpath';
      return diag;
    }));
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const e of this.cache.values()) e.abort.abort();
    for (const s of this.subscriptions) s.dispose();
  }
}
