/**
 * Ordered Structure → CIF and POSCAR, so that an ordered approximant can be taken to DFT.
 *  - CIF: space group P 1 with the identity as the only operation, `_atom_type_oxidation_number` per species and
 *    oxidation states in `_atom_site_type_symbol` (Li1+, O2-), `_atom_site_fract_*`, occupancy 1. A site with several
 *    species or an occupancy below 1 is refused (write an ordered approximant instead).
 *  - POSCAR (VASP 5): lattice rows in Å (scale 1), element names and counts, Direct coordinates, grouped by element in
 *    order of first appearance.
 */
import type { Structure } from './types';

export class UnorderedStructureError extends Error {}

function assertOrdered(s: Structure): void {
  for (const site of s.sites) {
    if (site.species.length !== 1 || Math.abs(site.species[0].occupancy - 1) > 1e-9) {
      throw new UnorderedStructureError(`site ${site.species[0]?.label ?? '?'} (${site.species.map((x) => `${x.element} ${x.occupancy}`).join(' + ')}) is not fully occupied by one species, which a CIF or POSCAR of whole atoms cannot hold`);
    }
  }
}

const typeSymbol = (element: string, oxidation: number | null): string =>
  oxidation === null ? element : `${element}${Math.abs(oxidation)}${oxidation >= 0 ? '+' : '-'}`;

const fmt = (x: number, digits: number) => x.toFixed(digits);

export function writeCif(s: Structure, name = s.name): string {
  assertOrdered(s);
  const L = s.lattice;
  const lines = [
    `# Written by ionpath: ${s.formula}, ordered, P 1`,
    `data_${name.replace(/\s+/g, '_') || 'structure'}`,
    `_cell_length_a ${fmt(L.a, 6)}`, `_cell_length_b ${fmt(L.b, 6)}`, `_cell_length_c ${fmt(L.c, 6)}`,
    `_cell_angle_alpha ${fmt(L.alpha, 6)}`, `_cell_angle_beta ${fmt(L.beta, 6)}`, `_cell_angle_gamma ${fmt(L.gamma, 6)}`,
    `_cell_volume ${fmt(L.volume, 4)}`,
    `_space_group_name_H-M_alt 'P 1'`, '_space_group_IT_number 1',
    'loop_', '_space_group_symop_operation_xyz', "'x, y, z'",
  ];
  const types = new Map<string, number | null>();
  for (const site of s.sites) types.set(typeSymbol(site.species[0].element, site.species[0].oxidation), site.species[0].oxidation);
  if ([...types.values()].every((o) => o !== null)) {
    lines.push('loop_', '_atom_type_symbol', '_atom_type_oxidation_number');
    for (const [sym, ox] of types) lines.push(`${sym} ${ox}`);
  }
  lines.push('loop_', '_atom_site_label', '_atom_site_type_symbol', '_atom_site_fract_x', '_atom_site_fract_y', '_atom_site_fract_z', '_atom_site_occupancy');
  const counter = new Map<string, number>();
  for (const site of s.sites) {
    const sp = site.species[0];
    const k = (counter.get(sp.element) ?? 0) + 1;
    counter.set(sp.element, k);
    lines.push(`${sp.element}${k} ${typeSymbol(sp.element, sp.oxidation)} ${fmt(site.frac[0], 6)} ${fmt(site.frac[1], 6)} ${fmt(site.frac[2], 6)} 1`);
  }
  return lines.join('\n') + '\n';
}

/**
 * POSCAR: the cell of the structure's lattice matrix in Å. Coordinates are fractional in that cell, so the file
 * describes the same crystal whatever orientation the matrix has.
 */
export function writePoscar(s: Structure, comment = `${s.formula} (ionpath, ordered)`): string {
  assertOrdered(s);
  const order: string[] = [];
  const byElement = new Map<string, typeof s.sites>();
  for (const site of s.sites) {
    const el = site.species[0].element;
    if (!byElement.has(el)) { byElement.set(el, []); order.push(el); }
    byElement.get(el)!.push(site);
  }
  const m = s.lattice.matrix;
  const lines = [comment.replace(/\n/g, ' '), '1.0', ...m.map((r) => r.map((x) => fmt(x, 10).padStart(16)).join(' ')), order.join(' '), order.map((e) => byElement.get(e)!.length).join(' '), 'Direct'];
  for (const el of order) for (const site of byElement.get(el)!) lines.push(site.frac.map((x) => fmt(x, 10)).join(' ') + ` ${el}`);
  return lines.join('\n') + '\n';
}
