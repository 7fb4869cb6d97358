/**
 * CIF text → `Structure`. Reads the cell, the symmetry operations (listed, or from the space-group
 * symbol/number through moyo), the atom sites with occupancies and oxidation states, expands the
 * asymmetric unit, merges images, and reports every problem as a located message. Never throws.
 */
import { parseCif, parseCifNumber, findItem, findLoop, type CifDocument, type CifFrame, type CifLocation, type CifValue } from '../cif/parser';
import { latticeMatrix, inverse3, det3, vecMat, wrap01 } from './geometry';
import { parseSymop, applyOp, opsFromHM, opsFromHall, opsFromNumber, ensureMoyo, IDENTITY, type SymOp, type SpaceGroupLookup } from './symmetry';
import { canonicalElement, guessOxidationStates, atomicNumber } from './elements';
import { PAULING_ELECTRONEGATIVITY } from '../data/bvTables';
import type { AsymmetricSite, Lattice, Located, Site, SiteSpecies, SpaceGroupInfo, Structure, StructureMessage, Vec3 } from './types';

export interface BuildOptions {
  /** Images of one site closer than this (Å) are the same position. */
  mergeTolerance?: number;
  /** Which data block: its name, or by default the first block that has atom sites. */
  block?: string;
  /** Refuse cells that expand to more sites than this (the landscape grid needs a cap anyway). */
  maxSites?: number;
}

export interface BuildResult {
  structure: Structure | null;
  /** All messages, the syntax errors of the CIF included. `structure` is null when any is an error that prevents building. */
  messages: StructureMessage[];
  document: CifDocument;
  /** The frame the structure was read from. */
  frame: CifFrame | null;
}

const located = (at: CifLocation | undefined): Located | undefined => (at ? { line: at.line, column: at.column, length: at.length } : undefined);

/** Cells up to this many atoms get moyo's space-group detection and orbits. */
export const MAX_SITES_FOR_DETECTION = 350;

/** The physically shortest plausible distance between two fully occupied atoms (Å). */
const MIN_ATOM_DISTANCE = 0.5;

export function buildStructure(text: string, options: BuildOptions = {}): BuildResult {
  const document = parseCif(text);
  const messages: StructureMessage[] = document.errors.map((e) => ({ severity: e.severity, code: e.code, message: e.message, at: located(e.at) }));
  const fail = (frame: CifFrame | null): BuildResult => ({ structure: null, messages, document, frame });

  if (!text.trim()) { messages.push({ severity: 'error', code: 'empty', message: 'the file is empty' }); return fail(null); }
  if (!document.blocks.length) { messages.push({ severity: 'error', code: 'syntax-error', message: 'no data_ block found: this does not look like a CIF', at: { line: 0, column: 0, length: 1 } }); return fail(null); }

  const frame = options.block
    ? document.blocks.find((b) => b.name === options.block) ?? null
    : document.blocks.find((b) => findLoop(b, '_atom_site_fract_x', '_atom_site_cartn_x', '_atom_site_label')) ?? document.blocks[0];
  if (!frame) { messages.push({ severity: 'error', code: 'missing-block', message: `no data block named ${options.block}` }); return fail(null); }
  try {
    const structure = buildFromFrame(frame, messages, options);
    return { structure, messages, document, frame };
  } catch (e) {
    // A bug, not the user's fault: still report it as a message instead of crashing the host.
    messages.push({ severity: 'error', code: 'internal', message: `internal error while building the structure: ${e instanceof Error ? e.message : String(e)}` });
    return fail(frame);
  }
}

