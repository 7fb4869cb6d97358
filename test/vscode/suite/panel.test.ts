// Issue 4 in a real VS Code: the landscape panel opens beside a CIF, the webview reports what it drew.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
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

    // Export for VESTA and save an image, as the panel's buttons do (the save dialog skipped).
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ionpath-export-'));
    try {
      const lp = api.panels.get(uri)!;
      const grd = await lp.exportGrid('grd', vscode.Uri.file(path.join(out, 'lfp.grd')));
      const lines = fs.readFileSync(grd.path!, 'utf8').trimEnd().split('\n');
      const shape = lines[2].trim().split(/\s+/).map(Number);
      assert.equal(lines.length - 3, shape[0] * shape[1] * shape[2], '.grd holds one value per grid point');
      assert.ok(lines[1].trim().startsWith('10.332'), `.grd cell line: ${lines[1]}`);
      const cube = await lp.exportGrid('cube', vscode.Uri.file(path.join(out, 'lfp.cube')));
      assert.match(fs.readFileSync(cube.path!, 'utf8').split('\n')[1], /values in eV/, '.cube says what it holds');
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const img = await lp.saveImage(png.toString('base64'), undefined, vscode.Uri.file(path.join(out, 'lfp.png')));
      assert.deepEqual(fs.readFileSync(img.path!), png, 'the image bytes are written as sent');
      // The export menu (analysis/exports.ts through the host): NEB chain folder, profile CSV, ordered POSCAR.
      const neb = await lp.exportData('neb', { images: 5 }, vscode.Uri.file(path.join(out, 'neb')));
      assert.deepEqual(fs.readdirSync(neb.path!).sort(), ['00', '01', '02', '03', '04'], 'NEB folders 00 … 04');
      assert.match(fs.readFileSync(path.join(neb.path!, '02', 'POSCAR'), 'utf8'), /^LiFePO4 NEB image 2\/4: Li at s = /);
      const csv = await lp.exportData('profile-csv', {}, vscode.Uri.file(path.join(out, 'lfp.csv')));
      assert.match(fs.readFileSync(csv.path!, 'utf8'), /# method: BVSE[\s\S]*point,arc_length_A,energy_eV/);
      const poscar = await lp.exportData('structure-poscar', {}, vscode.Uri.file(path.join(out, 'lfp.vasp')));
      const elements = fs.readFileSync(poscar.path!, 'utf8').split('\n')[5].split(/\s+/).sort();
      assert.deepEqual(elements, ['Fe', 'Li', 'O', 'P'], 'POSCAR element line');
      assert.deepEqual(fs.readdirSync(out).sort(), ['lfp.csv', 'lfp.cube', 'lfp.grd', 'lfp.png', 'lfp.vasp', 'neb'], 'no temporary files left behind');
      // A save dialog pointed at the structure itself writes nothing.
      const before = fs.readFileSync(uri.fsPath, 'utf8');
      assert.equal((await lp.exportData('structure-cif', {}, uri)).path, null, 'the CIF shown is not an export target');
      assert.equal((await lp.exportGrid('cube', uri)).path, null);
      assert.equal(fs.readFileSync(uri.fsPath, 'utf8'), before, 'the CIF is untouched');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
    api.panels.get(uri)?.panel.dispose();
  });
});
