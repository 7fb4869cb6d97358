/**
 * Benchmark of the GCN-IN barrier model (src/compute/gcn/model.ts): milliseconds per structure for
 *   network+features  buildInterstitialNetwork + networkFeatures + BVSE at the network's points and its percolation
 *                     barriers + symmetry reduction (features.ts: interstitialGraph, all of it)
 *   of which BVSE     networkEnergies alone (bvsePointEnergy setup + one evaluation per orbit + the union-find),
 *                     timed separately on the same network
 *   inference         onnxruntime-node session.run alone (session created once, before timing)
 *   total             both, as `predict` does
 * on the example CIFs (or the files given). Median over --repeat runs per structure.
 * Usage: nice -n 10 node out/scripts/bench-gcn.js [--repeat 3] [--providers cpu] [--model path.onnx]
 *        [--intra-op-threads N (default 1; 0 = onnxruntime's default, all cores)] [files…]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildStructure } from '../src/compute/structure/build';
import { gcnModel } from '../src/compute/gcn/model';
import { networkEnergies } from '../src/compute/gcn/features';
import { buildInterstitialNetwork } from '../src/compute/network';

const args = process.argv.slice(2);
const arg = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const repeat = Number(arg('--repeat') ?? 3);
const providers = arg('--providers')?.split(',');
const modelPath = arg('--model');
const intraOpThreads = arg('--intra-op-threads') !== undefined ? Number(arg('--intra-op-threads')) : undefined;
const files = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
const list = files.length ? files : readdirSync(join(process.cwd(), 'examples')).filter((f) => f.endsWith('.cif')).sort().map((f) => join(process.cwd(), 'examples', f));
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function main(): Promise<void> {
  const model = gcnModel({ ...(providers ? { executionProviders: providers } : {}), ...(modelPath ? { modelPath } : {}), ...(intraOpThreads !== undefined ? { intraOpThreads } : {}) });
  const first = buildStructure(readFileSync(list[0], 'utf8')).structure!;
  const warm = await model.predict(first); // session creation is not timed
  console.log(`intra-op threads: ${intraOpThreads ?? 1}; execution provider: ${warm.details.executionProvider}; model ${warm.identity.model?.id} sha256 ${warm.identity.model?.sha256.slice(0, 12)}…`);
  console.log('structure                sites  IN nodes  edges  network+features ms  of which BVSE ms  inference ms  total ms  Ea_1D(GCN-IN) eV');
  const all: { net: number; inf: number; bvse: number }[] = [];
  for (const f of list) {
    const s = buildStructure(readFileSync(f, 'utf8')).structure;
    if (!s) { console.log(`${f}: does not build`); continue; }
    const net: number[] = [], inf: number[] = [], tot: number[] = [];
    let last = warm;
    for (let r = 0; r < repeat; r++) {
      last = await model.predict(s);
      net.push(last.timings_ms.network); inf.push(last.timings_ms.inference); tot.push(last.timings_ms.total);
    }
    const network = buildInterstitialNetwork(s);
    const bvse: number[] = [];
    for (let r = 0; r < repeat; r++) { const t0 = performance.now(); networkEnergies(s, network); bvse.push(performance.now() - t0); }
    all.push({ net: median(net), inf: median(inf), bvse: median(bvse) });
    console.log(`${f.split('/').pop()!.padEnd(24)} ${String(s.sites.length).padStart(5)}  ${String(last.details.nodes).padStart(8)}  ${String(last.details.edges).padStart(5)}  ${median(net).toFixed(1).padStart(19)}  ${median(bvse).toFixed(1).padStart(16)}  ${median(inf).toFixed(2).padStart(12)}  ${median(tot).toFixed(1).padStart(8)}  ${last.Ea_1D_eV?.toFixed(3) ?? '—'}`);
  }
  console.log(`median over ${all.length} structures: network+features ${median(all.map((a) => a.net)).toFixed(1)} ms (max ${Math.max(...all.map((a) => a.net)).toFixed(1)}), of which BVSE ${median(all.map((a) => a.bvse)).toFixed(1)} ms, inference ${median(all.map((a) => a.inf)).toFixed(2)} ms (max ${Math.max(...all.map((a) => a.inf)).toFixed(2)})`);
}

void main();
