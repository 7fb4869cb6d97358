/**
 * Ordered approximants of a disordered crystal (SCIENCE.md §7), in the manner of the `supercell` program
 * (Okhotnikov, Charpentier & Cadars, J. Cheminform. 8, 17 (2016)) and pymatgen's
 * OrderDisorderedStructureTransformation:
 *
 *  1. Supercell. Each CIF site (an orbit of m positions in the cell) with species occupancies occ_s needs
 *     D·m·occ_s whole atoms in a supercell of D cells. D is the smallest with |round(D m occ_s)/(D m) − occ_s| ≤
 *     OCCUPANCY_TOLERANCE for every orbit and species, under the cap D·(positions per cell) ≤ maxAtoms (positions,
 *     vacancies included: the size of the Ewald problem). Without such a D under the cap, the D with the smallest
 *     worst error is taken and said. Of the integer supercell matrices of determinant D (Hermite normal forms), the
 *     most compact one (largest smallest perpendicular width) is used, diagonal ones preferred on ties.
 *  2. Counts. Rounded per orbit and species, then adjusted one atom at a time, cheapest deviation from D·m·occ
 *     first, until the supercell has the formal charge of the CIF (zero for a neutral CIF). Every change is said.
 *  3. Orderings. The electrostatic energy of an assignment is the Ewald sum with formal charges (ewald.ts),
 *     E = ½ qᵀ M q over all supercell positions (a vacancy carries q = 0). Low-energy orderings: greedy placement
 *     (largest |q| first, each atom where it raises E least) then simulated annealing with swaps inside an orbit,
 *     each swap's ΔE from the site potentials in O(1) and accepted swaps updating them in O(N); several seeded
 *     restarts, and a final zero-temperature quench. Random orderings: uniform shuffles inside each orbit.
 *     Configurations related by a lattice translation of the parent cell are the same ordering and kept once (other
 *     symmetry operations are not checked).
 *  Everything is deterministic for a given seed.
 */
import type { Lattice, Mat3, Site, SiteSpecies, Structure, StructureMessage, Vec3 } from '../types';
import { det3, inverse3, vecMat, wrap01 } from '../geometry';
import { reducedFormula } from '../build';
import { countText } from '../formula';
import { ewaldMatrix, ewaldEnergyFromMatrix, sitePotentials, swapDelta, applySwap } from './ewald';
import { freeSiteNetwork, type FreeSiteNetwork } from './freeSites';
import { CancelledError } from '../../util/errors';
import { mulberry32 as rng } from '../../util/random';

/** Largest supercell, in positions (atoms and vacancies). */
export const MAX_APPROXIMANT_ATOMS = 400;
/** Largest rounding of a site's species occupancy accepted without a warning. */
export const OCCUPANCY_TOLERANCE = 0.02;
/** Occupancies within this of 1 (or 0) are taken as full (empty). */
const FULL = 1e-3;

export interface ApproximantOptions {
  /** Cap on supercell positions, default MAX_APPROXIMANT_ATOMS. */
  maxAtoms?: number;
  /** Number of low-electrostatic-energy orderings, default 4. */
  count?: number;
  /** Number of random orderings, default 2. */
  randomCount?: number;
  /** Seed of every random choice, default 1. */
  seed?: number;
  /** Mobile element (for the shared-site warning), default 'Li'. */
  ion?: string;
  signal?: AbortSignal;
}

export interface Ordering {
  structure: Structure;
  /** Ewald energy of the supercell with formal charges (eV). */
  ewald_eV: number;
  kind: 'low-energy' | 'random';
  /**
   * Where the mobile ion shares sites with framework cations: its sublattice's positions left free of them, and
   * whether those connect across the supercell (freeSites.ts). Absent when no site is shared.
   */
  freeSites?: FreeSiteNetwork;
}

export interface ApproximantResult {
  /** Rows: supercell vectors in units of the CIF cell vectors (supercell lattice = supercell · lattice). */
  supercell: [Vec3, Vec3, Vec3];
  /** Number of CIF cells in the supercell. */
  cells: number;
  /** Low-energy orderings (ascending Ewald energy) first, then random ones. */
  orderings: Ordering[];
  warnings: StructureMessage[];
  /** Worst |rounded − CIF| occupancy over all sites and species. */
  worstOccupancyError: number;
}

interface OrbitSpecies { element: string; oxidation: number | null; oxidationSource: SiteSpecies['oxidationSource']; label: string; occupancy: number; charge: number; count: number }
interface Orbit { index: number; sites: number[]; species: OrbitSpecies[]; label: string }


