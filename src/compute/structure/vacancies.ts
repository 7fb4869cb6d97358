/**
 * Positions that are more likely empty than held, for BVSE's mean field (energy/bvse, wall rule 'vacant-excluded').
 *
 *   held(i) = Σ_j c_j  over every site j (all lattice images) within SPLIT_POSITION_RADIUS of site i,
 *   c_j = occupancy of site j by framework cations (the mobile element and anions not counted),
 *
 * and site i is mostly empty when 0 < held(i) < threshold (½ in BVSE). Summing over close positions keeps a split-site
 * model of one cation (two positions 0.5 Å apart at 0.4 each: one cation, held 0.8) from counting as vacant.
 */
import type { Structure } from './types';

/** Positions closer than this (Å) count as one position (split-site models of one cation). */
export const SPLIT_POSITION_RADIUS = 1.0;

/** Indices into `structure.sites` of the cation sites held less than `threshold` of the time. */
export function mostlyEmptyCationSites(structure: Structure, ion: string, threshold: number): Set<number> {
  const cationOccupancy = structure.sites.map((site) =>
    site.species.reduce((a, sp) => a + (sp.element !== ion && (sp.oxidation ?? 0) > 0 ? sp.occupancy : 0), 0));
  const m = structure.lattice.matrix;
  const r2 = SPLIT_POSITION_RADIUS * SPLIT_POSITION_RADIUS;
  const out = new Set<number>();
  structure.sites.forEach((site, i) => {
    if (!(cationOccupancy[i] > 1e-9 && cationOccupancy[i] < threshold - 1e-9)) return;
    let held = 0;
    structure.sites.forEach((other, j) => {
      if (!(cationOccupancy[j] > 0)) return;
      const d = [0, 1, 2].map((k) => { const x = other.frac[k] - site.frac[k]; return x - Math.round(x); });
      for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let c = -1; c <= 1; c++) {
        const f = [d[0] + a, d[1] + b, d[2] + c];
        const x = f[0] * m[0][0] + f[1] * m[1][0] + f[2] * m[2][0];
        const y = f[0] * m[0][1] + f[1] * m[1][1] + f[2] * m[2][1];
        const z = f[0] * m[0][2] + f[1] * m[1][2] + f[2] * m[2][2];
        if (x * x + y * y + z * z <= r2) held += cationOccupancy[j];
      }
    });
    if (held < threshold - 1e-9) out.add(i);
  });
  return out;
}
