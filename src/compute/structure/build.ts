/**
 * CIF text → `Structure`. Reads the cell, the symmetry operations (listed, or from the space-group
 * symbol/number through moyo), the atom sites with occupancies and oxidation states, expands the
 * asymmetric unit, merges images, and reports every problem as a located message. Never throws (except
 * CancelledError from `buildStructureAsync` when its signal fires).
 *
 * Every limit in ./limits.ts is checked before the memory it protects is used: the cell geometry before any
 * expansion, the number of atoms (asymmetric sites × operations) before the merge of images, the atom density
 * and the shortest interatomic distance after it. All errors of a file are collected in one pass (a broken cell
 * does not hide an unknown element further down), so the editor shows them all at once.
 */
import { parseCif, parseCifNumber, findItem, findLoop, type CifDocument, type CifFrame, type CifLocation, type CifValue } from '../cif/parser';
import { latticeMatrix, inverse3, det3, vecMat, wrap01, norm } from './geometry';
import { metricMisfit, parseSymop, applyOp, composeOps, opsFromHM, opsFromHall, opsFromNumber, moyoDataset, siteKindKey, closeOperations, formatSymop, sameOp, IDENTITY, MAX_GROUP_ORDER, type SymOp, type SpaceGroupLookup } from './symmetry';
import { checkAtomDensity, checkCellGeometry, interplanarSpacings, MAX_ATOMS_IN_CELL, MAX_EXPANSION_ESTIMATE, MIN_INTERATOMIC_DISTANCE_A } from './limits';
import { runAsync, runSync, type Work, type WorkHooks } from '../util/work';
import { canonicalElement, chargeImbalanceSentence, guessedStatesSentence, guessOxidationStates, unbalancedNetCharge } from './elements';
import { reducedFormula } from './formula';
import { statedFormulaMessage, statedFormulaDifference, formulaDifferenceText } from './statedFormula';
import { bondValenceSums, implausibleGeometryMessages, type BondValenceCheck } from './bondValence';
import type { AsymmetricSite, Lattice, Located, Mat3, Site, SiteSpecies, SpaceGroupInfo, Structure, StructureMessage, Vec3 } from './types';

export interface BuildOptions {
  /** Images of one site closer than this (Å) are the same position. */
  mergeTolerance?: number;
  /** Which data block: its name, or by default the first block that has atom sites. */
  block?: string;
  /** Refuse cells that expand to more sites than this (default MAX_ATOMS_IN_CELL). */
  maxSites?: number;
  /**
   * The mobile ion (default Li). Its partially occupied sites are an info, not a warning: BVSE removes the mobile
   * ions from the framework, so only the framework's partial occupancy changes the landscape.
   */
  mobileIon?: string;
}

export interface BuildResult {
  structure: Structure | null;
  /** All messages, the syntax errors of the CIF included. `structure` is null when any is an error that prevents building. */
  messages: StructureMessage[];
  document: CifDocument;
  /** The frame the structure was read from. */
  frame: CifFrame | null;
  /** Bond-valence sums of every CIF row (structure/bondValence.ts), for the atom-site hover; absent when not built. */
  bondValence?: BondValenceCheck;
}

const located = (at: CifLocation | undefined): Located | undefined => (at ? { line: at.line, column: at.column, length: at.length } : undefined);

/** Cells up to this many atoms get moyo's space-group detection and orbits. */
export const MAX_SITES_FOR_DETECTION = 350;

/** The physically shortest plausible distance between two fully occupied atoms (Å). */
const MIN_ATOM_DISTANCE = MIN_INTERATOMIC_DISTANCE_A;

/** Build on the calling thread (CLI, tests, the editor's analysis). */
export function buildStructure(text: string, options: BuildOptions = {}): BuildResult {
  return runSync(buildStructureWork(text, options));
}

/**
 * Build in slices, returning to the event loop between stages and every few thousand images, so that a cancel
 * arriving in a worker aborts the build within ~25 ms instead of after it. Throws CancelledError when
 * `hooks.signal` fires; otherwise like `buildStructure`.
 */
export function buildStructureAsync(text: string, options: BuildOptions = {}, hooks: WorkHooks = {}): Promise<BuildResult> {
  return runAsync(buildStructureWork(text, options), hooks);
}

/** The build as a work generator (util/work.ts): yields its progress 0…1 between stages. */
export function* buildStructureWork(text: string, options: BuildOptions = {}): Work<BuildResult> {
  // A cell far beyond the atom limit is refused before the full parse, which alone takes seconds at 100 000 rows.
  const huge = prescanAtomSites(text, options.maxSites ?? MAX_ATOMS_IN_CELL);
  if (huge) return { structure: null, messages: [huge], document: { version: '1.1', blocks: [], errors: [] }, frame: null };
  const document = parseCif(text);
  yield 0.2;
  const messages: StructureMessage[] = document.errors.map((e) => ({ severity: e.severity, code: e.code, message: e.message, at: located(e.at) }));
  const fail = (frame: CifFrame | null): BuildResult => ({ structure: null, messages, document, frame });

  if (!text.trim()) { messages.push({ severity: 'error', code: 'empty', message: 'the file is empty' }); return fail(null); }
  if (!document.blocks.length) { messages.push({ severity: 'error', code: 'syntax-error', message: 'no data_ block found: this does not look like a CIF', at: { line: 0, column: 0, length: 1 } }); return fail(null); }

  const withSites = document.blocks.filter(hasAtomSites);
  const frame = options.block
    ? document.blocks.find((b) => b.name === options.block) ?? document.blocks.find((b) => b.name.toLowerCase() === options.block!.toLowerCase()) ?? null
    : withSites[0] ?? document.blocks[0];
  if (!frame) {
    const names = (withSites.length ? withSites : document.blocks).map((b) => b.name);
    messages.push({ severity: 'error', code: 'missing-block', message: `no data block named '${options.block}'; the file has ${names.length === 1 ? 'block' : 'blocks'} ${names.map((n) => `'${n}'`).join(', ')}`, at: located(document.blocks[0].at) });
    return fail(null);
  }
  // CIF requires block names to be unique (case-insensitively): two of one name are one name for other readers.
  const seenNames = new Map<string, number>();
  for (const b of document.blocks) {
    const key = b.name.toLowerCase();
    if (seenNames.has(key)) messages.push({ severity: 'warning', code: 'duplicate-block', message: `data block '${b.name}' has the name of an earlier block (line ${seenNames.get(key)! + 1}); CIF block names must be unique, ignoring case, and a reader may take either`, at: located(b.at) });
    else seenNames.set(key, b.at.line);
  }
  if (withSites.length > 1) {
    // Several structures in one file (a CIF from a journal or a database export): say which one the numbers are for.
    const others = withSites.filter((b) => b !== frame).map((b) => b.name);
    messages.push({ severity: 'info', code: 'data-block', message: `data block '${frame.name}' is analysed (${withSites.indexOf(frame) + 1} of ${withSites.length} with atom sites; the others: ${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''})`, at: located(frame.at) });
  }
  try {
    const structure = yield* buildFromFrame(frame, messages, options);
    if (!structure) return { structure, messages, document, frame };
    // The file's own formula against its sites (structure/statedFormula.ts): a disagreement is said, the sites used.
    const formulaMismatch = statedFormulaMessage(frame, structure.composition);
    if (formulaMismatch) { messages.push(formulaMismatch); structure.messages.push(formulaMismatch); }
    // Is the geometry chemically plausible? (bond-valence sums, structure/bondValence.ts.) A check, never a reason
    // to lose the structure: should it fail, that is said and the structure stands.
    let bondValence: BondValenceCheck | undefined;
    try {
      bondValence = bondValenceSums(structure);
      const implausible = implausibleGeometryMessages(structure, bondValence);
      messages.push(...implausible);
      structure.messages.push(...implausible);
    } catch (e) {
      const m: StructureMessage = { severity: 'info', code: 'bond-valence-skipped', message: `the bond-valence check could not run: ${e instanceof Error ? e.message : String(e)}` };
      messages.push(m);
      structure.messages.push(m);
    }
    return { structure, messages, document, frame, bondValence };
  } catch (e) {
    // A bug, not the user's fault: still report it as a message instead of crashing the host.
    messages.push({ severity: 'error', code: 'internal', message: `internal error while building the structure: ${e instanceof Error ? e.message : String(e)}` });
    return fail(frame);
  }
}

/** A block that holds a structure: an atom-site loop with coordinates or labels. */
export function hasAtomSites(b: CifFrame): boolean {
  return !!findLoop(b, '_atom_site_fract_x', '_atom_site_cartn_x', '_atom_site_label');
}

/**
 * Rows of the atom-site loop, counted without the parser (whitespace-separated words / tags), when the file has a
 * single data block: an error when they exceed `maxSites` by more than the slack that quoted values with spaces
 * could add (10 %), else null (the real limit is checked after parsing).
 */
function prescanAtomSites(text: string, maxSites: number): StructureMessage | null {
  if (text.length < maxSites * 20) return null; // cannot hold that many rows: not worth a scan
  const blocks = text.match(/^[ \t]*data_/gim);
  if (!blocks || blocks.length !== 1) return null;
  const header = /^[ \t]*loop_[ \t]*(?:#[^\n]*)?\r?\n((?:[ \t]*_[^\s]+[^\n]*\r?\n)+)/gim;
  for (let m = header.exec(text); m; m = header.exec(text)) {
    const tags = m[1].split('\n').filter((l) => l.trim().startsWith('_'));
    if (!tags.some((t) => /^\s*_atom_site[._](fract_x|cartn_x)\b/i.test(t))) continue;
    const start = m.index + m[0].length;
    const endRe = /^[ \t]*(?:_|loop_|data_|save_|global_|stop_)/gim;
    endRe.lastIndex = start;
    const endMatch = endRe.exec(text);
    const region = text.slice(start, endMatch ? endMatch.index : text.length);
    let words = 0;
    const word = /#[^\n]*|\S+/g;
    for (let w = word.exec(region); w; w = word.exec(region)) if (w[0][0] !== '#') words++;
    const rows = Math.floor(words / tags.length);
    if (rows <= maxSites * 1.1) return null;
    let line = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < m.index; i = text.indexOf('\n', i + 1)) line++;
    const column = m[0].length - m[0].trimStart().length;
    return { severity: 'error', code: 'too-large', message: `the atom-site loop has about ${rows} rows, more than the MAX_ATOMS_IN_CELL limit of ${maxSites} atoms: ionpath refuses cells this large (the file was not parsed further)`, at: { line, column, length: 5 } };
  }
  return null;
}

