/**
 * ionpath's activation: registers providers, commands and the status bar, and returns at once.
 * All computation happens in the compute host (src/compute, a worker thread) started on first use.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { summaryText } from '../compute/structure/summary';
import { barrierHint } from '../compute/analysis/format';
import { HostClient } from '../compute/host/client';
import { DocumentAnalyses } from './documentAnalyses';
import { registerLanguageFeatures } from './languageFeatures';
import { InlineBarriers } from './inlineBarriers';
import { registerRankFolder } from './rankFolderCommand';
import { registerSlurmCommand } from './slurmCommand';
import { LandscapePanels } from './landscapePanel';
import { formatOf, isStructureDocument, registerDataBlockChoice, structureInput } from './structureDocuments';
import { config } from './config';

/** What the extension exports: used by the integration tests and by other extensions. */
export interface IonpathApi {
  host: HostClient;
  analyses: DocumentAnalyses;
  barriers: InlineBarriers;
  panels: LandscapePanels;
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): IonpathApi {
  const t0 = Date.now();
  const output = vscode.window.createOutputChannel('ionpath');
  const onProblem = (message: string) => { output.appendLine(message); void vscode.window.showWarningMessage(message); };
  const host = new HostClient(join(context.extensionPath, 'dist', 'worker.js'), { onProblem });
  const analyses = new DocumentAnalyses(host);
  const barriers = new InlineBarriers(host, vscode.Uri.joinPath(context.extensionUri, 'models', 'gcn', 'MODEL_CARD.md'));
  const panels = new LandscapePanels(context, host);
  const status = vscode.window.createStatusBarItem('ionpath.structure', vscode.StatusBarAlignment.Right, 100);
  status.name = 'ionpath structure';
  status.command = 'ionpath.showStructureInfo';

  const updateStatus = async () => {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !isStructureDocument(doc)) { status.hide(); return; }
    status.text = '$(sync~spin) ionpath';
    status.show();
    try {
      const a = await analyses.get(doc);
      if (vscode.window.activeTextEditor?.document !== doc) return;
      status.text = a.summary ? `$(beaker) ${a.summary.split(' (')[0]}` : '$(error) ionpath: no structure';
      status.tooltip = a.summary ?? 'The structure could not be built: see the Problems panel';
    } catch (e) {
      status.text = '$(error) ionpath';
      status.tooltip = e instanceof Error ? e.message : String(e);
    }
  };

  context.subscriptions.push(
    output, status, analyses, barriers, panels, { dispose: () => host.dispose() },
    ...registerLanguageFeatures(analyses),
    vscode.window.onDidChangeActiveTextEditor(() => void updateStatus()),
    analyses.onDidAnalyze(({ uri }) => { if (vscode.window.activeTextEditor?.document.uri.toString() === uri.toString()) void updateStatus(); }),
    vscode.commands.registerCommand('ionpath.showStructureInfo', async (uri?: vscode.Uri) => {
      const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
      if (!doc) { void vscode.window.showInformationMessage('Open a CIF file first.'); return; }
      const r = await host.request('info', { text: doc.getText(), format: formatOf(doc.uri), block: structureInput(doc.uri).block });
      output.clear();
      if (r.summary) output.appendLine(summaryText(r.summary));
      else for (const m of r.messages) output.appendLine(`${m.severity}${m.at ? ` (line ${m.at.line + 1})` : ''}: ${m.message}`);
      output.show(true);
      return r;
    }),
    registerRankFolder(context, onProblem),
    vscode.commands.registerCommand('ionpath.computeXi', async (uri?: vscode.Uri) => {
      const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
      if (!doc || !isStructureDocument(doc)) { void vscode.window.showInformationMessage('Open a CIF, POSCAR or extended XYZ file first.'); return undefined; }
      // A frozen-framework scan takes under a second for a few atoms and tens of seconds for tens: progress, estimate, Cancel.
      return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'ionpath: Ξ(TensorNet-MatPES, frozen)', cancellable: true }, async (progress, token) => {
        const run = barriers.resultFor(doc, 'mlip');
        void panels.estimates.describe(doc).then((estimate) => progress.report({ message: `scanning (${estimate})` }));
        token.onCancellationRequested(() => barriers.cancelExtra(doc, 'mlip'));
        const r = await run;
        if (r?.report) void vscode.window.showInformationMessage(`${doc.uri.path.split('/').pop()}: ${barrierHint(r.report)} (hover the data_ line for the report)`);
        else if (r) void vscode.window.showWarningMessage(`Ξ(TensorNet-MatPES) not computed: ${r.error}`);
        return r;
      });
    }),
    // Several data blocks: "Analyse this block" moves the inline result (and an open viewer) to the chosen one.
    ...registerDataBlockChoice((doc) => { void analyses.get(doc).catch(() => undefined); barriers.refresh(doc); void panels.get(doc.uri)?.refresh(); }, (uri) => config.codeLensEnabled(uri)),
    registerSlurmCommand(context), // write a Slurm job-array script for a folder
    vscode.commands.registerCommand('ionpath.restartHost', () => { host.restart(); barriers.clearHostFailures(); void vscode.window.showInformationMessage('ionpath compute host restarted.'); }),
  );
  void updateStatus();
  return { host, analyses, barriers, panels, activationMs: Date.now() - t0 };
}

export function deactivate(): void {
  // Disposables registered on the context stop the host.
}