const checkSignal = (signal?: AbortSignal) => { if (signal?.aborted) throw new CancelledError('Ordered-approximant search cancelled.'); };

function locate(structure: Structure, asym: number) {
  const a = structure.asymmetricSites[asym];
  return a && a.line >= 0 ? { line: a.line, column: a.column, length: Math.max(1, a.label.length) } : undefined;
}

/** The orbits (CIF sites) of the cell with their species; occupancy sums above 1 scaled to 1 (and said). */
function orbitsOf(structure: Structure, warnings: StructureMessage[]): Orbit[] {
  const byAsym = new Map<number, Orbit>();
  structure.sites.forEach((site, i) => {
    let o = byAsym.get(site.asymmetricIndex);
    if (!o) {
      const label = structure.asymmetricSites[site.asymmetricIndex]?.label ?? site.species[0]?.label ?? `site ${i}`;
      o = {
        index: site.asymmetricIndex, sites: [], label,
        species: site.species.filter((s) => s.occupancy > 0).map((s) => ({ element: s.element, oxidation: s.oxidation, oxidationSource: s.oxidationSource, label: s.label, occupancy: s.occupancy, charge: s.oxidation ?? 0, count: 0 })),
      };
      byAsym.set(site.asymmetricIndex, o);
    }
    o.sites.push(i);
  });
  const orbits = [...byAsym.values()];
  for (const o of orbits) {
    const sum = o.species.reduce((a, s) => a + s.occupancy, 0);
    if (sum > 1 + FULL) {
      warnings.push({ severity: 'warning', code: 'occupancy-above-one', message: `site ${o.label}: occupancies sum to ${sum.toFixed(3)} > 1; scaled to 1 for the ordered approximant`, at: locate(structure, o.index) });
      for (const s of o.species) s.occupancy /= sum;
    }
  }
  return orbits;
}

/** Worst occupancy error of rounding every orbit's species counts in D cells. */
function roundingError(orbits: Orbit[], d: number): number {
  let worst = 0;
  for (const o of orbits) {
    const m = o.sites.length * d;
    let total = 0;
    for (const s of o.species) {
      const x = m * s.occupancy, c = Math.round(x);
      total += c;
      worst = Math.max(worst, Math.abs(c - x) / m);
    }
    if (total > m) worst = Math.max(worst, (total - m) / m); // must drop an atom somewhere
  }
  return worst;
}

/** All lower-triangular Hermite normal forms of determinant d (rows = supercell vectors in cell units): [[a,0,0],[b,c,0],[d,e,f]], 0 ≤ b, d < a, 0 ≤ e < c. */
function* hermiteNormalForms(d: number): Generator<Mat3> {
  for (let a = 1; a <= d; a++) {
    if (d % a) continue;
    for (let c = 1; c <= d / a; c++) {
      if ((d / a) % c) continue;
      const f = d / a / c;
      for (let b = 0; b < a; b++) for (let dd = 0; dd < a; dd++) for (let e = 0; e < c; e++) yield [[a, 0, 0], [b, c, 0], [dd, e, f]];
    }
  }
}

function matMul(a: Mat3, b: Mat3): Mat3 {
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j])) as Mat3;
}

const len = (v: Vec3) => Math.hypot(v[0], v[1], v[2]);

/**
 * The most compact supercell of d cells: of all sublattices of index d (Hermite normal forms), the one whose shortest
 * lattice vector is longest (nearest periodic image farthest), diagonal ones preferred on ties; returned in a reduced
 * basis (successive minima, a basis in 3D) so that the cell is not needlessly skewed. Beyond 64 cells, diagonal only.
 * Also returns the HNF, whose diagonal gives the parent-cell translations inside the supercell.
 */