function num(frame: CifFrame, ...keys: string[]): { value: number | null; at?: CifLocation; raw?: string } {
  const it = findItem(frame, ...keys);
  if (!it || !it.value) return { value: null, at: it?.tagAt };
  const n = parseCifNumber(it.value.text);
  return { value: n ? n.value : null, at: it.value.at, raw: it.value.text };
}

/** A value that is given but is neither a number nor CIF's unknown `?` / inapplicable `.` (those count as missing). */
const notANumber = (raw: string | undefined) => raw !== undefined && !['?', '.'].includes(raw.trim());
/** Why a given value is not a usable number, for the message. */
const badNumber = (raw: string) =>
  /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw.trim()) ? 'is too large to be a number here'
    : /^[+-]?\d+,\d+$/.test(raw.trim()) ? 'is not a number (a decimal comma? CIF numbers use a point)'
      : /^[+-]?\d+\/\d+$/.test(raw.trim()) ? `is not a number (a fraction? CIF numbers are decimals: ${Number((Number(raw.trim().split('/')[0]) / Number(raw.trim().split('/')[1])).toFixed(6))})` : 'is not a number';
/** A given oxidation number that is not a number: said at the value, and the state taken from elsewhere. */
const unreadOxidation = (what: string, raw: string, at: CifLocation): StructureMessage => ({
  severity: 'warning', code: 'bad-oxidation-number', at: located(at),
  message: `${what} '${clip(raw)}' ${badNumber(raw)}; ignored (the state comes from the type symbol or charge balance)`,
});
/** A value quoted in a message, shortened if long. */
const clip = (raw: string) => (raw.length > 40 ? `${raw.slice(0, 37)}…` : raw);

function str(frame: CifFrame, ...keys: string[]): { value: string | null; at?: CifLocation } {
  const it = findItem(frame, ...keys);
  if (!it || !it.value || it.value.special) return { value: null, at: it?.tagAt };
  return { value: it.value.text.trim(), at: it.value.at };
}

