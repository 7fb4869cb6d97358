/**
 * The energy-source seam: every method that gives the energy of a mobile ion in a framework plugs in here, and the
 * method-independent grid analysis (landscape/: percolation, level map, MPE, FV, Ξ, path) takes its grids unchanged.
 *
 *   grid sources     structure → one energy grid per symmetry-distinct mobile ion (BVSE: one probe grid with all
 *                    mobile ions removed; TensorNet-MatPES: one frozen-framework scan per distinct Li)
 *   barrier models   structure → barriers directly (the GCN on the interstitial network), no grid
 *
 * Both carry a `SourceIdentity` that travels with every number they lead to (report, hint, hover, rank row, cache
 * key, viewer caption): which method, which model file (id + content hash), which parameters, which cell and which
 * variant. Producers are asynchronous (onnxruntime's `session.run` is a Promise), report progress in 0…1 and honour
 * an AbortSignal by rejecting with `CancelledError` (util/errors.ts).
 */
import type { Structure, Vec3 } from '../structure/types';
import type { EnergyGrid } from '../landscape/grid';
import type { WorkHooks } from '../util/work';

/** The methods ionpath knows. 'analytic' is a constructed landscape used by tests to check the pipeline. */
export type MethodId = 'bvse' | 'mlip' | 'gcn' | 'analytic';

export const METHOD_IDS: readonly MethodId[] = ['bvse', 'mlip', 'gcn', 'analytic'];

/** Which cell a source computed on; Ξ of a frozen-framework scan depends on it (SCIENCE.md §6). */
export type CellChoice = 'as-given' | 'primitive-standardized' | 'ordered-approximant';

export interface SourceIdentity {
  method: MethodId;
  /** The short name shown with every number: "BVSE", "TensorNet-MatPES", "GCN-IN". */
  label: string;
  /** Model file, when the method has one: a stable id and the sha256 of the file's bytes. */
  model: { id: string; sha256: string } | null;
  /** Everything that changes the numbers (JSON-safe, stable key order not required: keys are sorted for hashing). */
  parameters: Record<string, unknown>;
  cell: CellChoice;
  /** e.g. "all mobile ions removed" (BVSE), "other Li kept" / "empty framework" (potential scan). */
  variant: string;
}

/** One mobile ion's landscape: the energy of that ion (or of a probe) over the cell's grid. */
export interface IonGrid {
  grid: EnergyGrid;
  /**
   * Fractional position of the ion whose landscape this is, in the cell of `grid` (its own site before it moved);
   * null for a probe in a framework with all mobile ions removed. Per-ion free volumes are placed in the periodic
   * 2×2×2 frame by it (SCIENCE.md §6).
   */
  ionFrac: Vec3 | null;
  /** Site label of that ion, e.g. "Li1"; "probe" for BVSE. */
  label: string;
  /** Number of ions in the cell this grid stands for (its orbit size); 1 for a probe. */
  multiplicity: number;
}

export interface EnergyLandscape {
  identity: SourceIdentity;
  /** The structure the grids belong to (may differ from the input: primitive cell, approximant). */
  structure: Structure;
  grids: IonGrid[];
  /** Method-specific notes a user must see (fallbacks, sanity checks). */
  warnings: string[];
  /** Extra facts for the report (e.g. execution provider, evaluations); JSON-safe. */
  details: Record<string, unknown>;
  timings_ms: Record<string, number>;
}

/** A source of energy grids: BVSE, the potential scan, a test's analytic wells. */
/**
 * What a source needs at definite positions: 'nothing' (it computes partial occupancy as such: BVSE's
 * occupancy-weighted mean field), 'framework' (every site but the mobile ion's, which it removes: the interstitial
 * network), or 'all' (the potential). A structure disordered where it matters is given the lowest-Ewald ordering of an
 * approximant (analysis/pipeline.ts), unless the ensemble is asked for.
 */
export type OrderedInput = 'nothing' | 'framework' | 'all';

export interface GridSource {
  readonly kind: 'grid';
  /** What it needs at definite positions (see OrderedInput). */
  readonly orderedInput: OrderedInput;
  identity(structure: Structure): SourceIdentity;
  produce(structure: Structure, hooks?: WorkHooks): Promise<EnergyLandscape>;
}

export interface PredictedBarriers {
  identity: SourceIdentity;
  structure: Structure;
  /** eV; null where the model predicts none. */
  Ea_1D_eV: number | null;
  Ea_2D_eV: number | null;
  Ea_3D_eV: number | null;
  /** Channel dimensionality of the structure's network, when the model's input gives it. */
  dimensionality: number | null;
  warnings: string[];
  details: Record<string, unknown>;
  timings_ms: Record<string, number>;
}

/** A model that predicts barriers without a grid (the GCN on the interstitial network). */
export interface BarrierModel {
  readonly kind: 'barriers';
  /** What it needs at definite positions (see OrderedInput). */
  readonly orderedInput: OrderedInput;
  identity(structure: Structure): SourceIdentity;
  predict(structure: Structure, hooks?: WorkHooks, inputs?: PredictInputs): Promise<PredictedBarriers>;
}

/** What the pipeline hands a barrier model beside the structure. */
export interface PredictInputs {
  /**
   * `structure` is the lowest-Ewald ordering of this partially occupied CIF, given because the model needs atoms at
   * definite positions; `toCif` maps the ordering's fractional coordinates to the CIF's (one Cartesian frame). A
   * model with BVSE inputs takes them from the CIF's mean field at those points, so that it predicts the number
   * that replaces its preview (Ea(BVSE), the mean field), on the ordering's geometry.
   */
  meanFieldOf?: { structure: Structure; toCif: (frac: Vec3) => Vec3 };
}

export type EnergySource = GridSource | BarrierModel;

/** "Ea(BVSE, 1D)", "Ξ(TensorNet-MatPES, frozen)": the label that goes with a quantity. */
export function quantityLabel(quantity: string, identity: Pick<SourceIdentity, 'label'>, qualifier?: string): string {
  return `${quantity}(${identity.label}${qualifier ? `, ${qualifier}` : ''})`;
}

/** A stable string of an identity for cache keys (sorted keys, so the same identity always hashes the same). */
export function identityKey(identity: SourceIdentity): string {
  return stableStringify(identity);
}

export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}
