/**
 * Bond-valence site energy (BVSE) of a mobile-ion probe on a periodic grid (SCIENCE.md §2).
 *
 *   E(r) = ½ Σ_anions X  occ_X · D0 · [(exp(α(Rmin − R)) − 1)² − 1]
 *        + 14.4 eV·Å · s · Σ_cations C  occ_C · q_ion q_C / R · erfc(R / (f (r_ion + r_C)))
 *
 * with every ion of the mobile element removed from both sums, q = V/√n, f = 0.74, softBV radii r and principal
 * quantum numbers n, s = −Σ_anions(V·occ/√n) / Σ_cations(V·occ/√n) over the whole cell (mobile ions included, as
 * CCNB — the SPSE back-end — does: neutrality of the real cell), a 300 eV hard wall wherever the probe is inside a
 * cation core (R ≤ r_C) of a site whose cations occupy it at least WALL_MIN_OCCUPANCY (½) of the time, and a 10 Å
 * cut-off on both terms.
 *
 * Partial occupancy in the mean field: every term is weighted by occupancy, and so is the core. A site held by
 * cations less than half the time is more likely empty than not, so it gets no wall; inside its core its radial
 * energy is held at the value at R = r_C (a flat core, weighted by occupancy) instead of rising to the 1/R
 * singularity. A trace (Fe 1e-5 on the Li site of LiFePO4) then has a trace effect, where a wall at any occupancy
 * raised Ea 1D from 0.395 to 3.29 eV. Sites at ≥ ½ keep the wall: the mean field cannot say which of them are
 * empty; ordered approximants (structure/approximants) can. A framework cation that shares a site with the mobile ion
 * (La on the A site of LLTO, Al on Li 24d of a garnet) is left out of the probe's framework like the mobile ion
 * itself (WallRule 'shared-excluded'): the CIF says the mobile ion uses that site, so the site belongs to the
 * conduction sublattice, and a 0.63-La wall of r_C = 1.81 Å on every A site of a 3.88 Å perovskite otherwise closes
 * every A cage (LLTO Ea 1D 4.66 eV). So are the cations of a position held less than ½ of the time (split positions
 * within 1 Å summed; structure/vacancies.ts), with or without the mobile ion in the CIF (WallRule 'vacant-excluded',
 * the default): such a position is more likely empty than not, and where the probe sits on it, it is empty. This is
 * what opens the La-poor layer of an LLTO CIF that lists no Li (cy2: 1.39 → 0.87 eV). Excluded cations still count in
 * the charge scaling s. Measured against the other rules on the OBELiX training CIFs in docs/VALIDATION.md
 * (scripts/validate-disorder.ts).
 *
 * Mode 'bvlain' reproduces BVlain 0.24's conventions for side-by-side comparison (data/reference/README.md):
 * Cordero covalent radii, n = period, no charge scaling, no hard wall, only the k = 100 nearest framework sites
 * within the cut-off, and BVlain's grid (see GridConvention in grid.ts). What stays ours: occupancies weight every
 * term (BVlain reads a partially occupied site as fully occupied by its majority species) and the oxidation states
 * come with the structure. On the ordered OBELiX structures (BVlain's oxidation states) every Ea_1D/2D/3D lies
 * within BVlain's 0.0098 eV bisection bracket below its value (scripts/bench-landscape.ts --mode bvlain).
 *
 * Speed: each site kind's radial energy (all its species, occupancy-weighted) is tabulated once against R and
 * interpolated linearly, so the inner loop has one sqrt and no exp/erfc; the grid is processed in blocks of ~0.8 Å
 * with the lattice images within cut-off + block radius gathered once per block; points inside cation cores are
 * marked beforehand and skipped; the smooth far part of the sums is evaluated on a coarse grid (FarFieldSplit); and
 * both grids are evaluated only at one point per orbit of the framework's symmetry operations that fit the grid
 * (landscape/gridSymmetry.ts), then copied: the sums are invariant under those operations, so this changes no
 * number beyond rounding (not with a neighbour limit, whose ties at the k-th distance are taken in list order).
 */
import type { Mat3, Structure, Vec3 } from '../../structure/types';
import { bvsePair, bvsePairKey, ELEMENTS, signed, softBvIon, type BvsePairParams } from '../../data/bvTables';
import { inverse3 } from '../../structure/geometry';
import { mostlyEmptyCationSites } from '../../structure/vacancies';
import { erfc as erfcFn } from './erfc';
import { LandscapeError, type LandscapeErrorLocation } from '../../util/errors';
import { checkGridSize, gridShapeFor, latticeLengths, MAX_GRID_POINTS, makeGrid, type EnergyGrid, type GridConvention } from '../../landscape/grid';
import { fillFromRepresentatives, frameworkGridOperations, gridOrbits, type GridOrbits } from '../../landscape/gridSymmetry';
import { runSync, type Work, type WorkHooks } from '../../util/work';

export type BvseMode = 'spse' | 'bvlain';

export interface BvseOptions {
  /** Mobile element, default 'Li'. Every ion of this element is removed from the framework. */
  ion?: string;
  /** Probe charge, default 1. Must be a cation listed in softBV (Li+1, Na+1, K+1, Ag+1, Cu+1, Mg+2, Zn+2, …). */
  ionCharge?: number;
  /** Grid spacing (Å), default 0.2. */
  resolution?: number;
  /** 'spse' (default; SCIENCE.md §2) or 'bvlain' (BVlain 0.24 conventions, for comparison). */
  mode?: BvseMode;
  /** Interaction cut-off (Å), default 10. */
  cutoff?: number;
  /** Default 'periodic' for 'spse', 'bvlain' for 'bvlain'. */
  gridConvention?: GridConvention;
  /** Explicit grid shape; overrides resolution/gridConvention. */
  shape?: [number, number, number];
  /** Use only the k nearest framework sites within the cut-off; default unlimited ('spse'), 100 ('bvlain'). */
  neighbourLimit?: number;
  /**
   * Evaluate the smooth far part of every pair term on a coarse grid and interpolate it (see FarFieldSplit);
   * `false` sums every pair at every point. Default DEFAULT_FAR_FIELD, and always off with a neighbour limit.
   */
  farField?: FarFieldSplit | false;
  /**
   * Evaluate only one grid point per orbit of the framework's symmetry operations that fit the grid, and copy
   * (default true; same numbers, for speed). Never used with a neighbour limit.
   */
  gridSymmetry?: boolean;
  maxGridPoints?: number;
  /** How partially occupied cation sites wall the probe (see WallRule); default DEFAULT_WALL_RULE. */
  wallRule?: WallRule;
}

