/**
 * VS Code providers for CIF: thin adapters from the host's `DocumentAnalysis` onto the editor API.
 * With `ionpath.cif.languageFeatures` off (or `auto` beside the vscode-cif extension), the generic CIF features
 * are left to the other extension: no tag completion, no tag/value hovers; atom-site hovers (element, oxidation
 * state, multiplicity: what the computation read) stay. The setting is read at each request, so it applies at once.
 */
import * as vscode from 'vscode';
import { tagCompletions } from '../compute/language/dictionary';
import { hoverAt } from '../compute/language/hover';
import type { DocumentSymbol, Range } from '../compute/language/types';
import type { DocumentAnalyses } from './documentAnalyses';
import { config } from './config';

const SELECTOR: vscode.DocumentSelector = { language: 'cif' };

const range = (r: Range) => new vscode.Range(r.startLine, r.startColumn, r.endLine, r.endColumn);

const SYMBOL_KIND: Record<DocumentSymbol['kind'], vscode.SymbolKind> = {
  datablock: vscode.SymbolKind.Module,
  saveframe: vscode.SymbolKind.Namespace,
  category: vscode.SymbolKind.Struct,
  loop: vscode.SymbolKind.Array,
  tag: vscode.SymbolKind.Field,
};

function toSymbol(s: DocumentSymbol): vscode.DocumentSymbol {
  const full = range(s.range);
  const sel = range(s.selectionRange);
  const sym = new vscode.DocumentSymbol(s.name, s.detail, SYMBOL_KIND[s.kind], full, full.contains(sel) ? sel : full);
  sym.children = s.children.map(toSymbol);
  return sym;
}

export function registerLanguageFeatures(analyses: DocumentAnalyses): vscode.Disposable[] {
  return [
    vscode.languages.registerDocumentSymbolProvider(SELECTOR, {
      async provideDocumentSymbols(doc) { return (await analyses.get(doc)).symbols.map(toSymbol); },
    }, { label: 'CIF' }),
    vscode.languages.registerFoldingRangeProvider(SELECTOR, {
      async provideFoldingRanges(doc) {
        return (await analyses.get(doc)).folding.map((f) => new vscode.FoldingRange(f.startLine, f.endLine, f.kind === 'comment' ? vscode.FoldingRangeKind.Comment : vscode.FoldingRangeKind.Region));
      },
    }),
    vscode.languages.registerHoverProvider(SELECTOR, {
      async provideHover(doc, pos) {
        const a = await analyses.get(doc);
        // Without tags and values, hoverAt answers only on atom-site rows.
        const h = hoverAt(config.cifLanguageFeatures(doc.uri) ? a : { ...a, tags: [], values: [] }, pos.line, pos.character);
        return h ? new vscode.Hover(new vscode.MarkdownString(h.markdown), range(h.range)) : undefined;
      },
    }),
    vscode.languages.registerCompletionItemProvider(SELECTOR, {
      provideCompletionItems(doc, pos) {
        if (!config.cifLanguageFeatures(doc.uri)) return undefined;
        const word = doc.getWordRangeAtPosition(pos, /_[A-Za-z0-9_.\-/[\]]*/);
        if (!word) return undefined;
        const prefix = doc.getText(new vscode.Range(word.start, pos));
        return tagCompletions(prefix).map((t) => {
          const item = new vscode.CompletionItem(t.tag, vscode.CompletionItemKind.Field);
          item.detail = `${t.title}${t.units ? ` (${t.units})` : ''}`;
          item.documentation = new vscode.MarkdownString(t.description);
          item.range = word;
          return item;
        });
      },
    }, '_'),
  ];
}