function readLattice(frame: CifFrame, messages: StructureMessage[]): Lattice | null {
  const names = ['a', 'b', 'c'] as const;
  const angles = ['alpha', 'beta', 'gamma'] as const;
  const vals: number[] = [];
  let ok = true;
  const missing: string[] = [];
  for (const n of names) {
    const v = num(frame, `_cell_length_${n}`);
    if (v.value === null && notANumber(v.raw)) {
      messages.push({ severity: 'error', code: 'bad-cell-value', message: `_cell_length_${n} = '${clip(v.raw!)}' ${badNumber(v.raw!)}`, at: located(v.at) });
      ok = false;
      continue;
    }
    if (v.value === null) {
      // Written as '?' (unknown) or '.' (inapplicable): said at the value, not as absent.
      if (v.raw !== null && v.raw !== undefined && v.at) { messages.push({ severity: 'error', code: 'missing-cell', message: `_cell_length_${n} is '${clip(v.raw)}' (${v.raw === '?' ? 'unknown' : 'not applicable'}): the cell needs its value`, at: located(v.at) }); ok = false; continue; }
      missing.push(`_cell_length_${n}`); ok = false; continue;
    }
    if (!(v.value > 0.5 && v.value < 500)) {
      messages.push({ severity: 'error', code: 'cell-out-of-range', message: `_cell_length_${n} = ${v.raw} Å is out of range (expected more than 0.5 Å and less than 500 Å)`, at: located(v.at) });
      ok = false;
    }
    vals.push(v.value);
  }
  for (const n of angles) {
    const v = num(frame, `_cell_angle_${n}`);
    if (v.value === null && notANumber(v.raw)) {
      messages.push({ severity: 'error', code: 'bad-cell-value', message: `_cell_angle_${n} = '${clip(v.raw!)}' ${badNumber(v.raw!)}`, at: located(v.at) });
      ok = false;
      continue;
    }
    if (v.value === null) {
      if (findItem(frame, `_cell_angle_${n}`)) {
        if (v.raw !== null && v.raw !== undefined && v.at) messages.push({ severity: 'error', code: 'missing-cell', message: `_cell_angle_${n} is '${clip(v.raw)}' (${v.raw === '?' ? 'unknown' : 'not applicable'}): give the angle, or leave the tag out for the default 90°`, at: located(v.at) });
        else missing.push(`_cell_angle_${n}`);
        ok = false; continue;
      }
      vals.push(90); // CIF core dictionary default.
      continue;
    }
    if (!(v.value > 0 && v.value < 180)) {
      messages.push({ severity: 'error', code: 'cell-out-of-range', message: `_cell_angle_${n} = ${v.raw}° is out of range (expected between 0 and 180°)`, at: located(v.at) });
      ok = false;
    }
    vals.push(v.value);
  }
  if (missing.length) {
    messages.push({ severity: 'error', code: 'missing-cell', message: `missing cell parameter${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, at: located(frame.at) });
  }
  if (!ok) return null;
  const [a, b, c, alpha, beta, gamma] = vals;
  const matrix = latticeMatrix(a, b, c, alpha, beta, gamma);
  const volume = det3(matrix);
  if (!(volume > 1e-3 * a * b * c) || !Number.isFinite(volume)) {
    messages.push({ severity: 'error', code: 'cell-out-of-range', message: `the cell angles ${alpha}°, ${beta}°, ${gamma}° do not form a cell (zero or imaginary volume)`, at: located(findItem(frame, '_cell_angle_alpha')?.value?.at ?? frame.at) });
    return null;
  }
  const lattice: Lattice = { a, b, c, alpha, beta, gamma, matrix, inverse: inverse3(matrix), volume };
  // Degenerate geometry (a nearly flat cell, an axis shorter than any bond): refused before anything is allocated.
  const geometry = checkCellGeometry(lattice, located(findItem(frame, '_cell_angle_gamma', '_cell_angle_beta', '_cell_angle_alpha', '_cell_length_a')?.value?.at ?? frame.at));
  if (geometry.length) { messages.push(...geometry); return null; }
  const cellVolume = num(frame, '_cell_volume');
  if (cellVolume.value !== null && Math.abs(cellVolume.value - volume) > 0.01 * volume + 0.5) {
    messages.push({ severity: 'warning', code: 'cell-volume-mismatch', message: `_cell_volume ${cellVolume.raw} Å³ differs from the volume of the given cell parameters (${volume.toFixed(2)} Å³)`, at: located(cellVolume.at) });
  }
  return lattice;
}

/** Where in a value's text an offset lies (a one-line value; quotes are part of the location). */
function locatedAt(v: CifValue, offset: number): Located {
  const at = v.at;
  if (at.endLine !== at.line) return { line: at.line, column: at.column, length: at.length };
  const quoted = at.length > v.text.length ? 1 : 0;
  const col = at.column + quoted + Math.min(Math.max(0, offset), Math.max(0, v.text.length - 1));
  return { line: at.line, column: col, length: 1 };
}

/** The values of a tag, from its loop or as a single item. */
function valuesOf(frame: CifFrame, key: string): CifValue[] {
  const loop = findLoop(frame, key);
  if (loop) { const c = loop.column(key); return loop.loop.rows.map((r) => r[c]); }
  const single = findItem(frame, key);
  return single?.value ? [single.value] : [];
}

/**
 * Magnetic CIF (magCIF, `.mcif`): the operations are `_space_group_symop_magn_operation.xyz` ("x,y,z,+1", the
 * fourth entry the time reversal ±1) and the lattice centrings `_space_group_symop_magn_centering.xyz`; the group
 * is every centring composed with every operation, c∘g. Positions only: the time reversal acts on the magnetic
 * moments, which ionpath does not use, so it is dropped (operations that differ only in it coincide). Returns null
 * when the frame lists no magnetic operations.
 */
function readMagneticOperations(frame: CifFrame, messages: StructureMessage[]): { ops: SymOp[]; listed: number; centrings: number; at: Located | undefined } | null {
  const opValues = valuesOf(frame, '_space_group_symop_magn_operation_xyz');
  if (!opValues.length) return null;
  const cenValues = valuesOf(frame, '_space_group_symop_magn_centering_xyz');
  let bad = 0;
  const parse = (v: CifValue): SymOp | null => {
    if (v.special) { bad++; messages.push({ severity: 'error', code: 'bad-symop', message: `magnetic symmetry operation '${v.text}' is ${v.text === '?' ? 'unknown' : 'inapplicable'}: an operation such as x,y,z,+1 is expected`, at: located(v.at) }); return null; }
    const parts = v.text.split(',');
    let xyz = v.text;
    if (parts.length === 4) {
      if (!/^\s*[+-]?1\s*$/.test(parts[3])) { bad++; messages.push({ severity: 'error', code: 'bad-symop', message: `magnetic symmetry operation '${v.text}': the time reversal (fourth entry) must be +1 or -1`, at: locatedAt(v, parts.slice(0, 3).join(',').length + 1) }); return null; }
      xyz = parts.slice(0, 3).join(',');
    }
    const p = parseSymop(xyz);
    if ('error' in p) { bad++; messages.push({ severity: 'error', code: 'bad-symop', message: `magnetic symmetry operation: ${p.error}`, at: locatedAt(v, p.offset) }); return null; }
    return p.op;
  };
  const ops = opValues.map(parse).filter((o): o is SymOp => o !== null);
  const centrings = cenValues.length ? cenValues.map(parse).filter((o): o is SymOp => o !== null) : [IDENTITY];
  if (bad) return { ops: [], listed: opValues.length, centrings: cenValues.length, at: located(opValues[0].at) };
  const products: SymOp[] = [];
  for (const c of centrings) for (const g of ops) {
    const p = composeOps(c, g);
    p.trans = p.trans.map((t) => t - Math.floor(t + 1e-9)) as Vec3;
    products.push(p);
  }
  return { ops: products, listed: opValues.length, centrings: Math.max(1, cenValues.length), at: located(opValues[0].at) };
}

function readSymmetry(frame: CifFrame, lattice: Lattice | null, messages: StructureMessage[]): { ops: SymOp[]; info: SpaceGroupInfo; at?: Located; lookup?: SpaceGroupLookup } {
  const hm = str(frame, '_space_group_name_h-m_alt', '_symmetry_space_group_name_h-m', '_space_group_name_h-m');
  const hall = str(frame, '_space_group_name_hall', '_symmetry_space_group_name_hall');
  const number = num(frame, '_space_group_it_number', '_symmetry_int_tables_number', '_space_group_number');
  const info: SpaceGroupInfo = { symbol: hm.value, number: number.value, operationsSource: 'none', operationCount: 1 };

  const magnetic = readMagneticOperations(frame, messages);
  if (magnetic) {
    if (!magnetic.ops.length) return { ops: [], info };
    const closure = closeOperations(magnetic.ops);
    // Operations equal up to time reversal are expected duplicates; a set that is not closed is still said.
    const used = closure.notAGroup ? dedupe(magnetic.ops) : closure.ops;
    if (closure.added.length && !closure.notAGroup) {
      messages.push({ severity: 'warning', code: 'symops-not-closed', message: `the magnetic operations and centrings are not closed under composition (missing e.g. ${closure.added.slice(0, 3).map(formatSymop).join('; ')}): the group they generate, ${closure.ops.length} operations, was used`, at: magnetic.at });
    }
    info.operationsSource = 'cif';
    info.operationCount = used.length;
    info.symbol = str(frame, '_space_group_magn_name_bns', '_space_group_magn_name_og').value ?? info.symbol;
    messages.push({ severity: 'info', code: 'magnetic-symops', message: `magnetic CIF: ${magnetic.listed} operations × ${magnetic.centrings} centring${magnetic.centrings > 1 ? 's' : ''} give ${used.length} distinct operations on positions (time reversal ignored: magnetic moments are not used)${closure.notAGroup ? `; more than ${MAX_GROUP_ORDER}, used without a closure check` : ''}`, at: magnetic.at });
    return { ops: used, info, at: magnetic.at };
  }

  const loop = findLoop(frame, '_space_group_symop_operation_xyz', '_symmetry_equiv_pos_as_xyz', '_space_group_symop.operation_xyz');
  const single = findItem(frame, '_space_group_symop_operation_xyz', '_symmetry_equiv_pos_as_xyz');
  const values: CifValue[] = [];
  if (loop) {
    const col = Math.max(loop.column('_space_group_symop_operation_xyz'), loop.column('_symmetry_equiv_pos_as_xyz'));
    for (const row of loop.loop.rows) values.push(row[col]);
  } else if (single?.value) values.push(single.value);

  // Both names in separate loops (old and new dictionary): the first is read; a second that differs is said.
  const newLoop = findLoop(frame, '_space_group_symop_operation_xyz'), oldLoop = findLoop(frame, '_symmetry_equiv_pos_as_xyz');
  if (newLoop && oldLoop && newLoop.loop !== oldLoop.loop) {
    const opsOf = (l: NonNullable<typeof newLoop>, tag: string) => l.loop.rows.map((r) => parseSymop(r[l.column(tag)].text)).flatMap((p) => ('op' in p ? [p.op] : []));
    const a = opsOf(newLoop, '_space_group_symop_operation_xyz'), b = opsOf(oldLoop, '_symmetry_equiv_pos_as_xyz');
    const within = (x: SymOp[], y: SymOp[]) => x.every((o) => y.some((q) => sameOp(o, q)));
    if (!(within(a, b) && within(b, a))) {
      const [used, other] = loop?.loop === newLoop.loop ? ['_space_group_symop_operation_xyz', '_symmetry_equiv_pos_as_xyz'] : ['_symmetry_equiv_pos_as_xyz', '_space_group_symop_operation_xyz'];
      messages.push({ severity: 'warning', code: 'symops-disagree', message: `the file lists two different sets of symmetry operations (${a.length} as _space_group_symop_operation_xyz, ${b.length} as _symmetry_equiv_pos_as_xyz): ${used} is used, ${other} ignored; check which is meant`, at: located((loop?.loop === newLoop.loop ? oldLoop : newLoop).loop.at) });
    }
  }

  if (values.length) {
    const ops: SymOp[] = [];
    let bad = 0;
    for (const v of values) {
      if (v.special) { bad++; messages.push({ severity: 'error', code: 'bad-symop', message: `symmetry operation '${v.text}' is ${v.text === '?' ? 'unknown' : 'inapplicable'}: an operation such as x,y,z is expected`, at: located(v.at) }); continue; }
      const p = parseSymop(v.text);
      if ('error' in p) { bad++; messages.push({ severity: 'error', code: 'bad-symop', message: p.error, at: locatedAt(v, p.offset) }); }
      else ops.push(p.op);
    }
    if (!bad) {
      if (!ops.some((o) => isIdentity(o))) messages.push({ severity: 'warning', code: 'no-identity', message: 'the listed symmetry operations do not include the identity x,y,z', at: located(values[0].at) });
      const closure = closeOperations(ops);
      const at = located(values[0].at);
      if (closure.duplicates) messages.push({ severity: 'warning', code: 'duplicate-symop', message: `${closure.duplicates} of the ${ops.length} listed symmetry operations repeat an earlier one (modulo lattice translations); the duplicates were ignored`, at });
      if (closure.notAGroup) {
        messages.push({ severity: 'warning', code: 'symops-not-a-group', message: `the ${ops.length} listed symmetry operations are not closed under composition and generate more than 192 operations (not a crystallographic space group); used as listed, which may place atoms wrongly`, at });
      } else if (closure.added.length) {
        const shown = closure.added.slice(0, 3).map(formatSymop).join('; ');
        messages.push({ severity: 'warning', code: 'symops-not-closed', message: `the ${ops.length - closure.duplicates} listed symmetry operations are not closed under composition (missing e.g. ${shown}${closure.added.length > 3 ? '; …' : ''}): the group they generate, ${closure.ops.length} operations, was used`, at });
      }
      const used = closure.notAGroup ? ops : closure.ops;
      info.operationsSource = 'cif';
      info.operationCount = used.length;
      return { ops: used, info, at };
    }
    // Fall through to the symbol if the listed operations are broken: said explicitly below.
  }

  const rhombohedral = !!lattice && Math.abs(lattice.alpha - lattice.beta) < 1e-3 && Math.abs(lattice.beta - lattice.gamma) < 1e-3 && Math.abs(lattice.alpha - 90) > 1e-3;
  let found: SpaceGroupLookup | null = null;
  let source: SpaceGroupInfo['operationsSource'] = 'none';
  let fromWhat = '';
  try {
    if (hall.value) {
      found = opsFromHall(hall.value); source = 'hall-symbol'; fromWhat = `Hall symbol '${hall.value}'`;
      if (!found && (hm.value || number.value !== null)) messages.push({ severity: 'warning', code: 'unknown-space-group', message: `Hall symbol '${hall.value}' is not recognised; the ${hm.value ? 'Hermann–Mauguin symbol' : 'space-group number'} is used instead`, at: located(hall.at) });
    }
    if (!found && hm.value) {
      found = opsFromHM(hm.value, rhombohedral); source = 'hm-symbol'; fromWhat = `space group '${hm.value}'`;
      if (!found) messages.push({ severity: 'warning', code: 'unknown-space-group', message: `space group symbol '${hm.value}' is not recognised`, at: located(hm.at) });
    }
    if (!found && number.value !== null) {
      found = opsFromNumber(number.value, rhombohedral); source = 'number'; fromWhat = `space-group number ${number.value}`;
      if (!found) messages.push({ severity: 'warning', code: 'unknown-space-group', message: `space-group number ${number.raw} is not between 1 and 230`, at: located(number.at) });
    }
  } catch (e) {
    messages.push({ severity: 'warning', code: 'symmetry-library', message: `space-group tables unavailable: ${e instanceof Error ? e.message : String(e)}` });
  }
  if (found) {
    info.operationsSource = source;
    info.operationCount = found.ops.length;
    info.number = found.number;
    info.symbol = info.symbol ?? found.symbol;
    const at = located(source === 'hall-symbol' ? hall.at : source === 'hm-symbol' ? hm.at : number.at);
    messages.push({ severity: 'info', code: 'symops-from-table', message: `no symmetry operations listed: ${found.ops.length} operations taken from the ${fromWhat}`, at });
    if (found.assumption) messages.push({ severity: 'warning', code: 'setting-assumed', message: found.assumption, at });
    return { ops: found.ops, info, at, ...(found.alternatives?.length ? { lookup: found } : {}) };
  }
  if (values.length) {
    messages.push({ severity: 'error', code: 'bad-symop', message: 'the symmetry operations could not be read and there is no usable space-group symbol to fall back on', at: located(values[0].at) });
    return { ops: [], info };
  }
  if (hm.value || hall.value || number.value !== null) {
    // A group is named but not known: taking the sites as P1 would analyse the asymmetric unit as the crystal.
    messages.push({ severity: 'error', code: 'unknown-space-group', message: 'the file names a space group that is not recognised and lists no symmetry operations: the cell cannot be built (add a _space_group_symop_operation_xyz loop, or a standard Hermann–Mauguin symbol)', at: located((hm.value ? hm.at : hall.value ? hall.at : number.at) ?? frame.at) });
    return { ops: [], info };
  }
  messages.push({ severity: 'warning', code: 'no-symmetry', message: 'no symmetry operations, space-group symbol or number: the atom sites are taken as the full cell (P1)', at: located(frame.at) });
  return { ops: [IDENTITY], info };
}

/**
 * Cartesian sites → fractional. The CIF may state its Cartesian frame: `_atom_sites_fract_tran_matrix_ij` and
 * `_vector_i` (f = M·r + v) or `_atom_sites_Cartn_tran_matrix_ij` and `_vector_i` (r = M·f + v). Without either, the
 * core dictionary's default frame is ionpath's own (a along x, b in the xy plane). A stated frame whose axes do not
 * have the cell's lengths and angles is said: the sites are then placed by the matrix, as the file asks.
 */
function cartesianFrame(frame: CifFrame, lattice: Lattice, messages: StructureMessage[]): (cart: Vec3) => Vec3 {
  type Stated = { m: Mat3; v: Vec3; at?: CifLocation };
  const read = (prefix: string): Stated | { partial: number; at?: CifLocation } | null => {
    const m = [1, 2, 3].map((i) => [1, 2, 3].map((j) => num(frame, `${prefix}_matrix_${i}${j}`)));
    const v = [1, 2, 3].map((i) => num(frame, `${prefix}_vector_${i}`).value ?? 0) as Vec3;
    const given = m.flat().filter((x) => x.value !== null).length;
    return given === 9 ? { m: m.map((row) => row.map((x) => x.value!)) as Mat3, v, at: m[0][0].at } : given ? { partial: given, at: m.flat().find((x) => x.value !== null)!.at } : null;
  };
  const fract = read('_atom_sites_fract_tran'), cartn = read('_atom_sites_cartn_tran');
  const stated: Stated | null = fract && 'm' in fract ? fract : cartn && 'm' in cartn ? cartn : null;
  const partial = [fract, cartn].find((x): x is { partial: number; at?: CifLocation } => !!x && 'partial' in x);
  if (!stated) {
    if (partial) messages.push({ severity: 'warning', code: 'cartesian-frame', message: `the Cartesian frame's transformation matrix has ${partial.partial} of its 9 elements; it is ignored, and the default frame (a along x, b in the xy plane) is used`, at: located(partial.at) });
    return (cart) => vecMat(cart, lattice.inverse);
  }
  // f = M·r + v: as given, or from r = C·f + v' with M = C⁻¹ and v = −M·v'.
  const columnMap = (m: Mat3, v: Vec3) => (x: Vec3) => [0, 1, 2].map((i) => m[i][0] * x[0] + m[i][1] * x[1] + m[i][2] * x[2] + v[i]) as Vec3;
  const M = stated === fract ? stated.m : inverse3(stated.m);
  const v = stated === fract ? stated.v : columnMap(M, [0, 0, 0])(stated.v).map((x) => -x) as Vec3;
  const toFrac = columnMap(M, v), axes = inverse3(M);
  // The lattice vectors in the stated frame are the columns of M⁻¹: their lengths and angles must be the cell's.
  const vectors = [0, 1, 2].map((j) => [axes[0][j], axes[1][j], axes[2][j]] as Vec3);
  const dot = (p: Vec3, q: Vec3) => p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
  const ours = lattice.matrix;
  let worst = 0;
  for (let i = 0; i < 3; i++) for (let j = i; j < 3; j++) worst = Math.max(worst, Math.abs(dot(vectors[i], vectors[j]) - dot(ours[i], ours[j])) / (norm(ours[i]) * norm(ours[j])));
  if (!vectors.every((x) => x.every(Number.isFinite)) || worst > 1e-3) {
    messages.push({ severity: 'warning', code: 'cartesian-frame', message: `the stated Cartesian frame's axes do not have the cell's lengths and angles (largest difference ${(worst * 100).toPrecision(2)} % of the metric): the sites are placed by the file's matrix; check the cell or the matrix`, at: located(stated.at) });
  }
  return toFrac;
}

/**
 * A space-group operation keeps every length and angle of the cell (symmetry.ts, metricMisfit). Past
 * CELL_MISFIT_ERROR the operations belong to another lattice (a hexagonal group on a cubic cell) and the crystal they
 * build has atoms where the file has none: an error. Between CELL_MISFIT_WARNING and that, a cell refined slightly
 * off its group's metric (γ 119.8° in a hexagonal group): said, and built. On the 254 OBELiX CIFs and the Materials
 * Project sample the largest misfit is at rounding level (below 1e-6; docs/VALIDATION.md, "Reading real CIFs").
 */
export const CELL_MISFIT_WARNING = 2e-3;
export const CELL_MISFIT_ERROR = 0.02;

function cellMisfitMessage(ops: readonly SymOp[], lattice: Lattice, info: SpaceGroupInfo, at: Located | undefined): StructureMessage | null {
  const misfit = metricMisfit(ops, lattice.matrix);
  if (!misfit || misfit.size < CELL_MISFIT_WARNING) return null;
  const from = info.operationsSource === 'cif' ? 'the listed symmetry operation' : 'the symmetry operation';
  const group = info.operationsSource === 'cif' ? '' : ` of ${info.symbol ? `'${info.symbol}'` : `space group ${info.number}`}`;
  const cell = `a ${lattice.a} Å, b ${lattice.b} Å, c ${lattice.c} Å, α ${lattice.alpha}°, β ${lattice.beta}°, γ ${lattice.gamma}°`;
  const what = `${from} ${formatSymop(misfit.op)}${group} ${misfit.description}: the cell (${cell})`;
  return misfit.size >= CELL_MISFIT_ERROR
    ? { severity: 'error', code: 'cell-symmetry-mismatch', at, message: `${what} does not fit the group's lattice, whose operations keep every length and angle; the crystal cannot be built (check the cell parameters, the space group or its setting)` }
    : { severity: 'warning', code: 'cell-symmetry-mismatch', at, message: `${what} is slightly off the group's lattice, whose operations keep every length and angle; the atoms were placed by the operations as given` };
}

/** Operations without repeats (modulo lattice translations). */
function dedupe(ops: SymOp[]): SymOp[] {
  const out: SymOp[] = [];
  const key = (o: SymOp) => `${o.rot.flat().join(',')}|${o.trans.map((t) => Math.round((t - Math.floor(t + 1e-3)) * 1000) % 1000).join(',')}`;
  const seen = new Set<string>();
  for (const o of ops) { const k = key(o); if (!seen.has(k)) { seen.add(k); out.push(o); } }
  return out;
}

function isIdentity(op: SymOp): boolean {
  return op.rot.every((r, i) => r.every((v, j) => v === (i === j ? 1 : 0))) && op.trans.every((t) => Math.abs(t - Math.round(t)) < 1e-9);
}

interface TypeSymbolInfo {
  element: string | null;
  charge: number | null;
  /** The two letters are no element and the first alone was taken ("Ow" → O): a guess, said for a type symbol. */
  fromFirstLetter?: boolean;
}

/** `Li1+` → Li, +1; `O2-` → O, −2; `Fe3+` → Fe, +3; `Mn3.5+` → Mn, +3.5; `Ow` → O; `Li+` → Li, +1. */
export function parseTypeSymbol(sym: string): TypeSymbolInfo {
  // A mixed valence may be written with decimals ('Mn3.5+'), as pymatgen reads it.
  const m = /^([A-Za-z]{1,2})(?:(\d*(?:\.\d+)?)([+-]))?/.exec(sym.trim());
  if (!m) return { element: null, charge: null };
  // Prefer a two-letter element when it exists (e.g. "Cl" not "C"), else one letter ("Ow" → O).
  let element = canonicalElement(m[1]);
  let fromFirstLetter = false;
  if (!element && m[1].length === 2) { element = canonicalElement(m[1][0]); fromFirstLetter = !!element; }
  let charge: number | null = null;
  if (m[3]) charge = (m[3] === '-' ? -1 : 1) * (m[2] ? Number(m[2]) : 1);
  // Also accept the sign-first form "Li+1".
  const alt = /^[A-Za-z]{1,2}([+-])(\d+(?:\.\d+)?)$/.exec(sym.trim());
  if (alt) charge = (alt[1] === '-' ? -1 : 1) * Number(alt[2]);
  return { element, charge, ...(fromFirstLetter ? { fromFirstLetter } : {}) };
}

/**
 * A vacancy written as a species: 'Va' (ATAT, CALPHAD), 'Vac', 'Vc', with an optional zero charge or number. Such a
 * row says that part of the site is empty, which the other species' occupancies already say; read as vanadium by
 * its first letter, it would put a cation where the file has none.
 */
export function isVacancySymbol(sym: string): boolean {
  return /^(va|vac|vc)(\d*|0[+-]?)$/i.test(sym.trim());
}

/**
 * A mixed-site type symbol as the Pauling File (MPDS, Pearson's Crystal Data) writes it: fractions and elements
 * joined by ' + ', e.g. '0.8Nb + 0.2Zr' or '0.5Li1+ + 0.5Na1+'. Returns null for an ordinary symbol, the species
 * with their fractions (of the row's occupancy), or a sentence saying what is wrong.
 */
export function parseMixedTypeSymbol(sym: string): { element: string; symbol: string; fraction: number; charge: number | null }[] | string | null {
  const parts = sym.trim().split(/\s+\+\s+/);
  if (parts.length < 2 || !/^\d*\.?\d+\s*[A-Za-z]/.test(parts[0])) return null;
  const out: { element: string; symbol: string; fraction: number; charge: number | null }[] = [];
  for (const part of parts) {
    const m = /^(\d*\.?\d+)?\s*([A-Za-z].*)$/.exec(part.trim());
    const t = m ? parseTypeSymbol(m[2]) : null;
    if (!m || !t?.element) return `'${part.trim()}' in the mixed type symbol '${sym}' is not a fraction and an element (e.g. 0.8Nb)`;
    out.push({ element: t.element, symbol: m[2], fraction: m[1] ? Number(m[1]) : 1, charge: t.charge });
  }
  const total = out.reduce((a, x) => a + x.fraction, 0);
  if (total > 1 + 1e-3) return `the fractions of the mixed type symbol '${sym}' add up to ${Number(total.toFixed(4))} (> 1)`;
  return out;
}

function* buildFromFrame(frame: CifFrame, messages: StructureMessage[], options: BuildOptions): Generator<number, Structure | null, void> {
  const tol = options.mergeTolerance ?? 0.01;
  const maxSites = options.maxSites ?? MAX_ATOMS_IN_CELL;
  const lattice = readLattice(frame, messages);

  const sitesLoop = findLoop(frame, '_atom_site_fract_x', '_atom_site_cartn_x', '_atom_site_label', '_atom_site_type_symbol');
  if (!sitesLoop || !sitesLoop.loop.rows.length) {
    const hasSingle = findItem(frame, '_atom_site_fract_x');
    if (!hasSingle) {
      messages.push({ severity: 'error', code: 'missing-atom-sites', message: 'no atom sites: the _atom_site_ loop with fractional coordinates is missing', at: located(frame.at) });
      return null;
    }
  }
  // A broken cell or symmetry does not stop here: the rows are still read so that every error shows at once.
  const symmetry = readSymmetry(frame, lattice, messages);
  const { info, at: opsAt } = symmetry;
  let ops = symmetry.ops;
  yield 0.3;

  // Oxidation states from the _atom_type loop.
  const typeOx = new Map<string, number>();
  const typeLoop = findLoop(frame, '_atom_type_symbol', '_atom_type_oxidation_number');
  if (typeLoop) {
    const cs = typeLoop.column('_atom_type_symbol'), co = typeLoop.column('_atom_type_oxidation_number');
    if (cs >= 0 && co >= 0) for (const row of typeLoop.loop.rows) {
      const n = parseCifNumber(row[co].text);
      if (n) typeOx.set(row[cs].text.toLowerCase(), n.value);
      else if (notANumber(row[co].text)) messages.push(unreadOxidation(`_atom_type_oxidation_number of ${row[cs].text}`, row[co].text, row[co].at));
    }
  }

  // ---- asymmetric unit ----
  const rows = sitesLoop?.loop.rows ?? [];
  const col = (k: string) => sitesLoop?.column(k) ?? -1;
  const cLabel = col('_atom_site_label'), cType = col('_atom_site_type_symbol');
  const cX = col('_atom_site_fract_x'), cY = col('_atom_site_fract_y'), cZ = col('_atom_site_fract_z');
  const cCx = col('_atom_site_cartn_x'), cCy = col('_atom_site_cartn_y'), cCz = col('_atom_site_cartn_z');
  const cOcc = col('_atom_site_occupancy');
  const cOx = col('_atom_site_oxidation_number');
  const cMult = col('_atom_site_symmetry_multiplicity');
  const cCalc = col('_atom_site_calc_flag');
  const useCart = cX < 0 && cCx >= 0;
  let toFractional: ((cart: Vec3) => Vec3) | undefined;
  if (cX < 0 && cCx < 0) {
    messages.push({ severity: 'error', code: 'missing-atom-sites', message: 'the _atom_site_ loop has no coordinates (_atom_site_fract_x/y/z)', at: located(sitesLoop?.loop.at ?? frame.at) });
    return null;
  }
  // The size limit before anything grows with the number of rows squared (the mixed-site merge below).
  if (rows.length > maxSites || rows.length * Math.max(1, ops.length) > MAX_EXPANSION_ESTIMATE * (maxSites / MAX_ATOMS_IN_CELL)) {
    messages.push({ severity: 'error', code: 'too-large', message: `the cell would hold up to ${rows.length * Math.max(1, ops.length)} atoms (${rows.length} sites × ${Math.max(1, ops.length)} symmetry operations; limit MAX_ATOMS_IN_CELL = ${maxSites} atoms): ionpath refuses cells this large`, at: located(sitesLoop?.loop.at ?? frame.at) });
    return null;
  }

  const asym: AsymmetricSite[] = [];
  let rowErrors = 0;
  const chargeConflicts = new Set<string>();
  const labelLines = new Map<string, number>();
  let repeatedLabels = 0;
  for (const row of rows) {
    const first = row[0].at;
    const label = cLabel >= 0 ? row[cLabel].text : `site${asym.length + 1}`;
    // _atom_site_label is the loop's key: a repeated label makes every message that names it ambiguous.
    if (cLabel >= 0) {
      const earlier = labelLines.get(label);
      if (earlier === undefined) labelLines.set(label, row[cLabel].at.line);
      else if (repeatedLabels++ < 20) messages.push({ severity: 'warning', code: 'duplicate-label', message: `site label '${label}' is also the label of the row at line ${earlier + 1}: CIF labels must be unique, so a message naming ${label} may mean either row (both are used)`, at: located(row[cLabel].at) });
    }
    const typeText = cType >= 0 && !row[cType].special ? row[cType].text : label;
    const typeAt = cType >= 0 ? row[cType].at : cLabel >= 0 ? row[cLabel].at : first;
    // `_atom_site_calc_flag dum`: a dummy site with meaningless coordinates (core dictionary), such as a ring centroid.
    if (cCalc >= 0 && row[cCalc].text.toLowerCase() === 'dum') {
      messages.push({ severity: 'info', code: 'dummy-site', message: `site ${label}: _atom_site_calc_flag 'dum' marks a dummy site, not an atom: the row is skipped`, at: located(row[cCalc].at) });
      continue;
    }
    const mixture = parseMixedTypeSymbol(typeText);
    if (typeof mixture === 'string') {
      messages.push({ severity: 'error', code: 'unknown-element', message: `site ${label}: ${mixture}`, at: located(typeAt) });
      rowErrors++;
      continue;
    }
    if (!mixture && isVacancySymbol(typeText)) {
      messages.push({ severity: 'info', code: 'vacancy-row', message: `site ${label}: '${typeText}' is a vacancy, not an element: the row is skipped (the site's other species keep their occupancies)`, at: located(typeAt) });
      continue;
    }
    const t: TypeSymbolInfo = mixture ? { element: mixture[0].element, charge: null } : parseTypeSymbol(typeText);
    if (t.fromFirstLetter && cType >= 0 && !row[cType].special) {
      messages.push({ severity: 'warning', code: 'element-guessed', message: `site ${label}: type symbol '${typeText}' is not an element symbol; read as ${t.element}, its first letter`, at: located(typeAt) });
    }
    if (!t.element) {
      messages.push({ severity: 'error', code: 'unknown-element', message: `'${typeText}' is not a chemical element symbol`, at: located(typeAt) });
      rowErrors++;
      continue;
    }
    const coords: number[] = [];
    let coordBad = false;
    for (const c of useCart ? [cCx, cCy, cCz] : [cX, cY, cZ]) {
      const v = c >= 0 ? row[c] : undefined;
      const n = v ? parseCifNumber(v.text) : null;
      if (!n) {
        messages.push({ severity: 'error', code: 'bad-coordinate', message: `site ${label}: coordinate ${v ? `'${clip(v.text)}' ${badNumber(v.text)}` : "'(missing)' is not a number"}`, at: located(v?.at ?? first) });
        coordBad = true;
        break;
      }
      coords.push(n.value);
    }
    if (coordBad) { rowErrors++; continue; }
    let frac = coords as Vec3;
    if (useCart) {
      if (!lattice) continue; // the cell's error is reported; the row's element and occupancy were checked
      toFractional ??= cartesianFrame(frame, lattice, messages);
      frac = toFractional(frac);
    }
    // Beyond ±1e4 cells, wrapping into [0, 1) loses the digits that place the atom (and ±1e308 overflows).
    if (!frac.every((x) => Number.isFinite(x) && Math.abs(x) < 1e4)) {
      const v = row[useCart ? cCx : cX];
      messages.push({ severity: 'error', code: 'bad-coordinate', message: `site ${label}: coordinates (${coords.join(', ')}) lie ${useCart ? 'more than 10⁴ cells away or overflow' : 'more than 10⁴ cells away'}; fractional coordinates are expected in [0, 1)`, at: located(v?.at ?? first) });
      rowErrors++;
      continue;
    }
    let occupancy = 1;
    if (cOcc >= 0 && row[cOcc].special) {
      // '?' unknown, '.' inapplicable: the dictionary default is 1; said, not silent.
      const unknown = row[cOcc].text === '?';
      messages.push({ severity: 'warning', code: 'occupancy-assumed', message: `site ${label}: occupancy '${row[cOcc].text}' (${unknown ? 'unknown' : 'not applicable'}); 1 assumed`, at: located(row[cOcc].at) });
    } else if (cOcc >= 0) {
      const n = parseCifNumber(row[cOcc].text);
      // A refined occupancy above 1 within three of its standard uncertainties is a full site: 1.02(1).
      if (n && n.value > 1.0 + 1e-3 && n.su !== null && n.value - 3 * n.su <= 1) {
        messages.push({ severity: 'warning', code: 'occupancy-above-one', message: `site ${label}: occupancy ${row[cOcc].text} is above 1 within three standard uncertainties; taken as 1`, at: located(row[cOcc].at) });
        n.value = 1;
      }
      if (!n || !(n.value > 0) || n.value > 1.0 + 1e-3) {
        messages.push({ severity: n && n.value === 0 ? 'warning' : 'error', code: 'bad-occupancy', message: !n ? `site ${label}: occupancy '${clip(row[cOcc].text)}' ${badNumber(row[cOcc].text)}` : `site ${label}: occupancy ${row[cOcc].text} must be in (0, 1]${n.value === 0 ? '; the site is skipped' : ''}`, at: located(row[cOcc].at) });
        if (!(n && n.value === 0)) rowErrors++;
        continue;
      }
      occupancy = Math.min(1, n.value);
    }
    let oxidation: number | null = null;
    if (cOx >= 0) {
      oxidation = parseCifNumber(row[cOx].text)?.value ?? null;
      if (oxidation === null && notANumber(row[cOx].text)) messages.push(unreadOxidation(`site ${label}: _atom_site_oxidation_number`, row[cOx].text, row[cOx].at));
    }
    if (oxidation === null && typeOx.has(typeText.toLowerCase())) oxidation = typeOx.get(typeText.toLowerCase())!;
    // A type symbol's own charge ('Li1+') that the oxidation number contradicts: the number is used, and said
    // once per type, since one of the two is a typo.
    if (oxidation !== null && t.charge !== null && t.charge !== oxidation && !chargeConflicts.has(typeText)) {
      chargeConflicts.add(typeText);
      messages.push({ severity: 'warning', code: 'oxidation-conflict', message: `type '${typeText}' says ${t.element}${t.charge > 0 ? '+' : ''}${t.charge}, but its oxidation number is ${oxidation > 0 ? '+' : ''}${oxidation}: ${oxidation > 0 ? '+' : ''}${oxidation} is used; check which is meant`, at: located(typeAt) });
    }
    if (oxidation === null && t.charge !== null) oxidation = t.charge;
    const species: SiteSpecies[] = mixture
      // A Pauling File mixed site ('0.8Nb + 0.2Zr'): each element with its fraction of the row's occupancy.
      ? mixture.map((m) => {
          const q = m.charge ?? typeOx.get(m.symbol.toLowerCase()) ?? null;
          return { element: m.element, oxidation: q, oxidationSource: q === null ? 'none' as const : 'cif' as const, occupancy: occupancy * m.fraction, label };
        })
      : [{ element: t.element, oxidation, oxidationSource: oxidation === null ? 'none' : 'cif', occupancy, label }];
    const listed = cMult >= 0 ? parseCifNumber(row[cMult].text)?.value ?? 0 : 0;
    const labelAt = cLabel >= 0 ? row[cLabel].at : first;
    asym.push({ label, frac: frac.map(wrap01) as Vec3, species, multiplicity: listed, line: labelAt.line, column: labelAt.column });
  }
  // A symbol of several settings, none named: when the one assumed cannot place these atoms, another that can is used.
  if (symmetry.lookup && lattice && asym.length) {
    const formulaDisagreement = (composition: Record<string, number>) => {
      const d = statedFormulaDifference(frame, composition);
      return d ? `give ${formulaDifferenceText(d.differing)} (sites vs the stated formula '${d.formula}', ${d.per})` : null;
    };
    const choice = chooseSetting(lattice, asym, symmetry.lookup, info.operationsSource === 'number' ? `space-group number ${info.number}` : `'${info.symbol}'`, tol, formulaDisagreement);
    if (choice) {
      ops = choice.used.ops;
      info.operationCount = ops.length;
      const i = messages.findIndex((m) => m.code === 'setting-assumed');
      if (i >= 0) messages[i] = { ...messages[i], message: choice.message };
    }
  }
  if (lattice && ops.length > 1) { const m = cellMisfitMessage(ops, lattice, info, opsAt); if (m) messages.push(m); }
  if (rowErrors || !lattice || !ops.length) return null;
  if (!asym.length) {
    messages.push({ severity: 'error', code: 'missing-atom-sites', message: 'no usable atom sites', at: located(sitesLoop?.loop.at ?? frame.at) });
    return null;
  }

  yield 0.4;
  // Mixed sites: rows at the same position become one site with several species.
  const near = nearPredicate(lattice);
  const mixRadius = Math.max(tol, 0.05);
  const mergedAsym: AsymmetricSite[] = [];
  const mixedIndex = new PeriodicBins<AsymmetricSite>(lattice, mixRadius);
  let stacked = 0;
  for (const s of asym) {
    const same = mixedIndex.find(s.frac, (m) => near(m.frac, s.frac, mixRadius));
    if (same) {
      const held = same.species.reduce((a, sp) => a + sp.occupancy, 0), adds = s.species.reduce((a, sp) => a + sp.occupancy, 0);
      const total = held + adds;
      // Two fully occupied rows at one position are two atoms on top of each other: the same error as two atoms
      // closer than MIN_INTERATOMIC_DISTANCE_A (checkDistances), not a mixed site.
      if (held >= 1 - 1e-3 && adds >= 1 - 1e-3) {
        if (stacked++ < 20) messages.push({ severity: 'error', code: 'atoms-too-close', message: `sites ${same.label} and ${s.label} are both fully occupied at the same position: check their coordinates or the symmetry operations (a mixed site gives each species its fraction)`, at: { line: s.line, column: s.column, length: s.label.length } });
      } else if (total > 1 + 1e-3) {
        messages.push({ severity: 'warning', code: 'occupancy-over-1', message: `sites ${same.label} and ${s.label} share one position with a total occupancy of ${Number(total.toFixed(4))} (> 1): they cannot all be occupied at once`, at: { line: s.line, column: s.column, length: s.label.length } });
      }
      same.species.push(...s.species);
    }
    else { const m = { ...s, species: [...s.species] }; mergedAsym.push(m); mixedIndex.add(m.frac, m); }
  }
  if (stacked) return null;
  // Trace species (a 1e-5 Fe on a Li site) are kept, but said: they are often refinement artefacts.
  for (const s of mergedAsym) for (const sp of s.species) {
    if (sp.occupancy < TRACE_OCCUPANCY) messages.push({ severity: 'warning', code: 'trace-occupancy', message: `site ${sp.label}: ${sp.element} occupancy ${sp.occupancy} is a trace (below ${TRACE_OCCUPANCY}); it is kept with its occupancy`, at: { line: s.line, column: s.column, length: s.label.length } });
  }

  // ---- expansion ----
  const sites: Site[] = [];
  let multiplicityMismatches = 0;
  for (let ai = 0; ai < mergedAsym.length; ai++) {
    if (ai % 64 === 63) yield 0.4 + 0.3 * (ai / mergedAsym.length);
    const s = mergedAsym[ai];
    const { images, clustered } = siteImages(s, s.species.reduce((a, sp) => a + sp.occupancy, 0), ops, near, tol);
    if (clustered.length < images.length) {
      messages.push({ severity: 'warning', code: 'near-special-position', message: `site ${s.label}: ${images.length} symmetry images collapse to ${clustered.length} positions (images closer than ${MIN_ATOM_DISTANCE} Å merged; the coordinates are near a special position)`, at: { line: s.line, column: s.column, length: s.label.length } });
    }
    // The file's own multiplicity, where it gives one, checks the operations: a symbol read in another setting
    // ('P b n m' data under 'P n m a' operations) doubles some sites and halves others. An error: none of the 254
    // OBELiX CIFs nor 1,500 Materials Project CIFs drawn at random has a mismatch, so one means a wrong cell.
    if (s.multiplicity > 0 && s.multiplicity !== clustered.length && multiplicityMismatches++ < 20) {
      messages.push({ severity: 'error', code: 'multiplicity-mismatch', message: `site ${s.label}: the file gives multiplicity ${s.multiplicity}, the symmetry operations place ${clustered.length} position${clustered.length === 1 ? '' : 's'} (${info.operationCount} operations from ${{ cif: "the file's list", 'hm-symbol': `the symbol '${info.symbol}'`, 'hall-symbol': 'the Hall symbol', number: `space-group number ${info.number}`, none: 'none' }[info.operationsSource]}): check the space group and its setting`, at: { line: s.line, column: s.column, length: s.label.length } });
    }
    s.multiplicity = clustered.length;
    for (const f of clustered) sites.push({ frac: f, cart: vecMat(f, lattice.matrix), species: s.species.map((sp) => ({ ...sp })), asymmetricIndex: ai, orbit: ai });
    if (sites.length > maxSites) break; // refused below; no point expanding the rest
  }
  if (sites.length > maxSites) {
    messages.push({ severity: 'error', code: 'too-large', message: `the cell holds more than ${maxSites} atoms (limit MAX_ATOMS_IN_CELL = ${maxSites}); ionpath refuses cells this large`, at: located(frame.at) });
    return null;
  }
  const atomCount = sites.reduce((t, s) => t + s.species.reduce((u, sp) => u + sp.occupancy, 0), 0);
  const dense = checkAtomDensity(atomCount, lattice.volume, located(sitesLoop?.loop.at ?? frame.at));
  if (dense) { messages.push(dense); return null; }
  yield 0.75;

  // Different sites on one position (split over two rows with different coordinates that symmetry maps together).
  if (!checkOverlaps(lattice, sites, mergedAsym, messages, near)) return null;
  yield 0.85;

  // ---- composition, oxidation states ----
  const composition: Record<string, number> = {};
  let partial = false;
  for (const site of sites) for (const sp of site.species) {
    composition[sp.element] = (composition[sp.element] ?? 0) + sp.occupancy;
    if (sp.occupancy < 1 - 1e-6) partial = true;
  }
  // Round away float noise only: a tiny occupancy (1e-5 Li) must still count as present.
  for (const k of Object.keys(composition)) composition[k] = Number(composition[k].toPrecision(10));

  const allSpecies = sites.flatMap((s) => s.species);
  const missingOx = allSpecies.some((sp) => sp.oxidation === null);
  let oxidationSource: Structure['oxidationSource'] = 'cif';
  if (missingOx) {
    const guess = guessOxidationStates(composition);
    const known = allSpecies.some((sp) => sp.oxidation !== null);
    oxidationSource = !guess ? 'unassigned' : known ? 'mixed' : 'guessed';
    const firstRow = located(sitesLoop?.loop.at ?? frame.at);
    if (guess) {
      for (const sp of allSpecies) if (sp.oxidation === null) { sp.oxidation = guess.states[sp.element]; sp.oxidationSource = 'guessed'; }
      for (const s of mergedAsym) for (const sp of s.species) if (sp.oxidation === null) { sp.oxidation = guess.states[sp.element]; sp.oxidationSource = 'guessed'; }
      messages.push({ severity: 'warning', code: 'oxidation-guessed', message: guessedStatesSentence(guess, composition, 'oxidation states are not given in the CIF', 'an _atom_type loop with _atom_type_oxidation_number, or --oxidation-states'), at: firstRow });
    } else {
      messages.push({ severity: 'warning', code: 'oxidation-unassigned', message: 'oxidation states are not given in the CIF and no charge-balanced assignment of common oxidation states was found; energy calculations need them (add an _atom_type loop with _atom_type_oxidation_number)', at: firstRow });
    }
  } else {
    // Given states should balance; say so when they do not.
    const net = unbalancedNetCharge(allSpecies);
    if (net !== null) {
      messages.push({ severity: 'warning', code: 'charge-imbalance', message: chargeImbalanceSentence(allSpecies, 'the oxidation states in the CIF'), at: located(typeLoop?.loop.at ?? frame.at) });
    }
  }

  if (partial) {
    // Only the framework's partial occupancy changes a BVSE landscape: the mobile ions are removed before it is computed.
    const ion = options.mobileIon ?? 'Li';
    const partialSites = mergedAsym.filter((s) => s.species.some((sp) => sp.occupancy < 1 - 1e-6));
    const list = (xs: string[]) => `${xs.slice(0, 6).join(', ')}${xs.length > 6 ? ', …' : ''}`;
    const framework = partialSites.filter((s) => s.species.some((sp) => sp.element !== ion)).map((s) => s.label);
    const mobile = partialSites.filter((s) => s.species.every((sp) => sp.element === ion)).map((s) => s.label);
    const at = located(sitesLoop?.loop.at ?? frame.at);
    if (framework.length) messages.push({ severity: 'warning', code: 'partial-occupancy', message: `partially occupied or mixed framework sites (${list(framework)}): an analysis either averages them (a mean field, each species weighted by its occupancy, the default for BVSE) or places whole atoms (ordered approximants); its report says which`, at });
    if (mobile.length) messages.push({ severity: 'info', code: 'mobile-partial-occupancy', message: `partially occupied ${ion} sites (${list(mobile)}): BVSE and the interstitial network remove the mobile ${ion}, so their occupancy does not change those; the potential scan keeps the other ${ion} and first orders them`, at });
  }
  if (!composition.Li) {
    messages.push({ severity: 'warning', code: 'no-li', message: 'the structure contains no Li: Li transport will be computed for an inserted probe ion', at: located(frame.at) });
  }

  // ---- symmetry analysis (orbits, detected space group) ----
  yield 0.9;
  detectSymmetry(lattice, sites, info, messages);

  return {
    name: frame.name,
    lattice,
    spaceGroup: info,
    asymmetricSites: mergedAsym,
    sites,
    composition,
    formula: reducedFormula(composition),
    oxidationSource: missingOx ? oxidationSource : 'cif',
    hasPartialOccupancy: partial,
    messages: messages.filter((m) => m.severity !== 'error'),
  };
}

/**
 * The positions `ops` give one site: its distinct images (within `tol`), and those the cell gets. Images closer than
 * any real bond cannot both be occupied when the site is more than half full: a special position written with
 * rounded or noisy coordinates, merged. A multiplicity stated in the CIF that matches the images is the author's
 * word: they are kept.
 */
function siteImages(site: { frac: Vec3; multiplicity: number }, occupancy: number, ops: readonly SymOp[], near: NearPredicate, tol: number): { images: Vec3[]; clustered: Vec3[] } {
  const images: Vec3[] = [];
  for (const op of ops) {
    const f = applyOp(op, site.frac).map(wrap01) as Vec3;
    if (!images.some((g) => near(g, f, tol))) images.push(f);
  }
  const clustered = occupancy > 0.5 && site.multiplicity !== images.length ? clusterImages(images, MIN_ATOM_DISTANCE, near) : images;
  return { images, clustered };
}

/**
 * A symbol that names several settings (origin choice 1 or 2 of `F d -3 m`, the unique axis of `P 21/c`, a number
 * alone) is first read in the most likely one (symmetry.ts). Another is used, and said, only on evidence that the
 * assumed one is wrong:
 *  1. it cannot build these atoms (two fully occupied sites closer than MIN_ATOM_DISTANCE, a stated multiplicity it
 *     does not give, operations that change the cell's metric: each an error of the build); or
 *  2. the sites it builds contradict the file's `_chemical_formula_sum` (statedFormula.ts), and another setting's
 *     agree with it (the same coordinates read from another origin put atoms on general positions: more atoms).
 * The first other setting that places every site cleanly (and, with a formula, agrees with it) is used. Without such
 * evidence the assumed setting stands, so a crystal that builds and agrees with its formula never changes. On the
 * 254 OBELiX CIFs with their operations removed, every one rebuilds the crystal of its operations
 * (docs/VALIDATION.md, "Reading real CIFs").
 */
function chooseSetting(lattice: Lattice, asym: AsymmetricSite[], assumed: SpaceGroupLookup, named: string, tol: number, formulaDisagreement: (composition: Record<string, number>) => string | null): { used: SpaceGroupLookup; message: string } | null {
  const first = evaluateSetting(lattice, asym, assumed.ops, tol);
  let reason: string;
  if (first.problem && !first.problem.minor) reason = first.problem.text;
  else {
    const disagreement = formulaDisagreement(first.composition);
    if (!disagreement) return null;
    reason = `the sites ${disagreement}`;
  }
  const evaluated = (assumed.alternatives ?? []).map((alt) => ({ alt, result: evaluateSetting(lattice, asym, alt.ops, tol) })).filter((c) => !c.result.problem || c.result.problem.minor);
  const agreeing = evaluated.filter((c) => !formulaDisagreement(c.result.composition));
  // An alternative that agrees with the stated formula may merge near-special images as the build does (a minor
  // problem); without that agreement only a clean placement counts, and only against a build that fails.
  const spotless = (xs: typeof evaluated) => xs.filter((c) => !c.result.problem);
  const usable = agreeing.length ? [...spotless(agreeing), ...agreeing.filter((c) => c.result.problem)] : first.problem && !first.problem.minor ? spotless(evaluated) : [];
  const clean = usable.map((c) => c.alt);
  if (!clean.length) return null;
  const [used] = clean;
  const others = clean.length > 1 ? `; ${clean.length - 1} other setting${clean.length > 2 ? 's' : ''} would place them too (${clean.slice(1, 4).map((c) => c.settingName).join('; ')}${clean.length > 4 ? '; …' : ''}): name the setting in the file to be sure` : '';
  return { used, message: `${named} names several settings; ${used.settingName} was used, because under ${assumed.settingName ?? 'the one assumed first'} ${reason}${others}` };
}

/**
 * The cell `ops` build from these sites, as the expansion below would: its composition, and what keeps it from
 * building, an error-level problem or a `minor` one (images of a site closer than MIN_ATOM_DISTANCE, merged by the
 * build with a warning) that still disqualifies an alternative setting.
 */
function evaluateSetting(lattice: Lattice, asym: AsymmetricSite[], ops: SymOp[], tol: number): { problem: { text: string; minor: boolean } | null; composition: Record<string, number> } {
  const composition: Record<string, number> = {};
  const misfit = metricMisfit(ops, lattice.matrix);
  if (misfit && misfit.size >= CELL_MISFIT_WARNING) return { problem: { text: `its operation ${formatSymop(misfit.op)} ${misfit.description}`, minor: misfit.size < CELL_MISFIT_ERROR }, composition };
  const near = nearPredicate(lattice);
  // Rows at one position are one mixed site (the build merges them first): their occupancies add up.
  const mixRadius = Math.max(tol, 0.05);
  const rows = new PeriodicBins<number>(lattice, mixRadius);
  asym.forEach((s, i) => rows.add(s.frac, i));
  const occupancyAt = asym.map((s) => {
    let total = 0;
    for (const j of rows.around(s.frac)) if (near(asym[j].frac, s.frac, mixRadius)) total += asym[j].species.reduce((a, sp) => a + sp.occupancy, 0);
    return total;
  });
  const bins = new PeriodicBins<{ site: number; f: Vec3 }>(lattice, MIN_ATOM_DISTANCE);
  let minor: string | null = null;
  for (let i = 0; i < asym.length; i++) {
    const s = asym[i];
    const occupancy = occupancyAt[i];
    const { images, clustered } = siteImages(s, occupancy, ops, near, tol);
    if (s.multiplicity > 0 && s.multiplicity !== clustered.length) return { problem: { text: `site ${s.label} would have ${clustered.length} positions, and the file gives ${s.multiplicity}`, minor: false }, composition };
    if (!minor && clustered.length < images.length) minor = `images of site ${s.label} fall closer than ${MIN_ATOM_DISTANCE} Å`;
    for (const sp of s.species) composition[sp.element] = (composition[sp.element] ?? 0) + sp.occupancy * clustered.length;
    const full = occupancy >= 1 - 1e-3;
    if (full) for (const f of clustered) {
      for (const o of bins.around(f)) {
        if (o.site === i || near(asym[o.site].frac, s.frac, mixRadius)) continue;
        if (near(o.f, f, MIN_ATOM_DISTANCE)) return { problem: { text: `sites ${asym[o.site].label} and ${s.label} would be fully occupied and closer than ${MIN_ATOM_DISTANCE} Å`, minor: false }, composition };
      }
    }
    if (full) for (const f of clustered) bins.add(f, { site: i, f });
  }
  return { problem: minor ? { text: minor, minor: true } : null, composition };
}

function cartDistance(lattice: Lattice, f: Vec3, g: Vec3): number {
  const d: Vec3 = [f[0] - g[0], f[1] - g[1], f[2] - g[2]];
  for (let i = 0; i < 3; i++) d[i] -= Math.round(d[i]);
  // Minimum image over the 27 neighbours: rounding alone is not enough in skewed cells.
  let best = Infinity;
  for (let i = -1; i <= 1; i++) for (let j = -1; j <= 1; j++) for (let k = -1; k <= 1; k++) {
    const c = vecMat([d[0] + i, d[1] + j, d[2] + k], lattice.matrix);
    const r = c[0] * c[0] + c[1] * c[1] + c[2] * c[2];
    if (r < best) best = r;
  }
  return Math.sqrt(best);
}

type NearPredicate = (f: Vec3, g: Vec3, radius: number) => boolean;

/**
 * `(f, g, r) => minimum-image distance < r`, without allocation. When r is below half the smallest
 * interplanar spacing, the nearest image is the one found by rounding the fractional difference (its
 * fractional components are then all below ½), so one image suffices; otherwise all 27 are tried.
 */
function nearPredicate(lattice: Lattice): NearPredicate {
  const m = lattice.matrix, inv = lattice.inverse;
  // Interplanar spacing d_i = 1 / |column i of the inverse|.
  let minSpacing = Infinity;
  for (let i = 0; i < 3; i++) minSpacing = Math.min(minSpacing, 1 / Math.hypot(inv[0][i], inv[1][i], inv[2][i]));
  return (f, g, r) => {
    const d0 = f[0] - g[0] - Math.round(f[0] - g[0]), d1 = f[1] - g[1] - Math.round(f[1] - g[1]), d2 = f[2] - g[2] - Math.round(f[2] - g[2]);
    if (r < 0.5 * minSpacing) {
      const x = d0 * m[0][0] + d1 * m[1][0] + d2 * m[2][0], y = d0 * m[0][1] + d1 * m[1][1] + d2 * m[2][1], z = d0 * m[0][2] + d1 * m[1][2] + d2 * m[2][2];
      return x * x + y * y + z * z < r * r;
    }
    return cartDistance(lattice, f, g) < r;
  };
}

/** Greedy clustering of periodic positions within `radius`; each cluster is replaced by its mean. */
function clusterImages(images: Vec3[], radius: number, near: NearPredicate): Vec3[] {
  const clusters: { ref: Vec3; sum: Vec3; n: number }[] = [];
  for (const f of images) {
    const c = clusters.find((k) => near(k.ref, f, radius));
    if (!c) { clusters.push({ ref: f, sum: [...f], n: 1 }); continue; }
    // Unwrap next to the reference before averaging.
    const u = f.map((x, i) => x - Math.round(x - c.ref[i])) as Vec3;
    for (let i = 0; i < 3; i++) c.sum[i] += u[i];
    c.n++;
  }
  return clusters.map((k) => k.sum.map((x) => wrap01(x / k.n)) as Vec3);
}

/** Occupancies below this are reported as traces (kept, with their occupancy). */
export const TRACE_OCCUPANCY = 1e-3;

/**
 * Periodic cell list: positions binned by fractional coordinate, with at least `radius` Å between bin walls, so
 * that every position within `radius` of a point lies in its bin or the 26 around it. Makes the merges and the
 * overlap check O(n) instead of O(n²) (a 20 000-atom cell: 4·10⁸ distance tests otherwise).
 */
class PeriodicBins<T> {
  private readonly n: [number, number, number];
  private readonly bins = new Map<number, { f: Vec3; item: T }[]>();

  constructor(lattice: Lattice, radius: number) {
    const d = interplanarSpacings(lattice);
    this.n = d.map((di) => Math.max(1, Math.min(64, Math.floor(di / Math.max(radius, 1e-6))))) as [number, number, number];
  }

  private index(i: number, j: number, k: number): number {
    const [a, b, c] = this.n;
    return ((((i % a) + a) % a) * b + (((j % b) + b) % b)) * c + (((k % c) + c) % c);
  }

  private cellOf(f: Vec3): [number, number, number] {
    return [0, 1, 2].map((i) => Math.floor(wrap01(f[i]) * this.n[i]) % this.n[i]) as [number, number, number];
  }

  add(f: Vec3, item: T): void {
    const [i, j, k] = this.cellOf(f);
    const key = this.index(i, j, k);
    const bin = this.bins.get(key);
    if (bin) bin.push({ f, item }); else this.bins.set(key, [{ f, item }]);
  }

  /** Every stored item in the 27 bins around `f` (each bin once, even when the grid is narrower than 3). */
  *around(f: Vec3): Generator<T> {
    const [i, j, k] = this.cellOf(f);
    const seen = new Set<number>();
    for (let di = -1; di <= 1; di++) for (let dj = -1; dj <= 1; dj++) for (let dk = -1; dk <= 1; dk++) {
      const key = this.index(i + di, j + dj, k + dk);
      if (seen.has(key)) continue;
      seen.add(key);
      const bin = this.bins.get(key);
      if (bin) for (const e of bin) yield e.item;
    }
  }

  find(f: Vec3, pred: (item: T) => boolean): T | undefined {
    for (const item of this.around(f)) if (pred(item)) return item;
    return undefined;
  }
}

/**
 * Atoms of different asymmetric sites within MIN_INTERATOMIC_DISTANCE_A: an error when both are fully occupied
 * (no real structure has them; a special position written with noisy coordinates is merged earlier, within one
 * site), a warning when their occupancies add up to more than 1 (split sites that cannot both be occupied), and
 * nothing when they add up to at most 1 (a split-site disorder model). Returns false after an error.
 */
function checkOverlaps(lattice: Lattice, sites: Site[], asym: AsymmetricSite[], messages: StructureMessage[], near: NearPredicate): boolean {
  const bins = new PeriodicBins<Site>(lattice, MIN_ATOM_DISTANCE);
  const reported = new Set<string>();
  let errors = 0;
  const occ = (s: Site) => s.species.reduce((t, x) => t + x.occupancy, 0);
  for (const b of sites) {
    for (const a of bins.around(b.frac)) {
      if (a.asymmetricIndex === b.asymmetricIndex) continue;
      if (!near(a.frac, b.frac, MIN_ATOM_DISTANCE)) continue;
      const oa = occ(a), ob = occ(b);
      if (oa + ob <= 1.0 + 1e-3) continue;
      const key = `${Math.min(a.asymmetricIndex, b.asymmetricIndex)}|${Math.max(a.asymmetricIndex, b.asymmetricIndex)}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const sa = asym[a.asymmetricIndex], sb = asym[b.asymmetricIndex];
      const dist = cartDistance(lattice, a.frac, b.frac).toFixed(2);
      const at = { line: sb.line, column: sb.column, length: sb.label.length };
      if (oa >= 1 - 1e-3 && ob >= 1 - 1e-3 && errors < 20) {
        errors++;
        messages.push({ severity: 'error', code: 'atoms-too-close', message: `sites ${sa.label} and ${sb.label} are both fully occupied and only ${dist} Å apart (limit MIN_INTERATOMIC_DISTANCE_A = ${MIN_ATOM_DISTANCE} Å): check their coordinates or the symmetry operations`, at });
      } else if (!(oa >= 1 - 1e-3 && ob >= 1 - 1e-3)) {
        messages.push({ severity: 'warning', code: 'occupancy-over-1', message: `sites ${sa.label} and ${sb.label} are ${dist} Å apart with a total occupancy of ${(oa + ob).toFixed(2)} (> 1): both cannot be occupied at once`, at });
      }
    }
    bins.add(b.frac, b);
  }
  return errors === 0;
}

/** Detected space group and orbits through moyo; species with different occupancies count as different. */
export function detectSymmetry(lattice: Lattice, sites: Site[], info: SpaceGroupInfo, messages: StructureMessage[]): void {
  // moyo's cost grows steeply with the number of pure translations (0.05 s for the 328-site OBELiX
  // cells, 8 s for a 512-atom P1 supercell): above the cap, orbits stay per asymmetric site.
  if (sites.length > MAX_SITES_FOR_DETECTION) {
    messages.push({ severity: 'info', code: 'symmetry-detection-skipped', message: `symmetry detection skipped for a cell of ${sites.length} atoms (limit ${MAX_SITES_FOR_DETECTION}); symmetry-distinct sites are the CIF's rows` });
    return;
  }
  try {
    const ds = moyoDataset(lattice.matrix, sites.map((s) => s.frac), sites.map((s) => siteKindKey(s.species)), 1e-2);
    info.detected = { number: ds.number, symbol: ds.hm_symbol, hallNumber: ds.hall_number };
    ds.orbits.forEach((o, i) => { sites[i].orbit = o; });
    // What moyo finds is `detected`, said beside what the file names, never in its place: a file's 'P 1' stays P 1
    // (not "P 1 (No. 225)"), and a file naming none (a P1 list, a POSCAR) names none.
  } catch {
    // Symmetry detection is informative only; orbits stay per asymmetric site.
  }
}

/** Kept for the modules that import it from here; the rule is in ./formula.ts. */
export { reducedFormula } from './formula';
