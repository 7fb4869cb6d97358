/** Structure and landscape → the webview's scene (src/protocol/scene.ts). Pure; runs in the host. */
import type { SceneEnsemble, SceneLandscape, SceneNetwork, SceneOrdering, ScenePath, SceneStructure } from '../../protocol/scene';
import { buildInterstitialNetwork, CAVD_LI_RADIUS, CAVD_TOLERANCE } from '../network';
import { supercellLabel } from '../analysis/exports';
import type { Structure } from '../structure/types';
import type { LandscapeAnalysis } from '../analysis/pipeline';
import { methodLabel, sourceCaption } from '../analysis/format';
import { periodicFlood } from '../landscape/levelmap';
import type { EnergyGrid } from '../landscape/grid';

export function sceneStructure(s: Structure, mobileIon: string): SceneStructure {
  return {
    mobileIon,
    name: s.name,
    formula: s.formula,
    lattice: s.lattice.matrix,
    atoms: s.sites.map((site) => {
      const species = site.species.map((sp) => ({ element: sp.element, occupancy: sp.occupancy }));
      const major = [...species].sort((a, b) => b.occupancy - a.occupancy)[0];
      return {
        element: major.element,
        frac: site.frac,
        occupancy: species.reduce((t, sp) => t + sp.occupancy, 0),
        label: site.species.map((sp) => sp.label).join('/'),
        mobile: site.species.some((sp) => sp.element === mobileIon),
        species,
      };
    }),
  };
}

/** Complete minimax level maps, one per analysis: the viewer asks for the same scene again after edits and reloads. */
const completeLevelMaps = new WeakMap<LandscapeAnalysis, Float32Array>();

/**
 * The complete minimax level map from the minimum (eV above it). The analysis floods only up to the free-volume
 * thresholds, so flood the rest here once: one pass over the grid, a few tens of ms at 0.2 Å.
 */
function completeLevelMap(a: LandscapeAnalysis, grid: EnergyGrid, levelMap: Float32Array): Float32Array {
  if (levelMap.every(Number.isFinite)) return levelMap;
  let map = completeLevelMaps.get(a);
  if (!map) completeLevelMaps.set(a, (map = periodicFlood(grid, { stencil: a.report.stencil ?? 'sqrt3' }).levels));
  return map;
}

/** The grid relative to its minimum, so the barriers are levels above 0, with the complete level map. */
export function sceneLandscape(a: LandscapeAnalysis): SceneLandscape | null {
  const g = a.grid;
  if (!g || !a.levelMap) return null;
  const data = new Float32Array(g.data.length);
  for (let i = 0; i < data.length; i++) data[i] = g.data[i] - g.min;
  const r = a.report;
  return {
    shape: g.shape, data, levelMap: completeLevelMap(a, g, a.levelMap), method: methodLabel(r), unit: 'eV',
    source: sourceCaption(r),
    ea1D: r.Ea_1D_eV, ea2D: r.Ea_2D_eV, ea3D: r.Ea_3D_eV,
    dimensionality: r.channelDimensionality as 0 | 1 | 2 | 3,
  };
}

export function scenePath(a: LandscapeAnalysis): ScenePath | null {
  const p = a.report.path;
  if (!p) return null;
  return { points: p.points_A, energies: p.energies_eV, distances: p.distances_A, barrier: p.barrier_eV, method: `${methodLabel(a.report)}, minimax path along the first percolating channel${a.report.ions.length > 1 ? ` (ion ${p.ion})` : ''}` };
}

/** Li-accessible interstices and bottlenecks: r ≥ 0.85 × 0.5327 Å (CAVD's Li radius and tolerance), ≈ 0.453 Å. */
export const LI_ACCESSIBLE_RADIUS = CAVD_TOLERANCE * CAVD_LI_RADIUS;

/** Networks by structure: the viewer asks for the same scene again after reloads. */
const networks = new WeakMap<Structure, SceneNetwork | null>();

/**
 * The interstitial network of the structure's framework (mobile ions removed), for the viewer. Null when the
 * network cannot be built (no framework, too many atoms): the view then simply has no network.
 */
export function sceneNetwork(structure: Structure, ion: string, caption = `Voronoi, ${ion}-free framework`): SceneNetwork | null {
  if (networks.has(structure)) return networks.get(structure)!;
  let out: SceneNetwork | null = null;
  try {
    const n = buildInterstitialNetwork(structure, { mobileIon: ion });
    if (n.nodes.length) {
      out = {
        nodes: n.nodes.map((x) => ({ frac: x.frac, radius: x.radius })),
        edges: n.edges.map((e) => ({ a: e.a, b: e.b, offset: e.offset, bottleneck: e.bottleneckRadius })),
        accessibleRadius: LI_ACCESSIBLE_RADIUS, dimensionality: n.channels.dimensionality, probeRadius: n.channels.probeRadius, caption,
      };
    }
  } catch { out = null; }
  networks.set(structure, out);
  return out;
}

/** Grid points of member landscapes sent with an ensemble scene (beyond it, only the reported ordering's grid). */
export const ENSEMBLE_GRID_BUDGET = 2_000_000;

/**
 * The ordered-approximant ensemble for the viewer: every ordering's structure and numbers, lowest Ewald energy first;
 * each distinct framework's landscape and path while their grids fit ENSEMBLE_GRID_BUDGET (the reported one always).
 */
export function sceneEnsemble(a: LandscapeAnalysis, ion: string): SceneEnsemble | null {
  const d = a.report.disorder;
  if (!a.ensemble?.length || !d || d.treatment !== 'approximants') return null;
  const members = [...a.ensemble].sort((x, y) => x.ordering.ewald_eV - y.ordering.ewald_eV);
  const landscapes = new Map<LandscapeAnalysis, { landscape: SceneLandscape | null; path: ScenePath | null }>();
  let budget = ENSEMBLE_GRID_BUDGET;
  const reportedStructure = a.structure;
  const landscapeOf = (m: LandscapeAnalysis) => {
    let x = landscapes.get(m);
    if (!x) {
      const points = m.grid ? m.grid.data.length : 0;
      const reported = m.structure === reportedStructure;
      x = reported || points <= budget ? { landscape: sceneLandscape(m), path: scenePath(m) } : { landscape: null, path: null };
      if (x.landscape && !reported) budget -= points;
      landscapes.set(m, x);
    }
    return x;
  };
  // The reported ordering first, so the budget never drops it.
  const lead = members.find((m) => m.analysis.structure === reportedStructure);
  if (lead) landscapeOf(lead.analysis);
  const orderings: SceneOrdering[] = members.map((m) => ({
    kind: m.ordering.kind, ewald_eV: m.ordering.ewald_eV,
    Ea_1D_eV: m.analysis.report.Ea_1D_eV, Ea_3D_eV: m.analysis.report.Ea_3D_eV,
    structure: sceneStructure(m.ordering.structure, ion),
    ...landscapeOf(m.analysis),
    reported: m.ordering.structure === reportedStructure,
  }));
  // Orderings sharing the reported framework: mark the first of them if none is the reported structure itself.
  if (!orderings.some((o) => o.reported)) {
    const i = members.findIndex((m) => m.analysis.structure === reportedStructure);
    if (i >= 0) orderings[i].reported = true;
  }
  return { supercell: d.supercell ? supercellLabel(d.supercell, d.cells ?? 1) : `${d.cells ?? '?'} cells`, rule: d.rule === 'min' ? 'lowest Ea(1D) over the orderings' : d.rule === 'lowest-ewald' ? 'the lowest-Ewald ordering (this method needs atoms at definite positions)' : String(d.rule), orderings };
}
