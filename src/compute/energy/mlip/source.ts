/**
 * TensorNet-MatPES frozen-framework scan as a grid source (energy/source.ts): one IonGrid per symmetry-distinct Li,
 * PES = E − min E over the cell's grid (SCIENCE.md §6). The identity names the model file by content hash, the grid
 * and skip parameters, the cell (primitive standardized by default) and the variant (other Li kept / empty framework).
 */
import type { Structure, Vec3 } from '../../structure/types';
import type { SymOp } from '../../structure/symmetry';
import type { EnergyLandscape, GridSource, IonGrid, SourceIdentity } from '../source';
import type { WorkHooks } from '../../util/work';
import { makeGrid, type EnergyGrid } from '../../landscape/grid';
import { MLIP_GRID_SPACING, MLIP_SKIP_RADIUS, opPreservesGrid, scanFrozenFramework, type ScanOptions } from './scan';
import { TENSORNET_CUTOFF } from './neighbours';
import { periodicDistance } from './cell';
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
    orderedInput: 'all', // a potential needs every atom at a definite position
    identity: () => identity(),
    async produce(structure: Structure, hooks: WorkHooks = {}): Promise<EnergyLandscape> {
      const scan = await scanFrozenFramework(structure, options, hooks);
      const id = identity(scan.modelSha256);
      id.cell = scan.cell.choice;
      const source = `${MLIP_LABEL} frozen-framework scan (${id.variant}, ${scan.cell.choice} cell)`;
      const lattice = scan.cell.lattice.matrix;
      const expanded = everyIon(scan, (shape, pes) => makeGrid(shape, pes, lattice, source));
      return {
        identity: id,
        structure: scan.cell.structure,
        grids: expanded.grids,
        warnings: [...scan.fallbacks.map((f) => `execution provider ${f.provider} not used: ${f.reason}`), ...scan.warnings, ...expanded.warnings],
        details: {
          executionProvider: scan.executionProvider,
          evaluation: scan.evaluation,
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

/**
 * One grid per Li of the cell (SCIENCE.md §6: the free volumes are the union over every ion, each placed at its own
 * site). The scan computed one grid per orbit of equivalent ions; each other member's landscape is that grid carried
 * by a space-group operation that maps the representative onto it and the grid onto itself (exact). A member that no
 * such operation reaches keeps only its orbit's grid (multiplicity), said in a warning.
 */
function everyIon(scan: Awaited<ReturnType<typeof scanFrozenFramework>>, grid: (shape: [number, number, number], pes: Float32Array) => EnergyGrid): { grids: IonGrid[]; warnings: string[] } {
  const L = scan.cell.lattice.matrix;
  const atoms = scan.cell.atoms;
  const grids: IonGrid[] = [];
  const warnings: string[] = [];
  const mod = (a: number, m: number) => ((a % m) + m) % m;
  const apply = (op: SymOp, f: Vec3) => [0, 1, 2].map((i) => op.rot[i][0] * f[0] + op.rot[i][1] * f[1] + op.rot[i][2] * f[2] + op.trans[i]) as Vec3;
  for (const ion of scan.ions) {
    const base = grid(ion.shape, ion.pes);
    const rep = atoms.find((a) => periodicDistance(L, a.frac, ion.frac) < 1e-3);
    const members = rep ? atoms.filter((a) => a.orbit === rep.orbit && a.element === rep.element && a !== rep) : [];
    grids.push({ grid: base, ionFrac: ion.frac, label: ion.label, multiplicity: 1 });
    let unplaced = 0;
    const [n0, n1, n2] = ion.shape;
    for (const mem of members) {
      const op = scan.cell.ops.find((o) => opPreservesGrid(o, ion.shape) && periodicDistance(L, apply(o, ion.frac), mem.frac) < 1e-3);
      if (!op) { unplaced++; continue; }
      const data = new Float32Array(base.data.length);
      const n = ion.shape;
      // Voxel k → op(k): K_i = Σ_j R_ij k_j n_i / n_j + t_i n_i (integers when the operation maps the grid onto itself).
      const t = [0, 1, 2].map((i) => Math.round(op.trans[i] * n[i]));
      const r = [0, 1, 2].map((i) => [0, 1, 2].map((j) => Math.round((op.rot[i][j] * n[i]) / n[j])));
      let v = 0;
      for (let k0 = 0; k0 < n0; k0++) for (let k1 = 0; k1 < n1; k1++) for (let k2 = 0; k2 < n2; k2++, v++) {
        const K0 = mod(r[0][0] * k0 + r[0][1] * k1 + r[0][2] * k2 + t[0], n0);
        const K1 = mod(r[1][0] * k0 + r[1][1] * k1 + r[1][2] * k2 + t[1], n1);
        const K2 = mod(r[2][0] * k0 + r[2][1] * k1 + r[2][2] * k2 + t[2], n2);
        data[(K0 * n1 + K1) * n2 + K2] = base.data[v];
      }
      grids.push({ grid: grid(ion.shape, data), ionFrac: mem.frac, label: mem.label, multiplicity: 1 });
    }
    if (unplaced) {
      grids[grids.length - 1 - (members.length - unplaced)].multiplicity += unplaced;
      warnings.push(`${unplaced} ion(s) equivalent to ${ion.label} are not on a symmetry image of the scan grid: the free-volume union counts ${ion.label}'s map for them only once (a grid that fits the space group avoids this).`);
    }
  }
  return { grids, warnings };
}
