/**
 * CIF text → everything the editor shows: outline, folding, diagnostics, and the facts hovers need.
 * Runs in the compute host; the structure is built once here and its messages become diagnostics.
 * A POSCAR/CONTCAR or extended XYZ (format given, or recognised from the text) gets its diagnostics and summary.
 */
import { parseCif, type CifFrame, type CifLocation } from '../cif/parser';
import { buildStructure, hasAtomSites } from '../structure/build';
import { formatOfText, readStructure, type StructureFormat } from '../structure/read';
import type { BondValenceCheck } from '../structure/bondValence';
import type { StructureMessage } from '../structure/types';
import type { Structure } from '../structure/types';
import { lookupTag } from './dictionary';
import type { AtomSiteRowInfo, Diagnostic, DocumentAnalysis, DocumentSymbol, FoldingRange, Range, TagOccurrence, ValueOccurrence } from './types';

/** Hover facts are kept for at most this many values (huge P1 files stay responsive). */
const MAX_VALUES = 200_000;

const toRange = (at: CifLocation): Range => ({ startLine: at.line, startColumn: at.column, endLine: at.endLine, endColumn: at.endColumn });
const span = (from: CifLocation, to: CifLocation): Range => ({ startLine: from.line, startColumn: from.column, endLine: to.endLine, endColumn: to.endColumn });

/** Category of a tag: the dictionary's, the DDLm prefix, or the first word after the underscore. */
export function tagCategory(tag: string): string {
  const info = lookupTag(tag);
  if (info) return info.category;
  const dot = tag.indexOf('.');
  if (dot > 0) return tag.slice(1, dot).toLowerCase();
  const known = ['atom_site_aniso', 'atom_site', 'atom_type', 'space_group_symop', 'space_group', 'symmetry', 'cell_measurement', 'cell', 'chemical_formula', 'chemical', 'exptl_crystal', 'exptl', 'diffrn_radiation', 'diffrn', 'refine', 'refln', 'publ', 'journal', 'audit', 'computing', 'database', 'geom_bond', 'geom_angle', 'geom', 'pd'];
  const t = tag.toLowerCase().slice(1);
  return known.find((k) => t.startsWith(`${k}_`)) ?? t.split('_')[0];
}

/** `block`: the CIF data block the structure diagnostics and summary are for (default: the first with atom sites). */
export function analyzeDocument(text: string, format: StructureFormat = formatOfText(text), block?: string): DocumentAnalysis {
  if (format !== 'cif') {
    const r = readStructure(text, { format });
    const s = r.structure;
    return {
      symbols: [], folding: [], tags: [], values: [], atomSiteRows: [],
      diagnostics: toDiagnostics(r.messages, text),
      summary: s ? `${s.formula} (${groupName(s)}, ${s.sites.length} sites in the cell)` : null,
      dataBlockLines: [], format, blocks: [], analysedBlock: null,
    };
  }
  const built = buildStructure(text, block ? { block } : {});
  // A cell refused before parsing (too many atoms) still gets its outline and hovers.
  const document = built.document.blocks.length || !text.trim() ? built.document : parseCif(text);
  const symbols: DocumentSymbol[] = [];
  const folding: FoldingRange[] = [];
  const tags: TagOccurrence[] = [];
  const values: ValueOccurrence[] = [];

  const visitFrame = (frame: CifFrame, kind: 'datablock' | 'saveframe'): DocumentSymbol => {
    const children: DocumentSymbol[] = [];
    // Single items grouped by category, in order of first appearance.
    const groups = new Map<string, { first: CifLocation; last: CifLocation; tags: DocumentSymbol[] }>();
    for (const item of frame.items) {
      const cat = tagCategory(item.tag);
      const end = item.value?.at ?? item.tagAt;
      const g = groups.get(cat) ?? { first: item.tagAt, last: end, tags: [] };
      g.last = end.endLine > g.last.endLine ? end : g.last;
      g.tags.push({ name: item.tag, detail: item.value ? truncate(item.value.text) : '', kind: 'tag', range: span(item.tagAt, end), selectionRange: toRange(item.tagAt), children: [] });
      groups.set(cat, g);
      tags.push({ tag: item.key, range: toRange(item.tagAt), valueRange: item.value ? toRange(item.value.at) : undefined, value: item.value?.text });
      if (item.value) {
        if (values.length < MAX_VALUES) values.push({ tag: item.key, range: toRange(item.value.at), text: item.value.text });
        if (item.value.at.endLine > item.value.at.line) folding.push({ startLine: item.value.at.line, endLine: item.value.at.endLine, kind: 'region' });
      }
    }
    for (const [cat, g] of groups) {
      children.push({ name: cat, detail: `${g.tags.length} item${g.tags.length > 1 ? 's' : ''}`, kind: 'category', range: span(g.first, g.last), selectionRange: toRange(g.first), children: g.tags });
    }
    for (const loop of frame.loops) {
      const cats = [...new Set(loop.tags.map((t) => tagCategory(t.tag)))];
      const name = `loop_ ${cats.join(', ') || '(empty)'}`;
      children.push({
        name, detail: `${loop.tags.length} tags × ${loop.rows.length} rows`, kind: 'loop', range: span(loop.at, loop.end), selectionRange: toRange(loop.at),
        children: loop.tags.map((t) => ({ name: t.tag, detail: '', kind: 'tag' as const, range: toRange(t.at), selectionRange: toRange(t.at), children: [] })),
      });
      if (loop.end.endLine > loop.at.line) folding.push({ startLine: loop.at.line, endLine: loop.end.endLine, kind: 'region' });
      for (const t of loop.tags) tags.push({ tag: t.key, range: toRange(t.at) });
      for (const row of loop.rows) {
        row.forEach((v, c) => {
          if (values.length < MAX_VALUES) values.push({ tag: loop.tags[c].key, range: toRange(v.at), text: v.text });
          if (v.at.endLine > v.at.line) folding.push({ startLine: v.at.line, endLine: v.at.endLine, kind: 'region' });
        });
      }
    }
    for (const save of frame.saveFrames) children.push(visitFrame(save, 'saveframe'));
    children.sort((a, b) => a.range.startLine - b.range.startLine || a.range.startColumn - b.range.startColumn);
    if (frame.end.endLine > frame.at.line) folding.push({ startLine: frame.at.line, endLine: frame.end.endLine, kind: 'region' });
    return { name: kind === 'datablock' ? `data_${frame.name}` : `save_${frame.name}`, detail: '', kind, range: span(frame.at, frame.end), selectionRange: toRange(frame.at), children };
  };
  for (const block of document.blocks) symbols.push(visitFrame(block, 'datablock'));

  const diagnostics = toDiagnostics(built.messages, text);

  const s = built.structure;
  if (s) {
    const detail = `${s.formula} · ${groupName(s)} · ${s.sites.length} sites`;
    const sym = symbols.find((b) => b.name === `data_${s.name}`);
    if (sym) sym.detail = detail;
  }
  return {
    symbols,
    folding: dedupeFolding(folding),
    diagnostics,
    tags,
    values,
    atomSiteRows: atomSiteRows(built.frame, s, built.bondValence),
    summary: s ? `${s.formula} (${groupName(s)}, ${s.sites.length} sites in the cell)` : null,
    dataBlockLines: document.blocks.map((b) => b.at.line),
    format: 'cif',
    blocks: document.blocks.map((b) => ({ name: b.name, line: b.at.line, hasStructure: hasAtomSites(b) })),
    analysedBlock: built.frame?.name ?? null,
  };
}