function num(frame: CifFrame, ...keys: string[]): { value: number | null; at?: CifLocation; raw?: string } {
  const it = findItem(frame, ...keys);
  if (!it || !it.value) return { value: null, at: it?.tagAt };
  const n = parseCifNumber(it.value.text);
  return { value: n ? n.value : null, at: it.value.at, raw: it.value.text };
}

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
    if (v.value === null) { missing.push(`_cell_length_${n}`); ok = false; continue; }
    if (!(v.value > 0.5 && v.value < 500)) {
      messages.push({ severity: 'error', code: 'cell-out-of-range', message: `_cell_length_${n} = ${v.raw} Å is out of range (expected 0.5–500 Å)`, at: located(v.at) });
      ok = false;
    }
    vals.push(v.value);
  }
  for (const n of angles) {
    const v = num(frame, `_cell_angle_${n}`);
    if (v.value === null) {
      if (findItem(frame, `_cell_angle_${n}`)) { missing.push(`_cell_angle_${n}`); ok = false; continue; }
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
  const cellVolume = num(frame, '_cell_volume');
  if (cellVolume.value !== null && Math.abs(cellVolume.value - volume) > 0.01 * volume + 0.5) {
    messages.push({ severity: 'warning', code: 'cell-volume-mismatch', message: `_cell_volume ${cellVolume.raw} Å³ differs from the volume of the given cell parameters (${volume.toFixed(2)} Å³)`, at: located(cellVolume.at) });
  }
  return { a, b, c, alpha, beta, gamma, matrix, inverse: inverse3(matrix), volume };
}

function readSymmetry(frame: CifFrame, lattice: Lattice, messages: StructureMessage[]): { ops: SymOp[]; info: SpaceGroupInfo } {
  const hm = str(frame, '_space_group_name_h-m_alt', '_symmetry_space_group_name_h-m', '_space_group_name_h-m');
  const hall = str(frame, '_space_group_name_hall', '_symmetry_space_group_name_hall');
  const number = num(frame, '_space_group_it_number', '_symmetry_int_tables_number', '_space_group_number');
  const info: SpaceGroupInfo = { symbol: hm.value, number: number.value, operationsSource: 'none', operationCount: 1 };

  const loop = findLoop(frame, '_space_group_symop_operation_xyz', '_symmetry_equiv_pos_as_xyz', '_space_group_symop.operation_xyz');
  const single = findItem(frame, '_space_group_symop_operation_xyz', '_symmetry_equiv_pos_as_xyz');
  const values: CifValue[] = [];
  if (loop) {
    const col = Math.max(loop.column('_space_group_symop_operation_xyz'), loop.column('_symmetry_equiv_pos_as_xyz'));
    for (const row of loop.loop.rows) values.push(row[col]);
  } else if (single?.value) values.push(single.value);

  if (values.length) {
    const ops: SymOp[] = [];
    let bad = 0;
    for (const v of values) {
      const p = parseSymop(v.text);
      if ('error' in p) { bad++; messages.push({ severity: 'error', code: 'bad-symop', message: p.error, at: located(v.at) }); }
      else ops.push(p.op);
    }
    if (!bad) {
      if (!ops.some((o) => isIdentity(o))) messages.push({ severity: 'warning', code: 'no-identity', message: 'the listed symmetry operations do not include the identity x,y,z', at: located(values[0].at) });
      info.operationsSource = 'cif';
      info.operationCount = ops.length;
      return { ops, info };
    }
    // Fall through to the symbol if the listed operations are broken: said explicitly below.
  }

  const rhombohedral = Math.abs(lattice.alpha - lattice.beta) < 1e-3 && Math.abs(lattice.beta - lattice.gamma) < 1e-3 && Math.abs(lattice.alpha - 90) > 1e-3;
  let found: SpaceGroupLookup | null = null;
  let source: SpaceGroupInfo['operationsSource'] = 'none';
  let fromWhat = '';
  try {
    if (hall.value) { found = opsFromHall(hall.value); source = 'hall-symbol'; fromWhat = `Hall symbol '${hall.value}'`; }
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
    return { ops: found.ops, info };
  }
  if (values.length) {
    messages.push({ severity: 'error', code: 'bad-symop', message: 'the symmetry operations could not be read and there is no usable space-group symbol to fall back on', at: located(values[0].at) });
    return { ops: [], info };
  }
  messages.push({ severity: 'warning', code: 'no-symmetry', message: 'no symmetry operations, space-group symbol or number: the atom sites are taken as the full cell (P1)', at: located(frame.at) });
  return { ops: [IDENTITY], info };
}

function isIdentity(op: SymOp): boolean {
  return op.rot.every((r, i) => r.every((v, j) => v === (i === j ? 1 : 0))) && op.trans.every((t) => Math.abs(t - Math.round(t)) < 1e-9);
}

interface TypeSymbolInfo { element: string | null; charge: number | null }

/** `Li1+` → Li, +1; `O2-` → O, −2; `Fe3+` → Fe, +3; `Ow` → O; `Li+` → Li, +1. */
export function parseTypeSymbol(sym: string): TypeSymbolInfo {
  const m = /^([A-Za-z]{1,2})(?:(\d*)([+-]))?/.exec(sym.trim());
  if (!m) return { element: null, charge: null };
  // Prefer a two-letter element when it exists (e.g. "Cl" not "C"), else one letter ("Ow" → O).
  let element = canonicalElement(m[1]);
  if (!element && m[1].length === 2) element = canonicalElement(m[1][0]);
  if (m[1].length === 2 && element && element.length === 1 && m[3]) {
    // e.g. "Xx1+" → "X" is not an element; keep the null from above.
  }
  let charge: number | null = null;
  if (m[3]) charge = (m[3] === '-' ? -1 : 1) * (m[2] ? Number(m[2]) : 1);
  // Also accept the sign-first form "Li+1".
  const alt = /^[A-Za-z]{1,2}([+-])(\d+)$/.exec(sym.trim());
  if (alt) charge = (alt[1] === '-' ? -1 : 1) * Number(alt[2]);
  return { element, charge };
}

function buildFromFrame(frame: CifFrame, messages: StructureMessage[], options: BuildOptions): Structure | null {
  const tol = options.mergeTolerance ?? 0.01;
  const maxSites = options.maxSites ?? 20000;
  const lattice = readLattice(frame, messages);

  const sitesLoop = findLoop(frame, '_atom_site_fract_x', '_atom_site_cartn_x', '_atom_site_label', '_atom_site_type_symbol');
  if (!sitesLoop || !sitesLoop.loop.rows.length) {
    const hasSingle = findItem(frame, '_atom_site_fract_x');
    if (!hasSingle) {
      messages.push({ severity: 'error', code: 'missing-atom-sites', message: 'no atom sites: the _atom_site_ loop with fractional coordinates is missing', at: located(frame.at) });
      return null;
    }
  }
  if (!lattice) return null;
  const { ops, info } = readSymmetry(frame, lattice, messages);
  if (!ops.length) return null;

  // Oxidation states from the _atom_type loop.
  const typeOx = new Map<string, number>();
  const typeLoop = findLoop(frame, '_atom_type_symbol', '_atom_type_oxidation_number');
  if (typeLoop) {
    const cs = typeLoop.column('_atom_type_symbol'), co = typeLoop.column('_atom_type_oxidation_number');
    if (cs >= 0 && co >= 0) for (const row of typeLoop.loop.rows) {
      const n = parseCifNumber(row[co].text);
      if (n) typeOx.set(row[cs].text.toLowerCase(), n.value);
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
  const useCart = cX < 0 && cCx >= 0;
  if (cX < 0 && cCx < 0) {
    messages.push({ severity: 'error', code: 'missing-atom-sites', message: 'the _atom_site_ loop has no coordinates (_atom_site_fract_x/y/z)', at: located(sitesLoop?.loop.at ?? frame.at) });
    return null;
  }

  const asym: AsymmetricSite[] = [];
  let rowErrors = 0;
  for (const row of rows) {
    const first = row[0].at;
    const label = cLabel >= 0 ? row[cLabel].text : `site${asym.length + 1}`;
    const typeText = cType >= 0 && !row[cType].special ? row[cType].text : label;
    const typeAt = cType >= 0 ? row[cType].at : cLabel >= 0 ? row[cLabel].at : first;
    const t = parseTypeSymbol(typeText);
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
        messages.push({ severity: 'error', code: 'bad-coordinate', message: `site ${label}: coordinate '${v?.text ?? '(missing)'}' is not a number`, at: located(v?.at ?? first) });
        coordBad = true;
        break;
      }
      coords.push(n.value);
    }
    if (coordBad) { rowErrors++; continue; }
    let frac = coords as Vec3;
    if (useCart) frac = vecMat(frac, lattice.inverse);
    // Beyond ±1e4 cells, wrapping into [0, 1) loses the digits that place the atom (and ±1e308 overflows).
    if (!frac.every((x) => Number.isFinite(x) && Math.abs(x) < 1e4)) {
      const v = row[useCart ? cCx : cX];
      messages.push({ severity: 'error', code: 'bad-coordinate', message: `site ${label}: coordinates (${coords.join(', ')}) lie ${useCart ? 'more than 10⁴ cells away or overflow' : 'more than 10⁴ cells away'}; fractional coordinates are expected in [0, 1)`, at: located(v?.at ?? first) });
      rowErrors++;
      continue;
    }
    let occupancy = 1;
    if (cOcc >= 0 && !row[cOcc].special) {
      const n = parseCifNumber(row[cOcc].text);
      if (!n || !(n.value > 0) || n.value > 1.0 + 1e-3) {
        messages.push({ severity: n && n.value === 0 ? 'warning' : 'error', code: 'bad-occupancy', message: `site ${label}: occupancy ${row[cOcc].text} must be in (0, 1]${n && n.value === 0 ? '; the site is skipped' : ''}`, at: located(row[cOcc].at) });
        if (!(n && n.value === 0)) rowErrors++;
        continue;
      }
      occupancy = Math.min(1, n.value);
    }
    let oxidation: number | null = null;
    if (cOx >= 0) oxidation = parseCifNumber(row[cOx].text)?.value ?? null;
    if (oxidation === null && typeOx.has(typeText.toLowerCase())) oxidation = typeOx.get(typeText.toLowerCase())!;
    if (oxidation === null && t.charge !== null) oxidation = t.charge;
    const sp: SiteSpecies = { element: t.element, oxidation, oxidationSource: oxidation === null ? 'none' : 'cif', occupancy, label };
    const listed = cMult >= 0 ? parseCifNumber(row[cMult].text)?.value ?? 0 : 0;
    const labelAt = cLabel >= 0 ? row[cLabel].at : first;
    asym.push({ label, frac: frac.map(wrap01) as Vec3, species: [sp], multiplicity: listed, line: labelAt.line, column: labelAt.column });
  }
  if (rowErrors) return null;
  if (!asym.length) {
    messages.push({ severity: 'error', code: 'missing-atom-sites', message: 'no usable atom sites', at: located(sitesLoop?.loop.at ?? frame.at) });
    return null;
  }

  // Mixed sites: rows at the same position become one site with several species.
  const near = nearPredicate(lattice);
  const mergedAsym: AsymmetricSite[] = [];
  for (const s of asym) {
    const same = mergedAsym.find((m) => near(m.frac, s.frac, Math.max(tol, 0.05)));
    if (same) {
      const total = same.species.reduce((a, sp) => a + sp.occupancy, 0) + s.species.reduce((a, sp) => a + sp.occupancy, 0);
      if (total > 1 + 1e-3) {
        messages.push({ severity: 'warning', code: 'occupancy-over-1', message: `sites ${same.label} and ${s.label} share one position with a total occupancy of ${Number(total.toFixed(4))} (> 1): they cannot all be occupied at once`, at: { line: s.line, column: s.column, length: s.label.length } });
      }
      same.species.push(...s.species);
    }
    else mergedAsym.push({ ...s, species: [...s.species] });
  }

  // ---- expansion ----
  const sites: Site[] = [];
  const estimate = mergedAsym.length * ops.length;
  if (estimate > maxSites * 4) {
    messages.push({ severity: 'error', code: 'too-large', message: `the cell would hold up to ${estimate} atoms (limit ${maxSites}); ionpath refuses cells this large`, at: located(frame.at) });
    return null;
  }
  for (let ai = 0; ai < mergedAsym.length; ai++) {
    const s = mergedAsym[ai];
    const images: Vec3[] = [];
    for (const op of ops) {
      const f = applyOp(op, s.frac).map(wrap01) as Vec3;
      if (!images.some((g) => near(g, f, tol))) images.push(f);
    }
    const occSum = s.species.reduce((a, sp) => a + sp.occupancy, 0);
    // Images of one site closer than any real bond cannot both be occupied when the site is more than
    // half full: that is a special position written with rounded or noisy coordinates. Merge them.
    // A multiplicity stated in the CIF that matches the images is the author's word: keep them.
    const clustered = occSum > 0.5 && s.multiplicity !== images.length ? clusterImages(images, MIN_ATOM_DISTANCE, near) : images;
    if (clustered.length < images.length) {
      messages.push({ severity: 'warning', code: 'near-special-position', message: `site ${s.label}: ${images.length} symmetry images collapse to ${clustered.length} positions (images closer than ${MIN_ATOM_DISTANCE} Å merged; the coordinates are near a special position)`, at: { line: s.line, column: s.column, length: s.label.length } });
    }
    s.multiplicity = clustered.length;
    for (const f of clustered) sites.push({ frac: f, cart: vecMat(f, lattice.matrix), species: s.species.map((sp) => ({ ...sp })), asymmetricIndex: ai, orbit: ai });
    if (sites.length > maxSites) break; // refused below; no point expanding the rest
  }
  if (sites.length > maxSites) {
    messages.push({ severity: 'error', code: 'too-large', message: `the cell holds ${sites.length} atoms (limit ${maxSites}); ionpath refuses cells this large`, at: located(frame.at) });
    return null;
  }

  // Different sites on one position (split over two rows with different coordinates that symmetry maps together).
  checkOverlaps(lattice, sites, mergedAsym, messages, near);

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
      const desc = Object.entries(guess.states).map(([e, q]) => `${e}${q > 0 ? '+' : ''}${q}`).join(', ');
      messages.push({ severity: 'warning', code: 'oxidation-guessed', message: `oxidation states are not given in the CIF; guessed by charge balance: ${desc}${Math.abs(guess.residual) > 1e-3 ? ` (residual charge ${guess.residual.toFixed(3)} e per cell)` : ''}`, at: firstRow });
    } else {
      messages.push({ severity: 'warning', code: 'oxidation-unassigned', message: 'oxidation states are not given in the CIF and no charge-balanced assignment of common oxidation states was found; energy calculations need them (add an _atom_type loop with _atom_type_oxidation_number)', at: firstRow });
    }
  } else {
    // Given states should balance; say so when they do not.
    let net = 0, pos = 0;
    for (const sp of allSpecies) { const q = sp.oxidation! * sp.occupancy; net += q; if (q > 0) pos += q; }
    if (pos > 0 && Math.abs(net) > 0.02 * pos + 0.01) {
      messages.push({ severity: 'warning', code: 'charge-imbalance', message: `the oxidation states in the CIF leave a net charge of ${net.toFixed(2)} e per cell`, at: located(typeLoop?.loop.at ?? frame.at) });
    }
  }

  if (partial) {
    const labels = mergedAsym.filter((s) => s.species.some((sp) => sp.occupancy < 1 - 1e-6)).map((s) => s.label);
    messages.push({ severity: 'warning', code: 'partial-occupancy', message: `partially occupied or mixed sites (${labels.slice(0, 6).join(', ')}${labels.length > 6 ? ', …' : ''}) are kept with their occupancies; energies are occupancy-weighted`, at: located(sitesLoop?.loop.at ?? frame.at) });
  }
  if (!composition.Li) {
    messages.push({ severity: 'warning', code: 'no-li', message: 'the structure contains no Li: Li transport will be computed for an inserted probe ion', at: located(frame.at) });
  }

  // ---- symmetry analysis (orbits, detected space group) ----
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