/**
 * Hard-wall rule for partially occupied cation sites in the mean field ('spse' mode; fully occupied cation sites are
 * walls under every rule). 'half': a wall where the site's cations hold it ≥ ½ of the time, a flat
 * occupancy-weighted core below. 'shared-open': as 'half', but a site the mobile ion shares (a mobile-ion site of the
 * CIF) never walls: it is part of the conduction sublattice. 'shared-excluded': the co-occupants of mobile-ion sites
 * leave the probe's framework like the mobile ion (they still count in the charge scaling s). 'weighted': no
 * binary wall on partial sites; inside the core the site adds occupancy × WALL_ENERGY. 'vacant-excluded': as
 * 'shared-excluded', and the cations of a position they hold less than ½ of the time (split positions within
 * SPLIT_POSITION_RADIUS counted together, structure/vacancies.ts) leave the probe's framework too: that position is more likely empty than
 * not, and where the probe sits on it, it is empty.
 */
export type WallRule = 'half' | 'shared-open' | 'shared-excluded' | 'weighted' | 'vacant-excluded';
export const WALL_RULES: readonly WallRule[] = ['half', 'shared-open', 'shared-excluded', 'weighted', 'vacant-excluded'];
export const DEFAULT_WALL_RULE: WallRule = 'vacant-excluded';

/**
 * Near/far split of the pair sums, for speed. Each radial term f(R) is split smoothly as f·w + f·(1 − w), with
 * w = 1 below `from`, 0 above `to` (quintic smoothstep between). The near part f·w holds everything sharp (Morse
 * wells, screened Coulomb, hard walls) and is summed at every grid point over neighbours within `to`; the far part
 * f·(1 − w), a sum of slowly varying tails out to the 10 Å cut-off, is summed on a coarse periodic grid of about
 * `spacing` Å and interpolated (cubic). Same physics, same cut-off. With the default {5, 7, 0.5 Å}, measured against
 * the full sum on 21 OBELiX structures: landscape within 2 meV of it below Emin + 2 eV (median 0.2 meV), barriers
 * within 1 meV (median 0.04 meV) — far below the ~20 meV discretisation error of a 0.2 Å grid — for ~2× less work.
 */
export interface FarFieldSplit {
  from: number;
  to: number;
  spacing: number;
}

export const DEFAULT_FAR_FIELD: FarFieldSplit = { from: 5, to: 7, spacing: 0.5 };

export interface FrameworkSpeciesInfo {
  /** e.g. 'Fe+2'. */
  species: string;
  role: 'anion' | 'cation' | 'neutral';
  /** Occupancy-weighted count in the cell. */
  count: number;
  /** Morse parameters with the probe (anions). */
  pair?: Pick<BvsePairParams, 'D0' | 'Rmin' | 'alpha'>;
  /** Charge-softness n and radius r used for the Coulomb term (cations). */
  n?: number;
  radius?: number;
}

export interface BvseParameters {
  mode: BvseMode;
  ion: string;
  ionCharge: number;
  resolution: number | null;
  gridConvention: GridConvention | 'explicit';
  cutoff: number;
  neighbourLimit: number | null;
  /** Near/far split used (null: every pair summed at every point). */
  farField: FarFieldSplit | null;
  /** s of SCIENCE.md §2 (1 in 'bvlain' mode). */
  chargeScaling: number;
  screeningFactor: number;
  /** Energy assigned inside cation cores (eV), null when there is no wall ('bvlain'). */
  wallEnergy: number | null;
  /** Sites whose cations occupy them less than this get no wall (a flat, occupancy-weighted core instead). */
  wallMinOccupancy: number | null;
  /** Wall rule for partially occupied cation sites (null: no walls, 'bvlain'). */
  wallRule: WallRule | null;
  probe: { n: number; radius: number };
  framework: FrameworkSpeciesInfo[];
}

export interface BvseResult {
  grid: EnergyGrid;
  parameters: BvseParameters;
  /** Readable notes about fallbacks taken (e.g. a radius borrowed from another oxidation state). */
  warnings: string[];
  /** Symmetry operations used on the (fine) grid and the points actually evaluated (speed only; numbers unchanged). */
  gridSymmetry: { operations: number; evaluatedPoints: number };
}

export const SCREENING_FACTOR = 0.74;
export const WALL_ENERGY = 300;
/** Cation occupancy of a site from which on its core is a hard wall (see the module comment). */
export const WALL_MIN_OCCUPANCY = 0.5;
/** e²/(4πε0) in eV·Å as used by softBV/CCNB/BVlain. */
export const COULOMB_EV_ANGSTROM = 14.4;
/**
 * Spacing of the radial tables (Å). Tables are indexed by R (one sqrt per pair) rather than R², so each table is
 * small enough (~20 KB per site kind) to stay in cache; linear interpolation error ≈ step²/8 · E''(R): < 3e-5 eV
 * at bonding distances (R ≈ 1.8 Å), a few 1e-4 eV only where the probe is ~1.2 Å from an anion (tens of eV up).
 */
export const TABLE_STEP = 0.004;
/** Smallest R at which tables are evaluated: keeps the (walled or BVlain-unwalled) core finite. */
const MIN_TABLE_R = 0.05;
/** Target edge of a block of grid points (Å). */
const BLOCK_EDGE = 0.8;

interface SpeciesTerm {
  speciesIndex: number;
  occupancy: number;
}

interface PreparedSpecies {
  info: FrameworkSpeciesInfo;
  element: string;
  oxidation: number;
  /** Radial energy per unit occupancy as a function of R (eV), without s. */
  energyAt: (r: number) => number;
  /** Cation core radius (Å) for the hard wall; 0 for anions/neutral. */
  coreRadius: number;
}

interface PreparedModel {
  species: PreparedSpecies[];
  kinds: SpeciesTerm[][];
  /** Per kind: its sites are shared with the mobile ion (mobile-ion sites of the CIF). */
  kindSharesMobile: boolean[];
  /** Per framework site: fractional position and its kind (distinct occupancy-weighted species mix). */
  sites: { frac: Vec3; kind: number }[];
  chargeScaling: number;
  parameters: BvseParameters;
  warnings: string[];
  source: string;
}

function locate(structure: Structure, label: string, asymmetricIndex: number, element: string, oxidation: number | null): LandscapeErrorLocation {
  // Structure lines are 0-based (token positions); error locations are 1-based.
  const line = structure.asymmetricSites[asymmetricIndex]?.line;
  return { siteLabel: label, line: line === undefined ? undefined : line + 1, element, oxidation };
}

