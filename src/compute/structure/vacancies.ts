/**
 * Positions that are more likely empty than held, for BVSE's mean field (energy/bvse, wall rule
 * 'vacant-excluded'), and the located warnings that say which ones it opened.
 *
 *   held(i) = Σ_j c_j  over every site j (all lattice images) within SPLIT_POSITION_RADIUS of site i,
 *   c_j = occupancy of site j by framework cations (the mobile element and anions not counted),
 *
 * and site i is mostly empty when 0 < held(i) < threshold (½ in BVSE). Summing over close positions keeps a split-site
 * model of one cation (two positions 0.5 Å apart at 0.4 each: one cation, held 0.8) from counting as vacant.
 * Neighbours are found through fractional bins (structure/neighbours.ts), so a 20,000-site cell costs O(N), not O(N²).
 */
import type { Structure, StructureMessage } from './types';
import { neighbourFinder } from './neighbours';

/** Positions closer than this (Å) count as one position (split-site models of one cation). */
export const SPLIT_POSITION_RADIUS = 1.0;

/** Indices into `structure.sites` of the cation sites held less than `threshold` of the time. */
export function mostlyEmptyCationSites(structure: Structure, ion: string, threshold: number): Set<number> {
  const cationOccupancy = structure.sites.map((site) =>
    site.species.reduce((a, sp) => a + (sp.element !== ion && (sp.oxidation ?? 0) > 0 ? sp.occupancy : 0), 0));
  const out = new Set<number>();
  const candidates = structure.sites.map((_, i) => i).filter((i) => cationOccupancy[i] > 1e-9 && cationOccupancy[i] < threshold - 1e-9);
  if (!candidates.length) return out;
  const finder = neighbourFinder(structure, SPLIT_POSITION_RADIUS, (j) => cationOccupancy[j] > 0);
  for (const i of candidates) {
    let held = 0;
    finder.around(i, (j) => { held += cationOccupancy[j]; });
    if (held < threshold - 1e-9) out.add(i);
  }
  return out;
}

/**
 * Located warnings for the mean field under BVSE's default wall rule 'vacant-excluded': every CIF site whose framework
 * cations hold their position less than `threshold` of the time (structure/vacancies.ts), which BVSE then leaves out
 * of the probe's framework. One message per asymmetric site, at its row. A site the mobile ion shares is left out
 * under that rule anyway, and said so by its own message (approximants.ts sharedMobileSiteMessages): not repeated.
 */
export function mostlyEmptySiteMessages(structure: Structure, ion: string, threshold: number): StructureMessage[] {
  const out: StructureMessage[] = [];
  const seen = new Set<number>();
  for (const i of mostlyEmptyCationSites(structure, ion, threshold)) {
    const site = structure.sites[i];
    if (seen.has(site.asymmetricIndex) || site.species.some((sp) => sp.element === ion && sp.occupancy > 0)) continue;
    seen.add(site.asymmetricIndex);
    const cations = site.species.filter((s) => s.element !== ion && s.occupancy > 0 && (s.oxidation ?? 0) > 0);
    const label = structure.asymmetricSites[site.asymmetricIndex]?.label ?? cations[0]?.label ?? `#${i + 1}`;
    out.push({
      severity: 'warning', code: 'mostly-empty-site',
      message: `site ${label}: ${cations.map((s) => `${s.element} (${Number(s.occupancy.toFixed(3))})`).join(', ')} holds this position less than ${threshold} of the time; in the mean field BVSE leaves it out of the ${ion} probe's framework (a position more likely empty than held is open to the ${ion} ion; counted in the charge scaling). Ordered approximants (--disorder approximants) place whole atoms instead.`,
      at: rowOf(structure, site.asymmetricIndex),
    });
  }
  return out;
}

/** The CIF row of an asymmetric site, for a located message (none for formats without rows). */
function rowOf(structure: Structure, asym: number) {
  const a = structure.asymmetricSites[asym];
  return a && a.line >= 0 ? { line: a.line, column: a.column, length: Math.max(1, a.label.length) } : undefined;
}