/** Positions shared by different asymmetric sites with a total occupancy above 1 are reported (and kept). */
function checkOverlaps(lattice: Lattice, sites: Site[], asym: AsymmetricSite[], messages: StructureMessage[], near: NearPredicate): void {
  if (sites.length > 3000) return; // O(n²): fine for real cells; huge ones are rare and already warned about.
  const reported = new Set<string>();
  for (let i = 0; i < sites.length; i++) {
    for (let j = i + 1; j < sites.length; j++) {
      const a = sites[i], b = sites[j];
      if (a.asymmetricIndex === b.asymmetricIndex) continue;
      if (!near(a.frac, b.frac, MIN_ATOM_DISTANCE)) continue;
      const occ = a.species.reduce((s, x) => s + x.occupancy, 0) + b.species.reduce((s, x) => s + x.occupancy, 0);
      if (occ <= 1.0 + 1e-3) continue;
      const key = `${a.asymmetricIndex}|${b.asymmetricIndex}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const sa = asym[a.asymmetricIndex], sb = asym[b.asymmetricIndex];
      messages.push({ severity: 'warning', code: 'occupancy-over-1', message: `sites ${sa.label} and ${sb.label} are ${cartDistance(lattice, a.frac, b.frac).toFixed(2)} Å apart with a total occupancy of ${occ.toFixed(2)} (> 1): both cannot be occupied at once`, at: { line: sb.line, column: sb.column, length: sb.label.length } });
    }
  }
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
    const m = ensureMoyo();
    const kinds = new Map<string, number>();
    const numbers = sites.map((s) => {
      const key = s.species.map((sp) => `${sp.element}:${sp.occupancy.toFixed(3)}`).sort().join('|');
      if (!kinds.has(key)) kinds.set(key, kinds.size + 1);
      return kinds.get(key)!;
    });
    const cell = { lattice: { basis: lattice.matrix.flat() }, positions: sites.map((s) => s.frac), numbers };
    const ds = m.analyze_cell(JSON.stringify(cell), 1e-2, 'Standard');
    info.detected = { number: ds.number, symbol: ds.hm_symbol, hallNumber: ds.hall_number };
    ds.orbits.forEach((o, i) => { sites[i].orbit = o; });
    if (info.number === null) info.number = ds.number;
    if (info.symbol === null) info.symbol = ds.hm_symbol;
  } catch {
    // Symmetry detection is informative only; orbits stay per asymmetric site.
  }
}

/**
 * Reduced formula with elements in order of increasing Pauling electronegativity (ties by atomic
 * number), the convention of pymatgen and most databases: LiFePO4, Li2SO4, Li6PS5Cl, Li7La3Zr2O12.
 */
export function reducedFormula(composition: Record<string, number>): string {
  const els = Object.keys(composition).filter((e) => composition[e] > 1e-6);
  const chi = (e: string) => PAULING_ELECTRONEGATIVITY[e] ?? 2.5; // untabulated (noble gases, heavy actinides): mid-scale
  els.sort((a, b) => chi(a) - chi(b) || atomicNumber(a) - atomicNumber(b));
  const counts = els.map((e) => composition[e]);
  const integral = counts.filter((c) => Math.abs(c - Math.round(c)) < 0.01).map((c) => Math.round(c));
  // Reduce only when every count is whole: dividing Li6.5La3Zr1.5O12 by the gcd of 3 and 12 would garble it.
  let z = integral.length === counts.length ? integral.reduce((g, c) => gcd(g, c), 0) : 1;
  if (z <= 0) z = 1;
  return els.map((e, i) => {
    const n = counts[i] / z;
    const s = Math.abs(n - Math.round(n)) < 1e-3 ? String(Math.round(n)) : String(Number(n.toFixed(3)));
    return s === '1' ? e : `${e}${s}`;
  }).join('');
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
