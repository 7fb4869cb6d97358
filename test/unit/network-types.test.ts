/**
 * Symmetry-distinct node/edge types, framework radii and bad input of the interstitial network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildStructure } from '../../src/compute/structure/build';
import { buildInterstitialNetwork, frameworkOf, shannonRadius, generatorsOf } from '../../src/compute/network';
import { CancelledError } from '../../src/compute/util/errors';
import type { Structure } from '../../src/compute/structure/types';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
const load = (name: string): Structure => buildStructure(readFileSync(join(EXAMPLES, name), 'utf8')).structure!;

test('nodes and edges of one symmetry type have the same radius and length', () => {
  for (const f of ['LiFePO4.cif', 'Li7La3Zr2O12.cif', 'Li6PS5Cl.cif', 'LiCoO2.cif']) {
    const net = buildInterstitialNetwork(load(f));
    assert.ok(net.nodeTypeCount < net.nodes.length / 3, `${f}: ${net.nodeTypeCount} node types for ${net.nodes.length} nodes`);
    const nodeR = new Map<number, number>();
    for (const n of net.nodes) {
      const r = nodeR.get(n.typeId);
      if (r === undefined) nodeR.set(n.typeId, n.radius); else assert.ok(Math.abs(r - n.radius) < 1e-3, `${f}: node type ${n.typeId} radii ${r} vs ${n.radius}`);
    }
    const edge = new Map<number, [number, number]>();
    for (const e of net.edges) {
      const v = edge.get(e.typeId);
      if (!v) edge.set(e.typeId, [e.bottleneckRadius, e.length]);
      else assert.ok(Math.abs(v[0] - e.bottleneckRadius) < 1e-3 && Math.abs(v[1] - e.length) < 1e-3, `${f}: edge type ${e.typeId} differs`);
    }
    assert.equal(net.warnings.filter((w) => w.includes('symmetry')).length, 0, net.warnings.join('; '));
  }
});

test('generators of Pnma (8 operations) generate it; a generating set is smaller than the group', () => {
  const ops = [
    [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]], [[-1, 0, 0], [0, -1, 0], [0, 0, -1], [0, 0, 0]],
    [[-1, 0, 0], [0, -1, 0], [0, 0, 1], [0.5, 0, 0.5]], [[1, 0, 0], [0, 1, 0], [0, 0, -1], [0.5, 0, 0.5]],
    [[-1, 0, 0], [0, 1, 0], [0, 0, -1], [0, 0.5, 0]], [[1, 0, 0], [0, -1, 0], [0, 0, 1], [0, 0.5, 0]],
    [[1, 0, 0], [0, -1, 0], [0, 0, -1], [0.5, 0.5, 0.5]], [[-1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0.5]],
  ].map(([a, b, c, t]) => ({ rot: [a, b, c], trans: t }));
  const gens = generatorsOf(ops);
  assert.ok(gens.length >= 2 && gens.length <= 3, `${gens.length} generators`);
});

test('framework radii: Shannon by CN; Fe2+ octahedral high spin in LiFePO4; O2− three-coordinate', () => {
  const fw = frameworkOf(load('LiFePO4.cif'));
  const fe = fw.atoms.find((a) => a.element === 'Fe')!;
  assert.equal(fe.cn, 6);
  assert.equal(fe.radius, 0.78);
  const p = fw.atoms.find((a) => a.element === 'P')!;
  assert.equal(p.cn, 4);
  assert.equal(p.radius, 0.17);
  assert.ok(fw.atoms.filter((a) => a.element === 'O').every((o) => o.cn >= 3 && o.cn <= 4), 'O coordination');
  assert.equal(fw.mobileSites.length, 4);
  assert.equal(shannonRadius('O', -2, 5)!.cnUsed, 4); // nearest listed CN, lower first
  assert.equal(shannonRadius('Xx', 1, 6), null);
});

test('a structure of only Li gives an empty network with a warning, not a crash', () => {
  const cif = `data_Li\n_cell_length_a 3.51\n_cell_length_b 3.51\n_cell_length_c 3.51\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n` +
    `_symmetry_space_group_name_H-M 'I m -3 m'\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nLi1 Li 0 0 0\n`;
  const s = buildStructure(cif).structure!;
  const net = buildInterstitialNetwork(s);
  assert.equal(net.nodes.length, 0);
  assert.equal(net.channels.dimensionality, 0);
  assert.ok(net.warnings.some((w) => w.includes('no framework ions')));
});

test('an aborted signal cancels', () => {
  const ac = new AbortController();
  ac.abort();
  assert.throws(() => buildInterstitialNetwork(load('LiFePO4.cif'), { signal: ac.signal }), CancelledError);
});

test('a larger probe radius never increases the dimensionality', () => {
  const s = load('Li3PS4_beta.cif');
  let last = 3;
  for (const probe of [0.2, 0.4, 0.45, 0.5, 0.55, 0.7]) {
    const d = buildInterstitialNetwork(s, { probeRadius: probe }).channels.dimensionality;
    assert.ok(d <= last, `probe ${probe}: ${d}D after ${last}D`);
    last = d;
  }
});
