/**
 * What a researcher takes away from one analysis, as file contents (pure; the host, the viewer's export menu and
 * `ionpath analyze` all call these, and the callers write the files atomically):
 *
 *  - The ordered structure (an ordered approximant with `disorder: approximants`, else the structure analysed) as CIF
 *    and POSCAR (structure/writers.ts: P 1, occupancy 1, Direct coordinates).
 *  - The migration path as an NEB image chain, as pymatgen-diffusion and CCNB lay it out: one folder per image,
 *    `00` … `NN` (zero-padded, both end points included), each with a POSCAR. The chain is one hop, not the whole
 *    path: the path runs a full lattice period (from the minimum to its own image, through every site between), so
 *    its two ends are one site and an NEB between them would move nothing. The hop (`nebHop`) brackets the path's
 *    highest point k (the saddle that sets Ea) with the nearest points on either side that come near the lowest energy
 *    on that side (within a quarter of the barrier from it), each then followed downhill to its local minimum:
 *    two minima, one saddle between them (a shallow intermediate minimum, such as an empty octahedral site between
 *    two tetrahedral ones, stays inside the hop). N images (default 7) sit at equal arc lengths along the hop,
 *
 *        s_k = s_start + k · L / (N − 1),  k = 0 … N − 1,   L = the hop's length (Å),
 *
 *    with x(s) interpolated linearly between the path's points (fractional coordinates of the cell; linear in
 *    fractional is linear in Cartesian). Image k is the framework — the structure with every mobile ion removed, as
 *    the energy source's probe saw it — plus one mobile ion at x(s_k), wrapped into [0, 1). Its comment line gives s_k
 *    and the profile's energy there, E(s_k), interpolated the same way (eV, method named). A framework with partially
 *    occupied sites cannot be written (export an ordered approximant instead).
 *  - The energy profile as CSV: `point,arc_length_A,energy_eV`, one row per path point, after `#` header lines
 *    naming the method, the unit (eV above the landscape minimum) and the source.
 *  - The report as JSON (schema ionpath.landscape/2), with the structure messages beside it.
 */
import type { Site, Structure, Vec3 } from '../structure/types';
import { latticeFromVectors, vecMat } from '../structure/geometry';
import { UnorderedStructureError, writeCif, writePoscar } from '../structure/writers';
import type { LandscapeReport } from './report';
import { methodLabel, sourceCaption } from './format';
import type { LandscapeAnalysis } from './pipeline';

export const DEFAULT_NEB_IMAGES = 7;
export const MAX_NEB_IMAGES = 99;

/** Why an export cannot be written, in one sentence. */
export class ExportError extends Error {}

/** One file of an export; `name` is relative (a NEB chain: `00/POSCAR` …). */
export interface ExportFile { name: string; content: string }

type ReportPath = NonNullable<LandscapeReport['path']>;

function ordered<T>(f: () => T): T {
  try { return f(); } catch (e) {
    if (e instanceof UnorderedStructureError) throw new ExportError(`${e.message}: analyse with ordered approximants (--disorder approximants, or the setting ionpath.disorder) and export one of its orderings`);
    throw e;
  }
}

export function structureCif(s: Structure): string { return ordered(() => writeCif(s)); }
export function structurePoscar(s: Structure, comment?: string): string { return ordered(() => writePoscar(s, comment)); }

/** The structure without the mobile ion (sites that carried only it are dropped; a dopant sharing its site stays). */
export function frameworkOf(s: Structure, ion: string): Structure {
  const sites: Site[] = [];
  for (const site of s.sites) {
    const species = site.species.filter((sp) => sp.element !== ion);
    if (species.length) sites.push({ ...site, species });
  }
  const composition: Record<string, number> = {};
  for (const site of sites) for (const sp of site.species) composition[sp.element] = (composition[sp.element] ?? 0) + sp.occupancy;
  return { ...s, sites, composition, formula: `${s.formula} without ${ion}` };
}

