// Measurements for docs/PERFORMANCE.md, taken in the real extension host: activation time and
// compute-host start time. Recorded to .test-output/vscode/measurements.json; not timing assertions.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IonpathApi } from '../../../src/extension/extension';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

suite('measurements', () => {
  test('activation and compute-host start-up are recorded', async () => {
    const api = await vscode.extensions.getExtension<IonpathApi>('ionpath.ionpath')!.activate();
    // A fresh host, timed from `new Worker` to its first answer.
    api.host.restart();
    const t0 = Date.now();
    await api.host.request('ping', {});
    const firstAnswerMs = Date.now() - t0;
    const t1 = Date.now();
    await api.host.request('ping', {});
    const roundTripMs = Date.now() - t1;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(repoRoot, 'examples', 'Li7La3Zr2O12.cif')));
    const t2 = Date.now();
    const analysis = await api.host.request('analyzeDocument', { text: doc.getText() });
    const analyzeMs = Date.now() - t2;
    const m = { activationMs: api.activationMs, hostStartToFirstAnswerMs: firstAnswerMs, pingRoundTripMs: roundTripMs, analyzeLLZOms: analyzeMs, at: new Date().toISOString() };
    console.log(`measurements: ${JSON.stringify(m)}`);
    assert.ok(analysis.summary, 'LLZO analysed');
    const out = path.join(repoRoot, '.test-output', 'vscode');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'measurements.json'), JSON.stringify(m, null, 2));
  });
});
