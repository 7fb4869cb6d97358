/**
 * One entry point for every structure format ionpath reads: CIF (build.ts), VASP POSCAR/CONTCAR
 * (poscar.ts) and extended XYZ (xyz.ts). The format is chosen by the file name (extension, or the
 * VASP names POSCAR*, CONTCAR*), else by the content; `formatOfFile` says which.
 *
 * Content detection only claims what it recognises: a `data_` line is a CIF; an atom count followed by a
 * `Lattice=` line is extended XYZ; a scale line and three lines of three numbers (lines 2–5) is a POSCAR.
 * Anything else is read as a CIF, so a broken CIF gets CIF errors, not POSCAR ones.
 */
import { buildStructure, type BuildOptions } from './build';
import { readPoscar } from './poscar';
import { readExtendedXyz } from './xyz';
import type { Structure, StructureMessage } from './types';

/** The last path component, for '/' and '\\' separators (names may come from URIs or Windows paths). */
const basename = (name: string): string => name.split(/[\\/]/).pop() ?? name;

export type StructureFormat = 'cif' | 'poscar' | 'xyz';

export interface StructureReadResult {
  structure: Structure | null;
  messages: StructureMessage[];
  format: StructureFormat;
}

/** File extensions (lower case, with the dot) per format; what the extension and the CLI accept. */
export const STRUCTURE_EXTENSIONS: Readonly<Record<StructureFormat, readonly string[]>> = {
  cif: ['.cif', '.mcif'],
  poscar: ['.vasp', '.poscar', '.contcar'],
  xyz: ['.xyz', '.extxyz'],
};

/** True for names ionpath reads: the extensions above and the VASP names POSCAR, CONTCAR (with any suffix). */
export function isStructureFileName(name: string): boolean {
  return formatFromName(name) !== null;
}

function formatFromName(name: string): StructureFormat | null {
  const base = basename(name);
  const lower = base.toLowerCase();
  for (const [format, exts] of Object.entries(STRUCTURE_EXTENSIONS) as [StructureFormat, readonly string[]][]) {
    if (exts.some((e) => lower.endsWith(e))) return format;
  }
  if (/^(POSCAR|CONTCAR)/i.test(base)) return 'poscar';
  return null;
}

/** The format of a file: by name first, else by content (the module comment says how). */
export function formatOfFile(name: string, text: string): StructureFormat {
  return formatFromName(name) ?? formatOfText(text);
}

const NUMBER = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:[eEdD][+-]?\d+)?`;
const THREE_NUMBERS = new RegExp(String.raw`^\s*${NUMBER}\s+${NUMBER}\s+${NUMBER}(?:\s|$)`);
const SCALE = new RegExp(String.raw`^\s*${NUMBER}(?:\s+${NUMBER}\s+${NUMBER})?\s*(?:[!#].*)?$`);

/** The format by content alone (no name): CIF unless the text is recognisably extended XYZ or a POSCAR. */
export function formatOfText(text: string): StructureFormat {
  const head = text.slice(0, 4096);
  if (/^\s*data_/im.test(head)) return 'cif';
  const lines = head.split(/\r?\n/, 6);
  if (/^\s*\d+\s*$/.test(lines[0] ?? '') && /lattice\s*=/i.test(lines[1] ?? '')) return 'xyz';
  if (lines.length >= 5 && SCALE.test(lines[1]) && [2, 3, 4].every((i) => THREE_NUMBERS.test(lines[i]))) return 'poscar';
  return 'cif';
}

/** What to read: the format (else from `name`, else from the content), the CIF data block, the build's options. */
export interface ReadOptions extends BuildOptions {
  format?: StructureFormat;
  /** The file's name or path (for the format and the title of a POSCAR/XYZ structure). */
  name?: string;
}

/**
 * Read a structure of any supported format (never throws; problems are located messages). `block` applies to
 * CIFs; for the other formats a given block is an error (they hold one structure).
 */
export function readStructure(text: string, options: ReadOptions = {}): StructureReadResult {
  const format = options.format ?? formatOfFile(options.name ?? '', text);
  if (format !== 'cif' && options.block) {
    return { structure: null, messages: [{ severity: 'error', code: 'missing-block', message: `a data block ('${options.block}') was asked for, but this is a ${FORMAT_NAMES[format]} file, which holds one structure`, at: { line: 0, column: 0, length: 1 } }], format };
  }
  return readAs(format, options.name ?? (format === 'poscar' ? 'POSCAR' : 'structure'), text, options);
}

/** Names of the formats for messages. */
export const FORMAT_NAMES: Readonly<Record<StructureFormat, string>> = { cif: 'CIF', poscar: 'VASP POSCAR', xyz: 'extended XYZ' };

/** Read a structure file of any supported format. Never throws; problems are located messages. */
export function readStructureFile(name: string, text: string, options: BuildOptions = {}): StructureReadResult {
  return readAs(formatOfFile(name, text), name, text, options);
}

function readAs(format: StructureFormat, name: string, text: string, options: BuildOptions): StructureReadResult {
  if (format === 'cif') {
    const r = buildStructure(text, options);
    return { structure: r.structure, messages: r.messages, format };
  }
  let r: { structure: Structure | null; messages: StructureMessage[] };
  try {
    r = format === 'poscar' ? readPoscar(text, basename(name)) : readExtendedXyz(text, basename(name));
  } catch (e) {
    r = { structure: null, messages: [{ severity: 'error', code: 'internal', message: `internal error while reading the ${format} file: ${e instanceof Error ? e.message : String(e)}` }] };
  }
  const maxSites = options.maxSites ?? 20000; // build.ts's default
  if (r.structure && r.structure.sites.length > maxSites) {
    r.messages.push({ severity: 'error', code: 'too-large', message: `the cell holds ${r.structure.sites.length} atoms (limit ${maxSites}); ionpath refuses cells this large` });
    return { structure: null, messages: r.messages, format };
  }
  return { structure: r.structure, messages: r.messages, format };
}
