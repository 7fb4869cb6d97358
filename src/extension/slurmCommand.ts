/**
 * "ionpath: Write Slurm Script for Folder…": instead of ranking a folder here, write the Slurm job-array script
 * (one task per shard) and its submit wrapper (array + dependent merge) for the cluster the folder lives on
 * (e.g. a Remote-SSH workspace on a login node). Asks for the folder, the method and the number of shards; the
 * parameters that change the numbers (ion, grid, disorder, potential cell/variant/model) come from the settings for
 * that folder, as for "Rank Folder by Ξ". The potential scan asks Slurm for a GPU per task.
 * Files are written with vscode.workspace.fs; nothing is submitted.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { isIonpathJobScript, slurmScripts, submitPathFor } from '../compute/cli/slurmScript';
import { normaliseOptions, type NormalisedOptions } from '../compute/analysis/options';
import type { MethodId } from '../compute/energy/source';
import { config } from './config';

/** The methods `ionpath rank --method` offers, with what a shard costs (docs/CLUSTER.md). */
export const SLURM_METHODS: { id: MethodId; label: string; detail: string }[] = [
  { id: 'bvse', label: 'BVSE', detail: 'bond-valence site energy; median 0.2–0.3 CPU s per structure at 0.2 Å (docs/CLUSTER.md)' },
  { id: 'mlip', label: 'TensorNet-MatPES potential scan', detail: 'machine-learned landscape; tens of CPU s per structure or more (docs/PERFORMANCE.md); a GPU per task helps' },
  { id: 'gcn', label: 'GCN-IN', detail: 'graph network on the interstitial network (reads the BVSE settings)' },
];

/** The `rank` flags that reproduce these options on the cluster (only those the method reads). */
export function rankArgsFor(o: NormalisedOptions): string[] {
  const a = ['--ion', o.ion, '--ion-charge', String(o.ionCharge)];
  if (o.resolution !== undefined) a.push('--resolution', String(o.resolution));
  if (o.mode !== undefined && o.mode !== 'spse') a.push('--mode', o.mode);
  if (o.maxBarrier !== undefined) a.push('--max-barrier', String(o.maxBarrier));
  if (o.disorder !== undefined) a.push('--disorder', o.disorder);
  if (o.cell !== undefined) a.push('--cell', o.cell);
  if (o.variant !== undefined) a.push('--variant', o.variant);
  if (o.modelPath !== undefined) a.push('--model', o.modelPath);
  return a;
}

export interface SlurmScriptArgs { method?: MethodId; shards?: number; script?: vscode.Uri; cpus?: number; gpu?: boolean; partition?: string; time?: string }

export function registerSlurmCommand(context: vscode.ExtensionContext): vscode.Disposable {
  return vscode.commands.registerCommand('ionpath.writeSlurmScript', async (folderArg?: vscode.Uri, args: SlurmScriptArgs = {}) => {
    const folder = folderArg ?? (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Rank this folder on Slurm', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri }))?.[0];
    if (!folder) return undefined;
    const preferred = config.rankMethod(folder);
    const method = args.method ?? (await vscode.window.showQuickPick(
      [...SLURM_METHODS].sort((a, b) => Number(b.id === preferred) - Number(a.id === preferred)).map((m) => ({ ...m, description: m.id })),
      { title: 'Method for the ranking' }))?.id;
    if (!method) return undefined;
    const shardText = args.shards !== undefined ? String(args.shards) : await vscode.window.showInputBox({
      title: 'Number of shards (Slurm array tasks)', value: '16',
      prompt: 'Each shard ranks about 1/N of the CIFs on its own node and CPUs; a failed shard is re-run alone.',
      validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 1000 ? undefined : 'A whole number from 1 to 1000'),
    });
    if (!shardText) return undefined;
    const script = args.script ?? (await vscode.window.showSaveDialog({ title: 'Where to write the job script', defaultUri: vscode.Uri.joinPath(folder, 'ionpath-slurm', 'job.sbatch'), filters: { 'Slurm batch script': ['sbatch', 'sh'] } }));
    if (!script) return undefined;

    const o = normaliseOptions(config.analysisOptions(folder, method as MethodId));
    const scriptDir = vscode.Uri.joinPath(script, '..');
    const results = vscode.Uri.joinPath(scriptDir, 'results');
    try {
      const s = slurmScripts({
        input: folder.fsPath, shards: Number(shardText), method, rankArgs: rankArgsFor(o),
        outDir: results.fsPath, scriptPath: script.fsPath, cliPath: join(context.extensionPath, 'dist', 'cli.js'),
        cpusPerTask: args.cpus, gpu: args.gpu ?? method === 'mlip', partition: args.partition, time: args.time, date: new Date().toISOString(),
      });
      const submit = script.with({ path: submitPathFor(script.path) });
      // The save dialog asked about the script; the wrapper beside it replaces only an earlier ionpath wrapper.
      const existing = await vscode.workspace.fs.readFile(submit).then((b) => new TextDecoder().decode(b.subarray(0, 4096)), () => null);
      if (existing !== null && !isIonpathJobScript(existing)) throw new Error(`${submit.fsPath} exists and is not a submit wrapper ionpath wrote: it is not replaced; choose another name for the script, or move that file`);
      await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(results, 'logs'));
      await vscode.workspace.fs.writeFile(script, Buffer.from(s.sbatch, 'utf8'));
      await vscode.workspace.fs.writeFile(submit, Buffer.from(s.submit, 'utf8'));
      void vscode.window.showInformationMessage(`ionpath: wrote ${vscode.workspace.asRelativePath(script)} (${shardText} shards, ${method}). Submit on the cluster with: bash ${submit.fsPath}`, 'Open Script')
        .then((pick) => { if (pick) void vscode.window.showTextDocument(script); });
      return { sbatch: script, submit, results };
    } catch (e) {
      void vscode.window.showErrorMessage(`ionpath: cannot write the Slurm script: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  });
}
