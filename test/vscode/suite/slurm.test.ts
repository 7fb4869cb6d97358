// Issue 11 in a real VS Code: "Write Slurm Script for Folder…" writes the job-array script and its submit wrapper
// (through vscode.workspace.fs) for a folder, with the settings' parameters; both are valid bash.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

suite('Slurm script', () => {
  test('writes job.sbatch (array of 8, CLI of this extension) and job.submit.sh (dependent merge)', async () => {
    await vscode.extensions.getExtension('ionpath.ionpath')!.activate();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ionpath-slurm-ui-'));
    const script = vscode.Uri.file(path.join(dir, 'job.sbatch'));
    const r = await vscode.commands.executeCommand<{ sbatch: vscode.Uri; submit: vscode.Uri } | undefined>(
      'ionpath.writeSlurmScript', vscode.Uri.file(path.join(repoRoot, 'examples')), { method: 'bvse', shards: 8, script, gpu: true });
    assert.ok(r, 'the command returned the files it wrote');
    const sbatch = fs.readFileSync(r.sbatch.fsPath, 'utf8');
    const submit = fs.readFileSync(r.submit.fsPath, 'utf8');
    assert.match(sbatch, /^#SBATCH --array=1-8$/m);
    assert.match(sbatch, /^#SBATCH --gres=gpu:1$/m);
    assert.match(sbatch, /--shard "\$K\/8" --method bvse --ion Li --ion-charge 1 --resolution 0\.2/);
    assert.ok(sbatch.includes(path.join('dist', 'cli.js')), 'runs the CLI shipped with the extension');
    assert.match(submit, /--dependency=afterok:/);
    for (const f of [r.sbatch.fsPath, r.submit.fsPath]) execFileSync('bash', ['-n', f]);
    assert.ok(fs.statSync(path.join(dir, 'results', 'logs')).isDirectory(), 'the log folder exists before sbatch opens the logs');
    // Run again with a user's own file where the wrapper goes: it is not replaced, and nothing is written.
    fs.writeFileSync(r.submit.fsPath, '#!/bin/bash\necho my own submit script\n');
    const again = await vscode.commands.executeCommand<{ sbatch: vscode.Uri } | undefined>(
      'ionpath.writeSlurmScript', vscode.Uri.file(path.join(repoRoot, 'examples')), { method: 'bvse', shards: 4, script, gpu: true });
    assert.equal(again, undefined, 'refused');
    assert.equal(fs.readFileSync(r.submit.fsPath, 'utf8'), '#!/bin/bash\necho my own submit script\n', "the user's file is untouched");
    assert.match(fs.readFileSync(r.sbatch.fsPath, 'utf8'), /^#SBATCH --array=1-8$/m, 'the earlier script is untouched too');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
