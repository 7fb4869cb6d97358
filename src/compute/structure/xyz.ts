/**
 * Extended XYZ (the ASE / QUIP convention) → `Structure`.
 *
 *   line 1  N, the number of atoms
 *   line 2  key=value pairs, values optionally in double quotes:
 *           Lattice="ax ay az bx by bz cx cy cz"  (Å, rows a, b, c; required: BVSE needs a periodic cell)
 *           Properties=name:type:count:…          (default species:S:1:pos:R:3; types S string, R real,
 *                                                  I integer, L logical; `Z:I:1` may replace species)
 *           pbc="T T T"                           (a non-periodic direction is refused: a vacuum gap
 *                                                  would read as a fake transport channel)
 *   N lines  the columns that Properties declares; positions are Cartesian Å.
 * Files with several frames (relaxation trajectories) are read at their last frame, which is said.
 */
import { canonicalElement, ELEMENTS } from './elements';
import { structureFromAtoms, type CellAtom } from './assemble';
import { cartToFrac, type ReadResult } from './poscar';
import type { Located, Mat3, StructureMessage, Vec3 } from './types';

interface Property { name: string; type: string; count: number }

/** Parse `key=value key2="quoted value" flag` into a lower-cased-key map with each value's column. */
export function parseKeyValues(line: string): Map<string, { value: string; column: number }> {
  const out = new Map<string, { value: string; column: number }>();
  const re = /([A-Za-z_][\w\-]*)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|\{([^}]*)\}|(\S+)))?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) {
    const value = m[2] ?? m[3] ?? m[4] ?? m[5] ?? 'T';
    out.set(m[1].toLowerCase(), { value, column: m.index });
  }
  return out;
}

function parseProperties(spec: string): Property[] | string {
  const parts = spec.split(':');
  if (parts.length % 3 !== 0) return `Properties must be name:type:count triples, got '${spec}'`;
  const props: Property[] = [];
  for (let i = 0; i < parts.length; i += 3) {
    const count = Number(parts[i + 2]);
    if (!/^[SRIL]$/i.test(parts[i + 1]) || !Number.isInteger(count) || count < 1) return `bad property '${parts.slice(i, i + 3).join(':')}' in Properties (type S, R, I or L; a positive count)`;
    props.push({ name: parts[i], type: parts[i + 1].toUpperCase(), count });
  }
  return props;
}

