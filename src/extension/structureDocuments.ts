/**
 * Which documents hold a structure, in which format, and where its results are shown.
 *
 * Languages (package.json `contributes.languages`): `cif` (*.cif, *.mcif), `poscar` (POSCAR*, CONTCAR*, *.vasp,
 * *.poscar), `extxyz` (*.extxyz, *.xyz). The inline Ea hint, its hover and the CodeLenses sit on the *anchor line*:
 * line 1 of a POSCAR or XYZ, the `data_` line of the analysed block of a CIF. A CIF with several structures analyses
 * its first block with atom sites; every other one gets an "Analyse this block" CodeLens that makes it the analysed
 * one (kept per document for the session) and recomputes. Text scans only (no parsing): the host does the work.
 */
import * as vscode from 'vscode';
import type { StructureFormat } from '../compute/structure/read';
import type { AnalysisOptions } from '../compute/analysis/options';

const FORMAT_OF_LANGUAGE: Readonly<Record<string, StructureFormat>> = { cif: 'cif', poscar: 'poscar', extxyz: 'xyz' };

export const STRUCTURE_LANGUAGES = Object.keys(FORMAT_OF_LANGUAGE);
export const STRUCTURE_SELECTOR: vscode.DocumentSelector = STRUCTURE_LANGUAGES.map((language) => ({ language }));

export function isStructureDocument(document: vscode.TextDocument): boolean {
  return document.languageId in FORMAT_OF_LANGUAGE;
}

/** The format of a document (its language), else of a name (as structure/read.ts tells it), else undefined. */
export function formatOf(resource: vscode.Uri | undefined): StructureFormat | undefined {
  if (!resource) return undefined;
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === resource.toString());
  if (doc && doc.languageId in FORMAT_OF_LANGUAGE) return FORMAT_OF_LANGUAGE[doc.languageId];
  const base = resource.path.split('/').pop() ?? '';
  if (/\.(m?cif)$/i.test(base)) return 'cif';
  if (/\.(vasp|poscar|contcar)$/i.test(base) || /^(POSCAR|CONTCAR)/i.test(base)) return 'poscar';
  if (/\.(ext)?xyz$/i.test(base)) return 'xyz';
  return undefined;
}

const chosenBlocks = new Map<string, string>();

/** What the analysis of this resource reads: its format and, for a CIF, the block chosen in the editor. */
export function structureInput(resource: vscode.Uri | undefined): Pick<AnalysisOptions, 'format' | 'block'> {
  const format = formatOf(resource);
  const block = resource ? chosenBlocks.get(resource.toString()) : undefined;
  return { ...(format ? { format } : {}), ...(block && format === 'cif' ? { block } : {}) };
}

interface BlockLine { name: string; line: number; hasStructure: boolean }

/** The `data_` blocks of a CIF's text: name, header line, whether an atom-site loop follows before the next block. */
export function dataBlocks(document: vscode.TextDocument): BlockLine[] {
  const blocks: BlockLine[] = [];
  const n = Math.min(document.lineCount, 200_000);
  for (let i = 0; i < n; i++) {
    const text = document.lineAt(i).text;
    const m = /^\s*data_(\S*)/i.exec(text);
    if (m) { blocks.push({ name: m[1], line: i, hasStructure: false }); continue; }
    if (blocks.length && /^\s*_atom_site[._](fract_x|cartn_x|label)\b/i.test(text)) blocks[blocks.length - 1].hasStructure = true;
  }
  return blocks;
}

/** The block the analysis reads: the chosen one, else the first with atom sites (as build.ts picks it), else the first. */
export function analysedBlock(document: vscode.TextDocument): BlockLine | undefined {
  const blocks = dataBlocks(document);
  const chosen = chosenBlocks.get(document.uri.toString());
  return blocks.find((b) => b.name === chosen) ?? blocks.find((b) => b.hasStructure) ?? blocks[0];
}

/** Where the hint, hover and CodeLenses sit (−1: nowhere, e.g. a CIF without a data_ line). */
export function anchorLine(document: vscode.TextDocument): number {
  if (!isStructureDocument(document)) return -1;
  if (document.languageId !== 'cif') return 0;
  return analysedBlock(document)?.line ?? -1;
}

/** For the hover of a CIF with several structures: which block the numbers are for. */
export function blockNote(document: vscode.TextDocument): string | undefined {
  if (document.languageId !== 'cif') return undefined;
  const withSites = dataBlocks(document).filter((b) => b.hasStructure);
  const block = analysedBlock(document);
  if (withSites.length < 2 || !block) return undefined;
  return `Data block **data_${block.name}** (${withSites.findIndex((b) => b.name === block.name) + 1} of ${withSites.length} with atom sites); "Analyse this block" on another \`data_\` line switches.`;
}

/**
 * The "Analyse this block" CodeLenses and their command. `onChosen` recomputes what depends on the block (the inline
 * result, an open landscape panel).
 */
export function registerDataBlockChoice(onChosen: (document: vscode.TextDocument) => void, enabled: (uri: vscode.Uri) => boolean): vscode.Disposable[] {
  const changed = new vscode.EventEmitter<void>();
  return [
    changed,
    vscode.languages.registerCodeLensProvider({ language: 'cif' }, {
      onDidChangeCodeLenses: changed.event,
      provideCodeLenses: (doc) => {
        if (!enabled(doc.uri)) return [];
        const analysed = analysedBlock(doc);
        return dataBlocks(doc).filter((b) => b.hasStructure && b !== analysed && b.name !== analysed?.name).map((b) =>
          new vscode.CodeLens(new vscode.Range(b.line, 0, b.line, 0), { title: `Analyse this block (data_${b.name})`, command: 'ionpath.analyseBlock', arguments: [doc.uri, b.name] }));
      },
    }),
    vscode.commands.registerCommand('ionpath.analyseBlock', async (uri: vscode.Uri, name: string) => {
      const doc = await vscode.workspace.openTextDocument(uri);
      chosenBlocks.set(uri.toString(), name);
      changed.fire();
      onChosen(doc);
      return anchorLine(doc);
    }),
    vscode.workspace.onDidCloseTextDocument((d) => { chosenBlocks.delete(d.uri.toString()); }),
  ];
}
