/**
 * The framework of an interstitial network: every site except the mobile ions, each with its effective ionic
 * radius (Shannon 1976) for its element, oxidation state and coordination number.
 *
 * Coordination rule (documented, bond-valence-like): ions i and j of opposite oxidation-state sign (the mobile ions
 * included, so they count in the anions' CN) are bonded when d_ij ≤ 1.25 × max(dmin_i, dmin_j) and ≤ 4 Å, dmin being
 * each ion's shortest counter-ion distance; CN = number of bonds. At 1.25 × dmin a bond valence
 * s = exp((R0 − d)/0.37) has fallen to about a quarter of the shortest bond's for dmin ≈ 2 Å: the first shell, not
 * the second. The max() lets an anion count its long bonds to weak cations (O in LiFePO4: P at 1.5 Å, Fe/Li at
 * 2.1–2.2 Å) as the cations see them. An ion whose CN Shannon does not list gets
 * the radius of the nearest listed CN (ties: the smaller CN), with a warning per element and charge.
 *
 * Disorder (mean field): a site is framework when its non-mobile species occupy at least as much as the mobile ones;
 * its radius is the occupancy-weighted mean radius of its non-mobile species, its element (for features) the
 * non-mobile species with the largest occupancy.
 */
import type { Structure, Vec3 } from '../structure/types';
import { SHANNON_TABLE, PAULING } from '../data/shannonRadii';
import { atomicNumber } from '../structure/elements';
import { PeriodicCloud } from './geometry';

export interface FrameworkAtom {
  /** Index into structure.sites. */
  site: number;
  frac: Vec3;
  cart: Vec3;
  element: string;
  z: number;
  /** Pauling electronegativity (0 where not tabulated). */
  electronegativity: number;
  oxidation: number;
  /** Effective ionic radius (Å). */
  radius: number;
  /** Coordination number found in the structure (of the majority species). */
  cn: number;
}

/** Shannon effective ionic radius (Å) for element/charge at the nearest listed CN; cnUsed tells which. */
export function shannonRadius(element: string, charge: number, cn: number): { radius: number; cnUsed: number } | null {
  const rows = SHANNON_TABLE[element]?.[String(charge)];
  if (!rows) return null;
  let best: { radius: number; cnUsed: number } | null = null;
  let bestRank = Infinity;
  for (const item of rows.split(' ')) {
    const [c, r] = item.split(':').map(Number);
    // cn 0 = unspecified by Shannon: used only when nothing else is listed.
    const rank = c === 0 ? 1e6 : Math.abs(c - cn) * 2 + (c < cn ? 0 : 1);
    if (rank < bestRank) { bestRank = rank; best = { radius: r, cnUsed: c }; }
  }
  return best;
}

export function paulingElectronegativity(element: string): number {
  return PAULING[element] ?? 0;
}

const CN_FACTOR = 1.25;
const CN_MAX_DISTANCE = 4;

export interface Framework {
  atoms: FrameworkAtom[];
  /** Sites of the mobile ion (fractional), for checks. */
  mobileSites: Vec3[];
  warnings: string[];
}

