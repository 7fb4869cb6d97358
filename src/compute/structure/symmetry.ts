/**
 * Symmetry operations: parsing the CIF's `x,y,z` forms, and looking up operations from a
 * Hermann–Mauguin symbol, Hall symbol or space-group number through moyo (spglib team).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as moyo from '@spglib/moyo-wasm';
import type { Mat3, Vec3 } from './types';

export interface SymOp {
  /** Integer rotation matrix acting on fractional column vectors: x' = R x + t. */
  rot: Mat3;
  trans: Vec3;
}

export type SymopParse = { op: SymOp } | { error: string };

/**
 * Parse one operation such as `-x+1/2, y, z+0.25` or `x-y,x,1/2+z`. Accepts fractions, decimals,
 * integer coefficients (`2x` is rejected: not a crystallographic operation), spaces and quotes.
 */
export function parseSymop(text: string): SymopParse {
  const parts = text.replace(/['"\s]/g, '').toLowerCase().split(',');
  if (parts.length !== 3) return { error: `a symmetry operation needs 3 comma-separated parts, got ${parts.length}: '${text}'` };
  const rot: Mat3 = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  const trans: Vec3 = [0, 0, 0];
  for (let row = 0; row < 3; row++) {
    const p = parts[row];
    if (!p) return { error: `empty part ${row + 1} in '${text}'` };
    // Terms: optional sign, then a variable or a number (fraction or decimal).
    const re = /([+-]?)(?:(\d+(?:\.\d*)?(?:\/\d+(?:\.\d*)?)?|\.\d+)\*?)?([xyz])?/g;
    let pos = 0;
    let any = false;
    while (pos < p.length) {
      re.lastIndex = pos;
      const m = re.exec(p);
      if (!m || m.index !== pos || m[0].length === 0) return { error: `cannot read '${p.slice(pos)}' in symmetry operation '${text}' (expected x, y, z, numbers and + or -)` };
      const sign = m[1] === '-' ? -1 : 1;
      const num = m[2];
      const v = m[3];
      if (v) {
        const coeff = num ? evalNumber(num) : 1;
        if (coeff !== 1) return { error: `coefficient ${num} on ${v} in '${text}' is not a crystallographic operation` };
        const col = v === 'x' ? 0 : v === 'y' ? 1 : 2;
        rot[row][col] += sign;
      } else if (num) {
        const val = evalNumber(num);
        if (!Number.isFinite(val)) return { error: `bad number '${num}' in '${text}'` };
        trans[row] += sign * val;
      } else {
        return { error: `dangling sign in symmetry operation '${text}'` };
      }
      any = true;
      pos += m[0].length;
    }
    if (!any || rot[row].every((r) => r === 0)) return { error: `part ${row + 1} ('${p}') of '${text}' has no x, y or z` };
  }
  const d = det(rot);
  if (d !== 1 && d !== -1) return { error: `'${text}' is not a valid operation (its matrix has determinant ${d})` };
  return { op: { rot, trans } };
}

function evalNumber(s: string): number {
  const slash = s.indexOf('/');
  if (slash >= 0) return Number(s.slice(0, slash)) / Number(s.slice(slash + 1));
  return Number(s);
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

/** moyo serialises its 3×3 matrices column by column (nalgebra's storage order): transpose here. */
function fromMoyo(ops: moyo.MoyoOperation[]): SymOp[] {
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
  let s = symbol.trim();
  // Setting suffixes: ":1", ":2", ":H", ":R", or a trailing " S"/" Z"/" H"/" R" word.
  let setting: string | null = null;
  const colon = /:\s*([12hrsz])\s*$/i.exec(s);
  if (colon) { setting = colon[1].toUpperCase(); s = s.slice(0, colon.index); }
  else {
    const word = /\s+([SZHR])$/.exec(s);
    if (word) { setting = word[1]; s = s.slice(0, word.index); }
  }
  if (setting === 'S') setting = '1';
  if (setting === 'Z') setting = '2';
  const key0 = normHM(s);
  const key = OLD_E_SYMBOLS[key0] ?? key0;
  // Monoclinic short symbols name their setting (`P 21/n`, `I 2/a`): unique axis b first (ITA convention), as
  // the entries are ordered. Old cubic symbols without the bar (`F m 3 m`, `Ia3d`) are tried with it.
  let matches = allHallEntries().filter((e) => normHM(e.hm_short) === key || normHM(e.hm_full) === key || (e.number >= 3 && e.number <= 15 && normHM(monoclinicShort(e.hm_full)) === key));
  if (!matches.length && /^[pifc][^-]*3/.test(key)) {
    const barred = key.replace(/3/, '-3');
    matches = allHallEntries().filter((e) => e.number >= 195 && (normHM(e.hm_short) === barred || normHM(e.hm_full) === barred));
  }
  if (!matches.length) return null;
  let chosen = matches;
  if (setting) {
    const bySetting = matches.filter((e) => e.setting.toUpperCase() === setting);
    if (bySetting.length) chosen = bySetting;
  }
  let assumption: string | undefined;
  if (chosen.length > 1) {
    const settings = new Set(chosen.map((e) => e.setting));
    if (settings.has('H') && settings.has('R')) {
      chosen = chosen.filter((e) => e.setting === (rhombohedralCell ? 'R' : 'H'));
      assumption = `${rhombohedralCell ? 'rhombohedral' : 'hexagonal'} axes assumed for ${symbol} (from the cell angles)`;
    } else {
      const std = m.space_group_type(chosen[0].number).hall_number;
      const pick = chosen.find((e) => e.hall_number === std) ?? chosen[0];
      chosen = [pick];
      const what = pick.number <= 15 ? `${pick.hm_full}, unique axis ${pick.setting.replace('-', '')[0]}` : pick.setting ? `origin choice ${pick.setting}` : pick.hall_symbol;
      assumption = `${symbol} has several settings; ${pick.hall_number === std ? 'the ITA standard one' : pick.number <= 15 ? 'the one with unique axis b' : 'the first listed'} (${what}) was assumed`;
    }
  }
  const r = lookupHall(chosen[0].hall_number);
  return { ...r, symbol: symbol.trim(), assumption };
}

export function opsFromHall(hall: string): SpaceGroupLookup | null {
  const key = hall.toLowerCase().replace(/\s+/g, ' ').trim();
  const e = allHallEntries().find((x) => x.hall_symbol.toLowerCase() === key);
  return e ? lookupHall(e.hall_number) : null;
}

export function opsFromNumber(n: number, rhombohedralCell: boolean): SpaceGroupLookup | null {
  if (!Number.isInteger(n) || n < 1 || n > 230) return null;
  const m = ensureMoyo();
  const entries = m.hall_symbol_entries_from_number(n);
  const std = m.space_group_type(n).hall_number;
  let pick = entries.find((e) => e.hall_number === std) ?? entries[0];
  let assumption: string | undefined;
  if (entries.length > 1) {
    const rh = entries.find((e) => e.setting === 'R');
    if (rh && rhombohedralCell) pick = rh;
    assumption = `only the space-group number ${n} is given; the ${pick.setting === 'R' ? 'rhombohedral' : 'ITA standard'} setting (${pick.hm_short}${pick.setting ? `, ${pick.setting}` : ''}) was assumed`;
  }
  const r = lookupHall(pick.hall_number);
  return { ...r, assumption };
}
