/**
 * Benchmark: CPU cost of one evaluation of the TensorNet-MatPES-PBE-v2025.1 ONNX export
 * (models/tensornet/tensornet-matpes-pbe-v2025.1.onnx) in onnxruntime-node, CPU provider, 2 intra-op threads:
 * the reference structures of ../shared/models/tensornet-matpes-pbe-v2025.1/reference_energies.json, the
 * 28-atom LiFePO4 cell (examples/LiFePO4.cif) and batches of 8 and 32 disjoint LiFePO4 copies in one graph.
 * Median (and min) wall time of session.run over `runs` calls (3 for graphs over 5000 edges) after 1–2 warm-up
 * calls, and the process CPU time per call (user + system, both threads; less sensitive to a loaded machine);
 * the neighbour list (brute force, test/unit/tensornet-fixtures.ts) is built once and not timed.
 *
 *   node esbuild.mjs && nice -n 10 node out/scripts/bench-tensornet-onnx.js [runs=7] [threads=2]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import * as ort from 'onnxruntime-node';
import { buildStructure } from '../src/compute/structure/build';
import {
  ONNX_PATH, bruteForceGraph, concatGraphs, elementTypes, feeds, referenceCases, referenceGraph, sharedPresent, total, type AtomsGraph,
} from '../test/unit/tensornet-fixtures';

const args = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);
const RUNS = args[0] ?? 7;
const THREADS = args[1] ?? 2;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function lifepo4(types: string[], cutoff: number): AtomsGraph {
  const cifPath = join(process.cwd(), 'examples', 'LiFePO4.cif');
  const { structure, messages } = buildStructure(readFileSync(cifPath, 'utf8'));
  if (!structure) throw new Error(`${cifPath}: ${messages.map((m) => m.message).join('; ')}`);
  const species = structure.sites.map((site, i) => {
    if (site.species.length !== 1 || site.species[0].occupancy < 0.999) throw new Error(`LiFePO4 site ${i} is not fully occupied by one element`);
    return types.indexOf(site.species[0].element);
  });
  return bruteForceGraph('LiFePO4', species, structure.sites.map((s) => [...s.cart]), structure.lattice.matrix as never, cutoff);
}

async function main(): Promise<void> {
  if (!sharedPresent()) throw new Error('../shared/models/tensornet-matpes-pbe-v2025.1 is absent');
  const session = await ort.InferenceSession.create(ONNX_PATH, { executionProviders: ['cpu'], intraOpNumThreads: THREADS, interOpNumThreads: 1 });
  const types = elementTypes();
  const { cutoff, cases } = referenceCases();
  const graphs: AtomsGraph[] = Object.entries(cases).map(([name, c]) => referenceGraph(name, c, types, cutoff));
  const lfp = lifepo4(types, cutoff);
  graphs.push(lfp);
  for (const copies of [8, 32]) {
    const g = concatGraphs(Array.from({ length: copies }, () => lfp));
    g.name = `LiFePO4 ×${copies} (batch)`;
    graphs.push(g);
  }
  console.log(`TensorNet-MatPES-PBE-v2025.1 ONNX, onnxruntime-node CPU, ${THREADS} threads, median of ${RUNS} runs; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log('| structure | atoms | edges | E (eV) | median wall ms / eval | min wall ms | CPU ms / eval | wall ms per atom |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const g of graphs) {
    const f = feeds(ort, g);
    let energy = 0;
    const big = g.src.length > 5000;
    for (let w = 0; w < (big ? 1 : 2); w++) energy = total((await session.run(f)).atom_energy.data as Float32Array);
    const times: number[] = [];
    const runs = big ? Math.min(RUNS, 3) : RUNS;
    const cpu0 = process.cpuUsage();
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      await session.run(f);
      times.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / runs;
    const med = median(times);
    console.log(`| ${g.name} | ${g.species.length} | ${g.src.length} | ${energy.toFixed(4)} | ${med.toFixed(1)} | ${Math.min(...times).toFixed(1)} | ${cpuMs.toFixed(1)} | ${(med / g.species.length).toFixed(2)} |`);
  }
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
