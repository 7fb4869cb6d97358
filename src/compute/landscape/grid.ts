/**
 * Periodic energy grids over a unit cell: the shared currency of the BVSE landscape, percolation analysis,
 * level maps, migration paths and file export.
 */
import type { Mat3, Vec3 } from '../structure/types';
import { LandscapeError } from '../util/errors';

/**
 * A scalar field sampled on a periodic grid over the unit cell.
 * Voxel (i0, i1, i2) sits at fractional position (i0/n0, i1/n1, i2/n2) — no endpoint duplicate: the point
 * at fraction 1 is the point at 0 of the next cell. Index = (i0·n1 + i1)·n2 + i2 (last index fastest).
 */
export interface EnergyGrid {
  shape: [number, number, number];
  data: Float32Array;
  /** Rows are a, b, c in Cartesian Å (the structure's lattice matrix). */
  lattice: Mat3;
  unit: 'eV';
  /** What produced the values, e.g. "BVSE (softBV, SPSE convention)". Always shown with results. */
  source: string;
  /** Smallest value in `data` (eV); barriers are measured from it. */
  min: number;
}

/**
 * How the number of points per axis follows from the resolution:
 * - 'periodic' (default): N_i = max(1, round(|a_i| / resolution)), points k/N_i, k = 0…N_i−1. Rounding (not
 *   truncation) makes the actual spacing |a_i|/N_i the closest achievable to the requested one on every axis.
 * - 'bvlain': BVlain samples `linspace(0, 1, int(|a_i| // resolution))` with both endpoints; its last point repeats
 *   the first, so its distinct points are exactly k/M_i with M_i = int(|a_i| // resolution) − 1. Using that M_i on a
 *   periodic grid reproduces BVlain's sample positions (and, with the 26-neighbour stencil, its connectivity), which
 *   is what a like-for-like comparison needs. `//` is Python's float floor division (4.0 // 0.2 == 19).
 */
export type GridConvention = 'periodic' | 'bvlain';

/** Grids above this many points are refused: they would need > ~1 GB for percolation bookkeeping. */
export const MAX_GRID_POINTS = 2e7;

export function latticeLengths(lattice: Mat3): Vec3 {
  return [Math.hypot(...lattice[0]), Math.hypot(...lattice[1]), Math.hypot(...lattice[2])];
}

/** CPython's float floor division for positive operands (fmod-based; 4.0 // 0.2 === 19). */
export function pythonFloorDiv(a: number, b: number): number {
  const mod = a % b;
  const div = (a - mod) / b;
  let floor = Math.floor(div);
  if (div - floor > 0.5) floor += 1;
  return floor;
}

/** Points per axis for a resolution (Å) under a grid convention. Throws on invalid input or oversized grids. */
export function gridShapeFor(
  lattice: Mat3,
  resolution: number,
  convention: GridConvention = 'periodic',
  maxPoints = MAX_GRID_POINTS,
): [number, number, number] {
  if (!(resolution > 0) || !Number.isFinite(resolution)) {
    throw new LandscapeError('bad-option', `Grid resolution must be a positive number of Å, got ${resolution}.`);
  }
  const lengths = latticeLengths(lattice);
  const shape = lengths.map((len) =>
    convention === 'bvlain' ? Math.max(1, pythonFloorDiv(len, resolution) - 1) : Math.max(1, Math.round(len / resolution)),
  ) as [number, number, number];
  checkGridSize(shape, resolution, maxPoints);
  return shape;
}

/**
 * The coarsest grid spacing (Å) at which barriers are converged: on the four examples (LiFePO4, LLZO, Li3N, LGPS)
 * Ea 1D moves by at most 0.03 eV from 0.1 to 0.3 Å, and by up to 0.1 eV at 0.4 Å, 0.36 eV at 1 Å (docs/VALIDATION.md,
 * "Grid resolution"). Coarser grids are computed, with a warning.
 */
export const CONVERGED_RESOLUTION_A = 0.3;

/** The warning for a grid coarser than CONVERGED_RESOLUTION_A, or null. */
export function coarseGridWarning(resolution: number | null | undefined): string | null {
  if (!(typeof resolution === 'number' && resolution > CONVERGED_RESOLUTION_A + 1e-9)) return null;
  return `The grid spacing ${resolution} Å is coarser than ${CONVERGED_RESOLUTION_A} Å, where barriers are converged: bottlenecks are not resolved, and on the examples Ea moved by up to 0.1 eV at 0.4 Å and 0.36 eV at 1 Å (LiFePO4 Ea 1D: 0.38 eV at 0.1 Å, 0.47 eV at 0.4 Å, 0.74 eV at 1 Å; docs/VALIDATION.md). The default is 0.2 Å.`;
}

export function checkGridSize(shape: readonly number[], resolution: number | undefined, maxPoints = MAX_GRID_POINTS): void {
  const total = shape[0] * shape[1] * shape[2];
  if (total > maxPoints) {
    const factor = Math.cbrt(total / maxPoints);
    const needed = resolution ? resolution * factor * 1.01 : null;
    // A resolution coarse enough to fit but too coarse to trust is no advice: the cell is too large for a grid.
    const hint = needed === null ? ''
      : needed <= CONVERGED_RESOLUTION_A ? ` Use a resolution of at least ${needed.toFixed(2)} Å.`
      : ` It would fit at ${needed.toFixed(2)} Å, coarser than the ${CONVERGED_RESOLUTION_A} Å at which barriers are converged: analyse a smaller cell (the primitive cell, or the structure without its supercell).`;
    throw new LandscapeError(
      'grid-too-large',
      `The energy grid would have ${shape.join('×')} = ${total.toExponential(2)} points, more than the limit of ${maxPoints.toExponential(0)}.${hint}`,
    );
  }
}

export function gridSize(grid: { shape: readonly number[] }): number {
  return grid.shape[0] * grid.shape[1] * grid.shape[2];
}

export function voxelIndex(shape: readonly number[], i0: number, i1: number, i2: number): number {
  return (i0 * shape[1] + i1) * shape[2] + i2;
}

/** (i0, i1, i2) of a voxel index. */
export function voxelCoords(shape: readonly number[], index: number): Vec3 {
  const i2 = index % shape[2];
  const rest = (index - i2) / shape[2];
  const i1 = rest % shape[1];
  return [(rest - i1) / shape[1], i1, i2];
}

export function voxelFrac(shape: readonly number[], index: number): Vec3 {
  const [i0, i1, i2] = voxelCoords(shape, index);
  return [i0 / shape[0], i1 / shape[1], i2 / shape[2]];
}

/** Smallest value and the first index holding it. */
export function gridMinimum(data: Float32Array): { value: number; index: number } {
  let value = Infinity;
  let index = -1;
  for (let i = 0; i < data.length; i++) {
    if (data[i] < value) {
      value = data[i];
      index = i;
    }
  }
  return { value, index };
}

/** Build an EnergyGrid around existing values (computes `min`); shape and data length must agree. */
export function makeGrid(shape: [number, number, number], data: Float32Array, lattice: Mat3, source: string): EnergyGrid {
  if (shape.some((n) => !Number.isInteger(n) || n < 1) || data.length !== shape[0] * shape[1] * shape[2]) {
    throw new LandscapeError('bad-grid', `Grid shape ${shape.join('×')} does not match ${data.length} values.`);
  }
  for (let i = 0; i < data.length; i++) {
    if (Number.isNaN(data[i])) throw new LandscapeError('bad-grid', `Grid value ${i} is NaN.`);
  }
  return { shape, data, lattice, unit: 'eV', source, min: gridMinimum(data).value };
}
