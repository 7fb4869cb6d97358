/**
 * Bond-valence sums: is the geometry a CIF gives chemically plausible?
 *
 *   V_i = Σ_j occ_j · exp((R0_ij − R_ij) / b_ij)      over the counter-ions j within the pair's cut-off,
 *   d_i = V_i − |z_i|                                  (valence units, v.u.),
 *   GII = √( Σ_i w_i d_i² / Σ_i w_i ),  w_i = multiplicity × occupancy of species i on its CIF row,
 *
 * with softBV's R0, b = 1/α and R_cutoff (Chen, Wong & Adams, Acta Cryst. B 75, 18 (2019): the same table the BVSE
 * landscape uses, fitted so that sums over every neighbour up to the cut-off give the valence). The global instability
 * index GII is that of Salinas-Sanchez et al., J. Solid State Chem. 100, 201 (1992): about 0.1 v.u. in unstrained
 * structures, above 0.2 v.u. in strained or wrong ones.
 *
 * Why a landscape tool checks this: BVSE (and the interstitial network) read the framework's geometry as given. An
 * oxygen position refined badly (Li–O 1.69 Å, P–O 1.46/1.84 Å in one LATP CIF) walls the channel and gives Ea 1.8 eV
 * where the same framework refined well gives 0.46 eV. The number is then not a property of the material, and the
 * user should be told which row is implausible rather than shown the number as if it were.
 *
 * One representative position per CIF row; a species without softBV parameters for some counter-ion within reach
 * is left unchecked (said), never guessed.
 */
import type { Structure, StructureMessage } from './types';
import { bvsePair, signed, type BvsePairParams } from '../data/bvTables';
import { neighbourFinder } from './neighbours';

/** One species on one CIF row, with its bond-valence sum. */
export interface SiteValence {
  label: string;
  element: string;
  oxidation: number;
  occupancy: number;
  multiplicity: number;
  /** Bond-valence sum V (v.u.). */
  sum: number;
  /** V − |z| (v.u.). */
  deviation: number;
  /** Index into structure.asymmetricSites. */
  asymmetricIndex: number;
}

export interface BondValenceCheck {
  sites: SiteValence[];
  /** Global instability index (v.u.) over `sites`; null when no site could be checked. */
  gii: number | null;
  /** Species left unchecked because softBV has no parameters for a pair within reach, e.g. 'Li+1 with Cl-1'. */
  unparameterised: string[];
}

/**
 * A species whose sum is more than this factor above or below its valence is implausible. Good refinements sit within
 * about 20 % (LiFePO4 here: GII 0.03 v.u.), and Li in a large cage or a refined disordered site strays further, so the
 * factor is generous. It flags 3.3 % of 2,717 Materials Project structures (DFT-relaxed; many hypothetical
 * substitutions) and 11 of 242 OBELiX training CIFs, among them Ta–O 2.37 Å in a garnet and Ta on the 8-coordinated
 * A site of a pyrochlore (scripts/check-bond-valence.ts, docs/measurements/bond-valence.txt).
 */
export const IMPLAUSIBLE_FACTOR = 2;
/** Only species that hold their row at least this often are judged (traces and split positions are not). */
export const JUDGED_MIN_OCCUPANCY = 0.5;

/** Bond-valence sums of every species on every CIF row with an oxidation state. */
export function bondValenceSums(structure: Structure): BondValenceCheck {
  const { sites, asymmetricSites } = structure;
  const ions = new Map<string, { element: string; z: number }>();
  for (const site of sites) for (const sp of site.species) if (sp.oxidation) ions.set(`${sp.element}${signed(sp.oxidation)}`, { element: sp.element, z: sp.oxidation });
  // softBV pair parameters between every cation and anion present, by ion index; the finder's radius is the longest cut-off.
  const ionIndex = new Map([...ions.keys()].map((k, n) => [k, n]));
  const ionList = [...ions.values()];
  const pair: (BvsePairParams | undefined | null)[][] = ionList.map((c) => ionList.map((a) =>
    Math.sign(c.z) === Math.sign(a.z) ? null : c.z > 0 ? bvsePair(c.element, c.z, a.element, a.z) : bvsePair(a.element, a.z, c.element, c.z)));
  const reach = Math.max(0, ...pair.flat().map((p) => p?.Rcutoff ?? 0));
  const out: SiteValence[] = [];
  const unparameterised = new Set<string>();
  if (reach === 0) return { sites: out, gii: null, unparameterised: [...ions.keys()] };
  // Per site: the ion index and occupancy of each charged species (the inner loop reads only these).
  const speciesOf = sites.map((site) => site.species.filter((sp) => sp.oxidation).map((sp) => ({ ion: ionIndex.get(`${sp.element}${signed(sp.oxidation!)}`)!, occupancy: sp.occupancy })));
  const finder = neighbourFinder(structure, reach, (j) => speciesOf[j].length > 0);
  const representative = new Map<number, number>();
  sites.forEach((s, i) => { if (!representative.has(s.asymmetricIndex)) representative.set(s.asymmetricIndex, i); });
  for (const [asym, i] of representative) {
    const row = asymmetricSites[asym];
    for (const sp of sites[i].species) {
      const z = sp.oxidation;
      if (!z) continue;
      const me = ionIndex.get(`${sp.element}${signed(z)}`)!;
      const pairs = pair[me];
      let sum = 0;
      let missing: number | null = null;
      finder.around(i, (j, r) => {
        if (r < 0.5) return; // a species sharing the position, not a bond
        for (const o of speciesOf[j]) {
          const p = pairs[o.ion];
          if (p === null) continue; // same sign
          if (!p) { missing = o.ion; continue; }
          if (r <= p.Rcutoff) sum += o.occupancy * Math.exp((p.R0 - r) * p.alpha);
        }
      });
      if (missing !== null) { unparameterised.add(`${sp.element}${signed(z)} with ${[...ions.keys()][missing]}`); continue; }
      out.push({ label: sp.label || row.label, element: sp.element, oxidation: z, occupancy: sp.occupancy, multiplicity: row.multiplicity,
        sum, deviation: sum - Math.abs(z), asymmetricIndex: asym });
    }
  }
  let num = 0;
  let den = 0;
  for (const s of out) { const w = s.multiplicity * s.occupancy; num += w * s.deviation * s.deviation; den += w; }
  return { sites: out, gii: den > 0 ? Math.sqrt(num / den) : null, unparameterised: [...unparameterised] };
}

