/**
 * The periodic neighbour list the TensorNet-MatPES model consumes (energy/mlip/neighbours.ts): equal, edge by edge,
 * to an exhaustive image search on skewed cells (some shorter than the 5 Å cut-off), and equal in count to the
 * independent re-implementation's test vectors in ../shared/models/tensornet-matpes-pbe-v2025.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { neighbourList, neighbourListBruteForce, type NeighbourList } from '../../src/compute/energy/mlip/neighbours';
import { latticeMatrix, inverse3, vecMat } from '../../src/compute/structure/geometry';
import { TENSORNET_ELEMENTS } from '../../src/compute/energy/mlip/session';
import type { Mat3, Vec3 } from '../../src/compute/structure/types';
import { mulberry32 as rng } from '../../src/compute/util/random';

const MODEL_DIR = '../shared/models/tensornet-matpes-pbe-v2025.1';

function keys(nl: NeighbourList): string[] {
  const out: string[] = [];
  for (let e = 0; e < nl.count; e++) out.push(`${nl.src[e]}>${nl.dst[e]}@${nl.image[3 * e]},${nl.image[3 * e + 1]},${nl.image[3 * e + 2]}`);
  return out;
}


test('cell list equals the exhaustive image search on triclinic cells, short ones included', () => {
  const cells: [number, number, number, number, number, number][] = [
    [2.1, 3.3, 7.9, 70, 100, 115], // two axes shorter than the cut-off
    [10.3, 6.0, 4.7, 90, 90, 90],
    [4.6, 4.6, 4.6, 60, 60, 60], // fcc primitive
    [12.5, 11.0, 10.4, 95, 88, 121],
    [1.4, 1.6, 1.9, 80, 75, 65], // every axis far below the cut-off
  ];
  const random = rng(7);
  for (const [a, b, c, al, be, ga] of cells) {
    const L = latticeMatrix(a, b, c, al, be, ga);
    const n = 2 + Math.floor(random() * 9);
    // Positions partly outside [0, 1): images are relative to the positions as given.
    const frac: Vec3[] = Array.from({ length: n }, () => [random() * 1.6 - 0.3, random() * 1.6 - 0.3, random() * 1.6 - 0.3]);
    const fast = neighbourList(L, frac);
    const slow = neighbourListBruteForce(L, frac);
    assert.ok(fast.count > 0);
    assert.deepEqual([...keys(fast)].sort(), [...keys(slow)].sort(), `cell ${a} ${b} ${c}`);
    // Deterministic order: source, destination, image.
    assert.deepEqual(keys(fast), keys(neighbourList(L, frac)));
    for (let e = 1; e < fast.count; e++) assert.ok(fast.src[e] >= fast.src[e - 1]);
    // Shifts are n·L and every edge is shorter than the cut-off.
    for (let e = 0; e < fast.count; e++) {
      const s = vecMat([fast.image[3 * e], fast.image[3 * e + 1], fast.image[3 * e + 2]], L);
      for (let k = 0; k < 3; k++) assert.ok(Math.abs(s[k] - fast.shift[3 * e + k]) < 1e-9);
      const xs = vecMat(frac[fast.src[e]], L), xd = vecMat(frac[fast.dst[e]], L);
      const r = Math.hypot(xd[0] + s[0] - xs[0], xd[1] + s[1] - xs[1], xd[2] + s[2] - xs[2]);
      assert.ok(r < 5 && r > 0, `edge length ${r}`);
    }
  }
});

interface RefCase { species: string[]; pbc: boolean; n_edges: number; energy_eV: number; lattice_A?: Mat3; frac?: Vec3[]; cart_A?: Vec3[] }

test("edge counts match the reference implementation's test vectors", () => {
  const ref = JSON.parse(readFileSync(`${MODEL_DIR}/reference_energies.json`, 'utf8')) as { cutoff_A: number; cases: Record<string, RefCase> };
  assert.equal(ref.cutoff_A, 5);
  let checked = 0;
  for (const [name, c] of Object.entries(ref.cases)) {
    let L: Mat3, frac: Vec3[];
    if (c.pbc) { L = c.lattice_A!; frac = c.frac!; }
    else {
      // A molecule: a box wider than the molecule plus twice the cut-off has no edges across its faces.
      L = [[60, 0, 0], [0, 60, 0], [0, 0, 60]];
      const inv = inverse3(L);
      frac = c.cart_A!.map((x) => vecMat([x[0] + 30, x[1] + 30, x[2] + 30], inv));
    }
    assert.equal(neighbourList(L, frac).count, c.n_edges, name);
    checked++;
  }
  assert.ok(checked >= 5);
});

test("the species list is the model's element_types, in order", () => {
  const model = JSON.parse(readFileSync(`${MODEL_DIR}/model.json`, 'utf8'));
  const kwargs = typeof model.kwargs === 'string' ? model.kwargs : JSON.stringify(model.kwargs);
  const m = /element_types['"]?\s*:\s*\[([^\]]*)\]/.exec(kwargs);
  assert.ok(m, 'element_types in model.json');
  const els = m[1].split(',').map((s) => s.trim().replace(/^['"]|['"]$/g, ''));
  assert.deepEqual([...TENSORNET_ELEMENTS], els);
});
