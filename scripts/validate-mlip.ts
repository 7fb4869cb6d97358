/**
 * The seed paper's Fig. 2 check (Maevskiy et al., seed 001): MPE, FV and Ξ of four Materials Project structures from
 * the TensorNet-MatPES frozen-framework scan (SCIENCE.md §6: primitive standardized cell, other Li kept, 0.25 Å grid,
 * 1.2 Å skip radius), beside the paper's M3GNet values of Ξ (0.99, 0.97, 0.35, 0.00).
 *
 * Structures: ../shared/data/mp-li/structures.tar.xz (Materials Project, CC BY 4.0, via fxcoudert/topology_databases);
 * only the four members are extracted, into a temporary directory. Per ion: MPE (block flood), FV_c/FV_d at 0.5 eV
 * (each averaged over ±0.02/±0.04 eV) and Ξ from landscape/levelmap.ts; over ions MPE = min. The union of free volumes
 * over ions is the analysis layer's job; until it lands, Ξ is shown per ion and for the ion of lowest MPE.
 *
 * Resumable: finished structures are kept in --cache (default .test-output/validate-mlip.json) and not recomputed.
 * Usage: nice -n 10 node out/scripts/validate-mlip.js [--only mp-2530,...] [--spacing 0.25] [--fit] [--cache file]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildStructure } from '../src/compute/structure/build';
import { mlipSource } from '../src/compute/energy/mlip/source';
import { FV_SMEARING, landscapeDescriptors, periodicFlood, XI_THRESHOLD, xiScore } from '../src/compute/landscape/levelmap';
import { buildStencil, PeriodicNeighbours } from '../src/compute/landscape/stencil';
import { gridMinimum, voxelFrac, type EnergyGrid } from '../src/compute/landscape/grid';
import { prepareScanCell, periodicDistance } from '../src/compute/energy/mlip/cell';
import { opPreservesGrid } from '../src/compute/energy/mlip/scan';
import type { EnergyLandscape } from '../src/compute/energy/source';
import type { SymOp } from '../src/compute/structure/symmetry';
import type { Vec3 } from '../src/compute/structure/types';

/**
 * FV_d / FV_c united over every Li of the cell (SCIENCE.md §6), for this check only (the analysis layer's general
 * union replaces it): each distinct ion's below-threshold region — in the unit cell (FV_d) and in the periodic 2×2×2
 * frame (FV_c: the flood's points with their translation parity, completed by the loop parities open below the
 * threshold, with the minimum placed at the image nearest the ion's site) — is carried to every equivalent ion by a
 * space-group operation that maps the grid onto itself, and the regions are united. Returns null when some
 * equivalent ion has no such operation (the grid does not fit the symmetry).
 */
