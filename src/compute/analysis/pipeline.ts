/**
 * One entry point for host and CLI: BVSE landscape → percolation barriers → level map / MPE / FV / Xi → migration
 * path → report.
 */
import type { Structure } from '../structure/types';
import { signed } from '../data/bvTables';
import { bvseWork, type BvseOptions } from '../energy/bvse/bvse';
import { type EnergyGrid, voxelFrac } from '../landscape/grid';
import { landscapeDescriptors, XI_THRESHOLD } from '../landscape/levelmap';
import { percolationPath, type MigrationPath } from '../landscape/path';
import { percolationWork, type PercolationResult } from '../landscape/percolation';
import { REPORT_UNITS, type LandscapeReport } from './report';
import { buildStencil, type StencilKind } from '../landscape/stencil';
import { runAsync, runSync, type Work, type WorkHooks } from '../util/work';

export interface AnalyzeOptions extends BvseOptions {
  /** Neighbour stencil for percolation, level map and path; default 'sqrt3' ('index26' in 'bvlain' mode). */
  stencil?: StencilKind;
  /** Barriers above this (eV) are reported as none; default Infinity (BVlain uses 5). */
  maxBarrier?: number;
  /** Threshold of the reported free volumes (eV); Xi always uses 0.5 eV. Default 0.5. */
  fvThreshold?: number;
  /** Compute the migration path (default true). */
  path?: boolean;
  /** Flood the whole unit-cell level map (for display) instead of stopping past the FV thresholds. */
  fullLevelMap?: boolean;
}

export interface LandscapeAnalysis {
  /** The structure analysed (with any caller-given oxidation states), so views and exports need not rebuild it. */
  structure: Structure;
  report: LandscapeReport;
  grid: EnergyGrid;
  percolation: PercolationResult;
  /** Unit-cell minimax level map from the minimum (eV above it; grid layout). Complete with `fullLevelMap`. */
  levelMap: Float32Array;
  path: MigrationPath | null;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Re-scale a stage's progress into [from, to] of the whole analysis. */
function* stage<T>(work: Work<T>, from: number, to: number): Work<T> {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    yield from + (to - from) * step.value;
  }
}

