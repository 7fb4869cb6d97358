/**
 * Benchmark of buildInterstitialNetwork (+ networkFeatures) per structure: median and worst CPU ms
 * (process.cpuUsage; on an idle machine wall ≈ CPU, as both are single-threaded).
 * Sets: the OBELiX CIFs (../shared/data/obelix/cifs; disordered ones are run as mean field — partial sites are
 * framework with occupancy-weighted radii, see network/radii.ts — and counted separately) and a deterministic MP
 * sample from ../shared/data/mp-li/structures.tar.xz (every k-th entry, extracted to a temp dir).
 * Usage: node out/scripts/bench-network.js [--obelix N] [--mp N]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { withMpSample } from './lib/mpSample';
import { buildStructure } from '../src/compute/structure/build';
import { buildInterstitialNetwork, networkFeatures } from '../src/compute/network';

const root = join(__dirname, '..', '..');
const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(name); return i >= 0 ? Number(process.argv[i + 1]) : dflt; };

function stats(label: string, ms: number[]): void {
  if (!ms.length) { console.log(`${label}: no structures`); return; }
  const s = [...ms].sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)];
  const p90 = s[Math.floor(0.9 * (s.length - 1))];
  console.log(`${label}: n=${s.length} median ${median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms, worst ${s[s.length - 1].toFixed(1)} ms`);
}

function run(label: string, files: string[]): void {
  const ordered: number[] = [], disordered: number[] = [];
  let worst = { ms: 0, file: '' };
  let failed = 0;
  for (const f of files) {
    const built = buildStructure(readFileSync(f, 'utf8'));
    if (!built.structure) { failed++; continue; }
    const s = built.structure;
    // CPU time of this thread (user + system): wall time is meaningless on a shared, oversubscribed machine.
    const c0 = process.cpuUsage();
    const net = buildInterstitialNetwork(s);
    networkFeatures(s, net);
    const c = process.cpuUsage(c0);
    const ms = (c.user + c.system) / 1000;
    (s.hasPartialOccupancy ? disordered : ordered).push(ms);
    if (ms > worst.ms) worst = { ms, file: `${f.split('/').pop()} (${s.sites.length} sites, ${net.nodes.length} nodes)` };
  }
  stats(`${label} ordered`, ordered);
  stats(`${label} disordered (mean field)`, disordered);
  stats(`${label} all`, [...ordered, ...disordered]);
  console.log(`${label}: worst ${worst.file}; ${failed} CIFs could not be built`);
}

const nObelix = arg('--obelix', 1e9);
const nMp = arg('--mp', 200);
const obelixDir = join(root, '..', 'shared', 'data', 'obelix', 'cifs');
const obelix = readdirSync(obelixDir).filter((f) => f.endsWith('.cif')).sort().slice(0, nObelix).map((f) => join(obelixDir, f));
run('OBELiX', obelix);

if (nMp > 0) withMpSample(nMp, 'bench-network-', ({ paths, step, total }) => run(`MP sample (every ${step}th of ${total})`, paths));