/** Validate the structure against the parameter tables and set up species, site kinds and the charge scaling. */
function prepareModel(structure: Structure, options: BvseOptions): PreparedModel {
  const mode: BvseMode = options.mode ?? 'spse';
  const ion = options.ion ?? 'Li';
  const ionCharge = options.ionCharge ?? 1;
  const cutoff = options.cutoff ?? 10;
  const warnings: string[] = [];
  if (mode !== 'spse' && mode !== 'bvlain') throw new LandscapeError('bad-option', `Unknown BVSE mode '${mode}' (use 'spse' or 'bvlain').`);
  if (!(cutoff > 0)) throw new LandscapeError('bad-option', `The cut-off must be a positive distance in Å, got ${cutoff}.`);
  const ionData = ELEMENTS.get(ion);
  if (!ionData) throw new LandscapeError('unknown-ion', `'${ion}' is not an element symbol.`);
  if (!Number.isInteger(ionCharge) || ionCharge <= 0) {
    throw new LandscapeError('unknown-ion', `The mobile ion must be a cation with an integer charge; got ${ion}${signed(ionCharge)}.`);
  }
  const ionKey = `${ion}${signed(ionCharge)}`;
  const probeSoft = softBvIon(ion, ionCharge);
  let probe: { n: number; radius: number; q: number };
  if (mode === 'spse') {
    if (!probeSoft) throw new LandscapeError('unknown-ion', `softBV has no radius for the mobile ion ${ionKey}; BVSE needs one.`);
    probe = { n: probeSoft.n, radius: probeSoft.r, q: ionCharge / Math.sqrt(probeSoft.n) };
  } else {
    if (ionData.covalentRadius === null) throw new LandscapeError('unknown-ion', `No covalent radius for the mobile ion ${ion}.`);
    probe = { n: ionData.period, radius: ionData.covalentRadius, q: ionCharge / Math.sqrt(ionData.period) };
  }

  // Species of the framework (mobile element removed) and, for the charge scaling, of the whole cell.
  const speciesIndex = new Map<string, number>();
  const species: PreparedSpecies[] = [];
  const kindIndex = new Map<string, number>();
  const kinds: SpeciesTerm[][] = [];
  const kindSharesMobile: boolean[] = [];
  const wallRule: WallRule = options.wallRule ?? DEFAULT_WALL_RULE;
  if (!WALL_RULES.includes(wallRule)) throw new LandscapeError('bad-option', `Unknown wall rule '${wallRule}' (use ${WALL_RULES.join(', ')}).`);
  const sites: { frac: Vec3; kind: number }[] = [];
  let anionChargeSum = 0;
  let cationChargeSum = 0;
  let anyAnion = false;

  const softnessN = (element: string, oxidation: number): number => softBvIon(element, oxidation)?.n ?? ELEMENTS.get(element)?.period ?? 1;
  const mostlyEmpty = mode === 'spse' && wallRule === 'vacant-excluded' ? mostlyEmptyCationSites(structure, ion, WALL_MIN_OCCUPANCY) : new Set<number>();

  for (const [siteIndex, site] of structure.sites.entries()) {
    const terms: SpeciesTerm[] = [];
    const sharesMobile = site.species.some((sp) => sp.element === ion && sp.occupancy > 0);
    for (const sp of site.species) {
      if (!(sp.occupancy > 0)) continue;
      const isMobile = sp.element === ion;
      const oxidation = sp.oxidation ?? (isMobile ? ionCharge : null);
      if (oxidation === null) {
        throw new LandscapeError(
          'missing-oxidation',
          `Site ${sp.label} (${sp.element}) has no oxidation state; BVSE needs one for every framework ion.`,
          locate(structure, sp.label, site.asymmetricIndex, sp.element, null),
        );
      }
      if (oxidation < 0) anionChargeSum += (oxidation * sp.occupancy) / Math.sqrt(softnessN(sp.element, oxidation));
      if (oxidation > 0) cationChargeSum += (oxidation * sp.occupancy) / Math.sqrt(softnessN(sp.element, oxidation));
      const excludedWithMobile = (wallRule === 'shared-excluded' || wallRule === 'vacant-excluded') && mode === 'spse' && sharesMobile;
      if (isMobile || excludedWithMobile || (oxidation > 0 && mostlyEmpty.has(siteIndex))) continue;
      const key = `${sp.element}${signed(oxidation)}`;
      let index = speciesIndex.get(key);
      if (index === undefined) {
        index = species.length;
        species.push(prepareSpecies(sp.element, oxidation, mode, ion, ionCharge, probe, cutoff, warnings, () => locate(structure, sp.label, site.asymmetricIndex, sp.element, oxidation)));
        speciesIndex.set(key, index);
      }
      species[index].info.count += sp.occupancy;
      if (oxidation < 0) anyAnion = true;
      terms.push({ speciesIndex: index, occupancy: sp.occupancy });
    }
    if (!terms.length) continue;
    const kindKey = terms.map((t) => `${t.speciesIndex}:${t.occupancy}`).sort().join(',') + (sharesMobile ? '|shared' : '');
    let kind = kindIndex.get(kindKey);
    if (kind === undefined) {
      kind = kinds.length;
      kinds.push(terms);
      kindSharesMobile.push(sharesMobile);
      kindIndex.set(kindKey, kind);
    }
    sites.push({ frac: site.frac, kind });
  }
  if (!sites.length) throw new LandscapeError('no-framework', `The structure has no atoms besides ${ion}; there is no framework to compute a landscape in.`);
  if (!anyAnion) {
    throw new LandscapeError('no-anion', `The framework has no anion (no species with a negative oxidation state); BVSE needs anions for the bonding term.`);
  }
  let chargeScaling = 1;
  if (mode === 'spse') {
    if (cationChargeSum > 0) chargeScaling = -anionChargeSum / cationChargeSum;
    else warnings.push('No cations in the cell: charge-neutrality scaling s set to 1.');
  }
  const neighbourLimit = options.neighbourLimit ?? (mode === 'bvlain' ? 100 : Infinity);
  const parameters: BvseParameters = {
    mode,
    ion,
    ionCharge,
    resolution: options.shape ? null : options.resolution ?? 0.2,
    gridConvention: options.shape ? 'explicit' : options.gridConvention ?? (mode === 'bvlain' ? 'bvlain' : 'periodic'),
    cutoff,
    neighbourLimit: Number.isFinite(neighbourLimit) ? neighbourLimit : null,
    farField: Number.isFinite(neighbourLimit) || options.farField === false ? null : options.farField ?? DEFAULT_FAR_FIELD,
    chargeScaling,
    screeningFactor: SCREENING_FACTOR,
    wallEnergy: mode === 'spse' ? WALL_ENERGY : null,
    wallMinOccupancy: mode === 'spse' ? WALL_MIN_OCCUPANCY : null,
    wallRule: mode === 'spse' ? wallRule : null,
    probe: { n: probe.n, radius: probe.radius },
    framework: species.map((s) => s.info),
  };
  const source = mode === 'spse' ? 'BVSE (softBV, SPSE convention)' : 'BVSE (BVlain 0.24 convention)';
  return { species, kinds, kindSharesMobile, sites, chargeScaling, parameters, warnings, source };
}

