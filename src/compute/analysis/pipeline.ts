/**
 * One analysis pipeline for every method:
 *
 *   structure ──energy source──► one grid per mobile ion ──grid analysis──► barriers, level map, MPE, FV, Ξ, path
 *             └─barrier model──► barriers                                      └──► report (schema v2, with its source)
 *
 * Grid analysis per ion (landscape/): percolation barriers Ea 1D/2D/3D (exact union-find), MPE from the component
 * of the minimum, the minimax level map. Combined over ions as SCIENCE.md §6 says: Ea and MPE are the lowest over
 * ions, FV_d/FV_c the union of the per-ion regions placed at their true positions in the periodic 2×2×2 frame
 * (smeared over ±0.02, ±0.04 eV), Ξ from those. A BVSE landscape is one probe grid with all mobile ions removed.
 */
import type { Structure, StructureMessage } from '../structure/types';
import type { EnergyLandscape, IonGrid, PredictedBarriers, PredictInputs } from '../energy/source';
import { signed } from '../data/bvTables';
import { coarseGridWarning, type EnergyGrid, voxelFrac } from '../landscape/grid';
import { landscapeDescriptors, periodicFlood, unionFreeVolumes, xiScore, XI_THRESHOLD, type IonFlood } from '../landscape/levelmap';
import { percolationPath, type MigrationPath } from '../landscape/path';
import { percolationWork, type PercolationResult } from '../landscape/percolation';
import { buildStencil, type StencilKind } from '../landscape/stencil';
import { REPORT_SCHEMA, REPORT_UNITS, type IonReport, type LandscapeReport } from './report';
import { channelDimensionality } from './format';
import { normaliseOptions, type AnalysisOptions, type NormalisedOptions } from './options';
import { METHOD_NAMES, sourceFor } from '../energy/registry';
import { WALL_MIN_OCCUPANCY, type BvseOptions } from '../energy/bvse/bvse';
import { runSync, type Work, type WorkHooks, progressRange } from '../util/work';
import { runAsync } from '../util/work';
import { LandscapeError } from '../util/errors';
import { frameworkKey, orderedApproximants, sharedMobileSiteMessages, type Ordering } from '../structure/approximants/approximants';
import { mostlyEmptySiteMessages } from '../structure/vacancies';
import { implausibleGeometryNote } from '../structure/bondValence';
import { fractionalMap } from '../structure/geometry';

export interface PipelineOptions extends AnalysisOptions {
  /** Expert BVSE settings for tests and benchmarks (grid shape, far-field split, cut-off); not part of a job. */
  bvse?: Pick<BvseOptions, 'shape' | 'farField' | 'cutoff' | 'neighbourLimit' | 'gridConvention' | 'maxGridPoints' | 'wallRule'>;
  /** Neighbour stencil for percolation, level map and path; default 'sqrt3' ('index26' in BVSE's 'bvlain' mode). */
  stencil?: StencilKind;
  /** Threshold of the reported free volumes (eV); Ξ always uses 0.5 eV. Default 0.5. */
  fvThreshold?: number;
  /** Compute the migration path (default true). */
  path?: boolean;
  /** Flood the whole unit-cell level map (for display) instead of stopping past the FV thresholds. */
  fullLevelMap?: boolean;
}

