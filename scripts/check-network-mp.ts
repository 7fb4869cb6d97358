/**
 * Li-site check of the interstitial network on Materials Project Li compounds (SCIENCE.md §4: the original Li sites
 * must fall on or near interstices). Deterministic sample: every k-th CIF (sorted by name) of
 * ../shared/data/mp-li/structures.tar.xz, extracted to a temp dir. Prints the share of Li sites within 0.5 Å of a
 * node (goal ≥ 90 %), per-structure failures, and CPU ms per structure.
 * Usage: node out/scripts/check-network-mp.js [--n 1000] [--tol 0.5]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withMpSample } from './lib/mpSample';
import { buildStructure } from '../src/compute/structure/build';
import { buildInterstitialNetwork } from '../src/compute/network';
import { PeriodicCloud, fracToCart } from '../src/compute/network/geometry';

const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(name); return i >= 0 ? Number(process.argv[i + 1]) : dflt; };
const N = arg('--n', 1000);
const TOL = arg('--tol', 0.5);
withMpSample(N, 'check-network-mp-', ({ dir, names: pick, step, total: archived }) => {
  let nearOrEdge = 0;
  let near = 0, total = 0, structures = 0, unbuilt = 0, allNear = 0, volumeMismatch = 0, warned = 0;
  const triclinicish = { n: 0 };
  const ms: number[] = [];
  const worst: { name: string; share: number }[] = [];
  for (const name of pick) {
    const built = buildStructure(readFileSync(join(dir, name), 'utf8'));
    if (!built.structure) { unbuilt++; continue; }
    const s = built.structure;
    const c0 = process.cpuUsage();
    const net = buildInterstitialNetwork(s);
    const c = process.cpuUsage(c0);
    ms.push((c.user + c.system) / 1000);
    // Power cells tile the cell: Σ V_cell = V (a check of the triclinic geometry on every structure).
    const sum = net.cellVolumes.reduce((a, b) => a + b, 0);
    if (net.framework.length && Math.abs(sum - s.lattice.volume) > 1e-6 * s.lattice.volume) volumeMismatch++;
    if (net.warnings.length) warned++;
    if ([s.lattice.alpha, s.lattice.beta, s.lattice.gamma].some((x) => Math.abs(x - 90) > 1e-6)) triclinicish.n++;
    const cloud = new PeriodicCloud(s.lattice, net.nodes.map((n) => n.cart), TOL + 0.1);
    // Li on a Voronoi edge (planar or linear coordination: Li2 in Li3N) sits at that edge's bottleneck point.
    const bottlenecks = new PeriodicCloud(s.lattice, net.edges.map((e) => fracToCart(e.bottleneckFrac, s.lattice.matrix)), TOL + 0.1);
    let n = 0;
    for (const p of net.mobileSites) {
      let hit = false, hitEdge = false;
      const c = fracToCart(p.map((x) => x - Math.floor(x)), s.lattice.matrix);
      cloud.forEachWithin(c, TOL, () => { hit = true; });
      if (!hit) bottlenecks.forEachWithin(c, TOL, () => { hitEdge = true; });
      if (hit) n++;
      if (hit || hitEdge) nearOrEdge++;
    }
    structures++;
    near += n; total += net.mobileSites.length;
    if (n === net.mobileSites.length) allNear++;
    else worst.push({ name: `${name.split('/').pop()} ${s.formula}`, share: n / net.mobileSites.length });
  }
  ms.sort((a, b) => a - b);
  console.log(`MP sample: ${structures} structures (every ${step}th of ${archived}; ${unbuilt} could not be built)`);
  console.log(`Li sites within ${TOL} Å of an interstitial-network node: ${near}/${total} = ${(100 * near / total).toFixed(1)} %`);
  console.log(`Li sites within ${TOL} Å of a node or of an edge's bottleneck point: ${nearOrEdge}/${total} = ${(100 * nearOrEdge / total).toFixed(1)} %`);
  console.log(`structures with every Li site near a node: ${allNear}/${structures} = ${(100 * allNear / structures).toFixed(1)} %`);
  console.log(`power cells: Σ volumes ≠ cell volume (rel. 1e-6) in ${volumeMismatch}/${structures} structures (${triclinicish.n} non-orthogonal cells); ${warned} with warnings`);
  console.log(`buildInterstitialNetwork CPU ms: median ${ms[ms.length >> 1].toFixed(1)}, p90 ${ms[Math.floor(0.9 * (ms.length - 1))].toFixed(1)}, worst ${ms[ms.length - 1].toFixed(1)}`);
  worst.sort((a, b) => a.share - b.share);
  console.log(`lowest shares: ${worst.slice(0, 10).map((w) => `${w.name} ${(100 * w.share).toFixed(0)} %`).join('; ')}`);
});
