/** Volumetric file output of energy grids: Gaussian cube and VESTA grd (method-independent). */
import type { Mat3, Structure, Vec3 } from '../structure/types';
import { ELEMENTS } from '../data/bvTables';
import type { EnergyGrid } from './grid';

export const BOHR_IN_ANGSTROM = 0.529177210903;

function latticeParameters(m: Mat3): [number, number, number, number, number, number] {
  const len = m.map((v) => Math.hypot(...v));
  const angle = (u: Vec3, v: Vec3, lu: number, lv: number) =>
    (Math.acos(Math.max(-1, Math.min(1, (u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (lu * lv)))) * 180) / Math.PI;
  return [len[0], len[1], len[2], angle(m[1], m[2], len[1], len[2]), angle(m[0], m[2], len[0], len[2]), angle(m[0], m[1], len[0], len[1])];
}

/** Fortran-style E13.5 (e.g. " -1.23450E+00"), the cube convention. */
function fortranE(x: number): string {
  const s = x.toExponential(5).toUpperCase();
  const [mant, exp] = s.split('E');
  const sign = exp[0] === '-' ? '-' : '+';
  const digits = exp.replace(/^[+-]/, '').padStart(2, '0');
  return `${mant}E${sign}${digits}`.padStart(13);
}

const fixed = (x: number, width: number, digits: number) => x.toFixed(digits).padStart(width);

export interface VolumetricOptions {
  /** First line of the file; default the structure name or "ionpath landscape". */
  title?: string;
  /** Write E − Emin (default) or the absolute energies. */
  relativeToMinimum?: boolean;
}

/**
 * Gaussian cube file: lengths in Bohr (the format's convention for positive voxel counts), atoms from the structure
 * (one per site: its majority species; partially occupied sites are written as whole atoms, as cube has no
 * occupancy), values in eV (stated in the comment line), last index fastest — the cube order, identical to
 * EnergyGrid's.
 */
export function writeCube(grid: EnergyGrid, structure?: Pick<Structure, 'name' | 'sites'>, options: VolumetricOptions = {}): string {
  const relative = options.relativeToMinimum ?? true;
  const shift = relative ? grid.min : 0;
  const [n0, n1, n2] = grid.shape;
  const bohr = (x: number) => x / BOHR_IN_ANGSTROM;
  const lines: string[] = [];
  lines.push((options.title ?? structure?.name ?? 'ionpath landscape').replace(/[\r\n]+/g, ' '));
  lines.push(
    `${grid.source}; values in eV${relative ? ` relative to the minimum ${grid.min.toFixed(4)} eV` : ' (absolute)'}; written by ionpath`,
  );
  const atoms = (structure?.sites ?? []).map((site) => {
    const major = [...site.species].sort((a, b) => b.occupancy - a.occupancy)[0];
    return { z: ELEMENTS.get(major?.element ?? '')?.Z ?? 0, cart: site.cart };
  });
  lines.push(`${String(atoms.length).padStart(5)}${fixed(0, 12, 6)}${fixed(0, 12, 6)}${fixed(0, 12, 6)}`);
  for (let i = 0; i < 3; i++) {
    const v = grid.lattice[i].map((x) => bohr(x / grid.shape[i]));
    lines.push(`${String(grid.shape[i]).padStart(5)}${fixed(v[0], 12, 6)}${fixed(v[1], 12, 6)}${fixed(v[2], 12, 6)}`);
  }
  for (const a of atoms) {
    lines.push(`${String(a.z).padStart(5)}${fixed(a.z, 12, 6)}${fixed(bohr(a.cart[0]), 12, 6)}${fixed(bohr(a.cart[1]), 12, 6)}${fixed(bohr(a.cart[2]), 12, 6)}`);
  }
  const row: string[] = [];
  for (let i0 = 0; i0 < n0; i0++)
    for (let i1 = 0; i1 < n1; i1++) {
      const base = (i0 * n1 + i1) * n2;
      for (let i2 = 0; i2 < n2; i2++) {
        row.push(fortranE(grid.data[base + i2] - shift));
        if (row.length === 6 || i2 === n2 - 1) {
          lines.push(row.join(''));
          row.length = 0;
        }
      }
    }
  return lines.join('\n') + '\n';
}

export interface CubeHeader {
  title: string;
  comment: string;
  origin: Vec3;
  shape: [number, number, number];
  /** Voxel step vectors in Å (converted from Bohr, or as given when the count is negative). */
  steps: [Vec3, Vec3, Vec3];
  atoms: { z: number; charge: number; position: Vec3 }[];
  /** Values following the header (parsed). */
  values: Float64Array;
}

/** Parse a cube file (used by tests and for re-import). */
export function parseCube(text: string): CubeHeader {
  const lines = text.split(/\r?\n/);
  const nums = (line: string) => line.trim().split(/\s+/).map(Number);
  const [natomsRaw, ...originRaw] = nums(lines[2]);
  const natoms = Math.abs(natomsRaw);
  const shape = [0, 0, 0] as [number, number, number];
  const steps = [] as unknown as [Vec3, Vec3, Vec3];
  for (let i = 0; i < 3; i++) {
    const [count, x, y, z] = nums(lines[3 + i]);
    const scale = count > 0 ? BOHR_IN_ANGSTROM : 1;
    shape[i] = Math.abs(count);
    steps[i] = [x * scale, y * scale, z * scale];
  }
  // Origin and atom positions share the unit of the first axis line (Bohr when its count is positive).
  const originScale = nums(lines[3])[0] > 0 ? BOHR_IN_ANGSTROM : 1;
  const atoms = lines.slice(6, 6 + natoms).map((l) => {
    const [z, charge, x, y, w] = nums(l);
    return { z, charge, position: [x * originScale, y * originScale, w * originScale] as Vec3 };
  });
  const values = Float64Array.from(
    lines
      .slice(6 + natoms)
      .join(' ')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number),
  );
  return {
    title: lines[0],
    comment: lines[1],
    origin: originRaw.map((x) => x * originScale) as Vec3,
    shape,
    steps,
    atoms,
    values,
  };
}

