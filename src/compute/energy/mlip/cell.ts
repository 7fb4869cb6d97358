/**
 * The cell a frozen-framework scan runs on, with the symmetry operations that hold exactly in it.
 *
 * SCIENCE.md §6: Ξ depends on the cell when other Li stay in place (moving one Li moves all its periodic images), so
 * the default is the **primitive standardized cell** from moyo (spglib team), the cell the Materials Project stores and
 * the paper scanned; 'as-given' keeps the CIF's cell. The space group and orbits come from moyo; an operation is kept
 * only if it maps every atom onto an atom of the same element to within 1e-3 Å in this cell, so the symmetry
 * reduction of the scan never stands in for an evaluation that would give a different number.
 */
import { moyoDataset, type SymOp } from '../../structure/symmetry';
import { latticeMatrix, inverse3, det3, vecMat, wrap01 } from '../../structure/geometry';
import { reducedFormula } from '../../structure/build';
import type { CellChoice, } from '../source';
import type { Lattice, Mat3, Site, SiteSpecies, Structure, Vec3 } from '../../structure/types';
import { LandscapeError } from '../../util/errors';

export interface ScanAtom {
  element: string;
  frac: Vec3;
  /** CIF label (as-given) or orbit label (primitive cell: element + orbit number + Wyckoff letter). */
  label: string;
  orbit: number;
  species: SiteSpecies;
}

export interface ScanCell {
  choice: Extract<CellChoice, 'as-given' | 'primitive-standardized'>;
  lattice: Lattice;
  atoms: ScanAtom[];
  /** Operations of the space group that hold exactly in this cell (x' = R x + t, fractional). */
  ops: SymOp[];
  spaceGroup: { number: number; symbol: string } | null;
  /** The cell as a Structure (the one the grids belong to). */
  structure: Structure;
}

const OP_TOLERANCE_A = 1e-3;

/** Ordered structures only: one species per site, fully occupied. */
export function assertOrdered(structure: Structure): void {
  if (!structure.hasPartialOccupancy && structure.sites.every((s) => s.species.length === 1)) return;
  const bad = structure.asymmetricSites.find((s) => s.species.length > 1 || s.species.some((sp) => sp.occupancy < 1 - 1e-6));
  throw new LandscapeError(
    'disordered-structure',
    `The machine-learned potential needs atoms at definite positions, but ${bad ? `site ${bad.label}` : 'a site'} is partially occupied or shared by several species. Scan an ordered approximant of this structure (SCIENCE.md §8).`,
    bad ? { siteLabel: bad.label, line: bad.line + 1 } : undefined,
  );
}

function latticeFromMatrix(m: Mat3): Lattice {
  const len = (v: Vec3) => Math.hypot(v[0], v[1], v[2]);
  const ang = (u: Vec3, v: Vec3) => (Math.acos((u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (len(u) * len(v))) * 180) / Math.PI;
  const a = len(m[0]), b = len(m[1]), c = len(m[2]);
  const alpha = ang(m[1], m[2]), beta = ang(m[0], m[2]), gamma = ang(m[0], m[1]);
  // The usual orientation (a along x, b in the xy plane): energies do not depend on it, fractional coordinates are kept.
  const matrix = latticeMatrix(a, b, c, alpha, beta, gamma);
  if (det3(m) < 0) throw new LandscapeError('bad-grid', 'moyo returned a left-handed primitive cell.');
  return { a, b, c, alpha, beta, gamma, matrix, inverse: inverse3(matrix), volume: det3(matrix) };
}

/**
 * A short, nearly orthogonal basis of the lattice spanned by the rows of m (pairwise Lagrange–Gauss reduction
 * b_i ← b_i − round(b_i·b_j / b_j·b_j) b_j until no vector shortens, then sorted by length; right-handed).
 */
export function reduceBasis(m: Mat3): Mat3 {
  const b = m.map((r) => [...r]) as Mat3;
  const dot = (u: number[], v: number[]) => u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
  for (let iter = 0; iter < 100; iter++) {
    let changed = false;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      if (i === j) continue;
      const q = Math.round(dot(b[i], b[j]) / dot(b[j], b[j]));
      if (q === 0) continue;
      const next = b[i].map((x, k) => x - q * b[j][k]);
      if (dot(next, next) < dot(b[i], b[i]) - 1e-9) { b[i] = next as Vec3; changed = true; }
    }
    // Also try the sum/difference of all three (the Selling step the pairwise one misses).
    for (const [s1, s2] of [[1, 1], [1, -1], [-1, 1], [-1, -1]]) {
      for (let i = 0; i < 3; i++) {
        const [j, k] = [0, 1, 2].filter((x) => x !== i);
        const next = b[i].map((x, c) => x + s1 * b[j][c] + s2 * b[k][c]);
        if (dot(next, next) < dot(b[i], b[i]) - 1e-9) { b[i] = next as Vec3; changed = true; }
      }
    }
    if (!changed) break;
  }
  b.sort((u, v) => dot(u, u) - dot(v, v));
  if (det3(b) < 0) b[2] = b[2].map((x) => -x) as Vec3;
  // Keep the given basis when it is already as short (no needless relabelling of an already reduced cell).
  const total = (x: Mat3) => x.reduce((acc, r) => acc + Math.sqrt(dot(r, r)), 0);
  return total(b) < total(m) - 1e-6 ? b : m;
}

