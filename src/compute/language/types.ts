/**
 * Editor-independent language analysis of a CIF document. Computed in the compute host; the
 * extension maps these onto VS Code's providers (0-based line/column ranges throughout).
 */
import type { Severity } from '../structure/types';
import type { StructureFormat } from '../structure/read';

export interface Range { startLine: number; startColumn: number; endLine: number; endColumn: number }

export type SymbolKind = 'datablock' | 'saveframe' | 'category' | 'loop' | 'tag';

export interface DocumentSymbol {
  name: string;
  detail: string;
  kind: SymbolKind;
  range: Range;           // the whole construct
  selectionRange: Range;  // the name
  children: DocumentSymbol[];
}

export interface FoldingRange { startLine: number; endLine: number; kind: 'region' | 'comment' }

export interface Diagnostic {
  severity: Severity;
  code: string;
  message: string;
  range: Range;
}

/** Facts about one `_atom_site_*` loop row, for hovers on that row. */
export interface AtomSiteRowInfo {
  line: number;             // the row's first line
  endLine: number;
  label: string;
  element: string | null;
  oxidation: number | null;
  oxidationSource: 'cif' | 'guessed' | 'none';
  occupancy: number;
  /** Positions in the cell after symmetry expansion; null when the structure could not be built. */
  multiplicity: number | null;
  frac: [number, number, number] | null;
  /** Other species on the same position (mixed site), described for the hover. */
  sharedWith: string[];
  /** This species' bond-valence sum (v.u., softBV parameters); null when not computed or not parameterised. */
  bondValenceSum: number | null;
}

/** A tag occurrence, for hovers on tags and their values. */
export interface TagOccurrence {
  tag: string;              // as written, lower-cased
  range: Range;             // of the tag name
  valueRange?: Range;       // of its value, for tag-value pairs (not loops)
  value?: string;
}

/** A value and the tag it belongs to (in a loop: its column's tag), for hovers on values. */
export interface ValueOccurrence {
  tag: string;              // lower-case, normalised
  range: Range;
  text: string;
}

export interface DocumentAnalysis {
  values: ValueOccurrence[];
  symbols: DocumentSymbol[];
  folding: FoldingRange[];
  diagnostics: Diagnostic[];
  tags: TagOccurrence[];
  atomSiteRows: AtomSiteRowInfo[];
  /** One-line structure summary for the status bar / hover, or null when no structure was built. */
  summary: string | null;
  /** 0-based line of each `data_` header, in order. */
  dataBlockLines: number[];
  /** The format the text was read as (a POSCAR or XYZ has no CIF outline, only diagnostics and the summary). */
  format: StructureFormat;
  /** Each data block: its name, header line, whether it holds atom sites (a structure), in order. */
  blocks: { name: string; line: number; hasStructure: boolean }[];
  /** The block the diagnostics and the summary are for (null: none built, or not a CIF). */
  analysedBlock: string | null;
}