export function chooseSupercell(lattice: Mat3, d: number): { basis: Mat3; hnf: Mat3 } {
  if (d === 1) return { basis: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], hnf: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] };
  const lengths = lattice.map(len);
  const inv = inverse3(lattice);
  const spacing = [0, 1, 2].map((i) => 1 / Math.hypot(inv[0][i], inv[1][i], inv[2][i]));
  const R = 2 * Math.max(...lengths) * Math.cbrt(d);
  const reach = spacing.map((w) => Math.ceil(R / w));
  const vectors: { v: Vec3; length: number }[] = [];
  for (let i = -reach[0]; i <= reach[0]; i++) for (let j = -reach[1]; j <= reach[1]; j++) for (let k = -reach[2]; k <= reach[2]; k++) {
    if (!i && !j && !k) continue;
    const length = len(vecMat([i, j, k], lattice));
    if (length <= R) vectors.push({ v: [i, j, k], length });
  }
  vectors.sort((a, b) => a.length - b.length);
  const member = (v: Vec3, hinv: Mat3) => vecMat(v, hinv).every((x) => Math.abs(x - Math.round(x)) < 1e-6);
  let best: Mat3 = [[d, 0, 0], [0, 1, 0], [0, 0, 1]], bestScore = -1, bestOff = Infinity;
  for (const h of hermiteNormalForms(d)) {
    const off = (h[1][0] ? 1 : 0) + (h[2][0] ? 1 : 0) + (h[2][1] ? 1 : 0);
    if (d > 64 && off) continue;
    const hinv = inverse3(h);
    const first = vectors.find((x) => member(x.v, hinv));
    const score = first ? first.length : R;
    if (score > bestScore + 1e-6 || (Math.abs(score - bestScore) <= 1e-6 && off < bestOff)) { best = h; bestScore = score; bestOff = off; }
  }
  // Successive minima of the chosen sublattice.
  const hinv = inverse3(best);
  const basis: Vec3[] = [];
  for (const x of vectors) {
    if (!member(x.v, hinv)) continue;
    if (basis.length === 1 && len(crossV(basis[0], x.v)) < 1e-9) continue;
    if (basis.length === 2 && Math.abs(det3([basis[0], basis[1], x.v])) < 1e-9) continue;
    // Sign: largest component positive, for readability.
    const big = x.v.reduce((m, c) => (Math.abs(c) > Math.abs(m) ? c : m), 0);
    basis.push(big < 0 ? (x.v.map((c) => -c) as Vec3) : x.v);
    if (basis.length === 3) break;
  }
  if (basis.length === 3) {
    const det = det3(basis as Mat3);
    if (Math.abs(Math.abs(det) - d) < 1e-6) {
      if (det < 0) basis[2] = basis[2].map((x) => -x) as Vec3;
      return { basis: basis as Mat3, hnf: best };
    }
  }
  return { basis: best, hnf: best };
}

const crossV = (u: Vec3, v: Vec3): Vec3 => [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];

