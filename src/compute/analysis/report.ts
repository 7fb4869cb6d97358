/** The JSON report of one analysis, shared by host, CLI, ranking and webview. */
import type { Mat3, Structure, Vec3 } from '../structure/types';
import { ELEMENTS } from '../data/bvTables';
import type { BvseMode, BvseParameters } from '../energy/bvse/bvse';
import type { EnergyGrid, GridConvention } from '../landscape/grid';
import type { StencilKind } from '../landscape/stencil';

/** Everything a user or another program needs to interpret one landscape analysis. JSON-safe (no Infinity). */
export interface LandscapeReport {
  schema: 'ionpath.landscape/1';
  /** What produced the energies, e.g. "BVSE (softBV, SPSE convention)". */
  method: string;
  /** Mobile ion, e.g. "Li+1". */
  ion: string;
  mode: BvseMode;
  structure: { name: string; formula: string; cellVolume_A3: number; siteCount: number };
  resolution_A: number | null;
  gridShape: [number, number, number];
  gridConvention: GridConvention | 'explicit';
  stencil: StencilKind;
  /** Absolute BVSE energy of the global minimum (eV); every other energy is relative to it. */
  energyMinimum_eV: number;
  /** Fractional position of the global minimum. */
  minimumFrac: Vec3;
  /** Percolation barriers (eV above the minimum); null = no d-dimensional percolation below maxBarrier_eV. */
  Ea_1D_eV: number | null;
  Ea_2D_eV: number | null;
  Ea_3D_eV: number | null;
  /** Highest barrier searched (eV); Infinity is written as null. */
  maxBarrier_eV: number | null;
  /** Percolation dimensionality reached within maxBarrier_eV (0–3). */
  dimensionality: number;
  /** Lattice translations (cells) along which the first channel percolates. */
  percolationDirections: Vec3[];
  /** Ea_1D of the component holding the global minimum (differs from Ea_1D when the minimum is a trap). */
  minimumComponentEa1D_eV: number | null;
  /** Minimum percolation energy from the level map (SCIENCE.md §6), eV above the minimum. */
  MPE_eV: number | null;
  /** Free volumes at FV_threshold_eV (fractions, averaged over ±0.02, ±0.04 eV). */
  FV_threshold_eV: number;
  FV_connected: number;
  FV_disconnected: number;
  /** Xi of seed 001 from FV_connected and FV_disconnected at 0.5 eV; in [0, 1]. */
  Xi: number;
  path: {
    points_A: Vec3[];
    frac: Vec3[];
    energies_eV: number[];
    distances_A: number[];
    barrier_eV: number;
    translation: Vec3;
    startsAtGlobalMinimum: boolean;
  } | null;
  warnings: string[];
  parameters: BvseParameters;
  timings_ms: { bvse: number; percolation: number; levelMap: number; path: number; total: number };
  units: Record<string, string>;
}

export const REPORT_UNITS: Record<string, string> = {
  energy: 'eV (relative to energyMinimum_eV unless named absolute)',
  length: 'Å',
  FV: 'fraction of grid points (dimensionless)',
  Xi: 'dimensionless, 0–1',
  translation: 'lattice vectors (cells)',
  timings: 'ms',
};
