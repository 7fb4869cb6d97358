// Issue 13 in a real VS Code: a CONTCAR (language poscar) gets the inline Ea hint on line 1, its hover and the
// landscape CodeLens; a CIF with two structures analyses the first, and "Analyse this block" moves the result.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'structures');

async function eventually<T>(f: () => T | PromiseLike<T>, what: string, timeoutMs = 60_000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < until) {
    last = await f();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

const labelOf = (h: vscode.InlayHint) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''));

async function eaHint(doc: vscode.TextDocument, pattern: RegExp): Promise<vscode.InlayHint> {
  return eventually(async () => {
    const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, doc.lineCount, 0));
    return hints.find((h) => pattern.test(labelOf(h)));
  }, `an inlay hint matching ${pattern}`);
}

async function hoverText(doc: vscode.TextDocument, line: number): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, 1));
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

async function lenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 100)) ?? [];
}

suite('structure formats and data blocks', () => {
  test('a CONTCAR opens as poscar and shows Ea(BVSE) on line 1, with the hover and the landscape CodeLens', async () => {
    await vscode.extensions.getExtension('ionpath.ionpath')!.activate();
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(fixtures, 'Li3N', 'CONTCAR')));
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'poscar');
    const hint = await eaHint(doc, /Ea\(BVSE, 1D\)/);
    assert.equal(hint.position.line, 0, 'the hint sits on line 1');
    const m = /Ea\(BVSE, 1D\) (\d+\.\d+) eV · (\d)D/.exec(labelOf(hint));
    assert.ok(m && Math.abs(Number(m[1]) - 0.19) < 0.03, `Li3N's barrier (as its CIF): ${labelOf(hint)}`);
    const hover = await hoverText(doc, 0);
    assert.match(hover, /Ea\(BVSE, 2D\)/);
    assert.match(hover, /guessed by charge balance: Li\+1, N-3/, 'the guessed oxidation states are said in the report');
    const titles = (await lenses(doc)).filter((l) => l.range.start.line === 0).map((l) => l.command?.title ?? '');
    assert.ok(titles.includes('Show transport landscape'), `CodeLenses on line 1: ${titles.join(' | ')}`);
    const diagnostics = await eventually(() => vscode.languages.getDiagnostics(doc.uri).filter((d) => d.code === 'oxidation-guessed'), 'the oxidation diagnostic');
    assert.equal(diagnostics.length, 1);
  });

  test('two structures in one CIF: the first is analysed, "Analyse this block" moves the hint to the other', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(fixtures, 'two-blocks.cif')));
    await vscode.window.showTextDocument(doc);
    const lines = doc.getText().split('\n');
    const li3n = lines.findIndex((l) => l.startsWith('data_Li3N')), lfp = lines.findIndex((l) => l.startsWith('data_LiFePO4'));
    const first = await eaHint(doc, /Ea\(BVSE, 1D\)/);
    assert.equal(first.position.line, li3n, 'on the first block with atom sites');
    const lens = await eventually(async () => (await lenses(doc)).find((l) => l.command?.title === 'Analyse this block (data_LiFePO4)'), 'the block CodeLens');
    assert.equal(lens.range.start.line, lfp);
    assert.ok(!(await lenses(doc)).some((l) => l.command?.title.startsWith('Analyse this block (data_global')), 'no CodeLens on a block without atom sites');
    await vscode.commands.executeCommand(lens.command!.command, ...(lens.command!.arguments ?? []));
    const moved = await eaHint(doc, /Ea\(BVSE, 1D\) 0\.\d+ eV · 1D/);
    assert.equal(moved.position.line, lfp, 'the hint follows the chosen block');
    assert.match(await hoverText(doc, lfp), /Data block \*\*data_LiFePO4\*\* \(2 of 2/);
    // The language analysis (structure diagnostics, status summary) follows the choice too.
    const api = await vscode.extensions.getExtension<{ analyses: { get(d: vscode.TextDocument): Promise<{ analysedBlock: string | null; summary: string | null }> } }>('ionpath.ionpath')!.activate();
    const analysis = await eventually(async () => { const a = await api.analyses.get(doc); return a.analysedBlock === 'LiFePO4' ? a : undefined; }, 'the document analysis of the chosen block');
    assert.match(analysis.summary ?? '', /LiFePO4/);
  });
});
