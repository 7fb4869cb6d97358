/**
 * Symmetry operations: parsing the CIF's `x,y,z` forms, and looking up operations from a
 * Hermann–Mauguin symbol, Hall symbol or space-group number through moyo (spglib team).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as moyo from '@spglib/moyo-wasm';
import type { Mat3, Vec3 } from './types';
import { norm, vecMat } from './geometry';
import { countText } from './formula';

export interface SymOp {
  /** Integer rotation matrix acting on fractional column vectors: x' = R x + t. */
  rot: Mat3;
  trans: Vec3;
}

/** A parse failure says where: `offset` is the 0-based index of the offending character in the text given. */
export type SymopParse = { op: SymOp } | { error: string; offset: number };

type SymopToken = { kind: 'sign' | 'var' | 'number' | 'star' | 'comma' | 'bad'; text: string; offset: number };

/**
 * Tokens of an operation: signs, x/y/z (or JANA's x1/x2/x3), numbers (`1/2`, `0.5`, `.25`, `3`), `*`, commas; spaces and the quotes
 * around a CIF value are skipped (their offsets still count, so errors point into the original text).
 */
function tokenizeSymop(text: string): SymopToken[] {
  const out: SymopToken[] = [];
  const num = /\d+(?:\.\d*)?(?:\/\d+(?:\.\d*)?)?|\.\d+(?:\/\d+(?:\.\d*)?)?/y;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/[\s'"]/.test(c)) { i++; continue; }
    if (c === '+' || c === '-') { out.push({ kind: 'sign', text: c, offset: i }); i++; continue; }
    if (c === ',') { out.push({ kind: 'comma', text: c, offset: i }); i++; continue; }
    if (c === '*') { out.push({ kind: 'star', text: c, offset: i }); i++; continue; }
    // JANA writes the coordinates x1, x2, x3 (x4… for superspace, refused by the caller's count of parts).
    if (/[xX]/.test(c) && /[123]/.test(text[i + 1] ?? '') && !/[\d./]/.test(text[i + 2] ?? '')) { out.push({ kind: 'var', text: 'xyz'[Number(text[i + 1]) - 1], offset: i }); i += 2; continue; }
    if (/[xyzXYZ]/.test(c)) { out.push({ kind: 'var', text: c.toLowerCase(), offset: i }); i++; continue; }
    num.lastIndex = i;
    const m = num.exec(text);
    if (m) { out.push({ kind: 'number', text: m[0], offset: i }); i += m[0].length; continue; }
    out.push({ kind: 'bad', text: text.slice(i).replace(/['"\s]/g, ''), offset: i });
    break;
  }
  return out;
}

/**
 * Parse one operation such as `-x+1/2, y, z+0.25` or `x-y,x,1/2+z`: exactly the CIF form, three comma-separated
 * components, each a signed sum of terms, a term being x, y, z or a number (fraction or decimal); every term after
 * the first needs its sign, so `z+0.5.5` and `1.2.3` are errors rather than z+1 and 1.5. Integer coefficients
 * other than 1 (`2x`) are rejected: not a crystallographic operation. Never throws.
 */
export function parseSymop(text: string): SymopParse {
  const tokens = tokenizeSymop(text);
  const commas = text.split(',').length - 1;
  const bad = tokens.find((t) => t.kind === 'bad');
  const endOffset = Math.max(0, text.length - 1);
  if (commas > 2 && /x[4-6]/i.test(text)) return { error: `'${text}' is a (3+${commas - 2})-dimensional superspace operation: modulated structures are not read; give the average structure's operations (x, y, z)`, offset: 0 };
  if (commas !== 2) return { error: `a symmetry operation needs 3 comma-separated parts, got ${commas + 1}: '${text}'`, offset: 0 };
  const rot: Mat3 = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  const trans: Vec3 = [0, 0, 0];
  let k = 0;
  const fail = (error: string, offset: number): SymopParse => ({ error, offset });
  for (let row = 0; row < 3; row++) {
    const rowStart = tokens[k]?.offset ?? endOffset;
    if (k >= tokens.length || tokens[k].kind === 'comma') {
      if (commas !== 2) break;
      return fail(`empty part ${row + 1} in '${text}'`, rowStart);
    }
    let first = true;
    while (k < tokens.length && tokens[k].kind !== 'comma') {
      let t = tokens[k];
      let sign = 1;
      if (t.kind === 'sign') {
        sign = t.text === '-' ? -1 : 1;
        k++;
        t = tokens[k];
        if (!t || t.kind === 'comma') return fail(`dangling sign in symmetry operation '${text}'`, tokens[k - 1].offset);
      } else if (!first) {
        return fail(`cannot read '${t.text}${restOf(tokens, k + 1)}' in symmetry operation '${text}' (a + or - is expected before '${t.text}', at character ${t.offset + 1})`, t.offset);
      }
      if (t.kind === 'bad') return fail(`cannot read '${t.text}' in symmetry operation '${text}' (expected x, y, z, numbers and + or -; at character ${t.offset + 1})`, t.offset);
      if (t.kind === 'sign' || t.kind === 'star') return fail(`cannot read '${t.text}${restOf(tokens, k + 1)}' in symmetry operation '${text}' (expected x, y, z or a number at character ${t.offset + 1})`, t.offset);
      if (t.kind === 'var') {
        rot[row][t.text === 'x' ? 0 : t.text === 'y' ? 1 : 2] += sign;
        k++;
      } else {
        // A number: a translation, or a coefficient when x, y or z follows (only 1 is crystallographic).
        const value = evalNumber(t.text);
        k++;
        let next = tokens[k];
        if (next?.kind === 'star') { k++; next = tokens[k]; if (next?.kind !== 'var') return fail(`'*' after ${t.text} must be followed by x, y or z in '${text}'`, t.offset); }
        if (next?.kind === 'var') {
          if (value !== 1) return fail(`coefficient ${t.text} on ${next.text} in '${text}' is not a crystallographic operation`, t.offset);
          rot[row][next.text === 'x' ? 0 : next.text === 'y' ? 1 : 2] += sign;
          k++;
        } else {
          if (!Number.isFinite(value)) return fail(`bad number '${t.text}' in '${text}'`, t.offset);
          trans[row] += sign * value;
        }
      }
      first = false;
    }
    if (rot[row].every((r) => r === 0)) return fail(`part ${row + 1} of '${text}' has no x, y or z`, rowStart);
    if (k < tokens.length && tokens[k].kind === 'comma') k++;
  }
  if (bad) return fail(`cannot read '${bad.text}' in symmetry operation '${text}' (expected x, y, z, numbers and + or -; at character ${bad.offset + 1})`, bad.offset);
  if (commas !== 2) return fail(`a symmetry operation needs 3 comma-separated parts, got ${commas + 1}: '${text}'`, 0);
  if (rot.some((r) => r.some((v) => Math.abs(v) > 1))) return fail(`'${text}' repeats a variable within one part: not a crystallographic operation`, 0);
  const d = det(rot);
  if (d !== 1 && d !== -1) return fail(`'${text}' is not a valid operation (its matrix has determinant ${d})`, 0);
  return { op: { rot, trans } };
}

function restOf(tokens: SymopToken[], from: number): string {
  let s = '';
  for (let i = from; i < tokens.length && tokens[i].kind !== 'comma'; i++) s += tokens[i].text;
  return s;
}

function evalNumber(s: string): number {
  const slash = s.indexOf('/');
  if (slash >= 0) return Number(s.slice(0, slash)) / Number(s.slice(slash + 1));
  return Number(s);
}

/** `x,y,z` text of an operation (translations as fractions of 12 where exact, else decimals). */
export function formatSymop(op: SymOp): string {
  const v = ['x', 'y', 'z'];
  return op.rot.map((r, i) => {
    let s = '';
    r.forEach((c, j) => { if (c) s += `${c < 0 ? '-' : s ? '+' : ''}${Math.abs(c) === 1 ? '' : Math.abs(c)}${v[j]}`; });
    const t = op.trans[i];
    if (Math.abs(t) > 1e-9) {
      const twelfths = t * 12;
      let f: string;
      if (Math.abs(twelfths - Math.round(twelfths)) < 1e-6) {
        const n = Math.round(Math.abs(twelfths)), g = gcdInt(n, 12);
        f = `${n / g}/${12 / g}`;
      } else f = String(Number(Math.abs(t).toFixed(4)));
      s += `${t < 0 ? '-' : '+'}${f}`;
    }
    return s;
  }).join(',');
}

function gcdInt(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** (a∘b)(x) = R_a (R_b x + t_b) + t_a. */
export function composeOps(a: SymOp, b: SymOp): SymOp {
  const rot = [0, 1, 2].map((i) => [0, 1, 2].map((j) => a.rot[i][0] * b.rot[0][j] + a.rot[i][1] * b.rot[1][j] + a.rot[i][2] * b.rot[2][j])) as Mat3;
  return { rot, trans: applyOp(a, b.trans) };
}

/** Translations are compared modulo lattice translations, to this tolerance (CIFs write 1/3 as 0.3333). */
const TRANSLATION_TOLERANCE = 2e-3;

/** The largest crystallographic group in a conventional cell: F m -3 m, 48 point operations × 4 centrings. */
export const MAX_GROUP_ORDER = 192;

/** Equal rotations, and translations equal modulo lattice translations. */
export function sameOp(a: SymOp, b: SymOp): boolean {
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) if (a.rot[i][j] !== b.rot[i][j]) return false;
    const d = a.trans[i] - b.trans[i];
    if (Math.abs(d - Math.round(d)) > TRANSLATION_TOLERANCE) return false;
  }
  return true;
}

export interface OperationClosure {
  /** The group generated by the operations (the input, duplicates removed, then the products that were missing). */
  ops: SymOp[];
  /** Listed operations equal to an earlier one (modulo lattice translations). */
  duplicates: number;
  /** Products of listed operations that were not listed, added to close the set (the first few, as text). */
  added: SymOp[];
  /** True when the closure would exceed MAX_GROUP_ORDER: the set is not a crystallographic group (ops = as listed). */
  notAGroup: boolean;
}

/**
 * Close a set of operations under composition: a space group's operations (modulo lattice translations) form a group,
 * so a listed set that is not closed is either a list of generators or a mistake; either way the caller says so.
 */
export function closeOperations(listed: SymOp[]): OperationClosure {
  const ops: SymOp[] = [];
  let duplicates = 0;
  for (const o of listed) { if (ops.some((p) => sameOp(p, o))) duplicates++; else ops.push(o); }
  const unique = ops.slice();
  const added: SymOp[] = [];
  for (let i = 0; i < ops.length; i++) {
    for (let j = 0; j <= i; j++) {
      for (const prod of [composeOps(ops[i], ops[j]), composeOps(ops[j], ops[i])]) {
        if (ops.some((p) => sameOp(p, prod))) continue;
        prod.trans = prod.trans.map((t) => t - Math.floor(t + TRANSLATION_TOLERANCE)) as Vec3;
        ops.push(prod);
        added.push(prod);
        if (ops.length > MAX_GROUP_ORDER) return { ops: unique, duplicates, added, notAGroup: true };
      }
    }
  }
  return { ops, duplicates, added, notAGroup: false };
}

function det(m: Mat3): number {
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

export function applyOp(op: SymOp, f: Vec3): Vec3 {
  const r = op.rot, t = op.trans;
  return [
    r[0][0] * f[0] + r[0][1] * f[1] + r[0][2] * f[2] + t[0],
    r[1][0] * f[0] + r[1][1] * f[1] + r[1][2] * f[2] + t[1],
    r[2][0] * f[0] + r[2][1] * f[1] + r[2][2] * f[2] + t[2],
  ];
}

/** The operation that changes the cell most, and by how much (metricMisfit). */
export interface MetricMisfit {
  op: SymOp;
  /** Largest |‖R aᵢ‖ − ‖aᵢ‖| / ‖aᵢ‖. */
  lengthChange: number;
  /** Largest change of an angle between images of two axes (degrees). */
  angleChange: number;
  /** The larger of the two on one scale: the length's relative change, the angle's in radians. */
  size: number;
  /** The change in words: "maps a (4 Å) onto a vector of 5.657 Å". */
  description: string;
}

/**
 * How far operations are from isometries of the cell. A space-group operation maps the lattice onto itself and
 * keeps every length and angle: with the metric G (Gᵢⱼ = aᵢ·aⱼ), RᵀGR = G. Operations of one crystal system
 * applied to the cell of another (a hexagonal group's −y,x−y,z on a cubic cell) break this, and build a crystal
 * with atoms where none are. Compared on the images of a, b, c. Null when every operation keeps the cell exactly.
 */
export function metricMisfit(ops: readonly SymOp[], matrix: Mat3): MetricMisfit | null {
  const axis = ['a', 'b', 'c'];
  const angle = (u: Vec3, v: Vec3) => (Math.acos(Math.max(-1, Math.min(1, (u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (norm(u) * norm(v))))) * 180) / Math.PI;
  const basis = [0, 1, 2].map((i) => vecMat([0, 1, 2].map((j) => (i === j ? 1 : 0)) as Vec3, matrix));
  let worst: MetricMisfit | null = null;
  for (const op of ops) {
    // The image of axis i is the i-th column of R (fractional column vectors).
    const images = [0, 1, 2].map((i) => vecMat([op.rot[0][i], op.rot[1][i], op.rot[2][i]], matrix));
    let lengthChange = 0, lengthAxis = 0, angleChange = 0, anglePair = [1, 2];
    for (let i = 0; i < 3; i++) {
      const d = Math.abs(norm(images[i]) - norm(basis[i])) / norm(basis[i]);
      if (d > lengthChange) { lengthChange = d; lengthAxis = i; }
    }
    for (const [i, j] of [[1, 2], [0, 2], [0, 1]]) {
      const d = Math.abs(angle(images[i], images[j]) - angle(basis[i], basis[j]));
      if (d > angleChange) { angleChange = d; anglePair = [i, j]; }
    }
    const angleSize = (angleChange * Math.PI) / 180;
    const size = Math.max(lengthChange, angleSize);
    if (size <= (worst?.size ?? 0)) continue;
    const [i, j] = anglePair;
    const description = lengthChange >= angleSize
      ? `maps ${axis[lengthAxis]} (${countText(norm(basis[lengthAxis]))} Å) onto a vector of ${countText(norm(images[lengthAxis]))} Å`
      : `turns the ${countText(angle(basis[i], basis[j]))}° angle between ${axis[i]} and ${axis[j]} into ${countText(angle(images[i], images[j]))}°`;
    worst = { op, lengthChange, angleChange, size, description };
  }
  return worst;
}

export const IDENTITY: SymOp = { rot: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], trans: [0, 0, 0] };

// ---- moyo -------------------------------------------------------------------------------------

let moyoReady = false;

/** Locate and instantiate moyo's WebAssembly once (the build copies it next to every bundle). */
export function ensureMoyo(): typeof moyo {
  if (moyoReady) return moyo;
  const candidates = [
    join(__dirname, 'moyo_wasm_bg.wasm'),
    join(__dirname, '..', 'dist', 'moyo_wasm_bg.wasm'),
    join(process.cwd(), 'node_modules', '@spglib', 'moyo-wasm', 'moyo_wasm_bg.wasm'),
  ];
  const path = candidates.find((p) => existsSync(p));
  if (!path) throw new Error(`moyo_wasm_bg.wasm not found (looked in ${candidates.join(', ')})`);
  moyo.initSync({ module: readFileSync(path) });
  moyoReady = true;
  return moyo;
}

/**
 * moyo's symmetry dataset of a cell whose atoms are told apart by a key: two atoms are the same kind only if their
 * keys are equal (an element, or a disordered site's species and occupancies: siteKindKey). The kinds are numbered
 * 1, 2, … in the order the keys first appear, as the dataset's standardized cell reports them.
 */
export function moyoDataset(lattice: Mat3, fracs: readonly Vec3[], keys: readonly string[], symprec: number): moyo.MoyoDataset {
  const m = ensureMoyo();
  const kinds = new Map<string, number>();
  const numbers = keys.map((k) => {
    if (!kinds.has(k)) kinds.set(k, kinds.size + 1);
    return kinds.get(k)!;
  });
  return m.analyze_cell(JSON.stringify({ lattice: { basis: lattice.flat() }, positions: fracs, numbers }), symprec, 'Standard');
}

/** A site's kind for symmetry: its species and their occupancies (to 3 decimals), so that Li 0.5 ≠ Li 1. */
export function siteKindKey(species: readonly { element: string; occupancy: number }[]): string {
  return species.map((sp) => `${sp.element}:${sp.occupancy.toFixed(3)}`).sort().join('|');
}

/** moyo serialises its 3×3 matrices column by column (nalgebra's storage order): transpose here. */
export function fromMoyo(ops: moyo.MoyoOperation[]): SymOp[] {
  return ops.map((o) => ({
    rot: [[o.rotation[0], o.rotation[3], o.rotation[6]], [o.rotation[1], o.rotation[4], o.rotation[7]], [o.rotation[2], o.rotation[5], o.rotation[8]]],
    trans: [o.translation[0], o.translation[1], o.translation[2]],
  }));
}

export interface SpaceGroupLookup {
  ops: SymOp[];
  hallNumber: number;
  number: number;
  symbol: string;
  /** Set when the symbol allowed several settings and one was chosen: always shown to the user. */
  assumption?: string;
  /**
   * The other settings the symbol or number could name (another origin, unique axis or cell choice), most likely
   * first: the builder uses one when the assumed one cannot place the file's atoms, or places them against the file's
   * stated formula while the other agrees with it (build.ts, chooseSetting).
   */
  alternatives?: SpaceGroupLookup[];
  /** How the setting is named to a user: `origin choice 1`, `P 1 1 2_1/b, unique axis c`, `hexagonal axes`. */
  settingName?: string;
}

const normHM = (s: string) => s.toLowerCase().replace(/[\s_]/g, '');

/** Monoclinic short symbol of a full one: `P 1 2_1/n 1` → `P 2_1/n` (moyo's short symbol is the standard setting's for all). */
const monoclinicShort = (full: string) => full.split(/\s+/).filter((t, i) => i === 0 || t !== '1').join(' ');

/** Symbols with the pre-2002 glide letters that ITA now writes with `e` (standard settings). */
const OLD_E_SYMBOLS: Record<string, string> = { cmca: 'cmce', cmma: 'cmme', ccca: 'ccce', abm2: 'aem2', aba2: 'aea2' };

let hallEntries: moyo.MoyoHallSymbolEntry[] | null = null;
function allHallEntries(): moyo.MoyoHallSymbolEntry[] {
  if (!hallEntries) {
    const m = ensureMoyo();
    hallEntries = [];
    for (let h = 1; h <= 530; h++) hallEntries.push(m.hall_symbol_entry(h));
  }
  return hallEntries;
}

function lookupHall(hallNumber: number): SpaceGroupLookup {
  const m = ensureMoyo();
  const e = m.hall_symbol_entry(hallNumber);
  const ops = fromMoyo(m.operations_from_number(e.number, { type: 'HallNumber', value: hallNumber }, false));
  return { ops, hallNumber, number: e.number, symbol: e.hm_short };
}

/**
 * Operations for a Hermann–Mauguin symbol such as `P n m a`, `Fd-3m:2`, `R -3 m :H`, `P 42/n m c Z`.
 * `rhombohedralCell` decides between the hexagonal and rhombohedral settings when the symbol does not say.
 */
export function opsFromHM(symbol: string, rhombohedralCell: boolean): SpaceGroupLookup | null {
  const m = ensureMoyo();
  // Subscripts in parentheses, as some programs write them: `P6(3)/mmc` → `P6_3/mmc`.
  let s = symbol.trim().replace(/(\d)\((\d)\)/g, '$1_$2');
  // Setting suffixes: ":1", ":2", ":H", ":R", or a trailing " S"/" Z"/" H"/" R" word.
  let setting: string | null = null;
  const colon = /:\s*([12hrsz])\s*$/i.exec(s);
  if (colon) { setting = colon[1].toUpperCase(); s = s.slice(0, colon.index); }
  else {
    const word = /\s+([SZHR])$/.exec(s);
    if (word) { setting = word[1]; s = s.slice(0, word.index); }
  }
  let matches = entriesOfHM(s);
  // A suffix written without its space (`R-3mH`, `I41/amdZ`): the last letter, when the rest is a symbol.
  const glued = /^(.*[^\s])([SZHR])$/.exec(s);
  if (!matches.length && !setting && glued && entriesOfHM(glued[1]).length) { setting = glued[2]; matches = entriesOfHM(glued[1]); }
  if (!matches.length) return null;
  if (setting === 'S') setting = '1';
  if (setting === 'Z') setting = '2';
  let chosen = matches;
  if (setting) {
    const bySetting = matches.filter((e) => e.setting.toUpperCase() === setting);
    if (bySetting.length) chosen = bySetting;
  }
  if (chosen.length === 1) return { ...lookupHall(chosen[0].hall_number), symbol: symbol.trim() };
  // Several settings: the most likely first (the cell's axes for H/R, else the ITA standard, else unique axis b),
  // the others kept as alternatives.
  const std = m.space_group_type(chosen[0].number).hall_number;
  const hexOrRhomb = chosen.some((e) => e.setting === 'H') && chosen.some((e) => e.setting === 'R');
  const first = hexOrRhomb ? chosen.find((e) => e.setting === (rhombohedralCell ? 'R' : 'H'))! : chosen.find((e) => e.hall_number === std) ?? chosen[0];
  const ordered = [first, ...chosen.filter((e) => e !== first)];
  const [pick, ...others] = ordered.map((e) => ({ ...lookupHall(e.hall_number), symbol: symbol.trim(), settingName: settingName(e) }));
  const assumption = hexOrRhomb
    ? `${rhombohedralCell ? 'rhombohedral' : 'hexagonal'} axes assumed for ${symbol} (from the cell angles)`
    : `${symbol} has several settings; ${first.hall_number === std ? 'the ITA standard one' : /unique axis b/.test(pick.settingName ?? '') ? 'the one with unique axis b' : 'the first listed'} (${pick.settingName}) was assumed`;
  return { ...pick, assumption, alternatives: others };
}

/** Table entries whose short or full symbol is `s` (spaces and underscores ignored; old e-glide and cubic forms). */
function entriesOfHM(s: string): moyo.MoyoHallSymbolEntry[] {
  const key0 = normHM(s);
  const key = OLD_E_SYMBOLS[key0] ?? key0;
  // Monoclinic short symbols name their setting (`P 21/n`, `I 2/a`): unique axis b first (ITA convention), as
  // the entries are ordered. Old cubic symbols without the bar (`F m 3 m`, `Ia3d`) are tried with it.
  // A monoclinic entry is matched by its own full symbol and that symbol's short form, not by moyo's short symbol,
  // which is the standard setting's for all of them (so that `C 2/m` never names an I-centred cell choice).
  const monoclinic = (e: moyo.MoyoHallSymbolEntry) => e.number >= 3 && e.number <= 15;
  const matching = (k: string) => allHallEntries().filter((e) => monoclinic(e)
    ? normHM(e.hm_full) === k || normHM(monoclinicShort(e.hm_full)) === k
    : normHM(e.hm_short) === k || normHM(e.hm_full) === k);
  let matches = matching(key);
  if (!matches.length && /^[pifc][^-]*3/.test(key)) {
    const barred = key.replace(/3/, '-3');
    matches = matching(barred).filter((e) => e.number >= 195);
  }
  // Pre-2002 symbols of the five groups with an e-glide in their non-standard settings (`B m a b` for B m e b):
  // one of the glide letters a, b or c is the e.
  for (let i = 1; !matches.length && i < key.length; i++) {
    if ('abc'.includes(key[i])) matches = matching(key.slice(0, i) + 'e' + key.slice(i + 1)).filter((e) => [39, 41, 64, 67, 68].includes(e.number));
  }
  return matches;
}

/** A setting as a user reads it. */
function settingName(e: moyo.MoyoHallSymbolEntry): string {
  if (e.number <= 15 && e.number >= 3) return `${e.hm_full}, unique axis ${e.setting.replace('-', '')[0]}`;
  if (e.setting === 'H') return 'hexagonal axes';
  if (e.setting === 'R') return 'rhombohedral axes';
  if (e.setting === '1' || e.setting === '2') return `origin choice ${e.setting}`;
  return e.setting ? `${e.hm_short} (axes ${e.setting})` : e.hm_short;
}

/** A setting named with its symbol, for a group given by number only: `F d -3 m, origin choice 1`. */
function namedSetting(e: moyo.MoyoHallSymbolEntry): string {
  return ['1', '2', 'H', 'R'].includes(e.setting) ? `${e.hm_short}, ${settingName(e)}` : settingName(e);
}

/**
 * A Hall symbol as the CIF writes it, against moyo's table: Hall's double prime `"` (the axis along a−b) is
 * spglib's `=`, and a change of basis may be written with commas or spaces inside its parentheses.
 */
export function normalHall(hall: string): string {
  return hall.toLowerCase().replace(/"/g, '=').replace(/\(\s*([^)]*?)\s*\)/g, (_, inner: string) => `(${inner.split(/[\s,]+/).join(' ')})`).replace(/\s+/g, ' ').replace(/\s*\(/, ' (').trim();
}

export function opsFromHall(hall: string): SpaceGroupLookup | null {
  const key = normalHall(hall);
  const e = allHallEntries().find((x) => normalHall(x.hall_symbol) === key);
  return e ? lookupHall(e.hall_number) : null;
}

export function opsFromNumber(n: number, rhombohedralCell: boolean): SpaceGroupLookup | null {
  if (!Number.isInteger(n) || n < 1 || n > 230) return null;
  const m = ensureMoyo();
  const entries = m.hall_symbol_entries_from_number(n);
  const std = m.space_group_type(n).hall_number;
  let pick = entries.find((e) => e.hall_number === std) ?? entries[0];
  if (entries.length === 1) return lookupHall(pick.hall_number);
  const rh = entries.find((e) => e.setting === 'R');
  if (rh && rhombohedralCell) pick = rh;
  const assumption = `only the space-group number ${n} is given; the ${pick.setting === 'R' ? 'rhombohedral' : 'ITA standard'} setting (${pick.hm_short}${pick.setting ? `, ${pick.setting}` : ''}) was assumed`;
  const alternatives = entries.filter((e) => e !== pick).map((e) => ({ ...lookupHall(e.hall_number), settingName: namedSetting(e) }));
  return { ...lookupHall(pick.hall_number), assumption, alternatives, settingName: namedSetting(pick) };
}