/** Piecewise-linear interpolation of ys over the increasing xs at x. */
function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  if (x <= xs[0]) return ys[0];
  for (let i = 1; i < xs.length; i++) {
    if (x <= xs[i]) {
      const t = xs[i] === xs[i - 1] ? 0 : (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
      return ys[i - 1] + t * (ys[i] - ys[i - 1]);
    }
  }
  return ys[ys.length - 1];
}

/**
 * How close to the lowest energy on its side of the saddle a hop's end must come: within a quarter of the barrier on
 * that side (a site the grid samples off-centre reads a few hundredths of an eV high: Li2S's octahedral voids read
 * 0 and 0.058 eV at 0.2 Å), and never closer than HOP_END_TOLERANCE_EV.
 */
export const HOP_END_TOLERANCE_EV = 0.02;
const HOP_END_FRACTION = 0.25;

/** The indices [start, end] of the path's points that make one hop over its highest saddle (see the header). */
export function nebHop(energies: readonly number[]): { start: number; end: number; saddle: number } {
  const n = energies.length;
  let saddle = 0;
  for (let i = 1; i < n; i++) if (energies[i] > energies[saddle]) saddle = i;
  const lowest = (from: number, to: number) => { let m = Infinity; for (let i = from; i <= to; i++) m = Math.min(m, energies[i]); return m; };
  const before = lowest(0, saddle), after = lowest(saddle, n - 1);
  const top = energies[saddle];
  const near = (low: number) => low + Math.max(HOP_END_TOLERANCE_EV, HOP_END_FRACTION * (top - low));
  let start = saddle, end = saddle;
  while (start > 0 && energies[start] > near(before)) start--;
  while (end < n - 1 && energies[end] > near(after)) end++;
  // From the basin's rim to its bottom.
  while (start > 0 && energies[start - 1] < energies[start]) start--;
  while (end < n - 1 && energies[end + 1] < energies[end]) end++;
  return { start, end, saddle };
}

/** The N images of one hop of the path: arc length (Å) along the path, fractional position (unwrapped) and energy (eV) at s_k. */
export function nebImagePoints(path: Pick<ReportPath, 'frac' | 'distances_A' | 'energies_eV'>, images = DEFAULT_NEB_IMAGES): { s: number; frac: Vec3; energy: number }[] {
  if (!Number.isInteger(images) || images < 2 || images > MAX_NEB_IMAGES) throw new ExportError(`NEB images ${images} must be an integer from 2 to ${MAX_NEB_IMAGES} (both end points included)`);
  const d = path.distances_A;
  if (path.frac.length < 2 || d.length !== path.frac.length || path.energies_eV.length !== d.length) throw new ExportError('the migration path has fewer than two points: no NEB chain to write');
  const hop = nebHop(path.energies_eV);
  if (hop.end <= hop.start) throw new ExportError('the migration path has no hop between two minima: no NEB chain to write');
  const s0 = d[hop.start], L = d[hop.end] - s0;
  const out: { s: number; frac: Vec3; energy: number }[] = [];
  for (let k = 0; k < images; k++) {
    const s = s0 + (k * L) / (images - 1);
    const frac = [0, 1, 2].map((a) => interpolate(d, path.frac.map((f) => f[a]), s)) as Vec3;
    out.push({ s, frac, energy: interpolate(d, path.energies_eV, s) });
  }
  return out;
}

const wrap = (x: number) => { const w = x - Math.floor(x); return w >= 1 - 1e-12 ? 0 : w; };
const cartOf = (s: Structure, f: Vec3): Vec3 => {
  const m = s.lattice.matrix;
  return [0, 1, 2].map((j) => f[0] * m[0][j] + f[1] * m[1][j] + f[2] * m[2][j]) as Vec3;
};

/**
 * The NEB image chain: `00/POSCAR` … in the framework of `structure` (the structure the path was computed in), the
 * mobile ion at each image. `report` gives the path, the ion and the method for the comment lines.
 */