function prepareSpecies(
  element: string,
  oxidation: number,
  mode: BvseMode,
  ion: string,
  ionCharge: number,
  probe: { n: number; radius: number; q: number },
  cutoff: number,
  warnings: string[],
  where: () => LandscapeErrorLocation,
): PreparedSpecies {
  const key = `${element}${signed(oxidation)}`;
  const info: FrameworkSpeciesInfo = { species: key, role: oxidation < 0 ? 'anion' : oxidation > 0 ? 'cation' : 'neutral', count: 0 };
  if (oxidation < 0) {
    const pair = bvsePair(ion, ionCharge, element, oxidation);
    if (!pair) {
      const loc = where();
      throw new LandscapeError(
        'missing-bvse-pair',
        `softBV has no BVSE parameters for the pair ${bvsePairKey(ion, ionCharge, element, oxidation)} (site ${loc.siteLabel}); ` +
          `check the oxidation state of ${element}, or this anion cannot be handled by BVSE.`,
        loc,
      );
    }
    info.pair = { D0: pair.D0, Rmin: pair.Rmin, alpha: pair.alpha };
    const { D0, Rmin, alpha } = pair;
    return {
      info,
      element,
      oxidation,
      coreRadius: 0,
      energyAt: (r) => {
        if (r >= cutoff) return 0;
        const x = Math.exp(alpha * (Rmin - r)) - 1;
        return 0.5 * D0 * (x * x - 1);
      },
    };
  }
  if (oxidation === 0) {
    warnings.push(`${element} with oxidation state 0 contributes nothing to the BVSE sums.`);
    return { info, element, oxidation, coreRadius: 0, energyAt: () => 0 };
  }
  let n: number;
  let radius: number;
  let q: number;
  if (mode === 'spse') {
    let soft = softBvIon(element, oxidation);
    if (!soft) {
      const others = [...(ELEMENTS.get(element)?.softBV ?? new Map()).entries()].filter(([ox]) => ox > 0);
      if (!others.length) {
        throw new LandscapeError('missing-radius', `softBV has no radius for ${key} (nor for any cation of ${element}); the Coulomb term needs one.`, where());
      }
      others.sort((a, b) => Math.abs(a[0] - oxidation) - Math.abs(b[0] - oxidation));
      soft = others[0][1];
      warnings.push(`softBV has no radius for ${key}; used ${element}${signed(others[0][0])}'s (r = ${soft!.r} Å, n = ${soft!.n}).`);
    }
    n = soft!.n;
    radius = soft!.r;
    q = oxidation / Math.sqrt(n);
  } else {
    const data = ELEMENTS.get(element);
    if (!data || data.covalentRadius === null) throw new LandscapeError('missing-radius', `No covalent radius for ${element}; the Coulomb term needs one.`, where());
    n = data.period;
    radius = data.covalentRadius;
    q = oxidation / Math.sqrt(n);
  }
  info.n = n;
  info.radius = radius;
  const prefactor = COULOMB_EV_ANGSTROM * probe.q * q;
  const screening = SCREENING_FACTOR * (probe.radius + radius);
  return {
    info,
    element,
    oxidation,
    coreRadius: mode === 'spse' ? radius : 0,
    energyAt: (r) => (r >= cutoff ? 0 : (prefactor / r) * erfcFn(r / screening)),
  };
}


/** Quintic smoothstep weight: 1 below `from`, 0 above `to`, C² in between. */
function nearWeight(r: number, split: FarFieldSplit): number {
  if (r <= split.from) return 1;
  if (r >= split.to) return 0;
  const x = (r - split.from) / (split.to - split.from);
  return 1 - x * x * x * (10 - 15 * x + 6 * x * x);
}

/**
 * Radial tables of all site kinds against R (each species' f(R)·weight(R), occupancy-weighted, cations scaled by
 * s), concatenated, `stride` entries per kind; and each kind's squared core radius for the hard wall (−1: none).
 */
function buildKindTables(
  model: PreparedModel,
  cutoff: number,
  weight: (r: number) => number = () => 1,
  withWalls = true,
): { tables: Float64Array; stride: number; coreU: Float64Array } {
  const stride = Math.ceil(cutoff / TABLE_STEP) + 2;
  const speciesTables = model.species.map((sp) => {
    const t = new Float64Array(stride);
    for (let i = 0; i < stride; i++) {
      // Flat core: inside r_C the energy stays at its value at r_C (only reached where there is no wall).
      const r = Math.max(MIN_TABLE_R, sp.coreRadius, i * TABLE_STEP);
      t[i] = sp.energyAt(r) * weight(Math.max(MIN_TABLE_R, i * TABLE_STEP));
    }
    return t;
  });
  const tables = new Float64Array(stride * model.kinds.length);
  const coreU = new Float64Array(model.kinds.length).fill(-1);
  model.kinds.forEach((terms, k) => {
    let walledOccupancy = 0;
    let core = -1;
    for (const { speciesIndex, occupancy } of terms) {
      const sp = model.species[speciesIndex];
      const weight = occupancy * (sp.oxidation > 0 ? model.chargeScaling : 1);
      const t = speciesTables[speciesIndex];
      for (let i = 0; i < stride; i++) tables[k * stride + i] += weight * t[i];
      if (sp.coreRadius > 0) { walledOccupancy += occupancy; core = Math.max(core, sp.coreRadius * sp.coreRadius); }
    }
    const rule = model.parameters.wallRule;
    const partial = walledOccupancy < 1 - 1e-9;
    if (withWalls && rule === 'weighted' && partial && core > 0) {
      // A soft wall: occupancy × WALL_ENERGY added inside the (largest) core, as weighted as every other term.
      for (let i = 0; i < stride; i++) {
        const r = Math.max(MIN_TABLE_R, i * TABLE_STEP);
        if (r * r <= core) tables[k * stride + i] += walledOccupancy * WALL_ENERGY * weight(r);
      }
    } else if (withWalls && walledOccupancy >= WALL_MIN_OCCUPANCY - 1e-9 && !(rule === 'shared-open' && partial && model.kindSharesMobile[k])) coreU[k] = core;
  });
  return { tables, stride, coreU };
}

function cartesian(f: Vec3, m: Mat3): Vec3 {
  return [
    f[0] * m[0][0] + f[1] * m[1][0] + f[2] * m[2][0],
    f[0] * m[0][1] + f[1] * m[1][1] + f[2] * m[2][1],
    f[0] * m[0][2] + f[1] * m[1][2] + f[2] * m[2][2],
  ];
}

