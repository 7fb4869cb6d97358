// Issue 4 in a real VS Code: the landscape panel opens beside a CIF, the webview reports what it drew.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IonpathApi } from '../../../src/extension/extension';
import type { SceneRendered } from '../../../src/protocol/scene';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

/** Images drawn for a 1×1×1 cell: an atom on a cell face is shown on both faces (corners 8×, edges 4×). */
function expectedImages(fracs: [number, number, number][]): number {
  return fracs.reduce((n, f) => n * 1 + 2 ** f.filter((x) => { const w = x - Math.floor(x); return w < 1e-3 || w > 1 - 1e-3; }).length, 0);
}

suite('landscape panel', () => {
  test('LiFePO4: the panel draws every atom image, an isosurface and the path', async () => {
    const api = await vscode.extensions.getExtension<IonpathApi>('ionpath.ionpath')!.activate();
    const uri = vscode.Uri.file(path.join(repoRoot, 'examples', 'LiFePO4.cif'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    assert.ok(lenses.some((l) => l.command?.command === 'ionpath.showLandscape'), 'a CodeLens offers the landscape');

    const panel = await vscode.commands.executeCommand<{ nextRendered(): Promise<SceneRendered>; lastRendered?: SceneRendered }>('ionpath.showLandscape', uri);
    assert.ok(panel, 'the command returns the panel');
    const until = Date.now() + 90_000;
    let r = panel.lastRendered;
    while ((!r || !r.isosurfaceDone || r.isosurfaceVertexCount === 0) && Date.now() < until) {
      r = await Promise.race([panel.nextRendered(), new Promise<SceneRendered | undefined>((res) => setTimeout(() => res(panel.lastRendered), 2000))]);
    }
    assert.ok(r, 'the view reported what it drew');
    const scene = await api.host.request('scene', { text: doc.getText(), options: { ion: 'Li', resolution: 0.2 } });
    assert.equal(r.atomCount, expectedImages(scene.structure!.atoms.map((a) => a.frac)), 'every atom image is drawn');
    assert.ok(r.isosurfaceVertexCount > 0, 'an isosurface is drawn');
    assert.ok(r.pathPointCount > 1, 'the migration path is drawn');

    const again = await vscode.commands.executeCommand('ionpath.showLandscape', uri);
    assert.equal(again, panel, 'one panel per file: reopening focuses it');
    api.panels.get(uri)?.panel.dispose();
  });
});
