/**
 * Method id + options → the energy source that computes it. The one place that knows which methods exist; the
 * pipeline, host and CLI never name a method's implementation.
 */
import type { Structure } from '../structure/types';
import type { NormalisedOptions } from '../analysis/options';
import { LandscapeError } from '../util/errors';
import type { WorkHooks } from '../util/work';
import type { EnergyLandscape, EnergySource } from './source';
import { bvseSource } from './bvse/source';
import type { BvseOptions } from './bvse/bvse';
import { analyticSource } from './analytic/source';
import { mlipSource, type MlipSourceOptions } from './mlip/source';
import { gcnModel } from '../gcn/model';

/** A source that can also run on the calling thread (CLI, tests, scripts). */
export type SyncCapable = { produceSync(structure: Structure, hooks?: WorkHooks): EnergyLandscape };

export const METHOD_NAMES: Record<string, string> = {
  bvse: 'BVSE (bond-valence site energy)',
  mlip: 'TensorNet-MatPES frozen-framework scan',
  gcn: 'GCN on the interstitial network',
  analytic: 'analytic test landscape',
};

export function bvseOptionsOf(o: NormalisedOptions, expert: Partial<BvseOptions> = {}): BvseOptions {
  return { ...expert, ion: o.ion, ionCharge: o.ionCharge, resolution: o.resolution, mode: o.mode };
}

/** The TensorNet-MatPES scan options the analysis options ask for (the source, and the host's time estimate). */
export function mlipScanOptionsOf(o: NormalisedOptions): MlipSourceOptions {
  return {
    cell: o.cell ?? 'primitive-standardized',
    variant: o.variant === 'empty-framework' ? 'empty framework' : 'other Li kept',
    session: o.modelPath ? { modelPath: o.modelPath } : undefined,
  };
}

/** The source for a method; `bvseExpert` carries test/benchmark-only BVSE settings (grid shape, far field). */
export function sourceFor(o: NormalisedOptions, bvseExpert?: Partial<BvseOptions>): EnergySource & Partial<SyncCapable> {
  switch (o.method) {
    case 'bvse':
      return bvseSource(bvseOptionsOf(o, bvseExpert));
    case 'analytic':
      return analyticSource({ barriers: o.analyticBarriers ?? [0.3, 0.8, 1.5], resolution: o.resolution });
    case 'mlip':
      return mlipSource(mlipScanOptionsOf(o));
    case 'gcn':
      return gcnModel(o.modelPath ? { modelPath: o.modelPath } : {});
    default:
      throw new LandscapeError('bad-option', `Unknown method '${String(o.method)}'.`);
  }
}
