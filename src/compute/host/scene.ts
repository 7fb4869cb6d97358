/** Structure and landscape → the webview's scene (src/protocol/scene.ts). Pure; runs in the host. */
import type { SceneLandscape, ScenePath, SceneStructure } from '../../protocol/scene';
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