export function* analysisWork(structure: Structure, options: AnalyzeOptions = {}): Work<LandscapeAnalysis> {
  const t0 = performance.now();
  const bvse = yield* stage(bvseWork(structure, options), 0, 0.85);
  const t1 = performance.now();
  const grid = bvse.grid;
  const mode = bvse.parameters.mode;
  const stencilKind: StencilKind = options.stencil ?? (mode === 'bvlain' ? 'index26' : 'sqrt3');
  const stencil = buildStencil(grid.lattice, grid.shape, stencilKind);
  const percolation = yield* stage(percolationWork(grid, { stencil, maxBarrier: options.maxBarrier }), 0.85, 0.95);
  const t2 = performance.now();
  const fvThreshold = options.fvThreshold ?? XI_THRESHOLD;
  const knownMpe = percolation.minimumComponentEa1D;
  const descriptors = landscapeDescriptors(grid, { stencil, threshold: fvThreshold, fullLevelMap: options.fullLevelMap, knownMpe });
  // Xi is defined at 0.5 eV; recompute only if the reported FV threshold differs.
  const xi =
    fvThreshold === XI_THRESHOLD ? descriptors.xi : landscapeDescriptors(grid, { stencil, threshold: XI_THRESHOLD, knownMpe }).xi;
  yield 0.97;
  const t3 = performance.now();
  const path = options.path === false ? null : percolationPath(grid, percolation, { stencil });
  const t4 = performance.now();

  const warnings = [...bvse.warnings];
  const ion = options.ion ?? 'Li';
  if (!structure.sites.some((s) => s.species.some((sp) => sp.element === ion))) {
    warnings.push(`The structure contains no ${ion}; this is the landscape of a ${ion} probe in the given framework.`);
  }
  if (structure.oxidationSource === 'guessed' || structure.oxidationSource === 'mixed') {
    warnings.push(`Oxidation states were ${structure.oxidationSource === 'guessed' ? 'guessed' : 'partly guessed'} by charge balance; barriers depend on them.`);
  }
  const [ea1] = percolation.barriers;
  if (Number.isFinite(ea1) && percolation.minimumComponentEa1D > ea1 + 1e-6) {
    warnings.push(
      `The global energy minimum is an isolated pocket: it joins a percolating channel only at ` +
        `${finiteOrNull(percolation.minimumComponentEa1D)?.toFixed(3) ?? 'no level'} eV, above Ea_1D = ${ea1.toFixed(3)} eV. ` +
        `MPE is measured from the minimum; the path starts at the lowest point of the first channel.`,
    );
  }
  if (mode === 'bvlain') warnings.push('Comparison mode: BVlain 0.24 conventions (covalent radii, no charge scaling, no hard wall, k = 100 nearest).');

  const dimensionality = percolation.barriers.filter((b) => Number.isFinite(b)).length;
  const report: LandscapeReport = {
    schema: 'ionpath.landscape/1',
    method: grid.source,
    ion: `${ion}${signed(options.ionCharge ?? 1)}`,
    mode,
    structure: {
      name: structure.name,
      formula: structure.formula,
      cellVolume_A3: structure.lattice.volume,
      siteCount: structure.sites.length,
    },
    resolution_A: bvse.parameters.resolution,
    gridShape: grid.shape,
    gridConvention: bvse.parameters.gridConvention,
    stencil: stencilKind,
    energyMinimum_eV: grid.min,
    minimumFrac: voxelFrac(grid.shape, percolation.globalMinimum.index),
    Ea_1D_eV: finiteOrNull(percolation.barriers[0]),
    Ea_2D_eV: finiteOrNull(percolation.barriers[1]),
    Ea_3D_eV: finiteOrNull(percolation.barriers[2]),
    maxBarrier_eV: finiteOrNull(options.maxBarrier ?? Infinity),
    dimensionality,
    percolationDirections: percolation.directions[Math.max(0, dimensionality - 1)] ?? [],
    minimumComponentEa1D_eV: finiteOrNull(percolation.minimumComponentEa1D),
    MPE_eV: finiteOrNull(descriptors.mpe),
    FV_threshold_eV: fvThreshold,
    FV_connected: descriptors.freeVolume.connected,
    FV_disconnected: descriptors.freeVolume.disconnected,
    Xi: xi,
    path: path && {
      points_A: path.points,
      frac: path.frac,
      energies_eV: path.energies,
      distances_A: path.distances,
      barrier_eV: path.barrier,
      translation: path.translation,
      startsAtGlobalMinimum: path.startsAtGlobalMinimum,
    },
    warnings,
    parameters: bvse.parameters,
    timings_ms: { bvse: t1 - t0, percolation: t2 - t1, levelMap: t3 - t2, path: t4 - t3, total: t4 - t0 },
    units: REPORT_UNITS,
  };
  return { structure, report, grid, percolation, levelMap: descriptors.cellLevels, path };
}

/**
 * Analyse a structure's landscape without blocking the event loop for more than a slice at a time, so a worker can
 * receive a cancel message and abort `signal` (the promise then rejects with an Error named 'AbortError').
 */
export function analyzeLandscape(structure: Structure, options: AnalyzeOptions = {}, hooks: WorkHooks = {}): Promise<LandscapeAnalysis> {
  return runAsync(analysisWork(structure, options), hooks);
}

/** Same, synchronously (CLI, tests). */
export function analyzeLandscapeSync(structure: Structure, options: AnalyzeOptions = {}, hooks: WorkHooks = {}): LandscapeAnalysis {
  return runSync(analysisWork(structure, options), hooks);
}
