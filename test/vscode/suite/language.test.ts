// CIF language support in a real VS Code: language id, highlighting, outline, folding, hovers,
// completion, diagnostics on broken CIFs, and the compute host answering `info`.
// Documents are opened read-only from examples/ or as untitled buffers: the repo is never modified.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IonpathApi } from '../../../src/extension/extension';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const example = (name: string) => vscode.Uri.file(path.join(repoRoot, 'examples', name));

async function api(): Promise<IonpathApi> {
  const ext = vscode.extensions.getExtension<IonpathApi>('ionpath.ionpath');
  assert.ok(ext, 'extension ionpath.ionpath is installed');
  return ext.activate();
}

/** Poll until `f` returns a truthy value (diagnostics and providers are asynchronous). */
async function eventually<T>(f: () => T | PromiseLike<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < until) {
    last = await f();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last value: ${JSON.stringify(last)})`);
}

function positionOf(doc: vscode.TextDocument, needle: string, offset = 1): vscode.Position {
  const i = doc.getText().indexOf(needle);
  assert.ok(i >= 0, `'${needle}' occurs in ${doc.uri.fsPath}`);
  return doc.positionAt(i + offset);
}

suite('CIF language support', () => {
  let doc: vscode.TextDocument;

  suiteSetup(async () => {
    await api();
    doc = await vscode.workspace.openTextDocument(example('LiFePO4.cif'));
    await vscode.window.showTextDocument(doc);
  });

  test('a .cif file gets language id cif', () => {
    assert.equal(doc.languageId, 'cif');
  });

  test('the grammar the extension contributes scopes tags, numbers with uncertainties and loop_', async () => {
    // The web workbench has no token-capture command, so tokenize with the grammar exactly as the
    // extension contributes it (path and scope from its package.json); the .vsix UI test checks the colours.
    const ext = vscode.extensions.getExtension('ionpath.ionpath')!;
    const contributed = (ext.packageJSON.contributes.grammars as { language: string; scopeName: string; path: string }[]).find((g) => g.language === 'cif');
    assert.ok(contributed, 'a grammar is contributed for cif');
    const textmate = require(path.join(repoRoot, 'node_modules', 'vscode-textmate')) as typeof import('vscode-textmate');
    const onig = require(path.join(repoRoot, 'node_modules', 'vscode-oniguruma')) as typeof import('vscode-oniguruma');
    const fs = require('node:fs') as typeof import('node:fs');
    await onig.loadWASM(fs.readFileSync(path.join(repoRoot, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm')).buffer);
    const registry = new textmate.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new onig.OnigScanner(p), createOnigString: (s: string) => new onig.OnigString(s) }),
      loadGrammar: async (scope: string) => scope === contributed.scopeName ? textmate.parseRawGrammar(fs.readFileSync(path.join(ext.extensionPath, contributed.path), 'utf8'), contributed.path) : null,
    });
    const grammar = (await registry.loadGrammar(contributed.scopeName))!;
    let ruleStack = textmate.INITIAL;
    const scoped: { text: string; scopes: string }[] = [];
    for (const line of doc.getText().split(/\r?\n/)) {
      const r = grammar.tokenizeLine(line, ruleStack);
      for (const t of r.tokens) scoped.push({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes.join(' ') });
      ruleStack = r.ruleStack;
    }
    const scopeOf = (text: string) => scoped.find((t) => t.text.trim() === text)?.scopes ?? '';
    assert.match(scopeOf('_cell_length_a'), /variable\.other\.tag\.cif/);
    assert.match(scopeOf('loop_'), /keyword\.control\.loop\.cif/);
    assert.ok(scoped.some((t) => /constant\.numeric\.uncertainty\.cif/.test(t.scopes)), 'an uncertainty like (2) is scoped');
  });

  test('outline lists the data block, its categories and loops', async () => {
    const symbols = await eventually(() => vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri), 'symbols');
    assert.equal(symbols.length, 1);
    assert.match(symbols[0].name, /^data_/);
    const names = symbols[0].children.map((c) => c.name);
    assert.ok(names.includes('cell'), `categories include cell: ${names.join(', ')}`);
    assert.ok(names.some((n) => n.startsWith('loop_') && n.includes('atom_site')), `a loop of atom_site: ${names.join(', ')}`);
  });

  test('loops and text fields fold', async () => {
    const ranges = await eventually(() => vscode.commands.executeCommand<vscode.FoldingRange[]>('vscode.executeFoldingRangeProvider', doc.uri), 'folding ranges');
    const loopLine = positionOf(doc, 'loop_\n_atom_site_label', 0).line;
    assert.ok(ranges.some((r) => r.start === loopLine && r.end > loopLine + 5), `the atom_site loop at line ${loopLine} folds`);
  });

  test('hover on a tag explains it; on a value shows its uncertainty; on an atom row shows the site', async () => {
    const onTag = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, positionOf(doc, '_cell_length_a'));
    const tagText = onTag.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(tagText, /Cell length a/);
    assert.match(tagText, /Å/);

    const cellLine = doc.lineAt(positionOf(doc, '_cell_length_a').line).text;
    const valueCol = cellLine.search(/\d/);
    const onValue = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(positionOf(doc, '_cell_length_a').line, valueCol + 1));
    const valueText = onValue.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(valueText, /±/, `value hover shows an uncertainty: ${valueText}`);

    const liRow = doc.getText().split('\n').findIndex((l) => /^\s*Li\S*\s+Li/.test(l));
    assert.ok(liRow > 0, 'an Li atom_site row exists');
    const onRow = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(liRow, doc.lineAt(liRow).firstNonWhitespaceCharacterIndex + 1));
    const rowText = onRow.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(rowText, /element: Li/);
    assert.match(rowText, /oxidation state: \+1/);
    assert.match(rowText, /multiplicity in the cell after symmetry expansion: 4/);
  });

  test('tag names complete', async () => {
    const untitled = await vscode.workspace.openTextDocument({ language: 'cif', content: 'data_x\n_cell_len' });
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', untitled.uri, new vscode.Position(1, 9));
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('_cell_length_a'), `completions: ${labels.slice(0, 10).join(', ')}`);
  });

  test('the compute host answers info off the extension host thread', async () => {
    const { host } = await api();
    const ping = await host.request('ping', {});
    assert.ok(ping.pid !== process.pid || ping.threadId !== 0, 'its own process (default) or a worker thread');
    const r = await vscode.commands.executeCommand<{ ok: boolean; summary: { formula: string; atomsInCell: number } }>('ionpath.showStructureInfo', doc.uri);
    assert.equal(r.ok, true);
    assert.equal(r.summary.formula, 'LiFePO4');
    assert.equal(r.summary.atomsInCell, 28);
  });
});

suite('diagnostics on broken CIFs', () => {
  const cases: { name: string; text: string; code: string; line: number; severity: vscode.DiagnosticSeverity }[] = [
    { name: 'unterminated quote', text: "data_a\n_cell_length_a 5\n_publ_section_title 'no end\n", code: 'syntax-error', line: 2, severity: vscode.DiagnosticSeverity.Error },
    { name: 'loop count', text: 'data_a\nloop_\n_atom_site_label\n_atom_site_fract_x\nLi1 0.1\nLi2\n', code: 'loop-count', line: 5, severity: vscode.DiagnosticSeverity.Error },
    { name: 'duplicate tag', text: 'data_a\n_cell_length_a 5\n_cell_length_a 6\n', code: 'duplicate-tag', line: 2, severity: vscode.DiagnosticSeverity.Error },
    {
      name: 'unknown element', code: 'unknown-element', line: 11, severity: vscode.DiagnosticSeverity.Error,
      text: 'data_a\n_cell_length_a 5\n_cell_length_b 5\n_cell_length_c 5\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x _atom_site_fract_y _atom_site_fract_z\nQ1 Xx 0 0 0\n',
    },
    {
      name: 'bad symmetry operation', code: 'bad-symop', line: 9, severity: vscode.DiagnosticSeverity.Error,
      text: "data_a\n_cell_length_a 5\n_cell_length_b 5\n_cell_length_c 5\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_symmetry_equiv_pos_as_xyz\n'x,y,q'\nloop_\n_atom_site_label\n_atom_site_fract_x _atom_site_fract_y _atom_site_fract_z\nLi1 0 0 0\n",
    },
    {
      name: 'no Li (warning)', code: 'no-li', line: 0, severity: vscode.DiagnosticSeverity.Warning,
      text: 'data_nacl\n_cell_length_a 5.64\n_cell_length_b 5.64\n_cell_length_c 5.64\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n_symmetry_space_group_name_H-M \'F m -3 m\'\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x _atom_site_fract_y _atom_site_fract_z\nNa1 Na1+ 0 0 0\nCl1 Cl1- 0.5 0.5 0.5\n',
    },
  ];
  for (const c of cases) {
    test(`${c.name}: ${c.code} at line ${c.line + 1}`, async () => {
      const d = await vscode.workspace.openTextDocument({ language: 'cif', content: c.text });
      const diags = await eventually(() => {
        const all = vscode.languages.getDiagnostics(d.uri).filter((x) => x.source === 'ionpath');
        return all.length ? all : undefined;
      }, `diagnostics for ${c.name}`);
      const hit = diags.find((x) => x.code === c.code);
      assert.ok(hit, `expected ${c.code}, got ${diags.map((x) => `${x.code}@${x.range.start.line}`).join(', ')}`);
      assert.equal(hit.range.start.line, c.line);
      assert.equal(hit.severity, c.severity);
    });
  }
});
