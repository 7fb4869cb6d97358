/**
 * TensorNet-MatPES frozen-framework scan as a grid source (energy/source.ts): one IonGrid per symmetry-distinct Li,
 * PES = E − min E over the cell's grid (SCIENCE.md §6). The identity names the model file by content hash, the grid
 * and skip parameters, the cell (primitive standardized by default) and the variant (other Li kept / empty framework).
 */
import type { Structure } from '../../structure/types';
import type { EnergyLandscape, GridSource, SourceIdentity } from '../source';
import type { WorkHooks } from '../../util/work';
import { makeGrid } from '../../landscape/grid';
import { MLIP_GRID_SPACING, MLIP_SKIP_RADIUS, scanFrozenFramework, type ScanOptions } from './scan';
import { TENSORNET_CUTOFF } from './neighbours';
import { modelSha256, resolveModelPath, TENSORNET_MODEL_ID } from './session';

export const MLIP_LABEL = 'TensorNet-MatPES';

export type MlipSourceOptions = Omit<ScanOptions, 'bruteForce'>;

export function mlipSource(options: MlipSourceOptions = {}): GridSource {
  // The cell choice, not the cell, is part of the identity: it does not depend on the structure.
  const identity = (sha256?: string): SourceIdentity => ({
    method: 'mlip',
    label: MLIP_LABEL,
    model: { id: TENSORNET_MODEL_ID, sha256: sha256 ?? options.potential?.sha256 ?? modelSha256(resolveModelPath(options.session?.modelPath)) },
    parameters: {
      gridSpacing: options.shape ? null : options.gridSpacing ?? MLIP_GRID_SPACING,
      gridRule: options.gridFitsSymmetry ? 'n_i = ceil(|a_i| / spacing), rounded up to fit the space group' : 'n_i = ceil(|a_i| / spacing)',
      shape: options.shape ?? null,
      skipRadius: options.skipRadius ?? MLIP_SKIP_RADIUS,
      cutoff: TENSORNET_CUTOFF,
      mobile: options.mobile ?? 'Li',
      frozen: true,
    },
    cell: options.cell ?? 'primitive-standardized',
    variant: options.variant ?? 'other Li kept',
  });
  return {
    kind: 'grid',
    identity: () => identity(),
    async produce(structure: Structure, hooks: WorkHooks = {}): Promise<EnergyLandscape> {
      const scan = await scanFrozenFramework(structure, options, hooks);
      const id = identity(scan.modelSha256);
      id.cell = scan.cell.choice;
      const source = `${MLIP_LABEL} frozen-framework scan (${id.variant}, ${scan.cell.choice} cell)`;
      const lattice = scan.cell.lattice.matrix;
      return {
        identity: id,
        structure: scan.cell.structure,
        grids: scan.ions.map((ion) => ({
          grid: makeGrid(ion.shape, ion.pes, lattice, source),
          ionFrac: ion.frac,
          label: ion.label,
          multiplicity: ion.multiplicity,
        })),
        warnings: [...scan.fallbacks.map((f) => `execution provider ${f.provider} not used: ${f.reason}`), ...scan.warnings],
        details: {
          executionProvider: scan.executionProvider,
          evaluations: scan.evaluations,
          evaluationsBruteForce: scan.evaluationsBruteForce,
          evaluationsEveryIon: scan.evaluationsEveryIon,
          batch: scan.batch,
          gridShape: scan.gridShape,
          spaceGroup: scan.cell.spaceGroup,
          atoms: scan.cell.atoms.length,
          ions: scan.ions.map((i) => ({
            label: i.label, multiplicity: i.multiplicity, skipped: i.skipped, symmetryOps: i.symmetryOps, equivalentIonsExact: i.equivalentIonsExact,
            minimumEnergy_eV: i.minimumEnergy_eV, unperturbedEnergy_eV: i.unperturbedEnergy_eV, minimumDistance_A: i.minimumDistance_A,
          })),
        },
        timings_ms: scan.timings_ms,
      };
    },
  };
}