function latticeFromMatrix(m: Mat3): Lattice {
  const a = len(m[0]), b = len(m[1]), c = len(m[2]);
  const angle = (u: Vec3, v: Vec3) => (Math.acos(Math.max(-1, Math.min(1, (u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (len(u) * len(v))))) * 180) / Math.PI;
  return { a, b, c, alpha: angle(m[1], m[2]), beta: angle(m[0], m[2]), gamma: angle(m[0], m[1]), matrix: m, inverse: inverse3(m), volume: Math.abs(det3(m)) };
}

/** Round counts, then restore the target charge one atom at a time, the cheapest deviation first. */
function assignCounts(structure: Structure, orbits: Orbit[], d: number, ion: string, warnings: StructureMessage[]): void {
  let exactCharge = 0;
  for (const o of orbits) {
    const m = o.sites.length * d;
    for (const s of o.species) {
      s.count = Math.min(m, Math.round(m * s.occupancy));
      exactCharge += m * s.occupancy * s.charge;
    }
    // Too many atoms after rounding up: drop the one rounded up the most.
    for (;;) {
      const total = o.species.reduce((a, s) => a + s.count, 0);
      if (total <= m) break;
      const worst = o.species.reduce((best, s) => (s.count - m * s.occupancy > best.count - m * best.occupancy ? s : best));
      worst.count--;
    }
  }
  const target = Math.abs(exactCharge) < 0.5 ? 0 : Math.round(exactCharge);
  if (target !== 0) warnings.push({ severity: 'warning', code: 'approximant-charged', message: `the CIF's composition with its oxidation states carries ${exactCharge.toFixed(2)} e per ${d} cell(s); the approximant keeps ${target} e (Ewald energies include a neutralising background)` });
  const charge = () => orbits.reduce((q, o) => q + o.species.reduce((a, s) => a + s.count * s.charge, 0), 0);
  const changes = new Map<OrbitSpecies, { orbit: Orbit; delta: number }>();
  for (let guard = 0; guard < 10_000; guard++) {
    const q = charge();
    if (Math.abs(q - target) < 1e-9) break;
    let best: { orbit: Orbit; s: OrbitSpecies; step: number; cost: number; gain: number } | null = null;
    for (const o of orbits) {
      const m = o.sites.length * d;
      const total = o.species.reduce((a, s) => a + s.count, 0);
      for (const s of o.species) {
        if (!s.charge) continue;
        for (const step of [1, -1]) {
          if (step === 1 && total >= m) continue;
          if (step === -1 && s.count <= 0) continue;
          const gain = Math.abs(q - target) - Math.abs(q + step * s.charge - target);
          if (gain <= 1e-9) continue;
          const x = m * s.occupancy;
          const cost = (Math.abs(s.count + step - x) - Math.abs(s.count - x)) / m; // occupancy deviation added
          const better = !best || cost / gain < best.cost / best.gain - 1e-12
            || (Math.abs(cost / gain - best.cost / best.gain) <= 1e-12 && s.element === ion && best.s.element !== ion);
          if (better) best = { orbit: o, s, step, cost, gain };
        }
      }
    }
    if (!best) break;
    best.s.count += best.step;
    const c = changes.get(best.s) ?? { orbit: best.orbit, delta: 0 };
    c.delta += best.step;
    changes.set(best.s, c);
  }
  for (const [s, { orbit, delta }] of changes) {
    if (!delta) continue;
    warnings.push({ severity: 'info', code: 'neutrality-adjusted', message: `site ${orbit.label}: ${delta > 0 ? '+' : ''}${delta} ${s.element}${s.charge > 0 ? '+' : ''}${s.charge} in the ${d}-cell approximant (${s.count} instead of ${(orbit.sites.length * d * s.occupancy).toFixed(2)}) to keep its charge at ${target} e`, at: locate(structure, orbit.index) });
  }
  const final = charge();
  if (Math.abs(final - target) > 1e-9) warnings.push({ severity: 'warning', code: 'approximant-not-neutral', message: `no whole-number assignment in ${d} cell(s) reaches ${target} e; the approximant carries ${final.toFixed(2)} e` });
}

interface Problem {
  n: number;
  matrix: Float64Array;
  /** Per variable orbit: its supercell positions and the multiset of species indices (−1 = vacancy) to place. */
  variable: { positions: number[]; pool: number[]; orbit: Orbit }[];
  /** Charges of the fixed positions (variable ones 0). */
  baseCharges: Float64Array;
  /** Permutations of the positions by the d − 1 non-trivial translations of the parent cell. */
  translations: Int32Array[];
}

/** A configuration: the species index at every variable position, orbit after orbit. */
type Config = Int32Array;

function chargesOf(p: Problem, config: Config): Float64Array {
  const q = Float64Array.from(p.baseCharges);
  let k = 0;
  for (const v of p.variable) for (const pos of v.positions) { const s = config[k++]; q[pos] = s < 0 ? 0 : v.orbit.species[s].charge; }
  return q;
}

function canonicalKey(p: Problem, config: Config): string {
  // Species at every position (fixed positions are the same in all configurations, so only variable ones matter).
  const bySite = new Int32Array(p.n).fill(-2);
  let k = 0;
  for (const v of p.variable) for (const pos of v.positions) bySite[pos] = config[k++];
  let best = Array.from(bySite).join(',');
  for (const perm of p.translations) {
    const moved = new Int32Array(p.n);
    for (let i = 0; i < p.n; i++) moved[perm[i]] = bySite[i];
    const key = Array.from(moved).join(',');
    if (key < best) best = key;
  }
  return best;
}

/** Greedy placement, largest |charge| first, each atom at the free position of its orbit that raises E least. */
function greedy(p: Problem, random: () => number): Config {
  const q = Float64Array.from(p.baseCharges);
  const V = sitePotentials(p.matrix, q);
  const config = new Int32Array(p.variable.reduce((a, v) => a + v.positions.length, 0)).fill(-1);
  const offsets: number[] = [];
  let off = 0;
  for (const v of p.variable) { offsets.push(off); off += v.positions.length; }
  const units: { orbit: number; species: number; charge: number; tie: number }[] = [];
  p.variable.forEach((v, oi) => { for (const s of v.pool) if (s >= 0) units.push({ orbit: oi, species: s, charge: v.orbit.species[s].charge, tie: random() }); });
  units.sort((a, b) => Math.abs(b.charge) - Math.abs(a.charge) || a.tie - b.tie);
  const n = p.n;
  for (const u of units) {
    const v = p.variable[u.orbit];
    let bestK = -1, bestE = Infinity;
    const start = Math.floor(random() * v.positions.length); // random start: ties broken by the seed
    for (let t = 0; t < v.positions.length; t++) {
      const k = (start + t) % v.positions.length;
      if (config[offsets[u.orbit] + k] !== -1) continue;
      const pos = v.positions[k];
      const e = u.charge * V[pos] + 0.5 * u.charge * u.charge * p.matrix[pos * n + pos];
      if (e < bestE - 1e-12) { bestE = e; bestK = k; }
    }
    const pos = v.positions[bestK];
    config[offsets[u.orbit] + bestK] = u.species;
    q[pos] = u.charge;
    if (u.charge) for (let i = 0; i < n; i++) V[i] += u.charge * p.matrix[pos * n + i];
  }
  return config;
}

function shuffled(p: Problem, random: () => number): Config {
  const out: number[] = [];
  for (const v of p.variable) {
    const a = [...v.pool];
    for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; }
    out.push(...a);
  }
  return Int32Array.from(out);
}

