/** Hand-built structures and synthetic grids for the landscape tests (no CIF parsing involved). */
import type { Mat3, Site, Structure, Vec3 } from '../../src/compute/structure/types';
import { inverse3, latticeMatrix, vecMat, det3 } from '../../src/compute/structure/geometry';
import { makeGrid, type EnergyGrid } from '../../src/compute/landscape/grid';

export interface SiteSpec {
  element: string;
  oxidation: number | null;
  frac: Vec3;
  occupancy?: number;
  label?: string;
  /** Extra species sharing the site. */
  with?: { element: string; oxidation: number | null; occupancy: number }[];
}

export function makeStructure(cell: [number, number, number, number, number, number], sites: SiteSpec[], name = 'test'): Structure {
  const matrix = latticeMatrix(...cell);
  const built: Site[] = sites.map((s, i) => {
    const label = s.label ?? `${s.element}${i}`;
    const species = [
      { element: s.element, oxidation: s.oxidation, oxidationSource: 'cif' as const, occupancy: s.occupancy ?? 1, label },
      ...(s.with ?? []).map((w) => ({ element: w.element, oxidation: w.oxidation, oxidationSource: 'cif' as const, occupancy: w.occupancy, label })),
    ];
    const frac = s.frac.map((x) => x - Math.floor(x)) as Vec3;
    return { frac, cart: vecMat(frac, matrix), species, asymmetricIndex: i, orbit: i };
  });
  const composition: Record<string, number> = {};
  for (const site of built) for (const sp of site.species) composition[sp.element] = (composition[sp.element] ?? 0) + sp.occupancy;
  return {
    name,
    lattice: { a: cell[0], b: cell[1], c: cell[2], alpha: cell[3], beta: cell[4], gamma: cell[5], matrix, inverse: inverse3(matrix), volume: Math.abs(det3(matrix)) },
    spaceGroup: { symbol: null, number: null, operationsSource: 'none', operationCount: 1 },
    asymmetricSites: built.map((s, i) => ({ label: s.species[0].label, frac: s.frac, species: s.species, multiplicity: 1, line: 10 + i, column: 0 })),
    sites: built,
    composition,
    formula: Object.entries(composition).map(([e, n]) => `${e}${n === 1 ? '' : n}`).join(''),
    oxidationSource: 'cif',
    hasPartialOccupancy: built.some((s) => s.species.some((sp) => sp.occupancy < 1)),
    messages: [],
  };
}

/** Cubic perovskite LiNbO3-type cell (Li on A, Nb on B): has anions, framework cations and a Li sublattice. */
export function perovskite(a = 3.9): Structure {
  return makeStructure([a, a, a, 90, 90, 90], [
    { element: 'Li', oxidation: 1, frac: [0, 0, 0] },
    { element: 'Nb', oxidation: 5, frac: [0.5, 0.5, 0.5] },
    { element: 'O', oxidation: -2, frac: [0.5, 0.5, 0], label: 'O1' },
    { element: 'O', oxidation: -2, frac: [0.5, 0, 0.5], label: 'O2' },
    { element: 'O', oxidation: -2, frac: [0, 0.5, 0.5], label: 'O3' },
  ], 'LiNbO3-perovskite');
}

/** Rock-salt LiF-type cell with a Mg2+ on half the cation sites (mixed site with occupancies). */
export function dopedRockSalt(a = 4.03): Structure {
  const li: Vec3[] = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
  const f: Vec3[] = [[0.5, 0, 0], [0, 0.5, 0], [0, 0, 0.5], [0.5, 0.5, 0.5]];
  return makeStructure([a, a, a, 90, 90, 90], [
    ...li.map((frac, i) => ({ element: 'Li', oxidation: 1, frac, occupancy: 0.75, label: `Li${i}`, with: [{ element: 'Mg', oxidation: 2, occupancy: 0.125 }] })),
    ...f.map((frac, i) => ({ element: 'F', oxidation: -1, frac, label: `F${i}` })),
  ], 'LiF-Mg');
}

/** Cubic A-deficient perovskite (La 0.3 on the A site, no Li in the cell, as in La-rich LLTO CIFs that list no Li). */
export function vacantPerovskite(a = 3.88): Structure {
  return makeStructure([a, a, a, 90, 90, 90], [
    { element: 'La', oxidation: 3, frac: [0, 0, 0], occupancy: 0.3, label: 'La1' },
    { element: 'Ti', oxidation: 4, frac: [0.5, 0.5, 0.5] },
    { element: 'O', oxidation: -2, frac: [0.5, 0.5, 0], label: 'O1' },
    { element: 'O', oxidation: -2, frac: [0.5, 0, 0.5], label: 'O2' },
    { element: 'O', oxidation: -2, frac: [0, 0.5, 0.5], label: 'O3' },
  ], 'La0.3TiO3');
}

export const cubicLattice = (a: number): Mat3 => latticeMatrix(a, a, a, 90, 90, 90);

/** Grid from a function of voxel coordinates. */
export function gridFrom(shape: [number, number, number], f: (i0: number, i1: number, i2: number) => number, lattice: Mat3 = cubicLattice(shape[0])): EnergyGrid {
  const data = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (let i0 = 0; i0 < shape[0]; i0++)
    for (let i1 = 0; i1 < shape[1]; i1++)
      for (let i2 = 0; i2 < shape[2]; i2++) data[(i0 * shape[1] + i1) * shape[2] + i2] = f(i0, i1, i2);
  return makeGrid(shape, data, lattice, 'synthetic');
}