function unionFreeVolumes(land: EnergyLandscape): { fvC: number; fvD: number; xi: number } | null {
  const cell = prepareScanCell(land.structure, 'as-given');
  const shape = land.grids[0].grid.shape;
  const [n0, n1, n2] = shape;
  const N = n0 * n1 * n2;
  const L = land.structure.lattice.matrix;
  const thresholds = FV_SMEARING.map((d) => XI_THRESHOLD + d);
  const cellMask = thresholds.map(() => new Uint8Array(N));
  const frameMask = thresholds.map(() => new Uint8Array(8 * N));
  const mod = (a: number, m: number) => ((a % m) + m) % m;
  for (const g of land.grids) {
    const grid: EnergyGrid = g.grid;
    const fr = g.ionFrac!;
    const repAtom = cell.atoms.find((a) => a.element === 'Li' && periodicDistance(L, a.frac, fr) < 1e-3);
    if (!repAtom) return null;
    const members = cell.atoms.filter((a) => a.orbit === repAtom.orbit);
    const maps: { op: SymOp; m: Vec3 }[] = [];
    for (const mem of members) {
      const found = cell.ops.find((op) => {
        if (!opPreservesGrid(op, shape)) return false;
        const y = [0, 1, 2].map((i) => op.rot[i][0] * fr[0] + op.rot[i][1] * fr[1] + op.rot[i][2] * fr[2] + op.trans[i]);
        return periodicDistance(L, y, mem.frac) < 1e-3;
      });
      if (!found) return null;
      const y = [0, 1, 2].map((i) => found.rot[i][0] * fr[0] + found.rot[i][1] * fr[1] + found.rot[i][2] * fr[2] + found.trans[i]);
      maps.push({ op: found, m: y.map((x, i) => Math.round(x - mem.frac[i])) as Vec3 });
    }
    const top = Math.max(...thresholds);
    const flood = periodicFlood(grid, { stopLevel: top });
    const stencil = buildStencil(grid.lattice, grid.shape, 'sqrt3');
    const nb = new PeriodicNeighbours(grid.shape);
    const loopLevel = new Float64Array(8).fill(Infinity);
    for (let k = 0; k < flood.settledCount; k++) {
      const v = flood.settled[k];
      if (!(flood.levels[v] < top)) break;
      nb.centre(v);
      for (let s2 = 0; s2 < stencil.count; s2++) {
        nb.step(stencil, s2);
        const w = nb.index;
        if (!(flood.levels[w] < top)) continue;
        const loop = flood.parity[v] ^ flood.parity[w] ^ ((nb.t0 & 1) | ((nb.t1 & 1) << 1) | ((nb.t2 & 1) << 2));
        if (loop) loopLevel[loop] = Math.min(loopLevel[loop], Math.max(flood.levels[v], flood.levels[w]));
      }
    }
    // The minimum's image nearest the ion's site fixes the parity of the whole map.
    const u0 = voxelFrac(shape, gridMinimum(grid.data).index);
    const c0 = [0, 1, 2].reduce((bits, i) => bits | ((mod(Math.round(fr[i] - u0[i]), 2)) << i), 0);
    thresholds.forEach((thr, t) => {
      let span = 1;
      for (let p = 1; p < 8; p++) if (loopLevel[p] < thr && !(span & (1 << p))) { let grown = span; for (let x = 0; x < 8; x++) if (span & (1 << x)) grown |= 1 << (x ^ p); span = grown; }
      const spanList = [0, 1, 2, 3, 4, 5, 6, 7].filter((x) => span & (1 << x));
      for (let v = 0; v < N; v++) {
        const k2 = v % n2, k1 = ((v - k2) / n2) % n1, k0 = (v - k2 - k1 * n2) / (n1 * n2);
        const belowCell = Math.fround(grid.data[v] - grid.min) < thr;
        const inRegion = flood.levels[v] < thr;
        if (!belowCell && !inRegion) continue;
        for (const { op, m } of maps) {
          const img = (K: number[]) => [0, 1, 2].map((i) => {
            const n = shape[i];
            let x = 0;
            for (let j = 0; j < 3; j++) x += Math.round((n * op.rot[i][j]) / shape[j]) * K[j];
            return mod(x + Math.round(n * (op.trans[i] - m[i])), 2 * n);
          });
          if (belowCell) { const K = img([k0, k1, k2]); cellMask[t][((K[0] % n0) * n1 + (K[1] % n1)) * n2 + (K[2] % n2)] = 1; }
          if (inRegion) for (const sp of spanList) {
            const p = flood.parity[v] ^ c0 ^ sp;
            const K = img([k0 + (p & 1) * n0, k1 + ((p >> 1) & 1) * n1, k2 + ((p >> 2) & 1) * n2]);
            const bits = (K[0] >= n0 ? 1 : 0) | (K[1] >= n1 ? 2 : 0) | (K[2] >= n2 ? 4 : 0);
            frameMask[t][bits * N + ((K[0] % n0) * n1 + (K[1] % n1)) * n2 + (K[2] % n2)] = 1;
          }
        }
      }
    });
  }
  const count = (a: Uint8Array) => a.reduce((s2, x) => s2 + x, 0);
  const fvD = cellMask.reduce((s2, a) => s2 + count(a) / N, 0) / thresholds.length;
  const fvC = frameMask.reduce((s2, a) => s2 + count(a) / (8 * N), 0) / thresholds.length;
  return { fvC, fvD, xi: xiScore(fvC, fvD) };
}

const PAPER: { id: string; formula: string; xi: number }[] = [
  { id: 'mp-1211296', formula: 'LiB6H6', xi: 0.99 },
  { id: 'mp-2530', formula: 'Li2Te', xi: 0.97 },
  { id: 'mp-1191476', formula: 'Li2In2GeS6', xi: 0.35 },
  { id: 'mp-768738', formula: 'Li3Bi(BO3)2', xi: 0.0 },
];
const DATA = '../shared/data/mp-li';

const args = process.argv.slice(2);
const value = (name: string, fallback: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : fallback; };

interface IonRow { label: string; multiplicity: number; mpe: number; fvC: number; fvD: number; xi: number }
interface Row { id: string; formula: string; paperXi: number; atoms: number; grid: number[]; evaluations: number; seconds: number; ions: IonRow[]; warnings: string[]; spacing: number; union?: { fvC: number; fvD: number; xi: number } | null; pes?: number[][] }

