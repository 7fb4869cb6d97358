/**
 * Benchmark of the TensorNet-MatPES frozen-framework scan (src/compute/energy/mlip/), SCIENCE.md §6 grid (0.25 Å,
 * primitive standardized cell, other Li kept).
 *
 *   1. Li2Te (mp-2530 primitive cell, test/fixtures): full scan, wall time and evaluations/s.
 *   2. Optimised vs brute-force scan of the same grid, both run here (Li2Te on the product's 19×19×19 grid unless
 *      --brute-grid n): the measured wall-time ratio and the largest difference (eV).
 *   3. LiFePO4 (examples/LiFePO4.cif): the plan (evaluations with and without the site-symmetry reduction, grid), the
 *      full scan's wall time and evaluations/s (the frozen-framework graphs, the scan's batching), and, on the same
 *      probes for --sample-s seconds, the whole-cell main graph batched and one probe per call: the per-evaluation
 *      gain of the frozen-framework split and the brute-force time projected from the one-per-call rate (said so).
 *
 * Usage: node out/scripts/bench-mlip.js [--sample-s 20] [--brute-grid 8] [--threads N] [--json out.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { buildStructure } from '../src/compute/structure/build';
import { planFrozenFrameworkScan, scanFrozenFramework } from '../src/compute/energy/mlip/scan';
import { getPotentialSession } from '../src/compute/energy/mlip/session';
import type { Structure, Vec3 } from '../src/compute/structure/types';

const args = process.argv.slice(2);
const value = (name: string, fallback: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : fallback; };

function load(path: string): Structure {
  const r = buildStructure(readFileSync(path, 'utf8'));
  if (!r.structure) throw new Error(`${path}: ${r.messages.map((m) => m.message).join('; ')}`);
  return r.structure;
}

async function main() {
  const threads = args.includes('--threads') ? Number(value('threads', '0')) : undefined;
  const potential = await getPotentialSession({ threads });
  const report: Record<string, unknown> = { executionProvider: potential.executionProvider, threads: potential.threads, modelSha256: potential.sha256 };
  console.log(`TensorNet-MatPES scan benchmark: provider ${potential.executionProvider}, ${potential.threads} threads`);

  // 1. Li2Te full scan.
  const li2te = load('test/fixtures/Li2Te-mp-2530-primitive.cif');
  const full = await scanFrozenFramework(li2te, { potential });
  const li2teRate = full.evaluations / (full.timings_ms.inference / 1000);
  report.li2te = { grid: full.gridShape, evaluations: full.evaluations, evaluationsBruteForce: full.evaluationsBruteForce, evaluationsEveryIon: full.evaluationsEveryIon, batch: full.batch, wall_s: full.timings_ms.total / 1000, evaluationsPerSecond: li2teRate };
  console.log(`Li2Te (mp-2530 primitive, ${full.cell.atoms.length} atoms) ${full.gridShape.join('×')}: ${full.evaluations} evaluations (brute force ${full.evaluationsBruteForce}: ${(full.evaluationsBruteForce / full.evaluations).toFixed(1)}× fewer; every Li scanned as the authors do: ${full.evaluationsEveryIon}, ${(full.evaluationsEveryIon / full.evaluations).toFixed(1)}×), batch ${full.batch}, ${(full.timings_ms.total / 1000).toFixed(1)} s, ${li2teRate.toFixed(1)} evaluations/s`);

  // 2. Optimised vs brute force, same run, same grid (default: the product's 19×19×19).
  const n = Number(value('brute-grid', String(full.gridShape[0])));
  const shape: [number, number, number] = [n, n, n];
  const fast = await scanFrozenFramework(li2te, { potential, shape });
  const slow = await scanFrozenFramework(li2te, { potential, shape, bruteForce: true });
  let worst = 0;
  for (let k = 0; k < fast.ions[0].pes.length; k++) worst = Math.max(worst, Math.abs(fast.ions[0].pes[k] - slow.ions[0].pes[k]));
  const ratio = slow.timings_ms.total / fast.timings_ms.total;
  report.bruteForce = { structure: 'Li2Te mp-2530 primitive', grid: shape, optimised_s: fast.timings_ms.total / 1000, bruteForce_s: slow.timings_ms.total / 1000, ratio, evaluations: fast.evaluations, evaluationsBruteForce: slow.evaluations, maxDifference_eV: worst };
  console.log(`Li2Te ${shape.join('×')}: optimised ${(fast.timings_ms.total / 1000).toFixed(1)} s (${fast.evaluations} evaluations) vs brute force ${(slow.timings_ms.total / 1000).toFixed(1)} s (${slow.evaluations}): ${ratio.toFixed(1)}× faster; largest difference ${worst.toExponential(1)} eV`);

  // 3. LiFePO4.
  const lfp = load('examples/LiFePO4.cif');
  const plan = planFrozenFrameworkScan(lfp);
  const job = plan.jobs[0];
  console.log(`LiFePO4 (${plan.cell.atoms.length} atoms, ${plan.cell.spaceGroup?.symbol}) ${plan.shape.join('×')} = ${plan.size} points: ${plan.evaluations} evaluations (brute force ${plan.evaluationsBruteForce}: ${(plan.evaluationsBruteForce / plan.evaluations).toFixed(2)}× fewer; ${job.symmetryOps} site-symmetry operations fit the grid)`);
  const lfpReport: Record<string, unknown> = { grid: plan.shape, atoms: plan.cell.atoms.length, evaluations: plan.evaluations, evaluationsBruteForce: plan.evaluationsBruteForce, evaluationsEveryIon: plan.evaluationsEveryIon, symmetryOps: job.symmetryOps };
  console.log(`  every Li scanned (the authors' loop): ${plan.evaluationsEveryIon} evaluations, ${(plan.evaluationsEveryIon / plan.evaluations).toFixed(1)}× more`);
  const t0 = performance.now();
  const r = await scanFrozenFramework(lfp, { potential }, { onProgress: (f) => process.stdout.write(`\r  ${(100 * f).toFixed(1)} %`) });
  process.stdout.write('\n');
  const wall = (performance.now() - t0) / 1000;
  const frozenRate = r.evaluations / (r.timings_ms.inference / 1000);
  Object.assign(lfpReport, { fullScan_s: wall, evaluationsPerSecond: frozenRate, batch: r.batch, evaluation: r.evaluation });
  console.log(`LiFePO4 full scan (${r.evaluation.path}): ${wall.toFixed(1)} s wall, ${frozenRate.toFixed(0)} evaluations/s, batch ${r.batch}`);
  // The whole-cell main graph on the scan's own probes, batched as before the split and one per call.
  const sampleS = Number(value('sample-s', '20'));
  const points = Array.from(job.points).map((k) => plan.frac(k));
  const edgesPerCopy = job.framework.baseEdgeCount + 2 * job.framework.probeEdges(points[0]).dst.length;
  const batch = Math.max(1, Math.min(512, Math.round(4_000 / edgesPerCopy)));
  const rate = async (size: number, seconds: number) => {
    let done = 0, q = 0;
    const t = performance.now();
    while ((performance.now() - t) / 1000 < seconds && q < points.length) {
      const probes: Vec3[] = points.slice(q, q + size);
      q += size;
      const g = job.framework.graph(probes, probes.map((p) => job.framework.probeEdges(p)));
      await potential.atomEnergies(g);
      done += probes.length;
    }
    return done / ((performance.now() - t) / 1000);
  };
  const batched = await rate(batch, sampleS / 2);
  const single = await rate(1, sampleS / 2);
  const bruteS = plan.evaluationsBruteForce / single;
  const authorsS = plan.evaluationsEveryIon / single;
  Object.assign(lfpReport, {
    wholeCellBatch: batch, wholeCellEvaluationsPerSecond: batched, wholeCellEvaluationsPerSecondUnbatched: single, frozenVsWholeCellPerEvaluation: frozenRate / batched,
    projectedBruteForce_s: bruteS, projectedRatioVsBruteForce: bruteS / wall, projectedAuthorsLoop_s: authorsS, projectedRatioVsAuthorsLoop: authorsS / wall,
  });
  console.log(`LiFePO4 whole-cell graph on the same probes: ${batched.toFixed(1)} evaluations/s batched (${batch} per call), ${single.toFixed(1)} one per call`);
  console.log(`  frozen-framework split: ${(frozenRate / batched).toFixed(1)}× the whole-cell rate per evaluation`);
  console.log(`  projected from the one-per-call rate (not run): brute force of the grid ${(bruteS / 60).toFixed(1)} min = ${(bruteS / wall).toFixed(0)}× the full scan; the authors' loop (every Li, ${plan.evaluationsEveryIon} evaluations) ${(authorsS / 60).toFixed(1)} min = ${(authorsS / wall).toFixed(0)}×`);
  report.lifepo4 = lfpReport;
  const out = value('json', '');
  if (out) writeFileSync(out, JSON.stringify(report, null, 2));
}

main().catch((e) => { console.error(e); process.exit(1); });