export function nebChain(structure: Structure, report: LandscapeReport, images = DEFAULT_NEB_IMAGES): ExportFile[] {
  if (!report.path) throw new ExportError(`${methodLabel(report)} gave no migration path (${report.Ea_1D_eV === null ? 'nothing percolates' : 'no grid'}): no NEB chain to write`);
  const ion = report.ion.replace(/[0-9+-]+$/, '');
  const points = nebImagePoints(report.path, images);
  // A hop from a site to its own image one lattice translation t away (LiCoO2's in-plane Li, Li3N along c) moves
  // nothing in one cell: the chain is then written in the supercell diag(|t_i| + 1), where the two ends differ.
  const t = [0, 1, 2].map((a) => points[points.length - 1].frac[a] - points[0].frac[a]);
  const ownImage = t.every((x) => Math.abs(x - Math.round(x)) < 1e-3) && t.some((x) => Math.round(x) !== 0);
  const repeat = (ownImage ? t.map((x) => Math.abs(Math.round(x)) + 1) : [1, 1, 1]) as Vec3;
  const cell = ownImage ? supercellOf(structure, repeat) : structure;
  const framework = frameworkOf(cell, ion);
  const probe = structure.sites.flatMap((s) => s.species).find((sp) => sp.element === ion);
  const charge = Number(report.ion.slice(ion.length).replace(/^(\d*)([+-])$/, (_, n, sign) => `${sign}${n || 1}`)) || 1;
  const width = Math.max(2, String(images - 1).length);
  const inSupercell = ownImage ? ` in the ${repeat.join('×')} supercell (the hop joins a site to its own image one period away)` : '';
  return points.map((p, k) => {
    const frac = p.frac.map((x, a) => wrap(x / repeat[a])) as Vec3;
    const site: Site = {
      frac, cart: cartOf(cell, frac), asymmetricIndex: -1, orbit: -1,
      species: [{ element: ion, oxidation: probe?.oxidation ?? charge, oxidationSource: probe?.oxidationSource ?? 'none', occupancy: 1, label: `${ion}_neb` }],
    };
    const image: Structure = { ...framework, sites: [...framework.sites, site] };
    const comment = `${structure.formula} NEB image ${k}/${images - 1}${inSupercell}: ${ion} at s = ${p.s.toFixed(4)} A, E(${methodLabel(report)}) = ${p.energy.toFixed(4)} eV (ionpath)`;
    return { name: `${String(k).padStart(width, '0')}/POSCAR`, content: structurePoscar(image, comment) };
  });
}

/** The structure repeated n₀ × n₁ × n₂ times (a diagonal supercell; the sites' fractional coordinates rescaled). */
function supercellOf(s: Structure, n: Vec3): Structure {
  const m = s.lattice.matrix.map((row, i) => row.map((x) => x * n[i])) as Structure['lattice']['matrix'];
  const lattice = latticeFromVectors(m);
  const sites: Site[] = [];
  for (let i = 0; i < n[0]; i++) for (let j = 0; j < n[1]; j++) for (let k = 0; k < n[2]; k++) {
    for (const site of s.sites) {
      const frac = [(site.frac[0] + i) / n[0], (site.frac[1] + j) / n[1], (site.frac[2] + k) / n[2]] as Vec3;
      sites.push({ ...site, frac, cart: vecMat(frac, lattice.matrix) });
    }
  }
  const cells = n[0] * n[1] * n[2];
  const composition = Object.fromEntries(Object.entries(s.composition).map(([e, c]) => [e, c * cells]));
  return { ...s, lattice, sites, composition };
}