/** Simulated annealing with swaps inside an orbit, then a zero-temperature quench; returns the energy. */
function anneal(p: Problem, config: Config, random: () => number, steps: number, signal?: AbortSignal): number {
  const q = chargesOf(p, config);
  const V = sitePotentials(p.matrix, q);
  let e = ewaldEnergyFromMatrix(p.matrix, q);
  const offsets: number[] = [];
  let off = 0;
  for (const v of p.variable) { offsets.push(off); off += v.positions.length; }
  const movable = p.variable.map((v, i) => i).filter((i) => new Set(p.variable[i].pool.map((s) => p.variable[i].orbit.species[s]?.charge ?? 0)).size > 1);
  if (!movable.length) return e;
  const weights = movable.map((i) => p.variable[i].positions.length);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const T0 = 0.5, T1 = 0.005; // eV: from above typical single-swap ΔE down to far below
  const trySwap = (oi: number, ka: number, kb: number, T: number): void => {
    const v = p.variable[oi];
    const a = v.positions[ka], b = v.positions[kb];
    const dE = swapDelta(p.matrix, p.n, V, q, a, b);
    if (dE === 0 && q[a] === q[b]) return;
    if (dE < 0 || (T > 0 && random() < Math.exp(-dE / T))) {
      applySwap(p.matrix, p.n, V, q, a, b);
      const x = config[offsets[oi] + ka]; config[offsets[oi] + ka] = config[offsets[oi] + kb]; config[offsets[oi] + kb] = x;
      e += dE;
    }
  };
  for (let step = 0; step < steps; step++) {
    if ((step & 4095) === 0) checkSignal(signal);
    const T = T0 * Math.pow(T1 / T0, step / steps);
    let r = random() * totalWeight, pick = 0;
    while (r >= weights[pick]) { r -= weights[pick]; pick++; }
    const oi = movable[pick];
    const m = p.variable[oi].positions.length;
    trySwap(oi, Math.floor(random() * m), Math.floor(random() * m), T);
  }
  // Quench: every improving pair swap until none is left.
  for (let pass = 0; pass < 50; pass++) {
    checkSignal(signal);
    const before = e;
    for (const oi of movable) {
      const v = p.variable[oi];
      for (let ka = 0; ka < v.positions.length; ka++) for (let kb = ka + 1; kb < v.positions.length; kb++) {
        if (q[v.positions[ka]] === q[v.positions[kb]]) continue;
        if (swapDelta(p.matrix, p.n, V, q, v.positions[ka], v.positions[kb]) < -1e-9) trySwap(oi, ka, kb, 0);
      }
    }
    if (before - e < 1e-9) break;
  }
  return ewaldEnergyFromMatrix(p.matrix, q); // exact, free of accumulated round-off
}

