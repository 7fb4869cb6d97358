/**
 * The free-site network of an ordered approximant (structure/approximants/freeSites.ts): do the mobile-ion positions
 * that an ordering leaves free of framework cations connect across the supercell? Checked on a constructed simple
 * cubic sublattice (answers known by hand), and on the repository's LLTO fixture (Li0.33La0.56TiO3, a = 3.87 Å,
 * Inaguma et al. 1993; see approximants.test.ts) and Al-doped LLZO (examples/Li7La3Zr2O12.cif with Al on 24d).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeSiteNetwork } from '../../src/compute/structure/approximants/freeSites';
import { orderedApproximants } from '../../src/compute/structure/approximants/approximants';
import { buildStructure } from '../../src/compute/structure/build';
import type { Mat3, Vec3 } from '../../src/compute/structure/types';

// A 4×4×4 simple cubic sublattice, spacing 4 Å, in a 16 Å cubic cell.
const L: Mat3 = [[16, 0, 0], [0, 16, 0], [0, 0, 16]];
const grid: { ijk: number[]; frac: Vec3 }[] = [];
for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) grid.push({ ijk: [i, j, k], frac: [i / 4, j / 4, k / 4] });
const network = (free: (ijk: number[]) => boolean) => freeSiteNetwork(L, grid.map((g) => g.frac), grid.map((g) => free(g.ijk)));

test('simple cubic: all free connects; one row connects; a checkerboard (no nearest neighbours) does not', () => {
  const all = network(() => true);
  assert.deepEqual(all, { free: 64, total: 64, sublatticeConnects: true, freeConnect: true });
  assert.equal(network(([, j, k]) => j === 0 && k === 0).freeConnect, true, 'a row of 4 wraps along a');
  assert.equal(network(([i, j, k]) => j === 0 && k === 0 && i < 3).freeConnect, false, 'a row with one gap does not');
  const checker = network(([i, j, k]) => (i + j + k) % 2 === 0);
  assert.equal(checker.free, 32);
  assert.equal(checker.freeConnect, false, 'next-nearest neighbours (5.66 Å) are beyond 1.15 × 4 Å');
  // A staircase along the body diagonal through nearest neighbours only, closing on its image at (4, 4, 4).
  const stairs = new Set(['000', '100', '110', '111', '211', '221', '222', '322', '332', '333', '033', '003']);
  assert.equal(network((ijk) => stairs.has(ijk.join(''))).freeConnect, true);
  stairs.delete('033');
  assert.equal(network((ijk) => stairs.has(ijk.join(''))).freeConnect, false, 'one step missing');
});

test('LLTO approximants: orderings whose La-free A sites do not connect are found and said, located at the shared row', () => {
  const text = readFileSync(join(process.cwd(), 'test', 'fixtures', 'structures', 'LLTO-perovskite.cif'), 'utf8');
  const r = orderedApproximants(buildStructure(text).structure!, { count: 3, randomCount: 2, seed: 1 });
  for (const o of r.orderings) {
    assert.ok(o.freeSites, 'Li shares the A site with La: every ordering has its network');
    assert.equal(o.freeSites.total, r.cells, 'one A site per cell');
    assert.equal(o.freeSites.free, r.cells - o.structure.composition.La, 'free = A sites without La');
    assert.equal(o.freeSites.sublatticeConnects, true);
  }
  const cut = r.orderings.filter((o) => !o.freeSites!.freeConnect);
  assert.ok(cut.length > 0 && cut.length < r.orderings.length, `${cut.length} of ${r.orderings.length} cut`);
  const w = r.warnings.find((m) => m.code === 'free-sites-disconnected');
  assert.ok(w?.at, 'located');
  assert.match(text.split('\n')[w.at.line], /^\s*Li1\s/);
  assert.match(w.message, new RegExp(`in ${cut.length} of ${r.orderings.length} orderings \\((${cut.map((o) => r.orderings.indexOf(o) + 1).join(', ')})`));
});

test('Al-doped LLZO: 2 Al on 24 of 120 Li positions leave the network connected; no warning', () => {
  const text = readFileSync(join(process.cwd(), 'examples', 'Li7La3Zr2O12.cif'), 'utf8')
    .replace('  O2-    -2', '  O2-    -2\n  Al3+    3')
    .replace(/^( {2}Li1 +Li1\+ +24 +d +0\.375 +0 +0\.25 +)0\.564$/m, '$10.48\n  Al1    Al3+   24  d  0.375      0          0.25       0.08')
    .replace(/^( {2}Li2 +Li1\+ +96 +h +0\.1000 +0\.1900 +0\.4300 +)0\.442$/m, '$10.4033');
  const r = orderedApproximants(buildStructure(text).structure!, { count: 2, randomCount: 1, seed: 1 });
  for (const o of r.orderings) assert.deepEqual(o.freeSites, { free: 118, total: 120, sublatticeConnects: true, freeConnect: true });
  assert.ok(!r.warnings.some((m) => m.code === 'free-sites-disconnected'));
});