/** All lattice images of framework sites that can come within `reach` Å of any point of the cell. */
function siteImages(model: PreparedModel, lattice: Mat3, reach: number, kindBase: (kind: number) => number) {
  const inv = inverse3(lattice);
  const recip = [0, 1, 2].map((i) => Math.hypot(inv[0][i], inv[1][i], inv[2][i]));
  const xs: number[] = [], ys: number[] = [], zs: number[] = [], bases: number[] = [];
  for (const site of model.sites) {
    const f = site.frac.map((x) => x - Math.floor(x)) as Vec3;
    const lo = [0, 1, 2].map((i) => Math.ceil(-reach * recip[i] - f[i]));
    const hi = [0, 1, 2].map((i) => Math.floor(1 + reach * recip[i] - f[i]));
    for (let t0 = lo[0]; t0 <= hi[0]; t0++)
      for (let t1 = lo[1]; t1 <= hi[1]; t1++)
        for (let t2 = lo[2]; t2 <= hi[2]; t2++) {
          const p = cartesian([f[0] + t0, f[1] + t1, f[2] + t2], lattice);
          xs.push(p[0]);
          ys.push(p[1]);
          zs.push(p[2]);
          bases.push(kindBase(site.kind));
        }
  }
  return {
    count: xs.length,
    x: Float64Array.from(xs),
    y: Float64Array.from(ys),
    z: Float64Array.from(zs),
    base: Int32Array.from(bases),
  };
}

/** k-th smallest (0-based) of values[0..count) — Hoare quickselect, reorders `values`. */
function selectKth(values: Float64Array, count: number, k: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}

/**
 * Per-block candidate images: `xyz` interleaves their positions relative to the block origin, `base` holds each one's
 * table offset. Two arrays rather than one per coordinate: in V8 the hot loop runs markedly faster with fewer live
 * typed arrays (register pressure).
 */
class Candidates {
  xyz = new Float64Array(3 * 1024);
  base = new Int32Array(1024);
  /** Distance of each candidate from the block centre (used by the k-nearest mode). */
  centreDistance = new Float64Array(1024);
  count = 0;

  get capacity(): number {
    return this.base.length;
  }

  grow(): void {
    const xyz = new Float64Array(this.xyz.length * 2);
    xyz.set(this.xyz);
    this.xyz = xyz;
    const base = new Int32Array(this.base.length * 2);
    base.set(this.base);
    this.base = base;
    const dc = new Float64Array(this.centreDistance.length * 2);
    dc.set(this.centreDistance);
    this.centreDistance = dc;
  }
}

/**
 * The hot loop: BVSE at one point (relative to the block origin) from the block's candidates. Hard walls are not
 * checked here: points inside cation cores are marked beforehand (paintWalls) and never summed.
 */
function sumAllCandidates(px: number, py: number, pz: number, cand: Candidates, tables: Float64Array, cutU: number): number {
  const p = cand.xyz, cbase = cand.base, count = cand.count;
  const invStep = 1 / TABLE_STEP;
  let energy = 0;
  for (let c = 0, k = 0; c < count; c++, k += 3) {
    const dx = p[k] - px, dy = p[k + 1] - py, dz = p[k + 2] - pz;
    const u = dx * dx + dy * dy + dz * dz;
    if (u >= cutU) continue;
    const t = Math.sqrt(u) * invStep;
    const i = t | 0;
    const at = cbase[c] + i;
    const lo = tables[at];
    energy += lo + (t - i) * (tables[at + 1] - lo);
  }
  return energy;
}

/** Largest distance from a block's centre to its corners, for a block of e0×e1×e2 grid points. */
function blockRadius(steps: readonly Vec3[], e0: number, e1: number, e2: number): number {
  let r = 0;
  for (let c = 0; c < 8; c++) {
    const s0 = (c & 1 ? 0.5 : -0.5) * (e0 - 1), s1 = (c & 2 ? 0.5 : -0.5) * (e1 - 1), s2 = (c & 4 ? 0.5 : -0.5) * (e2 - 1);
    const x = s0 * steps[0][0] + s1 * steps[1][0] + s2 * steps[2][0];
    const y = s0 * steps[0][1] + s1 * steps[1][1] + s2 * steps[2][1];
    const z = s0 * steps[0][2] + s1 * steps[1][2] + s2 * steps[2][2];
    r = Math.max(r, Math.sqrt(x * x + y * y + z * z));
  }
  return r;
}

/**
 * Fills the grid block by block. A class with plain methods rather than code inside the generator: V8 keeps
 * generator locals in a heap context, which boxes every double in the hot loop.
 */
class BlockFiller {
  readonly data: Float32Array;
  readonly blockDims: number[];
  readonly blockCounts: number[];
  private readonly n1: number;
  private readonly n2: number;
  private readonly shape: number[];
  // Grid step vectors g_i = a_i / N_i as scalars.
  private readonly g00: number; private readonly g01: number; private readonly g02: number;
  private readonly g10: number; private readonly g11: number; private readonly g12: number;
  private readonly g20: number; private readonly g21: number; private readonly g22: number;
  private candidates = new Candidates();
  private scratchU = new Float64Array(1024);
  private scratchSel = new Float64Array(1024);
  private scratchIndex = new Int32Array(1024);

  constructor(
    shape: [number, number, number],
    lattice: Mat3,
    private readonly cutoff: number,
    private readonly tables: Float64Array,
    private readonly images: ReturnType<typeof siteImages>,
    /** Keep only this many nearest sites (BVlain's k); Infinity for all within the cut-off. */
    private readonly neighbourLimit: number,
    /** Points known to lie inside a cation core (set to the wall energy without summing), or null. */
    private readonly walls: Uint8Array | null = null,
    /** Orbit representative of every point (only representatives are evaluated), or null for every point. */
    private readonly representative: Int32Array | null = null,
  ) {
    this.shape = shape;
    this.n1 = shape[1];
    this.n2 = shape[2];
    this.data = new Float32Array(shape[0] * shape[1] * shape[2]);
    const layout = BlockFiller.layout(shape, lattice);
    [[this.g00, this.g01, this.g02], [this.g10, this.g11, this.g12], [this.g20, this.g21, this.g22]] = layout.steps;
    this.blockDims = layout.blockDims;
    this.blockCounts = layout.blockCounts;
  }

  /** Grid steps, block partition (~BLOCK_EDGE Å blocks) and the largest block radius of a grid. */
  static layout(shape: readonly number[], lattice: Mat3) {
    const steps = [0, 1, 2].map((i) => lattice[i].map((x) => x / shape[i]) as Vec3);
    const blockDims = [0, 1, 2].map((i) => Math.max(1, Math.min(shape[i], Math.round(BLOCK_EDGE / Math.hypot(...steps[i])))));
    const blockCounts = [0, 1, 2].map((i) => Math.ceil(shape[i] / blockDims[i]));
    return { steps, blockDims, blockCounts, maxBlockRadius: blockRadius(steps, blockDims[0], blockDims[1], blockDims[2]) };
  }

