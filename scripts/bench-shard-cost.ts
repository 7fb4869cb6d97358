/**
 * Per-structure cost of a ranking, for sizing a cluster run (docs/CLUSTER.md): CPU seconds and wall seconds of
 * one structure on one thread (what one Slurm CPU does), over a deterministic sample (every k-th file by sorted
 * name) of a folder of CIFs, or of the Materials Project set (`--mp N`: extracted from ../shared/data/mp-li into a
 * temporary folder). CPU time (process.cpuUsage) is the figure to size with: it does not grow when the machine
 * is shared, wall time does. Prints the load average with the numbers.
 *
 *   node out/scripts/bench-shard-cost.js <folder> [--sample 60] [--resolution 0.2]
 *   node out/scripts/bench-shard-cost.js --mp 40 [--resolution 0.2]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runLandscapeJobSync } from '../src/compute/analysis/job';

const args = process.argv.slice(2);
const flag = (k: string, d?: string) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const resolution = Number(flag('--resolution', '0.2'));
let folder = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
let cleanup: string | null = null;
const mp = flag('--mp');
if (mp) {
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-bench-mp-'));
  const r = spawnSync('tar', ['-xJf', '../shared/data/mp-li/structures.tar.xz', '-C', dir], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('cannot extract ../shared/data/mp-li/structures.tar.xz');
  cleanup = dir;
  folder = dir;
}
if (!folder) { process.stderr.write('usage: bench-shard-cost <folder> [--sample N] | --mp N  [--resolution 0.2]\n'); process.exit(2); }
const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : /\.cif$/i.test(e.name) ? [join(d, e.name)] : []));
const all = walk(folder).sort();
const want = Number(mp ?? flag('--sample', '60'));
const step = Math.max(1, Math.floor(all.length / want));
const sample = all.filter((_, i) => i % step === 0).slice(0, want);

const cpu: number[] = [], wall: number[] = [], atoms: number[] = [];
let failed = 0;
const load0 = loadavg()[0];
for (const path of sample) {
  const text = readFileSync(path, 'utf8');
  const c0 = process.cpuUsage(), t0 = performance.now();
  const r = runLandscapeJobSync(text, { ion: 'Li', ionCharge: 1, resolution, mode: 'spse' });
  const c = process.cpuUsage(c0);
  wall.push((performance.now() - t0) / 1000);
  cpu.push((c.user + c.system) / 1e6);
  if (!r.ok) failed++;
  if (r.analysis) atoms.push(r.analysis.structure.sites.length);
}
if (cleanup) rmSync(cleanup, { recursive: true, force: true });
const q = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const f = (x: number) => x.toFixed(2);
process.stdout.write([
  `bench-shard-cost: ${sample.length} of ${all.length} CIFs (every ${step}th by name) from ${mp ? 'Materials Project (../shared/data/mp-li)' : folder}`,
  `method: BVSE (softBV, SPSE convention), Li+1, grid ${resolution} Å; one thread; ${failed} failed with a reason; sites per cell median ${q(atoms, 0.5) ?? '-'}`,
  `CPU s per structure:  mean ${f(mean(cpu))}, median ${f(q(cpu, 0.5))}, p90 ${f(q(cpu, 0.9))}, max ${f(Math.max(...cpu))}`,
  `wall s per structure: mean ${f(mean(wall))}, median ${f(q(wall, 0.5))}, p90 ${f(q(wall, 0.9))}, max ${f(Math.max(...wall))}`,
  `=> about ${Math.round(3600 / mean(cpu))} structures per CPU-hour; 21,733 structures ≈ ${f((21733 * mean(cpu)) / 3600)} CPU-hours`,
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; load average ${load0.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end`,
  '',
].join('\n'));
