/**
 * One entry point for every structure format ionpath reads: CIF (build.ts), VASP POSCAR/CONTCAR
 * (poscar.ts) and extended XYZ (xyz.ts). The format is chosen by the file name (extension, or the
 * VASP names POSCAR*, CONTCAR*), else by the content; `formatOfFile` says which.
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

/** The format of a file: by name first, else by content (a `data_` line is a CIF; a count line then a Lattice= line is XYZ). */
export function formatOfFile(name: string, text: string): StructureFormat {
  const byName = formatFromName(name);
  if (byName) return byName;
  if (/^\s*data_/im.test(text)) return 'cif';
  const first = text.split(/\r?\n/, 2);
  if (/^\s*\d+\s*$/.test(first[0] ?? '') && /lattice\s*=/i.test(first[1] ?? '')) return 'xyz';
  return 'poscar';
}

/** Read a structure file of any supported format. Never throws; problems are located messages. */
export function readStructureFile(name: string, text: string, options: BuildOptions = {}): StructureReadResult {
  const format = formatOfFile(name, text);
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
