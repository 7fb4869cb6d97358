/**
 * "ionpath: Write Slurm Script for Folder…": instead of ranking a folder here, write the Slurm job-array script
 * (one task per shard) and its submit wrapper (array + dependent merge) for the cluster the folder lives on
 * (e.g. a Remote-SSH workspace on a login node). Asks for the folder, the method and the number of shards; the
 * parameters that change the numbers (ion, grid resolution) come from the settings, as for "Rank Folder by Ξ".
 * Files are written with vscode.workspace.fs; nothing is submitted.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { slurmScripts, submitPathFor } from '../compute/cli/slurmScript';
import { landscapeOptions } from './inlineBarriers';

/** Methods `ionpath rank --method` computes in this build (extend as methods are wired into rank). */
export const SLURM_METHODS: { id: string; label: string; detail: string }[] = [
  { id: 'bvse', label: 'BVSE', detail: 'softBV bond-valence site energy, SPSE convention; ~0.5 s per structure per CPU at 0.2 Å (docs/CLUSTER.md)' },
];

export interface SlurmScriptArgs { method?: string; shards?: number; script?: vscode.Uri; cpus?: number; gpu?: boolean; partition?: string; time?: string }

export function registerSlurmCommand(context: vscode.ExtensionContext): vscode.Disposable {
  return vscode.commands.registerCommand('ionpath.writeSlurmScript', async (folderArg?: vscode.Uri, args: SlurmScriptArgs = {}) => {
    const folder = folderArg ?? (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Rank this folder on Slurm', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri }))?.[0];
    if (!folder) return undefined;
    const method = args.method ?? (SLURM_METHODS.length === 1 ? SLURM_METHODS[0].id : (await vscode.window.showQuickPick(SLURM_METHODS.map((m) => ({ ...m, description: m.id })), { title: 'Method for the ranking' }))?.id);
    if (!method) return undefined;
    const shardText = args.shards !== undefined ? String(args.shards) : await vscode.window.showInputBox({
      title: 'Number of shards (Slurm array tasks)', value: '16',
      prompt: 'Each shard ranks about 1/N of the CIFs on its own node and CPUs; a failed shard is re-run alone.',
      validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 1000 ? undefined : 'A whole number from 1 to 1000'),
    });
    if (!shardText) return undefined;
    const script = args.script ?? (await vscode.window.showSaveDialog({ title: 'Where to write the job script', defaultUri: vscode.Uri.joinPath(folder, 'ionpath-slurm', 'job.sbatch'), filters: { 'Slurm batch script': ['sbatch', 'sh'] } }));
    if (!script) return undefined;

    const o = landscapeOptions();
    const scriptDir = vscode.Uri.joinPath(script, '..');
    const results = vscode.Uri.joinPath(scriptDir, 'results');
    try {
      const s = slurmScripts({
        input: folder.fsPath, shards: Number(shardText), method, rankArgs: ['--ion', o.ion ?? 'Li', '--resolution', String(o.resolution ?? 0.2)],
        outDir: results.fsPath, scriptPath: script.fsPath, cliPath: join(context.extensionPath, 'dist', 'cli.js'),
        cpusPerTask: args.cpus, gpu: args.gpu, partition: args.partition, time: args.time, date: new Date().toISOString(),
      });
      const submit = script.with({ path: submitPathFor(script.path) });
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
