/**
 * How good is the TensorNet-MatPES time estimate (energy/mlip/scan.ts estimateFrozenFrameworkScan, shown before a
 * scan or a ranking starts)? For every structure of a `rank --method mlip --json-out` file: the estimate from the
 * plan beside the measured seconds of its row, and the sum over the folder beside the run's wall time (given).
 *
 * Usage: node out/scripts/check-scan-estimate.js <folder> <mlip rank.json> [--wall-s 2301] [--workers 2]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStructure } from '../src/compute/structure/read';
import { estimateFrozenFrameworkScan } from '../src/compute/energy/mlip/scan';
import { median } from './lib/metrics';

const args = process.argv.slice(2);
const [folder, rankFile] = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const opt = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : null; };
const rows = (JSON.parse(readFileSync(rankFile, 'utf8')).rows as { file: string; seconds: number | null; error: string | null }[]).filter((r) => !r.error && r.seconds !== null);
const workers = opt('workers') ?? 2;
let estimated = 0, measured = 0;
const ratios: number[] = [];
for (const r of rows) {
  const built = readStructure(readFileSync(join(folder, r.file), 'utf8'), { name: r.file });
  if (!built.structure) continue;
  const e = estimateFrozenFrameworkScan(built.structure, {}, 2);
  estimated += e.seconds;
  measured += r.seconds!;
  ratios.push(r.seconds! / Math.max(e.seconds, 1e-3));
}
ratios.sort((a, b) => a - b);
const q = (p: number) => ratios[Math.min(ratios.length - 1, Math.floor(p * ratios.length))];
console.log(`${ratios.length} structures: estimated (2 threads, one file at a time) Σ ${estimated.toFixed(0)} s; measured per-row Σ ${measured.toFixed(0)} s with ${workers} workers in parallel`);
console.log(`measured / estimated per structure: median ${median(ratios).toFixed(2)}, 10–90 % ${q(0.1).toFixed(2)}–${q(0.9).toFixed(2)}`);
const wall = opt('wall-s');
if (wall) console.log(`run wall time ${wall} s vs the folder estimate Σ ${estimated.toFixed(0)} s: ${(wall / estimated).toFixed(2)}×`);