/**
 * Located warnings for the species whose bond-valence sum is off its valence by more than IMPLAUSIBLE_FACTOR. Over-
 * bonded: its neighbours are closer than a real crystal puts them (a mis-refined position), or its oxidation state is
 * too low. Under-bonded: it rattles in a cage too large for it (a hypothetical substitution, a mis-placed ion), or its
 * oxidation state is too high. Either way the landscape is computed from a geometry the material does not have: the
 * over-bonded Li of an LATP CIF sits in a cage that walls it in (Ea 1.8 eV), the under-bonded Li of (K,Li)SbO3 in one
 * so loose that its barrier is 0.10 eV at σ ≈ 1e-8 S/cm.
 */
/** A species judged implausible: its sum, the ratio to its valence, and which way it is off. */
export interface ImplausibleSite extends SiteValence {
  /** V / |z|. */
  ratio: number;
  /** Over-bonded (ratio above IMPLAUSIBLE_FACTOR) rather than under-bonded (below its inverse). */
  over: boolean;
}

/** The species whose bond-valence sum is off its valence by more than IMPLAUSIBLE_FACTOR either way. */
export function implausibleSites(check: BondValenceCheck): ImplausibleSite[] {
  const out: ImplausibleSite[] = [];
  for (const s of check.sites) {
    if (s.occupancy < JUDGED_MIN_OCCUPANCY) continue;
    const ratio = s.sum / Math.abs(s.oxidation);
    const over = ratio > IMPLAUSIBLE_FACTOR;
    if (over || ratio < 1 / IMPLAUSIBLE_FACTOR) out.push({ ...s, ratio, over });
  }
  return out;
}

/**
 * Located warnings for the implausible species. Over-bonded: its neighbours are closer than a real crystal puts them
 * (a mis-refined position), or its oxidation state is too low. Under-bonded: it rattles in a cage too large for it (a
 * hypothetical substitution, a mis-placed ion), or its oxidation state is too high. Either way the landscape is
 * computed from a geometry the material does not have: the over-bonded Li of an LATP CIF sits in a cage that walls it
 * in (Ea 1.8 eV), the under-bonded Li of (K,Li)SbO3 in one so loose that its barrier is 0.10 eV at σ ≈ 1e-8 S/cm.
 */
export function implausibleGeometryMessages(structure: Structure, check: BondValenceCheck = bondValenceSums(structure)): StructureMessage[] {
  return implausibleSites(check).map((s) => {
    const row = structure.asymmetricSites[s.asymmetricIndex];
    return {
      severity: 'warning',
      code: 'implausible-geometry',
      message: `site ${s.label}: ${s.element}${signed(s.oxidation)} has a bond-valence sum of ${s.sum.toFixed(2)} v.u. for valence ${Math.abs(s.oxidation)} (${s.ratio.toFixed(2)}×; softBV parameters${check.gii !== null ? `; GII ${check.gii.toFixed(2)} v.u.` : ''}): ` +
        (s.over
          ? `its neighbours are closer than a real crystal puts them (a mis-placed or mis-refined position?) or its oxidation state is too low. `
          : `its neighbours are farther than a real crystal puts them (a mis-placed position, a hypothetical substitution, counter-ions missing from the file?) or its oxidation state is too high. `) +
        `Barriers computed from this geometry may not be the material's.`,
      at: row && row.line >= 0 ? { line: row.line, column: row.column, length: Math.max(1, row.label.length) } : undefined,
    };
  });
}

/**
 * For the report: the flagged CIF site labels and a one-line note (null when there are none), "Implausible geometry:
 * bond-valence sums off by more than ×2 at Li1 (Li+1) 2.28 v.u. for valence 1. …". The structure's located messages
 * say the same per row; both come from implausibleSites.
 */
export function implausibleGeometryNote(structure: Structure, check: BondValenceCheck = bondValenceSums(structure)): { note: string; sites: string[] } | null {
  const flagged = implausibleSites(check);
  if (!flagged.length) return null;
  const sites = flagged.map((s) => `${s.label} (${s.element}${signed(s.oxidation)}) ${s.sum.toFixed(2)} v.u. for valence ${Math.abs(s.oxidation)}`).join(', ');
  return {
    note: `Implausible geometry: bond-valence sums off by more than ×${IMPLAUSIBLE_FACTOR} at ${sites}. Barriers computed from this geometry may not be the material's.`,
    sites: [...new Set(flagged.map((s) => s.label))],
  };
}