/** moyo serialises 3×3 matrices column by column (nalgebra's order). */
function opsFromMoyo(ops: { rotation: number[]; translation: number[] }[]): SymOp[] {
  return ops.map((o) => ({
    rot: [[o.rotation[0], o.rotation[3], o.rotation[6]], [o.rotation[1], o.rotation[4], o.rotation[7]], [o.rotation[2], o.rotation[5], o.rotation[8]]] as Mat3,
    trans: [o.translation[0], o.translation[1], o.translation[2]] as Vec3,
  }));
}

/** Minimum-image Cartesian distance between fractional positions (27 images: enough for reduced-ish cells). */
export function periodicDistance(lattice: Mat3, f: readonly number[], g: readonly number[]): number {
  const d = [f[0] - g[0], f[1] - g[1], f[2] - g[2]].map((x) => x - Math.round(x));
  let best = Infinity;
  for (let i = -1; i <= 1; i++) for (let j = -1; j <= 1; j++) for (let k = -1; k <= 1; k++) {
    const c = vecMat([d[0] + i, d[1] + j, d[2] + k], lattice);
    best = Math.min(best, c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
  }
  return Math.sqrt(best);
}

function applyOpFrac(op: SymOp, f: readonly number[]): Vec3 {
  const r = op.rot, t = op.trans;
  return [0, 1, 2].map((i) => r[i][0] * f[0] + r[i][1] * f[1] + r[i][2] * f[2] + t[i]) as Vec3;
}

/** The operations that map every atom onto an atom of the same element (within 1e-3 Å). */
function exactOps(lattice: Mat3, atoms: readonly ScanAtom[], ops: readonly SymOp[]): SymOp[] {
  return ops.filter((op) => atoms.every((a) => {
    const g = applyOpFrac(op, a.frac);
    return atoms.some((b) => b.element === a.element && periodicDistance(lattice, g, b.frac) < OP_TOLERANCE_A);
  }));
}

function analyze(lattice: Mat3, atoms: { element: string; frac: Vec3 }[], symprec: number) {
  const ds = moyoDataset(lattice, atoms.map((a) => a.frac), atoms.map((a) => a.element), symprec);
  // moyoDataset numbers the kinds 1, 2, … in order of first appearance.
  const elements = [...new Set(atoms.map((a) => a.element))];
  return { ds, elementOf: new Map(elements.map((e, i) => [i + 1, e])) };
}

/** The cell to scan: the primitive standardized cell (default) or the cell as given. */
export function prepareScanCell(structure: Structure, choice: 'as-given' | 'primitive-standardized' = 'primitive-standardized'): ScanCell {
  assertOrdered(structure);
  const given: ScanAtom[] = structure.sites.map((s) => ({ element: s.species[0].element, frac: s.frac, label: s.species[0].label, orbit: s.orbit, species: s.species[0] }));
  let analysed: ReturnType<typeof analyze> | null = null;
  try { analysed = analyze(structure.lattice.matrix, given, 1e-2); } catch { analysed = null; }

  if (choice === 'as-given' || !analysed) {
    const ops = analysed ? exactOps(structure.lattice.matrix, given, opsFromMoyo(analysed.ds.operations)) : [];
    if (analysed) given.forEach((a, i) => { a.orbit = analysed!.ds.orbits[i]; });
    return {
      choice: 'as-given',
      lattice: structure.lattice,
      atoms: given,
      ops: ops.length ? ops : [{ rot: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], trans: [0, 0, 0] }],
      spaceGroup: analysed ? { number: analysed.ds.number, symbol: analysed.ds.hm_symbol } : null,
      structure,
    };
  }

  const prim = analysed.ds.prim_std_cell;
  const basis = prim.lattice.basis;
  const primMatrix: Mat3 = [[basis[0], basis[1], basis[2]], [basis[3], basis[4], basis[5]], [basis[6], basis[7], basis[8]]];
  // The same translation lattice in a reduced basis: the physics of the scan depends on the lattice only, but the grid
  // k/n_i follows the basis, and a standardized primitive basis can be very oblique (Cc: 16 Å axes at 25°, 6× the
  // points of the reduced one). Reduced cells are also what the Materials Project stores.
  const reducedMatrix = reduceBasis(primMatrix);
  const toReduced = inverse3(reducedMatrix);
  const lattice = latticeFromMatrix(reducedMatrix);
  const raw = prim.positions.map((p, i) => ({
    element: analysed!.elementOf.get(prim.numbers[i])!,
    frac: vecMat(vecMat(p as Vec3, primMatrix), toReduced).map(wrap01) as Vec3,
  }));
  // Species (oxidation state) by element from the input, which is ordered: one oxidation state per element is the
  // common case; with several, the first is taken (the potential does not use oxidation states).
  const speciesOf = new Map<string, SiteSpecies>();
  for (const s of structure.sites) if (!speciesOf.has(s.species[0].element)) speciesOf.set(s.species[0].element, s.species[0]);
  const again = analyze(lattice.matrix, raw, 1e-3).ds;
  const orbitNames = new Map<number, string>();
  const perElement = new Map<string, number>();
  const atoms: ScanAtom[] = raw.map((r, i) => {
    const orbit = again.orbits[i];
    if (!orbitNames.has(orbit)) {
      const k = (perElement.get(r.element) ?? 0) + 1;
      perElement.set(r.element, k);
      orbitNames.set(orbit, `${r.element}${k}`);
    }
    const label = orbitNames.get(orbit)!;
    return { element: r.element, frac: r.frac, label, orbit, species: { ...speciesOf.get(r.element)!, label } };
  });
  const ops = exactOps(lattice.matrix, atoms, opsFromMoyo(again.operations));
  const sites: Site[] = atoms.map((a) => ({ frac: a.frac, cart: vecMat(a.frac, lattice.matrix), species: [a.species], asymmetricIndex: a.orbit, orbit: a.orbit }));
  // Asymmetric sites: one per orbit, indexed by orbit number so that Site.asymmetricIndex points at its own.
  const composition: Record<string, number> = {};
  for (const a of atoms) composition[a.element] = (composition[a.element] ?? 0) + 1;
  const reps = new Map<number, ScanAtom>();
  for (const a of atoms) if (!reps.has(a.orbit)) reps.set(a.orbit, a);
  const orbitIds = [...reps.keys()].sort((x, y) => x - y);
  const indexOfOrbit = new Map(orbitIds.map((o, i) => [o, i]));
  for (const s of sites) { s.asymmetricIndex = indexOfOrbit.get(s.orbit)!; }
  const primitive: Structure = {
    name: `${structure.name} (primitive standardized cell)`,
    lattice,
    spaceGroup: {
      symbol: again.hm_symbol, number: again.number, operationsSource: 'none', operationCount: ops.length,
      detected: { number: again.number, symbol: again.hm_symbol, hallNumber: again.hall_number },
    },
    asymmetricSites: orbitIds.map((o) => {
      const a = reps.get(o)!;
      return { label: a.label, frac: a.frac, species: [a.species], multiplicity: atoms.filter((b) => b.orbit === o).length, line: 0, column: 0 };
    }),
    sites,
    composition,
    formula: reducedFormula(composition),
    oxidationSource: structure.oxidationSource,
    hasPartialOccupancy: false,
    messages: [{ severity: 'info', code: 'primitive-cell', message: `scanned on moyo's primitive standardized cell (${atoms.length} atoms, ${again.hm_symbol}) of the ${structure.sites.length}-atom cell as given` }],
  };
  return { choice: 'primitive-standardized', lattice, atoms, ops, spaceGroup: { number: again.number, symbol: again.hm_symbol }, structure: primitive };
}