  fillBlock(b0: number, b1: number, b2: number): void {
    const o0 = b0 * this.blockDims[0], o1 = b1 * this.blockDims[1], o2 = b2 * this.blockDims[2];
    const e0 = Math.min(this.blockDims[0], this.shape[0] - o0);
    const e1 = Math.min(this.blockDims[1], this.shape[1] - o1);
    const e2 = Math.min(this.blockDims[2], this.shape[2] - o2);
    const ox = o0 * this.g00 + o1 * this.g10 + o2 * this.g20;
    const oy = o0 * this.g01 + o1 * this.g11 + o2 * this.g21;
    const oz = o0 * this.g02 + o1 * this.g12 + o2 * this.g22;
    const h0 = 0.5 * (e0 - 1), h1 = 0.5 * (e1 - 1), h2 = 0.5 * (e2 - 1);
    const centreX = ox + h0 * this.g00 + h1 * this.g10 + h2 * this.g20;
    const centreY = oy + h0 * this.g01 + h1 * this.g11 + h2 * this.g21;
    const centreZ = oz + h0 * this.g02 + h1 * this.g12 + h2 * this.g22;
    const steps: Vec3[] = [[this.g00, this.g01, this.g02], [this.g10, this.g11, this.g12], [this.g20, this.g21, this.g22]];
    const reach = this.cutoff + blockRadius(steps, e0, e1, e2) + 1e-9;
    this.gather(centreX, centreY, centreZ, reach * reach, ox, oy, oz);
    const cand = this.candidates;
    const cutU = this.cutoff * this.cutoff;
    const nearestOnly = cand.count > this.neighbourLimit;
    if (nearestOnly) this.prepareNearest(blockRadius(steps, e0, e1, e2));
    for (let l0 = 0; l0 < e0; l0++)
      for (let l1 = 0; l1 < e1; l1++)
        for (let l2 = 0; l2 < e2; l2++) {
          const px = l0 * this.g00 + l1 * this.g10 + l2 * this.g20;
          const py = l0 * this.g01 + l1 * this.g11 + l2 * this.g21;
          const pz = l0 * this.g02 + l1 * this.g12 + l2 * this.g22;
          const v = ((o0 + l0) * this.n1 + (o1 + l1)) * this.n2 + (o2 + l2);
          if (this.representative !== null && this.representative[v] !== v) continue;
          if (this.walls !== null && this.walls[v]) {
            this.data[v] = WALL_ENERGY;
            continue;
          }
          this.data[v] = nearestOnly ? this.energyNearest(px, py, pz) : sumAllCandidates(px, py, pz, cand, this.tables, cutU);
        }
  }

  /** Copy the images within `reach2` (squared) of a block centre into the candidates, relative to (ox, oy, oz). */
  private gather(cx0: number, cy0: number, cz0: number, reach2: number, ox: number, oy: number, oz: number): void {
    const { x, y, z, base } = this.images;
    const cand = this.candidates;
    let count = 0;
    for (let a = 0; a < this.images.count; a++) {
      const dx = x[a] - cx0, dy = y[a] - cy0, dz = z[a] - cz0;
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 >= reach2) continue;
      if (count === cand.capacity) {
        cand.grow();
        this.scratchU = new Float64Array(cand.capacity);
        this.scratchSel = new Float64Array(cand.capacity);
        this.scratchIndex = new Int32Array(cand.capacity);
      }
      cand.xyz[3 * count] = x[a] - ox;
      cand.xyz[3 * count + 1] = y[a] - oy;
      cand.xyz[3 * count + 2] = z[a] - oz;
      cand.base[count] = base[a];
      cand.centreDistance[count] = Math.sqrt(d2);
      count++;
    }
    cand.count = count;
  }

  /** Candidates [0, sureEnd) are certainly among the k nearest of every point of the block, [bandEnd, count) never. */
  private sureEnd = 0;
  private bandEnd = 0;
  private sortKeys = new Float64Array(1024);
  private spare = new Candidates();

  /**
   * Every point p of the block is within `radius` of its centre c, so |d(p, x) − d(c, x)| ≤ radius for every
   * candidate x, and p's k-th nearest distance lies within ±radius of c's (D). Candidates are sorted by d(c, x);
   * those with d(c, x) < D − 2·radius are surely among p's k nearest, those beyond D + 2·radius surely not, and only
   * the band between needs a per-point selection.
   */
  private prepareNearest(radius: number): void {
    const cand = this.candidates;
    const count = cand.count;
    if (this.sortKeys.length < count) this.sortKeys = new Float64Array(cand.capacity);
    // Sort by distance (to 1e-5 Å) with the index packed into the key (count < 2^20): one native numeric sort.
    const keys = this.sortKeys.subarray(0, count);
    for (let c = 0; c < count; c++) keys[c] = Math.floor(cand.centreDistance[c] * 1e5) * 1048576 + c;
    keys.sort();
    const out = this.spare;
    while (out.capacity < count) out.grow();
    for (let r = 0; r < count; r++) {
      const c = keys[r] % 1048576;
      out.xyz[3 * r] = cand.xyz[3 * c];
      out.xyz[3 * r + 1] = cand.xyz[3 * c + 1];
      out.xyz[3 * r + 2] = cand.xyz[3 * c + 2];
      out.base[r] = cand.base[c];
      out.centreDistance[r] = cand.centreDistance[c];
    }
    out.count = count;
    this.spare = cand;
    this.candidates = out;
    const kth = out.centreDistance[Math.min(this.neighbourLimit, count) - 1];
    let sureEnd = 0;
    while (sureEnd < count && out.centreDistance[sureEnd] < kth - 2 * radius) sureEnd++;
    let bandEnd = sureEnd;
    while (bandEnd < count && out.centreDistance[bandEnd] <= kth + 2 * radius) bandEnd++;
    this.sureEnd = sureEnd;
    this.bandEnd = bandEnd;
  }

  /** Energy from only the `neighbourLimit` nearest candidates within the cut-off (BVlain's k-d tree query). */
  private energyNearest(px: number, py: number, pz: number): number {
    const cand = this.candidates;
    const p = cand.xyz, cbase = cand.base;
    const tables = this.tables;
    const bandU = this.scratchU, bandSel = this.scratchSel;
    const bandIndex = this.scratchIndex;
    const cutU = this.cutoff * this.cutoff;
    const invStep = 1 / TABLE_STEP;
    const limit = this.neighbourLimit;
    const sureEnd = this.sureEnd, bandEnd = this.bandEnd;
    let energy = 0;
    let taken = 0;
    let band = 0;
    for (let c = 0; c < bandEnd; c++) {
      const dx = p[3 * c] - px, dy = p[3 * c + 1] - py, dz = p[3 * c + 2] - pz;
      const u = dx * dx + dy * dy + dz * dz;
      if (u >= cutU) continue;
      if (c < sureEnd) {
        const t = Math.sqrt(u) * invStep;
        const i = t | 0;
        const at = cbase[c] + i;
        const lo = tables[at];
        energy += lo + (t - i) * (tables[at + 1] - lo);
        taken++;
      } else {
        bandU[band] = u;
        bandIndex[band] = c;
        band++;
      }
    }
    const need = limit - taken;
    let threshold = Infinity;
    let tiesAllowed = Infinity;
    if (band > need) {
      for (let b = 0; b < band; b++) bandSel[b] = bandU[b];
      threshold = selectKth(bandSel, band, need - 1);
      let below = 0;
      for (let b = 0; b < band; b++) if (bandU[b] < threshold) below++;
      tiesAllowed = need - below; // ties at the k-th distance: taken in list order, like a k-d tree
    }
    for (let b = 0; b < band; b++) {
      const u = bandU[b];
      if (u > threshold) continue;
      if (u === threshold) {
        if (tiesAllowed <= 0) continue;
        tiesAllowed--;
      }
      const t = Math.sqrt(u) * invStep;
      const i = t | 0;
      const at = cbase[bandIndex[b]] + i;
      const lo = tables[at];
      energy += lo + (t - i) * (tables[at + 1] - lo);
    }
    return energy;
  }
}