function toDiagnostics(messages: StructureMessage[], text: string): Diagnostic[] {
  const lineCount = text.split('\n').length;
  return messages.map((m) => {
    const at = m.at ?? { line: 0, column: 0, length: 1 };
    const line = Math.min(at.line, lineCount - 1);
    return { severity: m.severity, code: m.code, message: m.message, range: { startLine: line, startColumn: at.column, endLine: line, endColumn: at.column + Math.max(1, at.length) } };
  });
}

function atomSiteRows(frame: CifFrame | null, s: Structure | null, bondValence?: BondValenceCheck): AtomSiteRowInfo[] {
  if (!frame) return [];
  const loop = frame.loops.find((l) => l.tags.some((t) => t.key === '_atom_site_label' || t.key === '_atom_site_fract_x'));
  if (!loop) return [];
  const col = (k: string) => loop.tags.findIndex((t) => t.key === k);
  const cLabel = col('_atom_site_label');
  return loop.rows.map((row) => {
    const label = cLabel >= 0 ? row[cLabel].text : row[0].text;
    const asym = s?.asymmetricSites.find((a) => a.species.some((sp) => sp.label === label));
    const sp = asym?.species.find((x) => x.label === label);
    const last = row[row.length - 1].at;
    return {
      line: row[0].at.line,
      endLine: last.endLine,
      label,
      element: sp?.element ?? null,
      oxidation: sp?.oxidation ?? null,
      oxidationSource: sp?.oxidationSource ?? 'none',
      occupancy: sp?.occupancy ?? 1,
      multiplicity: asym?.multiplicity ?? null,
      frac: asym ? asym.frac : null,
      sharedWith: asym ? asym.species.filter((x) => x.label !== label).map((x) => `${x.element} (${x.label}, occ ${x.occupancy})`) : [],
      bondValenceSum: bondValence?.sites.find((v) => v.label === label && v.element === sp?.element)?.sum ?? null,
    };
  });
}

function dedupeFolding(ranges: FoldingRange[]): FoldingRange[] {
  const seen = new Set<string>();
  return ranges.filter((r) => {
    const k = `${r.startLine}:${r.endLine}`;
    if (seen.has(k) || r.endLine <= r.startLine) return false;
    seen.add(k);
    return true;
  }).sort((a, b) => a.startLine - b.startLine);
}

function truncate(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 40 ? `${one.slice(0, 37)}…` : one;
}

/** The file's space group, else the one moyo detected (said as such), else P1. */
function groupName(s: Structure): string {
  return s.spaceGroup.symbol ?? (s.spaceGroup.detected ? `${s.spaceGroup.detected.symbol}, detected` : 'P1');
}
