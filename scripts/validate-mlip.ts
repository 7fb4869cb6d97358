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
 * Usage: nice -n 10 node out/scripts/validate-mlip.js [--only mp-2530,...] [--spacing 0.25] [--cache file]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildStructure } from '../src/compute/structure/build';
import { mlipSource } from '../src/compute/energy/mlip/source';
import { landscapeDescriptors } from '../src/compute/landscape/levelmap';

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
interface Row { id: string; formula: string; paperXi: number; atoms: number; grid: number[]; evaluations: number; seconds: number; ions: IonRow[]; warnings: string[]; spacing: number }

async function main() {
  const only = value('only', '').split(',').filter(Boolean);
  const spacing = Number(value('spacing', '0.25'));
  const cachePath = value('cache', '.test-output/validate-mlip.json');
  const cache: Record<string, Row> = existsSync(cachePath) ? JSON.parse(readFileSync(cachePath, 'utf8')) : {};
  const targets = PAPER.filter((p) => !only.length || only.includes(p.id));
  const tmp = mkdtempSync(join(tmpdir(), 'ionpath-mp-'));
  try {
    const members = targets.map((t) => `mp-li/${t.id}.cif`);
    execFileSync('tar', ['-xJf', join(DATA, 'structures.tar.xz'), '-C', tmp, ...members]);
    for (const t of targets) {
      const key = `${t.id}@${spacing}`;
      if (cache[key]) continue;
      const r = buildStructure(readFileSync(join(tmp, 'mp-li', `${t.id}.cif`), 'utf8'));
      if (!r.structure) throw new Error(`${t.id}: ${r.messages.map((m) => m.message).join('; ')}`);
      const t0 = performance.now();
      const land = await mlipSource({ gridSpacing: spacing }).produce(r.structure, {
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
      };
      mkdirSync(dirname(cachePath), { recursive: true });
      writeFileSync(cachePath, JSON.stringify(cache, null, 2));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`Fig. 2 check: TensorNet-MatPES frozen-framework scan (primitive standardized cell, other Li kept, ${spacing} Å grid) vs the paper's M3GNet Ξ`);
  console.log('id          formula        atoms grid        evals   time   MPE(eV) per ion            Ξ per ion                 Ξ(lowest-MPE ion)  paper Ξ');
  for (const t of targets) {
    const row = cache[`${t.id}@${spacing}`];
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
    for (const w of row.warnings) console.log(`    warning: ${w}`);
  }
  console.log('Structures: Materials Project (CC BY 4.0). Paper values: M3GNet, Maevskiy et al. (seed 001), Fig. 2.');
}

main().catch((e) => { console.error(e); process.exit(1); });