/**
 * Mark the grid points inside any cation core (R ≤ r_C, the hard wall) by walking each core's bounding box in grid
 * coordinates — a few percent of the work of summing there, and typically 15 % (up to a third) of all points.
 * Null when no kind has a wall.
 */
function paintWalls(model: PreparedModel, shape: readonly number[], lattice: Mat3, coreU: Float64Array): Uint8Array | null {
  if (!coreU.some((u) => u > 0)) return null;
  const [n0, n1, n2] = shape;
  const walls = new Uint8Array(n0 * n1 * n2);
  const inv = inverse3(lattice);
  const recip = [0, 1, 2].map((i) => Math.hypot(inv[0][i], inv[1][i], inv[2][i]));
  const m = lattice;
  for (const site of model.sites) {
    const core2 = coreU[site.kind];
    if (!(core2 > 0)) continue;
    const r = Math.sqrt(core2);
    const f = site.frac.map((x) => x - Math.floor(x));
    const lo = [0, 1, 2].map((i) => Math.ceil((f[i] - r * recip[i]) * shape[i] - 1e-9));
    const hi = [0, 1, 2].map((i) => Math.floor((f[i] + r * recip[i]) * shape[i] + 1e-9));
    for (let j0 = lo[0]; j0 <= hi[0]; j0++) {
      const d0 = j0 / n0 - f[0];
      for (let j1 = lo[1]; j1 <= hi[1]; j1++) {
        const d1 = j1 / n1 - f[1];
        for (let j2 = lo[2]; j2 <= hi[2]; j2++) {
          const d2 = j2 / n2 - f[2];
          const x = d0 * m[0][0] + d1 * m[1][0] + d2 * m[2][0];
          const y = d0 * m[0][1] + d1 * m[1][1] + d2 * m[2][1];
          const z = d0 * m[0][2] + d1 * m[1][2] + d2 * m[2][2];
          if (x * x + y * y + z * z > core2) continue;
          const w0 = ((j0 % n0) + n0) % n0, w1 = ((j1 % n1) + n1) % n1, w2 = ((j2 % n2) + n2) % n2;
          walls[(w0 * n1 + w1) * n2 + w2] = 1;
        }
      }
    }
  }
  return walls;
}

/** Fill a grid with one set of tables, yielding progress mapped into [from, to]. */
function* fillGrid(
  model: PreparedModel,
  shape: [number, number, number],
  lattice: Mat3,
  cutoff: number,
  tables: { tables: Float64Array; stride: number; coreU: Float64Array },
  neighbourLimit: number,
  from: number,
  to: number,
  orbits: GridOrbits | null = null,
): Work<Float32Array> {
  const layout = BlockFiller.layout(shape, lattice);
  // Block centres lie inside the cell, so images within cut-off + 2 block radii of the cell cover every block.
  const images = siteImages(model, lattice, cutoff + 2 * layout.maxBlockRadius, (k) => k * tables.stride);
  const walls = paintWalls(model, shape, lattice, tables.coreU);
  const filler = new BlockFiller(shape, lattice, cutoff, tables.tables, images, neighbourLimit, walls, orbits?.representative ?? null);
  const [c0, c1, c2] = filler.blockCounts;
  const totalBlocks = c0 * c1 * c2;
  const needed = orbits ? blocksWithRepresentatives(orbits, shape, filler.blockDims, filler.blockCounts) : null;
  for (let block = 0; block < totalBlocks; block++) {
    const b2 = block % c2;
    const b1 = Math.floor(block / c2) % c1;
    const b0 = Math.floor(block / (c1 * c2));
    if (needed === null || needed[block]) filler.fillBlock(b0, b1, b2);
    if ((block & 7) === 7) yield from + ((to - from) * (block + 1)) / totalBlocks;
  }
  if (orbits) fillFromRepresentatives(filler.data, orbits);
  return filler.data;
}

/** Which blocks hold at least one orbit representative (the others are copied, not summed). */
function blocksWithRepresentatives(orbits: GridOrbits, shape: readonly number[], dims: readonly number[], counts: readonly number[]): Uint8Array {
  const needed = new Uint8Array(counts[0] * counts[1] * counts[2]);
  const rep = orbits.representative;
  let v = 0;
  for (let i0 = 0; i0 < shape[0]; i0++)
    for (let i1 = 0; i1 < shape[1]; i1++)
      for (let i2 = 0; i2 < shape[2]; i2++, v++) {
        if (rep[v] === v) needed[(Math.floor(i0 / dims[0]) * counts[1] + Math.floor(i1 / dims[1])) * counts[2] + Math.floor(i2 / dims[2])] = 1;
      }
  return needed;
}

/** Orbits of the grid under the framework's operations that fit it, or null when only the identity fits. */
function orbitsFor(model: PreparedModel, lattice: Mat3, shape: readonly number[]): GridOrbits | null {
  const ops = frameworkGridOperations(model.sites, lattice, shape);
  return ops.length > 1 ? gridOrbits(shape, ops) : null;
}

/**
 * Resample a periodic field from a coarse grid onto a fine one with separable cubic (Catmull–Rom) interpolation,
 * one axis at a time (third order: the far field's curvature is not negligible at 0.5 Å spacing, so trilinear
 * interpolation would leave ~5 meV errors).
 */
function resampleCubic(coarse: Float32Array, coarseShape: readonly number[], shape: readonly number[]): Float64Array {
  /** Along one axis of a [outer, m, inner] array, produce [outer, n, inner]. */
  const alongAxis = (src: Float64Array, outer: number, m: number, inner: number, n: number): Float64Array => {
    const dst = new Float64Array(outer * n * inner);
    for (let i = 0; i < n; i++) {
      const x = (i / n) * m;
      const j = Math.floor(x);
      const t = x - j;
      // Catmull–Rom weights for points j−1, j, j+1, j+2.
      const wa = ((-t + 2) * t - 1) * t * 0.5;
      const wb = ((3 * t - 5) * t * t + 2) * 0.5;
      const wc = ((-3 * t + 4) * t + 1) * t * 0.5;
      const wd = (t - 1) * t * t * 0.5;
      const ja = (j - 1 + m) % m, jb = j % m, jc = (j + 1) % m, jd = (j + 2) % m;
      for (let o = 0; o < outer; o++) {
        const s = o * m * inner;
        const d = (o * n + i) * inner;
        for (let k = 0; k < inner; k++) {
          dst[d + k] = wa * src[s + ja * inner + k] + wb * src[s + jb * inner + k] + wc * src[s + jc * inner + k] + wd * src[s + jd * inner + k];
        }
      }
    }
    return dst;
  };
  const [m0, m1, m2] = coarseShape;
  const [n0, n1, n2] = shape;
  let field: Float64Array = Float64Array.from(coarse);
  field = alongAxis(field, m0 * m1, m2, 1, n2);
  field = alongAxis(field, m0, m1, n2, n1);
  field = alongAxis(field, 1, m0, n1 * n2, n0);
  return field;
}

