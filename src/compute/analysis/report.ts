/**
 * The JSON report of one analysis (schema ionpath.landscape/2), shared by host, CLI, ranking and webview.
 * Every number in it is interpreted through `source`: which method, model, parameters, cell and variant made it.
 * JSON-safe: no Infinity or NaN (none is written as null).
 */
import type { Vec3 } from '../structure/types';
import type { SourceIdentity } from '../energy/source';
import type { GridConvention } from '../landscape/grid';
import type { StencilKind } from '../landscape/stencil';

export const REPORT_SCHEMA = 'ionpath.landscape/2';

/** One mobile ion's own numbers (one entry, "probe", for BVSE). */
export interface IonReport {
  label: string;
  multiplicity: number;
  ionFrac: Vec3 | null;
  Ea_1D_eV: number | null;
  Ea_2D_eV: number | null;
  Ea_3D_eV: number | null;
  MPE_eV: number | null;
  /** Absolute energy of this ion's landscape minimum (eV, the source's zero). */
  energyMinimum_eV: number;
}

/**
 * How a partially occupied crystal was treated. 'mean-field': partially occupied framework sites weighted by their
 * occupancy. 'mobile-ion-removed': only the mobile ion's sites are partial, and the method removes the mobile ion, so
 * nothing is averaged. 'approximants': the numbers are those of one rule over an ensemble of ordered supercells
 * (structure/approximants), with the spread over the ensemble.
 */
export interface DisorderReport {
  treatment: 'mean-field' | 'mobile-ion-removed' | 'approximants';
  /** Rows: supercell vectors in CIF-cell units; cells = |det|. */
  supercell?: [Vec3, Vec3, Vec3];
  cells?: number;
  orderings?: number;
  /** Distinct frameworks actually computed (orderings that differ only in where Li sits share one landscape). */
  frameworks?: number;
  /**
   * What gives the reported Ea: 'min', the lowest over the ensemble's orderings (docs/VALIDATION.md says why);
   * 'lowest-ewald', the one ordering of lowest Ewald energy (sources without a mean field, when no ensemble is asked).
   */
  rule?: 'min' | 'lowest-ewald';
  /** [lowest, highest] over the orderings, eV (null: none percolates). */
  range?: { Ea_1D_eV: [number | null, number | null]; Ea_3D_eV: [number | null, number | null] };
  /** Per ordering: its kind, Ewald energy (eV per supercell) and Ea 1D/3D. */
  members?: { kind: string; ewald_eV: number; Ea_1D_eV: number | null; Ea_3D_eV: number | null }[];
}

export interface LandscapeReport {
  schema: typeof REPORT_SCHEMA;
  /** What made the numbers. `description` is the long form, e.g. "BVSE (softBV, SPSE convention)". */
  source: SourceIdentity & { description: string };
  /** Mobile ion, e.g. "Li+1". */
  ion: string;
  structure: { name: string; formula: string; cellVolume_A3: number; siteCount: number };
  /** The grid (null for a barrier model, which has none). */
  resolution_A: number | null;
  gridShape: [number, number, number] | null;
  gridConvention: GridConvention | 'explicit' | 'scan' | null;
  stencil: StencilKind | null;
  /** Absolute energy of the lowest ion minimum (eV); every other energy is relative to its own ion's minimum. */
  energyMinimum_eV: number | null;
  /** Fractional position of the global minimum (of the ion with the lowest barrier). */
  minimumFrac: Vec3 | null;
  /** Percolation barriers (eV above the minimum), lowest over ions; null = none below maxBarrier_eV. */
  Ea_1D_eV: number | null;
  Ea_2D_eV: number | null;
  Ea_3D_eV: number | null;
  /** Highest barrier searched (eV); Infinity is written as null. */
  maxBarrier_eV: number | null;
  /** Percolation dimensionality reached within maxBarrier_eV (0–3): how many of Ea 1D/2D/3D exist. */
  percolationDimensionality: number;
  /** Channel dimensionality: the directions that open within 0.5 eV of Ea 1D (format.ts, CHANNEL_WINDOW_EV). */
  channelDimensionality: number;
  /** Lattice translations (cells) spanning the channels at the channel dimensionality; the first is Ea 1D's direction. */
  percolationDirections: Vec3[];
  /** Ea_1D of the component holding the global minimum (differs from Ea_1D when the minimum is a trap). */
  minimumComponentEa1D_eV: number | null;
  /** Minimum percolation energy (SCIENCE.md §6), lowest over ions, eV above that ion's minimum. */
  MPE_eV: number | null;
  /** Free volumes at FV_threshold_eV (fractions of grid points, averaged over ±0.02, ±0.04 eV), united over ions. */
  FV_threshold_eV: number | null;
  FV_connected: number | null;
  FV_disconnected: number | null;
  /** Ξ of seed 001 from the united FV_connected and FV_disconnected at 0.5 eV; in [0, 1]. */
  Xi: number | null;
  /** Per mobile ion (one "probe" entry for BVSE). */
  ions: IonReport[];
  /** Partial occupancy: mean field, or the ordered-approximant ensemble these numbers come from. */
  disorder: DisorderReport | null;
  /**
   * CIF site labels whose bond-valence sum is off its valence by more than ×2 (structure/bondValence.ts); absent
   * when none. The numbers are computed as given; this says that the geometry may not be the material's.
   */
  implausibleGeometry?: string[];
  path: {
    points_A: Vec3[];
    frac: Vec3[];
    energies_eV: number[];
    distances_A: number[];
    barrier_eV: number;
    translation: Vec3;
    startsAtGlobalMinimum: boolean;
    /** Which ion's landscape the path runs in. */
    ion: string;
  } | null;
  warnings: string[];
  /** Method-specific facts (framework species and radii for BVSE; execution provider, evaluations for a scan). */
  details: Record<string, unknown>;
  timings_ms: Record<string, number> & { total: number };
  units: Record<string, string>;
}

export const REPORT_UNITS: Record<string, string> = {
  energy: 'eV (relative to the ion landscape minimum unless named absolute)',
  length: 'Å',
  FV: 'fraction of grid points (dimensionless)',
  Xi: 'dimensionless, 0–1',
  translation: 'lattice vectors (cells)',
  timings: 'ms',
};
