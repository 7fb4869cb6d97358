/**
 * Positions that are more likely empty than held, for BVSE's mean field (energy/bvse, wall rule
 * 'vacant-excluded'), and the located warnings that say which ones it opened.
 *
 *   held(i) = Σ_j c_j  over every site j (all lattice images) within SPLIT_POSITION_RADIUS of site i,
 *   c_j = occupancy of site j by framework cations (the mobile element and anions not counted),
 *
 * and site i is mostly empty when 0 < held(i) < threshold (½ in BVSE). Summing over close positions keeps a split-site
 * model of one cation (two positions 0.5 Å apart at 0.4 each: one cation, held 0.8) from counting as vacant.
 * Neighbours are found through fractional bins at least SPLIT_POSITION_RADIUS thick, so a 20,000-site cell costs
 * O(N), not O(N²).
 */
import type { Structure, StructureMessage, Vec3 } from './types';
import { det3, norm } from './geometry';

const cross = (u: Vec3, v: Vec3): Vec3 => [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];

/** Positions closer than this (Å) count as one position (split-site models of one cation). */
export const SPLIT_POSITION_RADIUS = 1.0;

/** Indices into `structure.sites` of the cation sites held less than `threshold` of the time. */
export function mostlyEmptyCationSites(structure: Structure, ion: string, threshold: number): Set<number> {
  const cationOccupancy = structure.sites.map((site) =>
    site.species.reduce((a, sp) => a + (sp.element !== ion && (sp.oxidation ?? 0) > 0 ? sp.occupancy : 0), 0));
  const out = new Set<number>();
  const candidates = structure.sites.map((_, i) => i).filter((i) => cationOccupancy[i] > 1e-9 && cationOccupancy[i] < threshold - 1e-9);
  if (!candidates.length) return out;
  const m = structure.lattice.matrix;
  const r2 = SPLIT_POSITION_RADIUS * SPLIT_POSITION_RADIUS;
  // Bins along each axis no thinner than the radius (interplanar spacing d_k = V / |a_i × a_j|).
  const volume = Math.abs(det3(m));
  const spacing = [norm(cross(m[1], m[2])), norm(cross(m[2], m[0])), norm(cross(m[0], m[1]))].map((area) => volume / area);
  const bins = spacing.map((d) => Math.max(1, Math.floor(d / SPLIT_POSITION_RADIUS)));
  // Images to try each way after the minimum-image rounding (1 unless a cell is thinner than the radius).
  const images = spacing.map((d) => Math.ceil(SPLIT_POSITION_RADIUS / d + 0.5));
  const binOf = (f: readonly number[]) => f.map((x, k) => Math.min(bins[k] - 1, Math.floor((x - Math.floor(x)) * bins[k])));
  const key = (b: number[]) => (b[0] * bins[1] + b[1]) * bins[2] + b[2];
  const members = new Map<number, number[]>();
  structure.sites.forEach((site, j) => {
    if (!(cationOccupancy[j] > 0)) return;
    const k = key(binOf(site.frac));
    const list = members.get(k);
    if (list) list.push(j); else members.set(k, [j]);
  });
  // The neighbouring bins along an axis: ±1, or every bin when there are fewer than three.
  const around = (b: number, n: number) => (n < 3 ? [...Array(n).keys()] : [b - 1, b, b + 1].map((x) => (x + n) % n));
  for (const i of candidates) {
    const site = structure.sites[i];
    const b = binOf(site.frac);
    let held = 0;
    for (const b0 of around(b[0], bins[0])) for (const b1 of around(b[1], bins[1])) for (const b2 of around(b[2], bins[2])) {
      for (const j of members.get(key([b0, b1, b2])) ?? []) {
        const d = [0, 1, 2].map((k) => { const x = structure.sites[j].frac[k] - site.frac[k]; return x - Math.round(x); });
        // Every image within the radius (a cell thinner than 2 Å can hold two).
        for (let a = -images[0]; a <= images[0]; a++) for (let c1 = -images[1]; c1 <= images[1]; c1++) for (let c2 = -images[2]; c2 <= images[2]; c2++) {
          const f = [d[0] + a, d[1] + c1, d[2] + c2];
          const x = f[0] * m[0][0] + f[1] * m[1][0] + f[2] * m[2][0];
          const y = f[0] * m[0][1] + f[1] * m[1][1] + f[2] * m[2][1];
          const z = f[0] * m[0][2] + f[1] * m[1][2] + f[2] * m[2][2];
          if (x * x + y * y + z * z <= r2) held += cationOccupancy[j];
        }
      }
    }
    if (held < threshold - 1e-9) out.add(i);
  }
  return out;
}

/**
 * Located warnings for the mean field under BVSE's default wall rule 'vacant-excluded': every CIF site whose framework
 * cations hold their position less than `threshold` of the time (structure/vacancies.ts), which BVSE then leaves out
 * of the probe's framework. One message per asymmetric site, at its row.
 */
export function mostlyEmptySiteMessages(structure: Structure, ion: string, threshold: number): StructureMessage[] {
  const out: StructureMessage[] = [];
  const seen = new Set<number>();
  for (const i of mostlyEmptyCationSites(structure, ion, threshold)) {
    const site = structure.sites[i];
    if (seen.has(site.asymmetricIndex)) continue;
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
