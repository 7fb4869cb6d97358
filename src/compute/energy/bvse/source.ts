/**
 * BVSE as an energy source: one probe grid over the cell with every mobile ion removed (SCIENCE.md §2), so a single
 * `IonGrid` with no ion position stands for all mobile ions.
 */
import type { Structure } from '../../structure/types';
import type { EnergyLandscape, GridSource, SourceIdentity } from '../source';
import { runAsync, runSync, type WorkHooks } from '../../util/work';
import { bvseWork, type BvseOptions, type BvseResult } from './bvse';

export const BVSE_VARIANT = 'all mobile ions removed';

function identityOf(options: BvseOptions, parameters?: BvseResult['parameters']): SourceIdentity {
  const mode = options.mode ?? 'spse';
  return {
    method: 'bvse',
    label: mode === 'bvlain' ? 'BVSE/BVlain' : 'BVSE',
    model: null,
    parameters: parameters
      ? { ...parameters, framework: undefined }
      : { mode, resolution: options.resolution ?? 0.2, ion: options.ion ?? 'Li', ionCharge: options.ionCharge ?? 1 },
    cell: 'as-given',
    variant: BVSE_VARIANT,
  };
}

function landscapeOf(structure: Structure, options: BvseOptions, r: BvseResult, ms: number): EnergyLandscape {
  return {
    identity: identityOf(options, r.parameters),
    structure,
    grids: [{ grid: r.grid, ionFrac: null, label: 'probe', multiplicity: 1 }],
    warnings: r.warnings,
    details: { description: r.grid.source, framework: r.parameters.framework },
    timings_ms: { bvse: ms },
  };
}

export function bvseSource(options: BvseOptions = {}): GridSource & { produceSync(structure: Structure, hooks?: WorkHooks): EnergyLandscape } {
  return {
    kind: 'grid',
    orderedInput: 'nothing', // occupancy-weighted sums, with the wall rules of bvse.ts
    identity: () => identityOf(options),
    async produce(structure, hooks = {}) {
      const t0 = performance.now();
      const r = await runAsync(bvseWork(structure, options), hooks);
      return landscapeOf(structure, options, r, performance.now() - t0);
    },
    produceSync(structure, hooks = {}) {
      const t0 = performance.now();
      const r = runSync(bvseWork(structure, options), hooks);
      return landscapeOf(structure, options, r, performance.now() - t0);
    },
  };
}
