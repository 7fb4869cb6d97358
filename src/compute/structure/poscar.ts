/**
 * VASP POSCAR / CONTCAR → `Structure`.
 *
 * Format (VASP wiki, "POSCAR"):
 *   1  comment
 *   2  scale s: one number (s > 0 multiplies the lattice; s < 0 is the cell volume |s| in Å³, the lattice
 *      is multiplied by (|s| / V₀)^(1/3)), or three positive numbers (one per lattice vector)
 *   3–5  lattice vectors a, b, c (Å, before scaling)
 *   6  species names (VASP 5)  — absent in VASP 4, where line 6 holds the counts
 *   7  counts per species
 *   [Selective dynamics]        (a line starting with S or s)
 *   Direct | Cartesian          (first letter D/d: fractional; C/c/K/k: Cartesian Å, scaled like the lattice)
 *   one line per atom: x y z [T/F T/F T/F] [species]
 * Anything after the positions (velocities, predictor–corrector data) is ignored.
 *
 * VASP 4 files name no species: they are taken from the comment line when it lists exactly as many
 * element symbols as there are counts (pymatgen and ASE write "Li Fe P O" or "Li4 Fe4 P4 O16"; POTCAR
 * titles such as "PAW_PBE Li_sv 17Jan2003" are read the same way), or from species names written after
 * the coordinates; otherwise the error asks for a species line.
 */
import { canonicalElement } from './elements';
import { structureFromAtoms, type CellAtom } from './assemble';
import type { Located, Mat3, Structure, StructureMessage, Vec3 } from './types';

export interface ReadResult {
  structure: Structure | null;
  /** All messages; `structure` is null when one is an error. */
  messages: StructureMessage[];
}

interface Line { text: string; tokens: { text: string; column: number }[]; index: number }