export function orderedApproximants(structure: Structure, options: ApproximantOptions = {}): ApproximantResult {
  const maxAtoms = options.maxAtoms ?? MAX_APPROXIMANT_ATOMS;
  const count = options.count ?? 4;
  const randomCount = options.randomCount ?? 2;
  const seed = options.seed ?? 1;
  const ion = options.ion ?? 'Li';
  const signal = options.signal;
  checkSignal(signal);
  const warnings: StructureMessage[] = [];
  const orbits = orbitsOf(structure, warnings);
  if (structure.sites.some((s) => s.species.some((sp) => sp.oxidation === null))) {
    warnings.push({ severity: 'warning', code: 'approximant-no-oxidation', message: 'some species have no oxidation state; they carry no charge in the Ewald ranking of orderings' });
  }
  for (const o of orbits) {
    const hasIon = o.species.some((s) => s.element === ion);
    const others = o.species.filter((s) => s.element !== ion && s.charge > 0);
    if (hasIon && others.length) {
      warnings.push({ severity: 'warning', code: 'mobile-ion-shares-site', message: `site ${o.label}: ${ion} shares the site with ${others.map((s) => `${s.element} (${s.occupancy.toFixed(3)})`).join(', ')}; the approximant puts whole ${others.map((s) => s.element).join('/')} atoms on some of these positions`, at: locate(structure, o.index) });
    }
  }

  // 1. Supercell size.
  const perCell = structure.sites.length;
  const dMax = Math.max(1, Math.floor(maxAtoms / perCell));
  let d = 0, worst = Infinity;
  for (let k = 1; k <= dMax; k++) {
    const err = roundingError(orbits, k);
    if (err <= OCCUPANCY_TOLERANCE) { d = k; worst = err; break; }
    if (err < worst - 1e-9) { worst = err; d = k; }
  }
  if (worst > OCCUPANCY_TOLERANCE) {
    warnings.push({ severity: 'warning', code: 'occupancies-rounded', message: `no supercell of up to ${maxAtoms} positions makes every site's occupancies whole within ${OCCUPANCY_TOLERANCE}; the best, ${d} cell(s), rounds some by up to ${worst.toFixed(3)}` });
  }
  const { basis: H, hnf } = chooseSupercell(structure.lattice.matrix, d);
  assignCounts(structure, orbits, d, ion, warnings);
  for (const o of orbits) {
    const m = o.sites.length * d;
    const rounded = o.species.filter((s) => Math.abs(s.count / m - s.occupancy) > FULL);
    if (rounded.length) {
      const worstHere = Math.max(...rounded.map((s) => Math.abs(s.count / m - s.occupancy)));
      warnings.push({ severity: worstHere > OCCUPANCY_TOLERANCE ? 'warning' : 'info', code: 'occupancies-rounded', message: `site ${o.label}: ${rounded.map((s) => `${s.element} ${countText(s.occupancy)} → ${s.count}/${m}`).join(', ')} in the ${d}-cell approximant`, at: locate(structure, o.index) });
    }
    const vacancies = m - o.species.reduce((a, s) => a + s.count, 0);
    if (vacancies > 0) warnings.push({ severity: 'info', code: 'vacancies-introduced', message: `site ${o.label}: ${vacancies} of ${m} positions left empty in the ${d}-cell approximant`, at: locate(structure, o.index) });
  }

  // 2. Supercell positions. Translations of the parent cell inside the supercell: for the triangular HNF the residues
  // (i, j, k), 0 ≤ i < H00, 0 ≤ j < H11, 0 ≤ k < H22, are a complete set (of the lattice, whatever its basis).
  const Hinv = inverse3(H);
  const translations: Vec3[] = [];
  for (let i = 0; i < hnf[0][0]; i++) for (let j = 0; j < hnf[1][1]; j++) for (let k = 0; k < hnf[2][2]; k++) translations.push([i, j, k]);
  const superMatrix = matMul(H, structure.lattice.matrix);
  const lattice = latticeFromMatrix(superMatrix);
  const positions: { frac: Vec3; cellSite: number; t: number }[] = [];
  const positionsOfSite: number[][] = structure.sites.map(() => []);
  structure.sites.forEach((site, i) => translations.forEach((t, ti) => {
    const f = vecMat([site.frac[0] + t[0], site.frac[1] + t[1], site.frac[2] + t[2]], Hinv).map(wrap01) as Vec3;
    positionsOfSite[i].push(positions.length);
    positions.push({ frac: f, cellSite: i, t: ti });
  }));
  const n = positions.length;
  // Translation permutations, found by position lookup.
  const keyOf = (f: Vec3) => f.map((x) => Math.round(wrap01(x) * 1e4) % 1e4).join(':');
  const index = new Map<string, number>();
  positions.forEach((p, i) => index.set(keyOf(p.frac), i));
  const perms: Int32Array[] = [];
  for (let ti = 1; ti < translations.length; ti++) {
    const shift = vecMat(translations[ti], Hinv);
    const perm = new Int32Array(n);
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const j = index.get(keyOf([positions[i].frac[0] + shift[0], positions[i].frac[1] + shift[1], positions[i].frac[2] + shift[2]]));
      if (j === undefined) ok = false; else perm[i] = j;
    }
    if (ok) perms.push(perm);
  }

  // 3. The search problem.
  const baseCharges = new Float64Array(n);
  const variable: Problem['variable'] = [];
  const fixedSpecies = new Map<number, number>(); // position → species index in its orbit, for fixed orbits
  for (const o of orbits) {
    const pos = o.sites.flatMap((s) => positionsOfSite[s]);
    const occupied = o.species.filter((s) => s.count > 0);
    if (occupied.length === 1 && occupied[0].count === pos.length) {
      const si = o.species.indexOf(occupied[0]);
      for (const p of pos) { baseCharges[p] = occupied[0].charge; fixedSpecies.set(p, si); }
      continue;
    }
    const pool: number[] = [];
    o.species.forEach((s, si) => { for (let c = 0; c < s.count; c++) pool.push(si); });
    while (pool.length < pos.length) pool.push(-1);
    variable.push({ positions: pos, pool, orbit: o });
  }
  const { matrix } = ewaldMatrix(superMatrix, positions.map((p) => p.frac));
  const problem: Problem = { n, matrix, variable, baseCharges, translations: perms };
  const orbitOfPosition = new Int32Array(n);
  for (const o of orbits) for (const s of o.sites) for (const p of positionsOfSite[s]) orbitOfPosition[p] = orbits.indexOf(o);

  // The mobile ion's sublattice, where it shares orbits with framework cations (for the free-site network).
  const sharesWithFramework = (o: Orbit) => o.species.some((sp) => sp.element === ion) && o.species.some((sp) => sp.element !== ion && sp.charge > 0);
  const mobilePositions = orbits.some(sharesWithFramework) ? orbits.filter((o) => o.species.some((sp) => sp.element === ion)).flatMap((o) => o.sites.flatMap((si) => positionsOfSite[si])) : [];

  const toStructure = (config: Config, energy: number, kind: Ordering['kind'], k: number): Ordering => {
    const speciesAt = new Map(fixedSpecies);
    let c = 0;
    for (const v of variable) for (const p of v.positions) { const s = config[c++]; if (s >= 0) speciesAt.set(p, s); }
    const isFree = (p: number) => { const si = speciesAt.get(p); if (si === undefined) return true; const sp = orbits[orbitOfPosition[p]].species[si]; return sp.element === ion || !(sp.charge > 0); };
    const freeSites = mobilePositions.length ? freeSiteNetwork(superMatrix, mobilePositions.map((p) => positions[p].frac), mobilePositions.map(isFree)) : undefined;
    const sites: Site[] = [];
    const composition: Record<string, number> = {};
    for (let p = 0; p < n; p++) {
      const si = speciesAt.get(p);
      if (si === undefined) continue;
      const o = orbits[orbitOfPosition[p]];
      const s = o.species[si];
      const cellSite = structure.sites[positions[p].cellSite];
      sites.push({
        frac: positions[p].frac, cart: vecMat(positions[p].frac, superMatrix),
        species: [{ element: s.element, oxidation: s.oxidation, oxidationSource: s.oxidationSource, occupancy: 1, label: s.label }],
        asymmetricIndex: cellSite.asymmetricIndex, orbit: cellSite.orbit,
      });
      composition[s.element] = (composition[s.element] ?? 0) + 1;
    }
    return {
      kind, ewald_eV: energy, ...(freeSites ? { freeSites } : {}),
      structure: {
        ...structure,
        name: `${structure.name}_approximant_${kind === 'random' ? 'r' : 'e'}${k}`,
        lattice,
        spaceGroup: { symbol: 'P 1', number: 1, operationsSource: 'none', operationCount: 1 },
        sites, composition, formula: reducedFormula(composition),
        hasPartialOccupancy: false,
        messages: [],
      },
    };
  };

  const result: ApproximantResult = { supercell: H, cells: d, orderings: [], warnings, worstOccupancyError: worst === Infinity ? 0 : worst };
  if (!variable.length) {
    const config = new Int32Array(0);
    result.orderings.push(toStructure(config, ewaldEnergyFromMatrix(matrix, baseCharges), 'low-energy', 0));
    return result;
  }
  const variablePositions = variable.reduce((a, v) => a + v.positions.length, 0);
  const steps = Math.min(40_000, 60 * variablePositions);
  const seen = new Set<string>();
  const low: { config: Config; energy: number }[] = [];
  const restarts = count + 2;
  for (let r = 0; r < restarts; r++) {
    checkSignal(signal);
    const random = rng(seed * 7919 + r);
    const config = greedy(problem, random);
    const energy = anneal(problem, config, random, steps, signal);
    const key = canonicalKey(problem, config);
    if (seen.has(key)) continue;
    seen.add(key);
    low.push({ config, energy });
  }
  low.sort((a, b) => a.energy - b.energy);
  low.slice(0, count).forEach((c, k) => result.orderings.push(toStructure(c.config, c.energy, 'low-energy', k)));
  const random = rng(seed * 104729 + 17);
  for (let k = 0, tries = 0; k < randomCount && tries < 10 * randomCount; tries++) {
    const config = shuffled(problem, random);
    const key = canonicalKey(problem, config);
    if (seen.has(key)) continue;
    seen.add(key);
    result.orderings.push(toStructure(config, ewaldEnergyFromMatrix(matrix, chargesOf(problem, config)), 'random', k++));
  }
  const cut = result.orderings.filter((o) => o.freeSites?.sublatticeConnects && !o.freeSites.freeConnect);
  if (cut.length) {
    const shared = orbits.find(sharesWithFramework)!;
    const f = cut[0].freeSites!;
    warnings.push({
      severity: 'warning', code: 'free-sites-disconnected',
      message: `in ${cut.length} of ${result.orderings.length} orderings (${cut.map((o) => result.orderings.indexOf(o) + 1).join(', ')}; 1 = lowest Ewald energy) the ${ion} sites left free of framework cations (${f.free} of ${f.total} in the ${d}-cell approximant) do not connect across the supercell, although the ${ion} sublattice as a whole does: every path there crosses a cation, and those barriers say more about this approximant than about the crystal (the mean field keeps every ${ion} site open)`,
      at: locate(structure, shared.index),
    });
  }
  return result;
}

