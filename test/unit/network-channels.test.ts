/**
 * Channel dimensionality of the interstitial network against BVSE percolation (SCIENCE.md §3–4) on the examples.
 * BVSE dimensionality for the comparison: the largest d with Ea_dD(BVSE) ≤ Ea_1D(BVSE) + 0.5 eV (a landscape
 * always percolates in 3D at some energy; 0.5 eV separates a real channel from an energy wall). Known physics too:
 * LiFePO4 conducts along b only (1D, [010] in Pnma), LiCoO2 within its layers (2D).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildStructure } from '../../src/compute/structure/build';
import { runLandscapeJobSync } from '../../src/compute/analysis/job';
import { buildInterstitialNetwork } from '../../src/compute/network';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
const GAP_EV = 0.5;

function network(name: string) {
  const s = buildStructure(readFileSync(join(EXAMPLES, name), 'utf8')).structure!;
  return buildInterstitialNetwork(s);
}

test('LiFePO4: one-dimensional channels along b', () => {
  const net = network('LiFePO4.cif');
  assert.equal(net.channels.dimensionality, 1);
  const [d] = net.channels.directions;
  assert.ok(d[0] === 0 && d[2] === 0 && d[1] !== 0, `direction ${d}`);
  assert.ok(net.channels.criticalRadii[0] > net.channels.criticalRadii[1] * 1.2, `r_crit ${net.channels.criticalRadii}`);
});

test('LiCoO2: two-dimensional channels in the layers', () => {
  const net = network('LiCoO2.cif');
  assert.equal(net.channels.dimensionality, 2);
  for (const d of net.channels.directions) assert.equal(d[2], 0, `direction ${d} leaves the ab plane`);
});

test('network dimensionality agrees with BVSE percolation on most examples', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.cif')).sort();
  let agree = 0;
  const lines: string[] = [];
  for (const f of files) {
    const job = runLandscapeJobSync(readFileSync(join(EXAMPLES, f), 'utf8'), {});
    assert.ok(job.ok && job.report, `${f}: ${job.error}`);
    const ea = [job.report.Ea_1D_eV, job.report.Ea_2D_eV, job.report.Ea_3D_eV];
    let bvseDim = 0;
    ea.forEach((e, d) => { if (e !== null && ea[0] !== null && e <= ea[0] + GAP_EV) bvseDim = d + 1; });
    const net = network(f);
    if (net.channels.dimensionality === bvseDim) agree++;
    lines.push(`${f}: BVSE ${bvseDim}D (Ea ${ea.map((e) => (e === null ? '—' : e.toFixed(2))).join('/')} eV) vs network ${net.channels.dimensionality}D ` +
      `(probe ${net.channels.probeRadius.toFixed(3)} Å, r_crit ${net.channels.criticalRadii.map((r) => r.toFixed(3)).join('/')} Å)`);
  }
  console.log(lines.join('\n') + `\nagreement ${agree}/${files.length}`);
  assert.ok(agree >= Math.ceil(0.8 * files.length), `only ${agree}/${files.length} agree`);
});