export function readExtendedXyz(text: string, name = 'structure'): ReadResult {
  const messages: StructureMessage[] = [];
  const fail = (message: string, at?: Located, code = 'xyz-syntax'): ReadResult => {
    messages.push({ severity: 'error', code, message, at });
    return { structure: null, messages };
  };
  if (!text.trim()) return fail('the file is empty', { line: 0, column: 0, length: 1 }, 'empty');
  const lines = text.split(/\r?\n/);

  // Frames: N, comment, N atoms; repeated. Read the starts of all of them, then parse the last.
  const starts: number[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!lines[i].trim()) { i++; continue; }
    const n = lines[i].trim();
    if (!/^\d+$/.test(n)) {
      if (!starts.length) return fail(`line ${i + 1} must be the number of atoms, not '${n.slice(0, 40)}'`, { line: i, column: lines[i].length - lines[i].trimStart().length, length: n.length });
      break; // trailing text after complete frames: ignored below, with a message
    }
    starts.push(i);
    i += 2 + Number(n);
  }
  if (i < lines.length && lines.slice(i).some((l) => l.trim())) {
    messages.push({ severity: 'warning', code: 'xyz-trailing', message: `text after the last complete frame (from line ${i + 1}) is ignored`, at: { line: i, column: 0, length: Math.max(1, lines[i].length) } });
  }
  const start = starts[starts.length - 1];
  if (starts.length > 1) messages.push({ severity: 'info', code: 'xyz-last-frame', message: `${starts.length} frames: the last one (line ${start + 1}) is analysed`, at: { line: start, column: 0, length: lines[start].length } });
  const count = Number(lines[start].trim());
  if (count === 0) return fail('the frame has zero atoms', { line: start, column: 0, length: lines[start].length }, 'missing-atom-sites');
  const commentIdx = start + 1;
  const comment = lines[commentIdx] ?? '';
  const commentAt = (col = 0, len = comment.length): Located => ({ line: commentIdx, column: col, length: Math.max(1, len) });
  const kv = parseKeyValues(comment);

  const lat = kv.get('lattice');
  if (!lat) return fail('no Lattice="…" on the comment line: ionpath needs the periodic cell (extended XYZ, as ASE writes it)', commentAt(), 'missing-cell');
  const lv = lat.value.trim().split(/\s+/).map(Number);
  if (lv.length !== 9 || lv.some((x) => !Number.isFinite(x))) return fail(`Lattice must hold 9 numbers (a, b, c vectors in Å), got '${lat.value}'`, commentAt(lat.column, lat.value.length + 10), 'missing-cell');
  const vectors: Mat3 = [[lv[0], lv[1], lv[2]], [lv[3], lv[4], lv[5]], [lv[6], lv[7], lv[8]]];

  const pbc = kv.get('pbc');
  if (pbc) {
    const flags = pbc.value.trim().split(/\s+/);
    const periodic = flags.map((f) => /^(T|True|1)$/i.test(f));
    if (flags.length !== 3 || periodic.some((p) => !p)) {
      const open = flags.length === 3 ? ['a', 'b', 'c'].filter((_, k) => !periodic[k]).join(', ') : '';
      return fail(`pbc="${pbc.value}": ${open ? `the structure is not periodic along ${open}` : 'pbc needs three flags'}; BVSE percolation needs a crystal periodic in all three directions`, commentAt(pbc.column, pbc.value.length + 6), 'not-periodic');
    }
  }

  const propSpec = kv.get('properties')?.value ?? 'species:S:1:pos:R:3';
  const props = parseProperties(propSpec);
  if (typeof props === 'string') return fail(props, commentAt(kv.get('properties')?.column ?? 0));
  let col = 0;
  let speciesCol = -1, zCol = -1, posCol = -1;
  let columns = 0;
  for (const p of props) {
    const n = p.name.toLowerCase();
    if ((n === 'species' || n === 'element') && p.type === 'S' && p.count === 1) speciesCol = col;
    if (n === 'z' && p.type === 'I' && p.count === 1) zCol = col;
    if ((n === 'pos' || n === 'positions') && p.type === 'R' && p.count === 3) posCol = col;
    col += p.count;
    columns += p.count;
  }
  if (posCol < 0) return fail(`Properties '${propSpec}' has no pos:R:3 column`, commentAt());
  if (speciesCol < 0 && zCol < 0) return fail(`Properties '${propSpec}' has no species:S:1 (or Z:I:1) column`, commentAt());

  const atoms: CellAtom[] = [];
  for (let k = 0; k < count; k++) {
    const li = commentIdx + 1 + k;
    const line = lines[li];
    if (line === undefined || !line.trim()) return fail(`${count} atoms are announced on line ${start + 1} but the frame stops after ${k}`, { line: Math.min(li, lines.length - 1), column: 0, length: 1 });
    const tokens: { text: string; column: number }[] = [];
    const re = /\S+/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line))) tokens.push({ text: m[0], column: m.index });
    const at = (t: number): Located => (tokens[t] ? { line: li, column: tokens[t].column, length: tokens[t].text.length } : { line: li, column: line.length, length: 1 });
    if (tokens.length < columns) return fail(`atom ${k + 1} (line ${li + 1}) has ${tokens.length} columns; Properties declares ${columns}`, at(tokens.length));
    let element: string | null;
    if (speciesCol >= 0) {
      const s = tokens[speciesCol].text;
      element = canonicalElement(/^[A-Za-z]{1,2}/.exec(s)?.[0] ?? '') ?? canonicalElement(s.slice(0, 1));
      if (!element) return fail(`atom ${k + 1}: '${s}' is not an element symbol`, at(speciesCol), 'unknown-element');
    } else {
      const z = Number(tokens[zCol].text);
      element = Number.isInteger(z) && z >= 1 && z <= ELEMENTS.length ? ELEMENTS[z - 1] : null;
      if (!element) return fail(`atom ${k + 1}: '${tokens[zCol].text}' is not an atomic number`, at(zCol), 'unknown-element');
    }
    const cart: number[] = [];
    for (let c = 0; c < 3; c++) {
      const x = Number(tokens[posCol + c].text);
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(tokens[posCol + c].text) || !Number.isFinite(x)) return fail(`atom ${k + 1}: coordinate '${tokens[posCol + c].text}' is not a number`, at(posCol + c));
      cart.push(x);
    }
    atoms.push({ element, frac: cartToFrac(cart as Vec3, vectors), at: { line: li, column: tokens[0].column, length: Math.max(1, line.trimEnd().length - tokens[0].column) } });
  }
  const title = (kv.get('name')?.value ?? kv.get('config_type')?.value ?? name).trim() || name;
  const structure = structureFromAtoms(title, vectors, atoms, messages, commentAt(lat.column, lat.value.length + 10));
  return { structure, messages };
}