/** Add the interpolated far field to the near field, leaving hard-wall points at the wall energy. */
function addFarField(fine: Float32Array, shape: readonly number[], coarse: Float32Array, coarseShape: readonly number[]): void {
  const far = resampleCubic(coarse, coarseShape, shape);
  for (let v = 0; v < fine.length; v++) if (fine[v] !== WALL_ENERGY) fine[v] += far[v];
}

/** The BVSE grid as a work generator (yields progress); see `computeBvse`. */
export function* bvseWork(structure: Structure, options: BvseOptions = {}): Work<BvseResult> {
  const model = prepareModel(structure, options);
  const { cutoff, farField } = model.parameters;
  const lattice = structure.lattice.matrix;
  const maxPoints = options.maxGridPoints ?? MAX_GRID_POINTS;
  let shape: [number, number, number];
  if (options.shape) {
    shape = [...options.shape] as [number, number, number];
    checkGridSize(shape, undefined, maxPoints);
  } else {
    shape = gridShapeFor(lattice, options.resolution ?? 0.2, model.parameters.gridConvention as GridConvention, maxPoints);
  }
  const limit = model.parameters.neighbourLimit ?? Infinity;
  const symmetric = options.gridSymmetry !== false && !Number.isFinite(limit);
  const orbits = symmetric ? orbitsFor(model, lattice, shape) : null;
  let data: Float32Array;
  const coarseShape = latticeLengths(lattice).map((len) => Math.max(2, Math.ceil(len / (farField?.spacing ?? 1)))) as [number, number, number];
  // The split pays only when the coarse grid is coarser than the grid itself and the near sphere is inside the cut-off.
  if (farField && farField.to < cutoff && coarseShape.every((m, i) => m < shape[i])) {
    const farTables = buildKindTables(model, cutoff, (r) => 1 - nearWeight(r, farField), false);
    const far = yield* fillGrid(model, coarseShape, lattice, cutoff, farTables, Infinity, 0.02, 0.2, symmetric ? orbitsFor(model, lattice, coarseShape) : null);
    const nearTables = buildKindTables(model, farField.to, (r) => nearWeight(r, farField));
    data = yield* fillGrid(model, shape, lattice, farField.to, nearTables, Infinity, 0.2, 0.98, orbits);
    addFarField(data, shape, far, coarseShape);
  } else {
    model.parameters.farField = null;
    data = yield* fillGrid(model, shape, lattice, cutoff, buildKindTables(model, cutoff), limit, 0.02, 1, orbits);
  }
  const grid = makeGrid(shape, data, lattice, model.source);
  const gridSymmetry = { operations: orbits?.operations ?? 1, evaluatedPoints: orbits?.count ?? data.length };
  return { grid, parameters: model.parameters, warnings: model.warnings, gridSymmetry };
}

/** BVSE landscape of a structure (synchronous; use `bvseWork` with runAsync in a worker). */
export function computeBvse(structure: Structure, options: BvseOptions = {}, hooks: WorkHooks = {}): BvseResult {
  return runSync(bvseWork(structure, options), hooks);
}

/** Check a structure against the BVSE tables without computing anything (throws the same LandscapeErrors). */
export function validateForBvse(structure: Structure, options: BvseOptions = {}): { parameters: BvseParameters; warnings: string[] } {
  const model = prepareModel(structure, options);
  return { parameters: model.parameters, warnings: model.warnings };
}

/** BVSE of the probe at single points: the same model as the grid, see `bvsePointEnergy`. */
export interface BvsePointEnergy {
  /** E(r) in eV at a fractional position (any image); WALL_ENERGY inside a walled cation core, as on the grid. */
  energyAt(frac: Vec3): number;
  parameters: BvseParameters;
  warnings: string[];
}

/**
 * The BVSE site energy of the module comment at arbitrary points, for features at the interstitial network's
 * interstices and bottlenecks (gcn/features.ts). Same prepared model as the grid (species, occupancy-weighted site
 * kinds, charge scaling s, hard-wall rule, radial tables with their flat cores, cut-off), but every pair within the
 * cut-off is summed at the point: no near/far split, no grid symmetry, so a value equals the grid's full sum
 * (`farField: false`) at a grid point to float rounding, and differs from the default (split) grid by the split's
 * < 2 meV. Only 'spse' without a neighbour limit (the mode the GCN's labels use).
 */
export function bvsePointEnergy(structure: Structure, options: BvseOptions = {}): BvsePointEnergy {
  const model = prepareModel(structure, options);
  if (model.parameters.neighbourLimit !== null) throw new LandscapeError('bad-option', 'Pointwise BVSE is implemented without a neighbour limit only (use mode \'spse\').');
  model.parameters.farField = null;
  const { cutoff } = model.parameters;
  const lattice = structure.lattice.matrix;
  const { tables, stride, coreU } = buildKindTables(model, cutoff);
  // Points are wrapped into the cell, so images within the cut-off of the cell cover every point.
  const images = siteImages(model, lattice, cutoff, (k) => k * stride);
  const { x, y, z, base, count } = images;
  const core2 = Float64Array.from({ length: count }, (_, c) => coreU[base[c] / stride]);
  const cutU = cutoff * cutoff;
  const invStep = 1 / TABLE_STEP;
  const energyAt = (frac: Vec3): number => {
    const p = cartesian([frac[0] - Math.floor(frac[0]), frac[1] - Math.floor(frac[1]), frac[2] - Math.floor(frac[2])], lattice);
    let energy = 0;
    for (let c = 0; c < count; c++) {
      const dx = x[c] - p[0], dy = y[c] - p[1], dz = z[c] - p[2];
      const u = dx * dx + dy * dy + dz * dz;
      if (u >= cutU) continue;
      if (u <= core2[c]) return WALL_ENERGY;
      const t = Math.sqrt(u) * invStep;
      const i = t | 0;
      const at = base[c] + i;
      const lo = tables[at];
      energy += lo + (t - i) * (tables[at + 1] - lo);
    }
    return energy;
  };
  return { energyAt, parameters: model.parameters, warnings: model.warnings };
}
