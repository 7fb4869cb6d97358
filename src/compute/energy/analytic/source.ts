/**
 * A constructed landscape with known answers, for checking the pipeline end to end (not a physical method):
 *
 *   E(x, y, z) = B_a sin²(πx) + B_b sin²(πy) + B_c sin²(πz)      (x, y, z fractional)
 *
 * Wells at the lattice points, channels along the axes. A path along a must cross the plane x = ½, where E ≥ B_a,
 * and the straight line y = z = 0 reaches exactly B_a there; so, with grids that hold the point ½ (even point
 * counts), Ea_1D/2D/3D are the sorted barriers exactly, and the channel of Ea_1D runs along the axis of the smallest.
 */
import type { Structure } from '../../structure/types';
import { latticeLengths, makeGrid } from '../../landscape/grid';
import type { EnergyLandscape, GridSource, SourceIdentity } from '../source';
import type { WorkHooks } from '../../util/work';
import { CancelledError } from '../../util/errors';

export interface AnalyticOptions {
  barriers: [number, number, number];
  /** Grid spacing (Å); point counts are rounded to even numbers. */
  resolution?: number;
}

function identityOf(o: AnalyticOptions): SourceIdentity {
  return { method: 'analytic', label: 'analytic test landscape', model: null, parameters: { barriers: o.barriers, resolution: o.resolution ?? 0.2 }, cell: 'as-given', variant: 'constructed' };
}

export function analyticLandscape(structure: Structure, o: AnalyticOptions, hooks: WorkHooks = {}): EnergyLandscape {
  const t0 = performance.now();
  const lattice = structure.lattice.matrix;
  const shape = latticeLengths(lattice).map((l) => Math.max(2, 2 * Math.round(l / (2 * (o.resolution ?? 0.2))))) as [number, number, number];
  const [ba, bb, bc] = o.barriers;
  const data = new Float32Array(shape[0] * shape[1] * shape[2]);
  const s2 = (k: number, n: number) => Math.sin((Math.PI * k) / n) ** 2;
  let i = 0;
  for (let a = 0; a < shape[0]; a++) {
    if (hooks.signal?.aborted) throw new CancelledError();
    for (let b = 0; b < shape[1]; b++) for (let c = 0; c < shape[2]; c++) data[i++] = ba * s2(a, shape[0]) + bb * s2(b, shape[1]) + bc * s2(c, shape[2]);
  }
  const grid = makeGrid(shape, data, lattice, 'analytic test landscape B_a sin²(πx) + B_b sin²(πy) + B_c sin²(πz)');
  return {
    identity: identityOf(o), structure, grids: [{ grid, ionFrac: null, label: 'probe', multiplicity: 1 }],
    warnings: ['This is a constructed test landscape, not a physical model.'], details: {}, timings_ms: { analytic: performance.now() - t0 },
  };
}

export function analyticSource(o: AnalyticOptions): GridSource & { produceSync(structure: Structure, hooks?: WorkHooks): EnergyLandscape } {
  return {
    kind: 'grid',
    orderedInput: 'nothing', // the landscape does not depend on the atoms
    identity: () => identityOf(o),
    produce: async (structure, hooks) => analyticLandscape(structure, o, hooks),
    produceSync: (structure, hooks) => analyticLandscape(structure, o, hooks),
  };
}
