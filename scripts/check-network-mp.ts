/**
 * Li-site check of the interstitial network on Materials Project Li compounds (SCIENCE.md §4: the original Li sites
 * must fall on or near interstices). Deterministic sample: every k-th CIF (sorted by name) of
 * ../shared/data/mp-li/structures.tar.xz, extracted to a temp dir. Prints the share of Li sites within 0.5 Å of a
 * node (goal ≥ 90 %), per-structure failures, and CPU ms per structure.
 * Usage: node out/scripts/check-network-mp.js [--n 1000] [--tol 0.5]
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { buildStructure } from '../src/compute/structure/build';
import { buildInterstitialNetwork } from '../src/compute/network';
import { PeriodicCloud, fracToCart } from '../src/compute/network/geometry';

const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(name); return i >= 0 ? Number(process.argv[i + 1]) : dflt; };
const N = arg('--n', 1000);
const TOL = arg('--tol', 0.5);
const root = join(__dirname, '..', '..');
const tar = join(root, '..', 'shared', 'data', 'mp-li', 'structures.tar.xz');
const names = execFileSync('tar', ['-tJf', tar], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n').filter((n) => n.endsWith('.cif')).sort();
const step = Math.max(1, Math.floor(names.length / N));
const pick = names.filter((_, i) => i % step === 0).slice(0, N);
const dir = mkdtempSync(join(tmpdir(), 'check-network-mp-'));
try {
  execFileSync('tar', ['-xJf', tar, '-C', dir, ...pick], { maxBuffer: 1 << 28 });
  let near = 0, total = 0, structures = 0, unbuilt = 0, allNear = 0;
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
    const cloud = new PeriodicCloud(s.lattice, net.nodes.map((n) => n.cart), TOL + 0.1);
    let n = 0;
    for (const p of net.mobileSites) {
      let hit = false;
      cloud.forEachWithin(fracToCart(p.map((x) => x - Math.floor(x)), s.lattice.matrix), TOL, () => { hit = true; });
      if (hit) n++;
    }
    structures++;
    near += n; total += net.mobileSites.length;
    if (n === net.mobileSites.length) allNear++;
    else worst.push({ name: `${name.split('/').pop()} ${s.formula}`, share: n / net.mobileSites.length });
  }
  ms.sort((a, b) => a - b);
  console.log(`MP sample: ${structures} structures (every ${step}th of ${names.length}; ${unbuilt} could not be built)`);
  console.log(`Li sites within ${TOL} Å of an interstitial-network node: ${near}/${total} = ${(100 * near / total).toFixed(1)} %`);
  console.log(`structures with every Li site near a node: ${allNear}/${structures} = ${(100 * allNear / structures).toFixed(1)} %`);
  console.log(`buildInterstitialNetwork CPU ms: median ${ms[ms.length >> 1].toFixed(1)}, p90 ${ms[Math.floor(0.9 * (ms.length - 1))].toFixed(1)}, worst ${ms[ms.length - 1].toFixed(1)}`);
  worst.sort((a, b) => a.share - b.share);
  console.log(`lowest shares: ${worst.slice(0, 10).map((w) => `${w.name} ${(100 * w.share).toFixed(0)} %`).join('; ')}`);
} finally { rmSync(dir, { recursive: true, force: true }); }
