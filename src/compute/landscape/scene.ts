/** Structure and landscape → the webview's scene (src/protocol/scene.ts). Pure; runs in the host. */
import type { SceneLandscape, ScenePath, SceneStructure } from '../../protocol/scene';
import type { Structure } from '../structure/types';
import type { LandscapeAnalysis } from './analyze';
import { methodLabel } from './format';

export function sceneStructure(s: Structure, mobileIon: string): SceneStructure {
  return {
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

/** The grid relative to its minimum, so the barriers are levels above 0. */
export function sceneLandscape(a: LandscapeAnalysis): SceneLandscape {
  const g = a.grid;
  const data = new Float32Array(g.data.length);
  for (let i = 0; i < data.length; i++) data[i] = g.data[i] - g.min;
  const r = a.report;
  return {
    shape: g.shape, data, method: methodLabel(r), unit: 'eV',
    source: `${r.method}, ${r.ion}, ${r.resolution_A} Å grid (${g.shape.join('×')})`,
    ea1D: r.Ea_1D_eV, ea2D: r.Ea_2D_eV, ea3D: r.Ea_3D_eV,
  };
}

export function scenePath(a: LandscapeAnalysis): ScenePath | null {
  const p = a.report.path;
  if (!p) return null;
  return { points: p.points_A, energies: p.energies_eV, distances: p.distances_A, barrier: p.barrier_eV, method: `${methodLabel(a.report)}, minimax path along the 1D channel` };
}