/** The energy profile along the path as CSV, with `#` header lines naming method, unit and source. */
export function profileCsv(report: LandscapeReport): string {
  const p = report.path;
  if (!p) throw new ExportError(`${methodLabel(report)} gave no migration path: no energy profile to write`);
  const lines = [
    `# ionpath energy profile of ${report.structure.formula}, ${report.ion}`,
    `# method: ${methodLabel(report)}, minimax path along the first percolating channel (ion ${p.ion})`,
    '# unit: arc length in Å; energy in eV above the landscape minimum',
    `# source: ${sourceCaption(report)}`,
    `# barrier: ${p.barrier_eV.toFixed(4)} eV over ${p.distances_A[p.distances_A.length - 1].toFixed(4)} Å`,
    'point,arc_length_A,energy_eV',
  ].map((l) => l.replace(/\n/g, ' '));
  for (let i = 0; i < p.distances_A.length; i++) lines.push(`${i},${p.distances_A[i].toFixed(6)},${p.energies_eV[i].toFixed(6)}`);
  return lines.join('\n') + '\n';
}

/** The report as JSON (what `ionpath analyze --json` prints). */
export function reportJson(report: LandscapeReport, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...extra, ...report }, null, 2) + '\n';
}

/** "2×2×1" for a diagonal supercell matrix, else "N cells (rows …)". */
export function supercellLabel(supercell: readonly (readonly number[])[], cells: number): string {
  const diagonal = supercell.every((row, i) => row.every((x, j) => (i === j ? x > 0 : x === 0)));
  return diagonal ? supercell.map((r, i) => r[i]).join('×') : `${cells} cells (${supercell.map((r) => `[${r.join(' ')}]`).join(' ')})`;
}

/** The ensemble's orderings, lowest Ewald energy first (the order the viewer steps through and `--ordering` counts). */
export function orderingsByEwald(a: LandscapeAnalysis): NonNullable<LandscapeAnalysis['ensemble']> {
  return [...(a.ensemble ?? [])].sort((x, y) => x.ordering.ewald_eV - y.ordering.ewald_eV);
}

/**
 * What an export of `a` is about: the structure (ordering `ordering`, 0-based by Ewald energy, of an ensemble; by
 * default the reported one) and the report whose path and numbers go with it.
 */
export function exportSubject(a: LandscapeAnalysis, ordering?: number): { structure: Structure; report: LandscapeReport; label: string } {
  const members = orderingsByEwald(a);
  if (ordering === undefined || !members.length) {
    if (ordering !== undefined && ordering !== 0) throw new ExportError(`ordering ${ordering + 1} asked for, but this analysis has no ordered-approximant ensemble (use disorder: approximants)`);
    const k = members.findIndex((m) => m.ordering.structure === a.structure);
    return { structure: a.structure, report: a.report, label: k >= 0 ? `ordering ${k + 1} of ${members.length}` : 'structure' };
  }
  if (!Number.isInteger(ordering) || ordering < 0 || ordering >= members.length) throw new ExportError(`ordering ${ordering + 1} does not exist: the ensemble has ${members.length} orderings`);
  const m = members[ordering];
  return { structure: m.ordering.structure, report: m.analysis.report, label: `ordering ${ordering + 1} of ${members.length}` };
}

export type ExportKind = 'structure-cif' | 'structure-poscar' | 'neb' | 'profile-csv' | 'report-json';

/** The files of one export (`neb`: a folder of images; the others: one file named by its extension). */
export function exportFiles(a: LandscapeAnalysis, kind: ExportKind, o: { ordering?: number; images?: number; extra?: Record<string, unknown> } = {}): ExportFile[] {
  const { structure, report, label } = exportSubject(a, o.ordering);
  switch (kind) {
    case 'structure-cif': return [{ name: 'structure.cif', content: structureCif(structure) }];
    case 'structure-poscar': return [{ name: 'POSCAR', content: structurePoscar(structure, `${structure.formula} (ionpath, ${label})`) }];
    case 'neb': return nebChain(structure, report, o.images ?? DEFAULT_NEB_IMAGES);
    case 'profile-csv': return [{ name: 'profile.csv', content: profileCsv(report) }];
    case 'report-json': return [{ name: 'report.json', content: reportJson(a.report, o.extra) }];
  }
}