export interface LandscapeAnalysis {
  /** The structure the source computed on (with any caller-given oxidation states), for views and exports. */
  structure: Structure;
  report: LandscapeReport;
  /** The grids, one per mobile ion; empty for a barrier model. */
  grids: IonGrid[];
  /** The grid the views show: that of the ion with the lowest Ea 1D. Null for a barrier model. */
  grid: EnergyGrid | null;
  percolation: PercolationResult | null;
  /** Unit-cell minimax level map of `grid` from its minimum (eV above it). Complete with `fullLevelMap`. */
  levelMap: Float32Array | null;
  path: MigrationPath | null;
  /**
   * Located messages about the CIF from the disorder treatment (StructureMessage, with the CIF row): the mean field's
   * shared mobile-ion sites; the ordering's decisions (occupancies rounded, vacancies introduced, shared sites,
   * occupancy sums above 1). job.ts adds them to the job's messages.
   */
  messages?: StructureMessage[];
  /**
   * With `disorder: approximants`: every ordering of the ensemble with its own analysis (orderings that share a
   * framework share one analysis object), in the order of the approximant search, for the viewer and exports.
   */
  ensemble?: { ordering: Ordering; analysis: LandscapeAnalysis }[];
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

/** The report's sentence for a structure without the mobile ion (job.ts then drops the structure's own message). */
export const noIonWarning = (ion: string) => `The structure contains no ${ion}; this is the landscape of a ${ion} probe in the given framework.`;
/** The report's sentence for guessed states (job.ts replaces it by the structure's message, which names them). */
export const guessedOxidationWarning = (partly: boolean) => `Oxidation states were ${partly ? 'partly guessed' : 'guessed'} by charge balance; barriers depend on them.`;

/** The warnings every method shares: no mobile ion, guessed oxidation states. */
function commonWarnings(structure: Structure, o: NormalisedOptions): string[] {
  const warnings: string[] = [];
  if (!structure.sites.some((s) => s.species.some((sp) => sp.element === o.ion))) warnings.push(noIonWarning(o.ion));
  if (structure.oxidationSource === 'guessed' || structure.oxidationSource === 'mixed') warnings.push(guessedOxidationWarning(structure.oxidationSource === 'mixed'));
  return warnings;
}

function structureFacts(s: Structure): LandscapeReport['structure'] {
  return { name: s.name, formula: s.formula, cellVolume_A3: s.lattice.volume, siteCount: s.sites.length };
}

/** Grid analysis of a source's landscape, as a work generator (progress 0…1). */
export function* gridAnalysisWork(landscape: EnergyLandscape, options: PipelineOptions = {}): Work<LandscapeAnalysis> {
  const o = normaliseOptions(options);
  const t0 = performance.now();
  if (!landscape.grids.length) throw new LandscapeError('bad-grid', 'The energy source produced no grid.');
  const shape = landscape.grids[0].grid.shape;
  const stencilKind: StencilKind = options.stencil ?? (o.mode === 'bvlain' ? 'index26' : 'sqrt3');
  const stencil = buildStencil(landscape.grids[0].grid.lattice, shape, stencilKind);
  const fvThreshold = options.fvThreshold ?? XI_THRESHOLD;
  const perIon: { ion: IonGrid; percolation: PercolationResult; flood: IonFlood; levels: Float32Array; mpe: number; report: IonReport }[] = [];
  const nIons = landscape.grids.length;
  for (let k = 0; k < nIons; k++) {
    const ion = landscape.grids[k];
    const grid = ion.grid;
    const percolation = yield* stage(percolationWork(grid, { stencil, maxBarrier: o.maxBarrier }), k / nIons, (k + 0.7) / nIons);
    const mpe = percolation.minimumComponentEa1D;
    const top = Math.max(fvThreshold, XI_THRESHOLD) + 0.04;
    const flood = periodicFlood(grid, { stencil, stopLevel: options.fullLevelMap ? Infinity : top });
    yield (k + 1) / nIons;
    let baseParity = 0;
    if (ion.ionFrac) {
      // The image of the flood's source nearest the ion's own site: its cell parity places the region (§6).
      const m = voxelFrac(grid.shape, flood.source);
      for (let i = 0; i < 3; i++) baseParity |= (Math.round(ion.ionFrac[i] - m[i]) & 1) << i;
    }
    perIon.push({
      ion, percolation, flood: { grid, flood, baseParity }, levels: flood.levels, mpe,
      report: {
        label: ion.label, multiplicity: ion.multiplicity, ionFrac: ion.ionFrac,
        Ea_1D_eV: finiteOrNull(percolation.barriers[0]), Ea_2D_eV: finiteOrNull(percolation.barriers[1]), Ea_3D_eV: finiteOrNull(percolation.barriers[2]),
        MPE_eV: finiteOrNull(mpe), energyMinimum_eV: grid.min,
      },
    });
  }
  const t1 = performance.now();
  // The ion that leads: the lowest Ea 1D (ties: the first).
  const lead = perIon.reduce((best, x) => ((x.percolation.barriers[0] < best.percolation.barriers[0]) ? x : best), perIon[0]);
  const barrier = (d: 0 | 1 | 2) => Math.min(...perIon.map((x) => x.percolation.barriers[d]));
  const floods = perIon.map((x) => x.flood);
  const fv = unionFreeVolumes(floods, fvThreshold, undefined, stencil);
  const fvXi = fvThreshold === XI_THRESHOLD ? fv : unionFreeVolumes(floods, XI_THRESHOLD, undefined, stencil);
  const mpe = Math.min(...perIon.map((x) => x.mpe));
  const t2 = performance.now();
  const path = options.path === false ? null : percolationPath(lead.ion.grid, lead.percolation, { stencil });
  const t3 = performance.now();

  const warnings = [...commonWarnings(landscape.structure, o), ...landscape.warnings];
  const coarse = coarseGridWarning((landscape.identity.parameters as { resolution?: number | null }).resolution);
  if (coarse) warnings.push(coarse);
  const p = lead.percolation;
  const [ea1] = p.barriers;
  if (Number.isFinite(ea1) && p.minimumComponentEa1D > ea1 + 1e-6) {
    warnings.push(
      `The global energy minimum is an isolated pocket: it joins a percolating channel only at ` +
        `${finiteOrNull(p.minimumComponentEa1D)?.toFixed(3) ?? 'no level'} eV, above Ea_1D = ${ea1.toFixed(3)} eV. ` +
        `MPE is measured from the minimum; the path starts at the lowest point of the first channel` +
        (path && !path.startsAtGlobalMinimum && path.energies.length
          ? path.energies[0] < 5e-4
            // A channel point as low as the pocket (to the meV): the barrier from it is Ea_1D itself.
            ? `, within 1 meV of the minimum's energy (so Ea_1D is also the barrier from there).`
            : `, ${path.energies[0].toFixed(3)} eV above the minimum (Ea_1D from there: ${(ea1 - path.energies[0]).toFixed(3)} eV; ` +
              `Ea stays measured from the global minimum, as in BVlain, softBV and the published labels: docs/VALIDATION.md).`
          : '.'),
    );
  }
  if (o.method === 'bvse' && o.mode === 'bvlain') warnings.push('Comparison mode: BVlain 0.24 conventions (covalent radii, no charge scaling, no hard wall, k = 100 nearest).');

  const barriers = { Ea_1D_eV: finiteOrNull(barrier(0)), Ea_2D_eV: finiteOrNull(barrier(1)), Ea_3D_eV: finiteOrNull(barrier(2)) };
  const percolationDimensionality = [barriers.Ea_1D_eV, barriers.Ea_2D_eV, barriers.Ea_3D_eV].filter((b) => b !== null).length;
  const grid = lead.ion.grid;
  const params = landscape.identity.parameters as { resolution?: number | null; gridConvention?: string };
  const report: LandscapeReport = {
    schema: REPORT_SCHEMA,
    source: { ...landscape.identity, description: String(landscape.details.description ?? grid.source) },
    ion: `${o.ion}${signed(o.ionCharge)}`,
    structure: structureFacts(landscape.structure),
    resolution_A: params.resolution ?? null,
    gridShape: grid.shape,
    gridConvention: (params.gridConvention as LandscapeReport['gridConvention']) ?? 'scan',
    stencil: stencilKind,
    energyMinimum_eV: grid.min,
    minimumFrac: voxelFrac(grid.shape, p.globalMinimum.index),
    ...barriers,
    maxBarrier_eV: finiteOrNull(o.maxBarrier ?? Infinity),
    percolationDimensionality,
    channelDimensionality: channelDimensionality(barriers),
    percolationDirections: p.directions[Math.max(0, channelDimensionality(barriers) - 1)] ?? [],
    minimumComponentEa1D_eV: finiteOrNull(p.minimumComponentEa1D),
    MPE_eV: finiteOrNull(mpe),
    FV_threshold_eV: fvThreshold,
    FV_connected: fv.connected,
    FV_disconnected: fv.disconnected,
    Xi: xiScore(fvXi.connected, fvXi.disconnected),
    ions: perIon.map((x) => x.report),
    disorder: asGivenDisorder(landscape.structure, o.ion),
    path: path && {
      points_A: path.points, frac: path.frac, energies_eV: path.energies, distances_A: path.distances,
      barrier_eV: path.barrier, translation: path.translation, startsAtGlobalMinimum: path.startsAtGlobalMinimum, ion: lead.ion.label,
    },
    warnings,
    details: landscape.details,
    timings_ms: { ...landscape.timings_ms, percolation: t1 - t0, levelMap: t2 - t1, path: t3 - t2, total: sumTimings(landscape.timings_ms) + (t3 - t0) },
    units: REPORT_UNITS,
  };
  return { structure: landscape.structure, report, grids: landscape.grids, grid, percolation: p, levelMap: lead.levels, path };
}

/** A source's own total when it gives one (its parts are then already in it), else the sum of its parts. */
const sumTimings = (t: Record<string, number>) => t.total ?? Object.values(t).reduce((a, b) => a + b, 0);

/** A barrier model's prediction as a report (no grid: the level-map quantities are null). */
export function predictionReport(pred: PredictedBarriers, options: AnalysisOptions): LandscapeAnalysis {
  const o = normaliseOptions(options);
  const barriers = { Ea_1D_eV: pred.Ea_1D_eV, Ea_2D_eV: pred.Ea_2D_eV, Ea_3D_eV: pred.Ea_3D_eV };
  const report: LandscapeReport = {
    schema: REPORT_SCHEMA,
    source: { ...pred.identity, description: String(pred.details.description ?? pred.identity.label) },
    ion: `${o.ion}${signed(o.ionCharge)}`,
    structure: structureFacts(pred.structure),
    resolution_A: null, gridShape: null, gridConvention: null, stencil: null, energyMinimum_eV: null, minimumFrac: null,
    ...barriers,
    maxBarrier_eV: null,
    percolationDimensionality: pred.dimensionality ?? [pred.Ea_1D_eV, pred.Ea_2D_eV, pred.Ea_3D_eV].filter((b) => b !== null).length,
    channelDimensionality: pred.dimensionality ?? channelDimensionality(barriers),
    percolationDirections: [], minimumComponentEa1D_eV: null, MPE_eV: null,
    FV_threshold_eV: null, FV_connected: null, FV_disconnected: null, Xi: null,
    ions: [], path: null, disorder: asGivenDisorder(pred.structure, o.ion),
    warnings: [...commonWarnings(pred.structure, o), ...pred.warnings],
    details: pred.details,
    timings_ms: { ...pred.timings_ms, total: sumTimings(pred.timings_ms) },
    units: REPORT_UNITS,
  };
  return { structure: pred.structure, report, grids: [], grid: null, percolation: null, levelMap: null, path: null };
}

/**
 * Analyse a structure with the method the options name. Asynchronous: sources may await (onnxruntime), and the grid
 * analysis yields to the event loop between slices so a worker can receive a cancel (rejects with CancelledError).
 */
export async function analyzeLandscape(structure: Structure, options: PipelineOptions = {}, hooks: WorkHooks = {}): Promise<LandscapeAnalysis> {
  if (wantsEnsemble(structure, options)) return withGeometryWarning(structure, await ensembleOf(structure, options, hooks, (s, h) => analyzeOne(s, options, h)));
  if (wantsOrdering(structure, options)) {
    // A barrier model stands in for the mean-field BVSE here: it gets the CIF's mean field beside the ordering.
    const meanFieldOf = (ordering: Structure): PredictInputs => ({ meanFieldOf: { structure, toCif: fractionalMap(ordering.lattice.matrix, structure.lattice.matrix) } });
    return withGeometryWarning(structure, await lowestOrderingOf(structure, options, hooks, (s, h) => analyzeOne(s, options, h, meanFieldOf(s))));
  }
  return withGeometryWarning(structure, await analyzeOne(structure, options, hooks));
}

/**
 * The input's implausible bond-valence sums (structure/bondValence.ts), said with the number in the report: the
 * located messages are the structure's own (the editor's diagnostics, the job's messages), the report names the sites.
 */
function withGeometryWarning(structure: Structure, a: LandscapeAnalysis): LandscapeAnalysis {
  // Only a structure the check flagged is checked again (cheap, and never for one whose check could not run).
  const flagged = structure.messages.some((m) => m.code === 'implausible-geometry') ? implausibleGeometryNote(structure) : null;
  return flagged ? { ...a, report: { ...a.report, warnings: [...a.report.warnings, flagged.note], implausibleGeometry: flagged.sites } } : a;
}

async function analyzeOne(structure: Structure, options: PipelineOptions, hooks: WorkHooks, inputs?: PredictInputs): Promise<LandscapeAnalysis> {
  const o = normaliseOptions(options);
  const source = sourceFor(o, options.bvse);
  if (source.kind === 'barriers') return predictionReport(await source.predict(structure, progressRange(hooks, 0, 1), inputs), o);
  const landscape = await source.produce(structure, progressRange(hooks, 0, 0.85));
  return withMeanFieldMessages(await runAsync(gridAnalysisWork(landscape, options), progressRange(hooks, 0.85, 1)), options);
}

/**
 * BVSE's mean field on a CIF with cations left out of the probe's framework (bvse.ts, rules 'shared-excluded' and
 * 'vacant-excluded'): say which sites, at their rows.
 */
function withMeanFieldMessages(a: LandscapeAnalysis, options: PipelineOptions): LandscapeAnalysis {
  const o = normaliseOptions(options);
  const rule = (a.report.source.parameters as { wallRule?: string | null }).wallRule;
  if (o.method !== 'bvse' || (rule !== 'shared-excluded' && rule !== 'vacant-excluded') || !a.structure.hasPartialOccupancy) return a;
  const shared = sharedMobileSiteMessages(a.structure, o.ion);
  const vacant = rule === 'vacant-excluded' ? mostlyEmptySiteMessages(a.structure, o.ion, WALL_MIN_OCCUPANCY) : [];
  if (!shared.length && !vacant.length) return a;
  // The report (exports, JSON, hover) carries the same sentences as the located messages, so that a listing of both
  // (the CLI, a ranking row) says each once; the wall rule is in the report's source parameters.
  const said = [...shared, ...vacant].map((m) => ({ ...m, message: `${m.message} Wall rule: ${rule}.` }));
  const report = { ...a.report, warnings: [...a.report.warnings, ...said.map((m) => m.message)] };
  return { ...a, report, messages: [...(a.messages ?? []), ...said] };
}

/** Same, on the calling thread, for sources that can run synchronously (BVSE, analytic): CLI scripts and tests. */
export function analyzeLandscapeSync(structure: Structure, options: PipelineOptions = {}, hooks: WorkHooks = {}): LandscapeAnalysis {
  if (wantsEnsemble(structure, options)) return withGeometryWarning(structure, ensembleOfSync(structure, options, hooks, (s, h) => analyzeOneSync(s, options, h)));
  if (wantsOrdering(structure, options)) return withGeometryWarning(structure, lowestOrderingOfSync(structure, options, hooks, (s, h) => analyzeOneSync(s, options, h)));
  return withGeometryWarning(structure, analyzeOneSync(structure, options, hooks));
}

function analyzeOneSync(structure: Structure, options: PipelineOptions, hooks: WorkHooks): LandscapeAnalysis {
  const o = normaliseOptions(options);
  const source = sourceFor(o, options.bvse);
  if (source.kind !== 'grid' || !source.produceSync) throw new LandscapeError('bad-option', `Method ${o.method} runs asynchronously only; use analyzeLandscape.`);
  const landscape = source.produceSync(structure, progressRange(hooks, 0, 0.85));
  return withMeanFieldMessages(runSync(gridAnalysisWork(landscape, options), progressRange(hooks, 0.85, 1)), options);
}

// ---- disorder: the ordered-approximant ensemble (structure/approximants, SCIENCE.md §7) ----------------------------

/** Orderings per ensemble: the lowest-Ewald ones and a few random ones (validated with 3 + 1 and 4 + 2). */
export const ENSEMBLE_LOW_ENERGY = 4;
export const ENSEMBLE_RANDOM = 2;

function wantsEnsemble(structure: Structure, options: PipelineOptions): boolean {
  return options.disorder === 'approximants' && structure.hasPartialOccupancy;
}

/**
 * A disordered structure, a source without a mean field (the potential, the interstitial network), and no ensemble
 * asked for: the source gets the lowest-Ewald ordering of an approximant (SCIENCE.md §7), said in the report.
 */
function wantsOrdering(structure: Structure, options: PipelineOptions): boolean {
  const o = normaliseOptions(options);
  if (!structure.hasPartialOccupancy || options.disorder === 'approximants') return false;
  const needs = sourceFor(o, options.bvse).orderedInput;
  const site = needs === 'nothing' ? undefined : structure.asymmetricSites.find((s) => partialSite(s) && (needs === 'all' || holdsFramework(s, o.ion)));
  if (!site) return false;
  if (o.orderedOnly) {
    throw new LandscapeError('disordered-structure', `Not computed as a preview: ${METHOD_NAMES[o.method] ?? o.method} would first have to order this partially occupied structure (site ${site.label}).`, { siteLabel: site.label, line: site.line + 1 });
  }
  return true;
}

type CifSite = Structure['asymmetricSites'][number];
const partialSite = (s: CifSite) => s.species.length > 1 || s.species.some((sp) => sp.occupancy < 1 - 1e-6);
const holdsFramework = (s: CifSite, ion: string) => s.species.some((sp) => sp.element !== ion);

/**
 * How a report names a partially occupied input analysed as it is (BVSE, the GCN: sources that remove the mobile
 * ion): the mean field, or, when only the mobile ion's sites are partial, nothing averaged at all.
 */
function asGivenDisorder(structure: Structure, ion: string): LandscapeReport['disorder'] {
  if (!structure.hasPartialOccupancy) return null;
  return structure.asymmetricSites.some((s) => partialSite(s) && holdsFramework(s, ion)) ? { treatment: 'mean-field' } : { treatment: 'mobile-ion-removed' };
}

function orderingsOf(structure: Structure, options: PipelineOptions, signal?: AbortSignal, lowestOnly = false) {
  const o = normaliseOptions(options);
  return lowestOnly
    ? orderedApproximants(structure, { count: 1, randomCount: 0, seed: 1, ion: o.ion, signal })
    : orderedApproximants(structure, { count: ENSEMBLE_LOW_ENERGY, randomCount: ENSEMBLE_RANDOM, seed: 1, ion: o.ion, signal });
}

/**
 * The structures an analysis will compute a landscape for: the structure itself, or with `disorder: approximants` one
 * ordering per distinct framework of the ensemble (what `ensembleOf` analyses). For time estimates.
 */
export function structuresToAnalyse(structure: Structure, options: PipelineOptions): Structure[] {
  if (wantsOrdering(structure, options)) return [orderingsOf(structure, options, undefined, true).orderings[0].structure];
  if (!wantsEnsemble(structure, options)) return [structure];
  const o = normaliseOptions(options);
  const seen = new Map<string, Structure>();
  for (const ordering of orderingsOf(structure, options).orderings) {
    const k = frameworkKey(ordering.structure, o.ion);
    if (!seen.has(k)) seen.set(k, ordering.structure);
  }
  return [...seen.values()];
}

type Member = { ordering: Ordering; analysis: LandscapeAnalysis };

/**
 * The ensemble's report: the ordering with the lowest Ea 1D leads (rule 'min': on the OBELiX training CIFs it is the
 * only rule that brings perovskites, garnets and NASICONs all to ≤ 0.8 eV; docs/VALIDATION.md), with the range over
 * the orderings. Orderings that differ only in where the mobile ion sits share one framework, hence one landscape.
 */
function combineEnsemble(result: ReturnType<typeof orderingsOf>, members: Member[], frameworks: number): LandscapeAnalysis {
  const ea = (m: Member, k: 'Ea_1D_eV' | 'Ea_3D_eV') => m.analysis.report[k];
  const key = (x: number | null) => (x === null ? Infinity : x);
  const lead = members.reduce((b, m) => (key(ea(m, 'Ea_1D_eV')) < key(ea(b, 'Ea_1D_eV')) ? m : b), members[0]);
  const span = (k: 'Ea_1D_eV' | 'Ea_3D_eV'): [number | null, number | null] => {
    const xs = members.map((m) => ea(m, k)).filter((x): x is number => x !== null);
    return xs.length ? [Math.min(...xs), members.some((m) => ea(m, k) === null) ? null : Math.max(...xs)] : [null, null];
  };
  const report: LandscapeReport = {
    ...lead.analysis.report,
    source: { ...lead.analysis.report.source, cell: 'ordered-approximant' },
    disorder: {
      treatment: 'approximants', supercell: result.supercell, cells: result.cells, orderings: members.length, frameworks, rule: 'min',
      range: { Ea_1D_eV: span('Ea_1D_eV'), Ea_3D_eV: span('Ea_3D_eV') },
      members: members.map((m) => ({ kind: m.ordering.kind, ewald_eV: m.ordering.ewald_eV, Ea_1D_eV: ea(m, 'Ea_1D_eV'), Ea_3D_eV: ea(m, 'Ea_3D_eV') })),
    },
    warnings: [...new Set([...result.warnings.map((w) => w.message), ...lead.analysis.report.warnings])],
  };
  // The ordering's decisions, located at their CIF rows (the orderings' own analyses have no shared sites).
  return { ...lead.analysis, report, messages: result.warnings, ensemble: members };
}

/**
 * The orderings by framework (frameworkKey): orderings that differ only in where the mobile ions sit share one
 * landscape, computed for the first of them. `first` lists those orderings; `members` pairs every ordering with its
 * framework's analysis, given the analyses in `first`'s order.
 */
function distinctFrameworks(result: ReturnType<typeof orderingsOf>, ion: string) {
  const indexOf = new Map<string, number>();
  const first: number[] = [];
  const group = result.orderings.map((ordering, i) => {
    const k = frameworkKey(ordering.structure, ion);
    if (!indexOf.has(k)) { indexOf.set(k, first.length); first.push(i); }
    return indexOf.get(k)!;
  });
  const members = (analyses: LandscapeAnalysis[]): Member[] => result.orderings.map((ordering, i) => ({ ordering, analysis: analyses[group[i]] }));
  return { first, members };
}

async function ensembleOf(structure: Structure, options: PipelineOptions, hooks: WorkHooks, one: (s: Structure, h: WorkHooks) => Promise<LandscapeAnalysis>): Promise<LandscapeAnalysis> {
  const result = orderingsOf(structure, options, hooks.signal);
  const n = result.orderings.length;
  const { first, members } = distinctFrameworks(result, normaliseOptions(options).ion);
  const analyses: LandscapeAnalysis[] = [];
  for (const i of first) analyses.push(await one(result.orderings[i].structure, progressRange(hooks, i / n, (i + 1) / n)));
  return combineEnsemble(result, members(analyses), first.length);
}

/**
 * The lowest-Ewald ordering alone, for a source that needs atoms at definite positions: its analysis, with the
 * approximant in the report (rule 'lowest-ewald', no range: one ordering) and the ordering's decisions as messages.
 */
function lowestOrderingReport(result: ReturnType<typeof orderingsOf>, a: LandscapeAnalysis): LandscapeAnalysis {
  const ordering = result.orderings[0];
  const note = `${a.report.source.label} needs atoms at definite positions: computed on the lowest-Ewald ordering of a ${result.cells}-cell ordered approximant of this partially occupied structure (--disorder approximants for an ensemble).`;
  const report: LandscapeReport = {
    ...a.report,
    source: { ...a.report.source, cell: 'ordered-approximant' },
    disorder: {
      treatment: 'approximants', supercell: result.supercell, cells: result.cells, orderings: 1, frameworks: 1, rule: 'lowest-ewald',
      members: [{ kind: ordering.kind, ewald_eV: ordering.ewald_eV, Ea_1D_eV: a.report.Ea_1D_eV, Ea_3D_eV: a.report.Ea_3D_eV }],
    },
    warnings: [...new Set([note, ...result.warnings.map((w) => w.message), ...a.report.warnings])],
  };
  return { ...a, report, messages: [...result.warnings, ...(a.messages ?? [])], ensemble: [{ ordering, analysis: a }] };
}

async function lowestOrderingOf(structure: Structure, options: PipelineOptions, hooks: WorkHooks, one: (s: Structure, h: WorkHooks) => Promise<LandscapeAnalysis>): Promise<LandscapeAnalysis> {
  const result = orderingsOf(structure, options, hooks.signal, true);
  return lowestOrderingReport(result, await one(result.orderings[0].structure, hooks));
}

function lowestOrderingOfSync(structure: Structure, options: PipelineOptions, hooks: WorkHooks, one: (s: Structure, h: WorkHooks) => LandscapeAnalysis): LandscapeAnalysis {
  const result = orderingsOf(structure, options, hooks.signal, true);
  return lowestOrderingReport(result, one(result.orderings[0].structure, hooks));
}

function ensembleOfSync(structure: Structure, options: PipelineOptions, hooks: WorkHooks, one: (s: Structure, h: WorkHooks) => LandscapeAnalysis): LandscapeAnalysis {
  const result = orderingsOf(structure, options, hooks.signal);
  const n = result.orderings.length;
  const { first, members } = distinctFrameworks(result, normaliseOptions(options).ion);
  return combineEnsemble(result, members(first.map((i) => one(result.orderings[i].structure, progressRange(hooks, i / n, (i + 1) / n)))), first.length);
}
