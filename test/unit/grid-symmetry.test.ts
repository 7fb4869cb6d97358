import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildStructure } from '../../src/compute/structure/build';
import { writeCif } from '../../src/compute/structure/writers';
import type { Mat3, Structure, Vec3 } from '../../src/compute/structure/types';
import { computeBvse, type BvseOptions } from '../../src/compute/energy/bvse/bvse';
import { fillFromRepresentatives, frameworkGridOperations, gridOrbits } from '../../src/compute/landscape/gridSymmetry';

const examples = join(process.cwd(), 'examples');

function load(file: string): Structure {
  const built = buildStructure(readFileSync(join(examples, file), 'utf8'));
  assert.ok(built.structure, `${file} builds`);
  return built.structure!;
}

/** Largest |reduced − full| over the grid (eV), with the symmetry the reduced run used. */
function compare(structure: Structure, options: BvseOptions): { diff: number; operations: number; evaluated: number; points: number } {
  const reduced = computeBvse(structure, options);
  const full = computeBvse(structure, { ...options, gridSymmetry: false });
  assert.deepEqual(reduced.grid.shape, full.grid.shape);
  assert.equal(full.gridSymmetry.operations, 1);
  let diff = 0;
  for (let i = 0; i < full.grid.data.length; i++) diff = Math.max(diff, Math.abs(reduced.grid.data[i] - full.grid.data[i]));
  return { diff, operations: reduced.gridSymmetry.operations, evaluated: reduced.gridSymmetry.evaluatedPoints, points: full.grid.data.length };
}

const cubic = (a: number): Mat3 => [[a, 0, 0], [0, a, 0], [0, 0, a]];

test('a half translation fits an even grid and not an odd one', () => {
  // Body-centred framework of one kind: (0,0,0) and (½,½,½).
  const sites = [{ frac: [0, 0, 0] as Vec3, kind: 0 }, { frac: [0.5, 0.5, 0.5] as Vec3, kind: 0 }];
  const even = frameworkGridOperations(sites, cubic(4), [6, 6, 6]);
  const odd = frameworkGridOperations(sites, cubic(4), [5, 5, 5]);
  const centring = (ops: typeof even) => ops.filter((o) => o.t.some((x) => x !== 0)).length;
  assert.equal(even.length, 96, 'Im-3m: 48 point operations × 2 centrings');
  assert.equal(centring(even), 48);
  assert.equal(odd.length, 48, 'only the 48 point operations through the origin fit a 5×5×5 grid');
  assert.equal(centring(odd), 0);
  // Axes of different length: a 4-fold that exchanges them does not fit.
  const tetragonal = frameworkGridOperations(sites, cubic(4), [6, 6, 8]);
  assert.equal(tetragonal.length, 32, '4/mmm × 2 centrings');
  // Two kinds break the centring.
  const twoKinds = frameworkGridOperations([sites[0], { ...sites[1], kind: 1 }], cubic(4), [6, 6, 6]);
  assert.equal(twoKinds.length, 48);
});

test('the orbit map sends every point to a representative with the same value of an invariant field', () => {
  const sites = [{ frac: [0.1, 0.2, 0.3] as Vec3, kind: 0 }, { frac: [0.9, 0.8, 0.7] as Vec3, kind: 0 }];
  const shape = [10, 12, 14];
  const total = 10 * 12 * 14;
  const ops = frameworkGridOperations(sites, [[5, 0, 0], [0, 6, 0], [0, 0, 7]], shape);
  assert.equal(ops.length, 2, 'identity and the inversion through the origin');
  const orbits = gridOrbits(shape, ops);
  // Points fixed by x → −x: the 8 with every index 0 or n/2.
  assert.equal(orbits.count, (total - 8) / 2 + 8);
  const coords = (v: number) => [Math.floor(v / (12 * 14)), Math.floor(v / 14) % 12, v % 14];
  const field = (i: number[]) => Math.cos(2 * Math.PI * (i[0] / 10 + (2 * i[1]) / 12 + (3 * i[2]) / 14)); // even under inversion
  const data = new Float32Array(total);
  for (let v = 0; v < total; v++) if (orbits.representative[v] === v) data[v] = field(coords(v));
  fillFromRepresentatives(data, orbits);
  for (let v = 0; v < total; v++) assert.ok(Math.abs(data[v] - field(coords(v))) < 1e-6, `voxel ${v}`);
});

test('LiFePO4 (Pnma) on an even grid uses all 8 operations', () => {
  const r = compare(load('LiFePO4.cif'), { shape: [48, 28, 24] });
  assert.equal(r.operations, 8);
  assert.ok(r.evaluated < r.points / 6, `${r.evaluated} of ${r.points} points evaluated`);
  assert.ok(r.diff <= 1e-9, `max |reduced − full| = ${r.diff} eV`);
});

for (const file of readdirSync(examples).filter((f) => f.endsWith('.cif'))) {
  test(`${file}: the reduced BVSE grid equals the full one (≤ 1e-9 eV)`, () => {
    const r = compare(load(file), { resolution: 0.25 });
    assert.ok(r.diff <= 1e-9, `max |reduced − full| = ${r.diff} eV with ${r.operations} operations`);
    assert.ok(r.operations > 1, `${file} has symmetry that fits its grid (found ${r.operations} operations)`);
  });
}

test('the garnet Li7La3Zr2O12 (Ia-3d) at 0.2 Å: the reduced grid equals the full one', () => {
  const r = compare(load('Li7La3Zr2O12.cif'), {});
  assert.ok(r.operations > 1);
  assert.ok(r.diff <= 1e-9, `max |reduced − full| = ${r.diff} eV`);
});

test('a P1 file (LiFePO4 written out as P 1): symmetry found from the sites, same grid', () => {
  const p1 = buildStructure(writeCif(load('LiFePO4.cif'))).structure!;
  assert.equal(p1.spaceGroup.operationCount, 1);
  const r = compare(p1, { shape: [48, 28, 24] });
  assert.ok(r.diff <= 1e-9, `max |reduced − full| = ${r.diff} eV with ${r.operations} operations`);
});

test('BVlain mode (k nearest neighbours) never uses symmetry', () => {
  const r = computeBvse(load('Li2S.cif'), { mode: 'bvlain', resolution: 0.3 });
  assert.equal(r.gridSymmetry.operations, 1);
});