/**
 * A key of the framework (every site but the mobile ion) of an ordered structure. BVSE removes the mobile ion, so two
 * orderings with the same key and the same number of mobile ions have the same landscape: compute it once.
 */
export function frameworkKey(structure: Structure, ion = 'Li'): string {
  const parts: string[] = [];
  for (const site of structure.sites) for (const sp of site.species) {
    if (sp.element === ion) continue;
    parts.push(`${sp.element}${sp.oxidation}:${sp.occupancy.toFixed(4)}@${site.frac.map((f) => Math.round(wrap01(f) * 1e4) % 1e4).join(',')}`);
  }
  const mobile = structure.sites.reduce((n, site) => n + site.species.filter((sp) => sp.element === ion).reduce((a, sp) => a + sp.occupancy, 0), 0);
  return `${mobile.toFixed(3)}|${parts.sort().join(';')}`;
}

/**
 * Located warnings for the mean field (BVSE's wall rules 'shared-excluded' and 'vacant-excluded'): every CIF site where the mobile
 * ion shares the site with a framework cation, which BVSE then leaves out of the probe's framework on that site (the
 * site is a mobile-ion site: part of the conduction sublattice). One message per asymmetric site, at its row.
 */
export function sharedMobileSiteMessages(structure: Structure, ion = 'Li'): StructureMessage[] {
  const out: StructureMessage[] = [];
  const seen = new Set<number>();
  for (const site of structure.sites) {
    if (seen.has(site.asymmetricIndex)) continue;
    seen.add(site.asymmetricIndex);
    if (!site.species.some((s) => s.element === ion && s.occupancy > 0)) continue;
    const others = site.species.filter((s) => s.element !== ion && s.occupancy > 0 && (s.oxidation ?? 0) > 0);
    if (!others.length) continue;
    const label = structure.asymmetricSites[site.asymmetricIndex]?.label ?? others[0].label;
    out.push({
      severity: 'warning', code: 'mobile-ion-shares-site',
      message: `site ${label}: ${ion} shares the site with ${others.map((s) => `${s.element} (${Number(s.occupancy.toFixed(3))})`).join(', ')}; in the mean field BVSE leaves ${others.map((s) => s.element).join('/')} out of the ${ion} probe's framework on this site (a ${ion} site is part of the conduction sublattice; counted in the charge scaling). Ordered approximants (--disorder approximants) place whole atoms instead.`,
      at: locate(structure, site.asymmetricIndex),
    });
  }
  return out;
}