async function main() {
  const only = value('only', '').split(',').filter(Boolean);
  const spacing = Number(value('spacing', '0.25'));
  // --fit: round the grid up to fit the space group, so that equivalent ions can be united exactly.
  const fit = args.includes('--fit');
  const cachePath = value('cache', '.test-output/validate-mlip.json');
  const cache: Record<string, Row> = existsSync(cachePath) ? JSON.parse(readFileSync(cachePath, 'utf8')) : {};
  const targets = PAPER.filter((p) => !only.length || only.includes(p.id));
  const tmp = mkdtempSync(join(tmpdir(), 'ionpath-mp-'));
  try {
    const members = targets.map((t) => `mp-li/${t.id}.cif`);
    execFileSync('tar', ['-xJf', join(DATA, 'structures.tar.xz'), '-C', tmp, ...members]);
    for (const t of targets) {
      const key = `${t.id}@${spacing}${fit ? '-fit' : ''}`;
      if (cache[key]) continue;
      const r = buildStructure(readFileSync(join(tmp, 'mp-li', `${t.id}.cif`), 'utf8'));
      if (!r.structure) throw new Error(`${t.id}: ${r.messages.map((m) => m.message).join('; ')}`);
      const t0 = performance.now();
      const land = await mlipSource({ gridSpacing: spacing, gridFitsSymmetry: fit }).produce(r.structure, {
        onProgress: (f) => process.stderr.write(`\r${t.id} ${(100 * f).toFixed(1)} %   `),
      });
      process.stderr.write('\n');
      const ions = land.grids.map((g) => {
        const d = landscapeDescriptors(g.grid);
        return { label: g.label, multiplicity: g.multiplicity, mpe: d.mpe, fvC: d.freeVolume.connected, fvD: d.freeVolume.disconnected, xi: d.xi };
      });
      cache[key] = {
        id: t.id, formula: t.formula, paperXi: t.xi, atoms: land.structure.sites.length, grid: land.grids[0].grid.shape,
        evaluations: Number(land.details.evaluations), seconds: (performance.now() - t0) / 1000, ions, warnings: land.warnings, spacing,
        union: unionFreeVolumes(land),
      };
      mkdirSync(dirname(cachePath), { recursive: true });
      writeFileSync(cachePath, JSON.stringify(cache, null, 2));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`Fig. 2 check: TensorNet-MatPES frozen-framework scan (primitive standardized cell, other Li kept, ${spacing} Å grid${fit ? ' rounded up to fit the space group' : ''}) vs the paper's M3GNet Ξ`);
  console.log('id          formula        atoms grid        evals   time   MPE(eV) per ion            Ξ per ion                 Ξ(lowest-MPE ion)  paper Ξ');
  for (const t of targets) {
    const row = cache[`${t.id}@${spacing}${fit ? '-fit' : ''}`];
    if (!row) continue;
    const best = row.ions.reduce((a, b) => (b.mpe < a.mpe ? b : a));
    console.log([
      t.id.padEnd(11), t.formula.padEnd(14), String(row.atoms).padStart(5), row.grid.join('×').padEnd(11), String(row.evaluations).padStart(6),
      `${row.seconds.toFixed(0)}s`.padStart(6),
      row.ions.map((i) => `${i.label} ${i.mpe.toFixed(2)}`).join(', ').padEnd(26),
      row.ions.map((i) => `${i.label} ${i.xi.toFixed(2)}`).join(', ').padEnd(25),
      best.xi.toFixed(2).padStart(6), '           ', t.xi.toFixed(2),
    ].join(' '));
    for (const i of row.ions) console.log(`    ${i.label} (×${i.multiplicity}): MPE ${i.mpe.toFixed(3)} eV, FV_c ${i.fvC.toExponential(2)}, FV_d ${i.fvD.toExponential(2)}, Ξ ${i.xi.toFixed(3)}`);
    if (row.union) console.log(`    union over all Li: FV_c ${row.union.fvC.toExponential(2)}, FV_d ${row.union.fvD.toExponential(2)}, Ξ ${row.union.xi.toFixed(3)}   (paper Ξ ${t.xi.toFixed(2)})`);
    else console.log('    union over all Li: not computed (an equivalent Li has no grid-preserving operation, or an older cache entry)');
    for (const w of row.warnings) console.log(`    warning: ${w}`);
  }
  console.log('Structures: Materials Project (CC BY 4.0). Paper values: M3GNet, Maevskiy et al. (seed 001), Fig. 2.');
}

main().catch((e) => { console.error(e); process.exit(1); });