function splitLines(text: string): Line[] {
  return text.split(/\r?\n/).map((t, index) => {
    const tokens: { text: string; column: number }[] = [];
    const re = /\S+/g;
    let m: RegExpExecArray | null;
    // A '!' or '#' starts a comment in the numeric lines written by some tools.
    const body = t.replace(/[!#].*$/, '');
    while ((m = re.exec(body))) tokens.push({ text: m[0], column: m.index });
    return { text: t, tokens, index };
  });
}

const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?$/;
const parseFloatStrict = (s: string): number | null => (FLOAT.test(s) ? Number(s.replace(/[dD]/, 'e')) : null);

/** The element a species token names: "Li", "Li_sv", "Fe_pv", "O_h", "Li1+" → Li, Fe, O, Li. */
function elementOfToken(tok: string): string | null {
  const m = /^([A-Za-z]{1,2})(?=$|[_\d+\-/.])/.exec(tok) ?? /^([A-Za-z])/.exec(tok);
  if (!m) return null;
  const two = canonicalElement(m[1]);
  if (two && m[1][0] === m[1][0].toUpperCase()) return two;
  return m[1].length === 2 ? canonicalElement(m[1][0]) : two;
}

/** Species from a comment line, when it lists exactly `n` element symbols. */
function speciesFromComment(comment: string, n: number): string[] | null {
  const words = comment.split(/[\s,;:]+/).filter(Boolean).filter((w) => !/^(PAW|US|PAW_PBE|PAW_GGA|PAW_LDA|PBE|LDA|GGA)$/i.test(w) && !/^\d/.test(w));
  // A formula-like token ("Li4", "Fe4") or a POTCAR name ("Li_sv"): an element followed by digits, '_' or nothing.
  const els: string[] = [];
  for (const w of words) {
    const m = /^([A-Z][a-z]?)(\d*(\.\d+)?|_[A-Za-z0-9]*)$/.exec(w);
    if (!m) continue;
    const e = canonicalElement(m[1]);
    if (e) els.push(e);
  }
  return els.length === n ? els : null;
}

export function readPoscar(text: string, name = 'POSCAR'): ReadResult {
  const messages: StructureMessage[] = [];
  const fail = (message: string, at?: Located, code = 'poscar-syntax'): ReadResult => {
    messages.push({ severity: 'error', code, message, at });
    return { structure: null, messages };
  };
  if (!text.trim()) return fail('the file is empty', { line: 0, column: 0, length: 1 }, 'empty');
  const lines = splitLines(text);
  const whole = (l: Line): Located => ({ line: l.index, column: 0, length: Math.max(1, l.text.length) });
  const tokenAt = (l: Line, k: number): Located => (l.tokens[k] ? { line: l.index, column: l.tokens[k].column, length: l.tokens[k].text.length } : { line: l.index, column: l.text.length, length: 1 });
  const need = (i: number, what: string): Line | ReadResult => (i < lines.length ? lines[i] : fail(`the file ends before ${what} (line ${i + 1})`, { line: Math.max(0, lines.length - 1), column: 0, length: 1 }));

  const comment = lines[0].text.trim();

  // ---- scale ----
  const scaleLine = need(1, 'the scale factor');
  if ('messages' in scaleLine) return scaleLine;
  const scales = scaleLine.tokens.slice(0, 3).map((t) => parseFloatStrict(t.text));
  const nScales = scales.length >= 3 && scales.every((s) => s !== null) ? 3 : 1;
  if (scales[0] === null || scales[0] === undefined) return fail(`line 2 must be the scale factor (a number), not '${scaleLine.tokens[0]?.text ?? ''}'`, tokenAt(scaleLine, 0));
  if (scales[0] === 0) return fail('the scale factor is 0', tokenAt(scaleLine, 0));
  if (nScales === 3 && scales.some((s) => s! <= 0)) return fail('with three scale factors (one per lattice vector) each must be positive', whole(scaleLine));

  // ---- lattice ----
  const raw: Vec3[] = [];
  for (let i = 2; i < 5; i++) {
    const l = need(i, `lattice vector ${'abc'[i - 2]}`);
    if ('messages' in l) return l;
    const v: number[] = [];
    for (let k = 0; k < 3; k++) {
      const x = l.tokens[k] ? parseFloatStrict(l.tokens[k].text) : null;
      if (x === null || !Number.isFinite(x)) return fail(`lattice vector ${'abc'[i - 2]} (line ${i + 1}) needs three numbers; ${l.tokens[k] ? `'${l.tokens[k].text}' is not a number` : `only ${l.tokens.length} given`}`, tokenAt(l, k));
      v.push(x);
    }
    raw.push(v as Vec3);
  }
  const rawVolume = det(raw as Mat3);
  let factor: Vec3;
  if (nScales === 3) factor = scales as Vec3;
  else if (scales[0]! < 0) {
    if (Math.abs(rawVolume) < 1e-9) return fail('a negative scale factor is a target volume, but the lattice vectors span no volume', whole(scaleLine));
    const f = Math.cbrt(-scales[0]! / Math.abs(rawVolume));
    factor = [f, f, f];
  } else factor = [scales[0]!, scales[0]!, scales[0]!];
  const vectors = (nScales === 3 ? raw.map((v) => v.map((x, k) => x * factor[k])) : raw.map((v, i) => v.map((x) => x * factor[i]))) as Mat3;
  const cellAt: Located = { line: 2, column: 0, length: Math.max(1, lines[2].text.length) };

  // ---- species and counts ----
  let idx = 5;
  const l6 = need(idx, 'the species or counts line');
  if ('messages' in l6) return l6;
  let species: string[] | null = null;
  let speciesLine: Line | null = null;
  const isCounts = (l: Line) => l.tokens.length > 0 && l.tokens.every((t) => /^\d+$/.test(t.text));
  if (!isCounts(l6)) {
    speciesLine = l6;
    species = [];
    for (let k = 0; k < l6.tokens.length; k++) {
      const e = elementOfToken(l6.tokens[k].text);
      if (!e) return fail(`'${l6.tokens[k].text}' on the species line is not an element symbol`, tokenAt(l6, k), 'unknown-element');
      species.push(e);
    }
    idx++;
  }
  const countLine = need(idx, 'the atom counts');
  if ('messages' in countLine) return countLine;
  if (!isCounts(countLine)) {
    const bad = countLine.tokens.findIndex((t) => !/^\d+$/.test(t.text));
    return fail(`line ${idx + 1} must list the number of atoms of each species (whole numbers)${bad >= 0 ? `; '${countLine.tokens[bad].text}' is not one` : ''}`, tokenAt(countLine, Math.max(0, bad)));
  }
  const counts = countLine.tokens.map((t) => Number(t.text));
  if (species && species.length !== counts.length) {
    return fail(`${species.length} species are named on line ${speciesLine!.index + 1} but ${counts.length} counts are given on line ${idx + 1}`, whole(countLine));
  }
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return fail('the counts add up to zero atoms', whole(countLine), 'missing-atom-sites');
  idx++;

  // ---- selective dynamics, coordinate mode ----
  let modeLine = need(idx, 'the coordinate mode (Direct or Cartesian)');
  if ('messages' in modeLine) return modeLine;
  let selective = false;
  if (/^\s*[sS]/.test(modeLine.text)) {
    selective = true;
    idx++;
    modeLine = need(idx, 'the coordinate mode (Direct or Cartesian)');
    if ('messages' in modeLine) return modeLine;
  }
  const mode = modeLine.text.trim()[0];
  let cartesian: boolean;
  if (mode && /[dD]/.test(mode)) cartesian = false;
  else if (mode && /[cCkK]/.test(mode)) cartesian = true;
  else return fail(`line ${idx + 1} must say Direct or Cartesian, not '${modeLine.text.trim()}'`, whole(modeLine));
  idx++;

  // ---- positions ----
  const positions: { frac: Vec3; line: Line; label: string | null }[] = [];
  for (let n = 0; n < total; n++, idx++) {
    const l = lines[idx];
    if (!l || !l.tokens.length) return fail(`${total} atoms are counted on line ${countLine.index + 1} but the positions stop after ${n}`, { line: Math.min(idx, lines.length - 1), column: 0, length: 1 });
    const xyz: number[] = [];
    for (let k = 0; k < 3; k++) {
      const x = l.tokens[k] ? parseFloatStrict(l.tokens[k].text) : null;
      if (x === null || !Number.isFinite(x)) return fail(`atom ${n + 1} (line ${idx + 1}) needs three coordinates; ${l.tokens[k] ? `'${l.tokens[k].text}' is not a number` : `only ${l.tokens.length} given`}`, tokenAt(l, k));
      xyz.push(x);
    }
    let rest = 3;
    if (selective) {
      for (let k = 3; k < 6; k++) {
        if (!l.tokens[k] || !/^[TF]$/i.test(l.tokens[k].text)) return fail(`atom ${n + 1} (line ${idx + 1}): selective dynamics needs three T/F flags after the coordinates`, tokenAt(l, k));
      }
      rest = 6;
    }
    const label = l.tokens[rest]?.text ?? null;
    let frac: Vec3;
    if (cartesian) {
      const f = nScales === 3 ? factor : [factor[0], factor[0], factor[0]];
      const cart: Vec3 = [xyz[0] * f[0], xyz[1] * f[1], xyz[2] * f[2]];
      frac = cartToFrac(cart, vectors);
    } else frac = xyz as Vec3;
    positions.push({ frac, line: l, label });
  }
  // One more position line right after the counted ones (no blank line, as VASP writes before a velocity block)
  // means the counts and the positions disagree: reading only the counted ones would analyse another composition.
  const next = lines[idx];
  if (next && next.tokens.length >= 3 && next.tokens.slice(0, 3).every((t) => parseFloatStrict(t.text) !== null)) {
    return fail(`line ${idx + 1} is one more atom position than the ${total} counted on line ${countLine.index + 1}: the counts or the positions are wrong`, whole(next));
  }

  if (!species) {
    species = speciesFromComment(comment, counts.length);
    if (species) {
      messages.push({ severity: 'info', code: 'poscar-species-from-comment', message: `VASP 4 file without a species line: species ${species.join(', ')} taken from the comment line`, at: whole(lines[0]) });
    } else {
      // Species written after each atom's coordinates (some converters do): one per count block.
      const fromLabels: string[] = [];
      let start = 0;
      for (const c of counts) {
        const e = positions[start]?.label ? elementOfToken(positions[start].label!) : null;
        if (!e) break;
        fromLabels.push(e);
        start += c;
      }
      if (fromLabels.length === counts.length) {
        species = fromLabels;
        messages.push({ severity: 'info', code: 'poscar-species-from-labels', message: `VASP 4 file without a species line: species ${species.join(', ')} taken from the labels after the coordinates`, at: whole(countLine) });
      } else {
        return fail(`this is a VASP 4 POSCAR: it gives ${counts.length} atom counts but no species names. Add a line with the element symbols (e.g. "Li Fe P O") above line ${countLine.index + 1}, as VASP 5 writes it`, whole(countLine), 'poscar-no-species');
      }
    }
  }

  const atoms: CellAtom[] = [];
  let p = 0;
  counts.forEach((c, s) => {
    for (let k = 0; k < c; k++, p++) {
      const l = positions[p].line;
      atoms.push({ element: species![s], frac: positions[p].frac, at: { line: l.index, column: l.tokens[0].column, length: Math.max(1, l.text.trimEnd().length - l.tokens[0].column) } });
    }
  });
  const structure = structureFromAtoms(comment || name, vectors, atoms, messages, cellAt);
  return { structure, messages };
}

function det(m: Mat3): number {
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

/** frac = cart · M⁻¹ for row lattice vectors M. */
export function cartToFrac(cart: Vec3, m: Mat3): Vec3 {
  const d = det(m);
  if (Math.abs(d) < 1e-12) return [0, 0, 0];
  const [[a, b, c], [e, f, g], [h, i, j]] = m;
  const inv: Mat3 = [
    [(f * j - g * i) / d, (c * i - b * j) / d, (b * g - c * f) / d],
    [(g * h - e * j) / d, (a * j - c * h) / d, (c * e - a * g) / d],
    [(e * i - f * h) / d, (b * h - a * i) / d, (a * f - b * e) / d],
  ];
  return [0, 1, 2].map((k) => cart[0] * inv[0][k] + cart[1] * inv[1][k] + cart[2] * inv[2][k]) as Vec3;
}

