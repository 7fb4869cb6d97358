/**
 * Interstitial network on the shipped examples: the original Li sites must fall on interstices (SCIENCE.md §4),
 * the network must be consistent (cell volumes sum to the cell volume, edges join existing nodes), and features
 * must have the documented shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildStructure } from '../../src/compute/structure/build';
import { buildInterstitialNetwork, networkFeatures, type InterstitialNetwork } from '../../src/compute/network';
import { PeriodicCloud, fracToCart } from '../../src/compute/network/geometry';
import type { Structure, Vec3 } from '../../src/compute/structure/types';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');

function load(name: string): Structure {
  const r = buildStructure(readFileSync(join(EXAMPLES, name), 'utf8'));
  assert.ok(r.structure, `${name}: ${r.messages.map((m) => m.message).join('; ')}`);
  return r.structure!;
}

/** Shortest periodic distance (Å) from frac p to any node of the network, up to 2 Å (Infinity beyond). */
export function nearestNode(s: Structure, net: InterstitialNetwork, p: Vec3): number {
  const cloud = new PeriodicCloud(s.lattice, net.nodes.map((n) => n.cart), 2);
  let best = Infinity;
  cloud.forEachWithin(fracToCart(p.map((x) => x - Math.floor(x)), s.lattice.matrix), 2, (_, d) => { best = Math.min(best, d); });
  return best;
}

const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.cif')).sort();

test('Li sites lie within 0.5 Å of an interstice on the examples (goal ≥ 90 %)', () => {
  let near = 0, total = 0;
  const lines: string[] = [];
  for (const f of examples) {
    const s = load(f);
    const net = buildInterstitialNetwork(s);
    let n = 0;
    for (const p of net.mobileSites) { if (nearestNode(s, net, p) <= 0.5) n++; }
    near += n; total += net.mobileSites.length;
    lines.push(`${f}: ${n}/${net.mobileSites.length} Li sites near a node; ${net.nodes.length} nodes (${net.nodeTypeCount} types), ${net.edges.length} edges (${net.edgeTypeCount} types), channels ${net.channels.dimensionality}D`);
  }
  console.log(lines.join('\n') + `\nall: ${near}/${total} = ${(100 * near / total).toFixed(1)} %`);
  assert.ok(near / total >= 0.9, `only ${near}/${total} Li sites within 0.5 Å of a node`);
});

test('power cells fill the cell; edges join nodes; features have the documented shape', () => {
  for (const f of examples) {
    const s = load(f);
    const net = buildInterstitialNetwork(s);
    const sum = net.cellVolumes.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - s.lattice.volume) < 1e-6 * s.lattice.volume, `${f}: Σ cell volumes ${sum} ≠ V ${s.lattice.volume}`);
    for (const e of net.edges) assert.ok(e.a < net.nodes.length && e.b < net.nodes.length && e.length > 0);
    const feats = networkFeatures(s, net, { energyAt: () => 1.5 });
    assert.equal(feats.nodeFeatures.length, net.nodes.length * feats.featureNames.length);
    assert.equal(feats.edgeIndex.length, 2 * feats.edgeCount);
    assert.equal(feats.edgeFeatures.length, feats.edgeCount * feats.edgeFeatureNames.length);
    assert.equal(feats.featureNames.length, 3 + 36);
    assert.equal(feats.nodeFeatures[2], 1.5);
    // distances sorted ascending
    const F = feats.featureNames.length;
    for (let k = 1; k < 12; k++) assert.ok(feats.nodeFeatures[3 + 3 * k + 2] >= feats.nodeFeatures[3 + 3 * (k - 1) + 2] || feats.nodeFeatures[3 + 3 * k + 2] === 0);
    assert.ok(F > 0);
  }
});