/**
 * VESTA text grid (.grd): line 1 title, line 2 "a b c alpha beta gamma" (Å, degrees), line 3 the numbers of points
 * "n0 n1 n2", then one value per line with the LAST index fastest (for i0, for i1, for i2), the order in which
 * BVlain and CCNB, the BVSE tools whose .grd files researchers open in VESTA today, write theirs; so a file from
 * ionpath and one from BVlain for the same grid list their values in the same order. The grid is periodic (no
 * repeated endpoint), so the counts are the EnergyGrid's own. (CCNB also repeats the endpoint.)
 */
export function writeGrd(grid: EnergyGrid, options: VolumetricOptions = {}): string {
  const relative = options.relativeToMinimum ?? true;
  const shift = relative ? grid.min : 0;
  const [n0, n1, n2] = grid.shape;
  const cell = latticeParameters(grid.lattice);
  const out: string[] = [];
  out.push(`${(options.title ?? 'ionpath landscape').replace(/[\r\n]+/g, ' ')} | ${grid.source} | eV${relative ? ' above minimum' : ''}`);
  out.push(cell.map((x, i) => x.toFixed(i < 3 ? 6 : 4)).join(' '));
  out.push(`${n0} ${n1} ${n2}`);
  // EnergyGrid storage is already (i0, i1, i2) with i2 fastest.
  for (let i = 0; i < n0 * n1 * n2; i++) out.push((grid.data[i] - shift).toPrecision(7));
  return out.join('\n') + '\n';
}

export interface GrdHeader {
  title: string;
  cell: [number, number, number, number, number, number];
  shape: [number, number, number];
  /** Values in file order (last index fastest). */
  values: Float64Array;
}

export function parseGrd(text: string): GrdHeader {
  const lines = text.split(/\r?\n/);
  const cell = lines[1].trim().split(/\s+/).map(Number) as GrdHeader['cell'];
  const shape = lines[2].trim().split(/\s+/).map(Number) as GrdHeader['shape'];
  const values = Float64Array.from(lines.slice(3).join(' ').trim().split(/\s+/).filter(Boolean).map(Number));
  return { title: lines[0], cell, shape, values };
}

/** Value of grid voxel (i0, i1, i2) in a parsed .grd (last index fastest). */
export function grdValue(grd: GrdHeader, i0: number, i1: number, i2: number): number {
  const [, n1, n2] = grd.shape;
  return grd.values[(i0 * n1 + i1) * n2 + i2];
}