export function frameworkOf(structure: Structure, mobileIon = 'Li'): Framework {
  const warnings: string[] = [];
  const warned = new Set<string>();
  const warnOnce = (key: string, text: string) => { if (!warned.has(key)) { warned.add(key); warnings.push(text); } };
  const mobileSites: Vec3[] = [];
  interface Candidate { site: number; species: { element: string; oxidation: number; occupancy: number }[] }
  const kept: Candidate[] = [];
  const charge = new Float64Array(structure.sites.length); // sign of the site's dominant charge (mobile included)
  structure.sites.forEach((s, i) => {
    let mobileOcc = 0, frameOcc = 0, q = 0;
    const species: Candidate['species'] = [];
    for (const sp of s.species) {
      q += (sp.oxidation ?? 0) * sp.occupancy;
      if (sp.element === mobileIon) { mobileOcc += sp.occupancy; continue; }
      frameOcc += sp.occupancy;
      if (sp.oxidation === null) warnOnce(`ox:${sp.element}`, `no oxidation state for ${sp.element}: taken as 0 (radius from the nearest listed charge)`);
      species.push({ element: sp.element, oxidation: sp.oxidation ?? 0, occupancy: sp.occupancy });
    }
    charge[i] = Math.sign(q);
    if (mobileOcc > 0) mobileSites.push(s.frac);
    if (frameOcc > 0 && frameOcc >= mobileOcc) kept.push({ site: i, species });
    else if (frameOcc > 0) warnOnce(`mixed:${i}`, `site ${s.species.map((x) => x.label)[0]} is mostly ${mobileIon}: removed with the mobile ions`);
  });

  // Coordination numbers: counter-ions of every site, from all sites (mobile ones included).
  const all = structure.sites.map((s) => s.cart);
  const cloud = new PeriodicCloud(structure.lattice, all, CN_MAX_DISTANCE);
  const counterDistances = (i: number): { j: number; d: number }[] => {
    const out: { j: number; d: number }[] = [];
    const mySign = charge[i];
    cloud.forEachWithin(structure.sites[i].cart, CN_MAX_DISTANCE, (j, d) => {
      if (d < 1e-6) return;
      if (mySign !== 0 && charge[j] !== -mySign) return;
      out.push({ j, d });
    });
    return out;
  };
  const near = structure.sites.map((_, i) => counterDistances(i));
  const dmin = near.map((list) => list.reduce((m, x) => Math.min(m, x.d), Infinity));
  const atoms: FrameworkAtom[] = [];
  for (const k of kept) {
    const s = structure.sites[k.site];
    const cn = near[k.site].filter(({ j, d }) => d <= CN_FACTOR * Math.max(dmin[k.site], dmin[j])).length;
    let rSum = 0, occSum = 0;
    let major = k.species[0];
    for (const sp of k.species) {
      if (sp.occupancy > major.occupancy) major = sp;
      let r = shannonRadius(sp.element, sp.oxidation, cn);
      if (!r) {
        // Nearest tabulated charge of the same sign, else the element's first entry.
        const table = SHANNON_TABLE[sp.element];
        const charges = table ? Object.keys(table).map(Number) : [];
        const sameSign = charges.filter((c) => Math.sign(c) === Math.sign(sp.oxidation) || sp.oxidation === 0);
        const pool = sameSign.length ? sameSign : charges;
        if (pool.length) {
          const q = pool.sort((a, b) => Math.abs(a - sp.oxidation) - Math.abs(b - sp.oxidation))[0];
          r = shannonRadius(sp.element, q, cn);
          warnOnce(`q:${sp.element}${sp.oxidation}`, `no Shannon radius for ${sp.element}${fmtCharge(sp.oxidation)}: used ${sp.element}${fmtCharge(q)}`);
        } else {
          r = { radius: 1.0, cnUsed: cn };
          warnOnce(`none:${sp.element}`, `no Shannon radius for ${sp.element} at any charge: 1.0 Å assumed`);
        }
      } else if (r.cnUsed !== cn) {
        warnOnce(`cn:${sp.element}${sp.oxidation}:${cn}`, `Shannon lists no CN ${cn} for ${sp.element}${fmtCharge(sp.oxidation)}: radius of CN ${r.cnUsed || 'unspecified'} used (${r!.radius} Å)`);
      }
      rSum += r!.radius * sp.occupancy;
      occSum += sp.occupancy;
    }
    atoms.push({
      site: k.site, frac: s.frac, cart: s.cart, element: major.element, z: atomicNumber(major.element),
      electronegativity: paulingElectronegativity(major.element), oxidation: major.oxidation,
      radius: rSum / occSum, cn,
    });
  }
  return { atoms, mobileSites, warnings };
}

function fmtCharge(q: number): string {
  return q === 0 ? '0' : `${Math.abs(q)}${q > 0 ? '+' : '−'}`;
}
