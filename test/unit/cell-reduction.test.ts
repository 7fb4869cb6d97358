/**
 * The reduced cell (structure/reduce.ts): a skewed basis of a lattice is analysed in its shortest basis.
 * Real parts: the greedy reduction, the CIF reader, BVSE through the job. The skewed cells are written here from
 * examples/Li2S.cif (antifluorite, a = 5.708 Å, Zintl et al. 1934) by integer changes of basis, so the crystal
 * is the same one and its barriers are known: those of the cubic cell.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildStructure } from '../../src/compute/structure/build';
import { reduceBasis, gridRatio, combinationName, REDUCE_WHEN_GRID_RATIO } from '../../src/compute/structure/reduce';
import { det3, inverse3, latticeFromVectors, latticeMatrix, vecMat } from '../../src/compute/structure/geometry';
import { runLandscapeJobSync } from '../../src/compute/analysis/job';
import type { Mat3, Vec3 } from '../../src/compute/structure/types';

const ROOT = process.cwd();
const LI2S = readFileSync(join(ROOT, 'examples', 'Li2S.cif'), 'utf8');
const len = (v: Vec3) => Math.hypot(...v);
const mul = (t: Mat3, m: Mat3): Mat3 => t.map((r) => vecMat(r, m)) as Mat3;

/** The structure of `text` re-written in the basis T · M as a P1 CIF (f′ = f · T⁻¹). */
function inBasis(text: string, t: Mat3): string {
  const s = buildStructure(text).structure!;
  const l = latticeFromVectors(mul(t, s.lattice.matrix));
  const tInv = inverse3(t);
  const rows = s.sites.map((x, i) => {
    const f = vecMat(x.frac, tInv).map((v) => v - Math.floor(v));
    const sp = x.species[0];
    return `${sp.element}${i} ${sp.element}${Math.abs(sp.oxidation!)}${sp.oxidation! > 0 ? '+' : '-'} ${f.map((v) => v.toFixed(8)).join(' ')}`;
  });
  return `data_skewed\n_cell_length_a ${l.a}\n_cell_length_b ${l.b}\n_cell_length_c ${l.c}\n_cell_angle_alpha ${l.alpha}\n_cell_angle_beta ${l.beta}\n_cell_angle_gamma ${l.gamma}\n` +
    `_symmetry_space_group_name_H-M 'P 1'\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n${rows.join('\n')}\n`;
}

test('reduceBasis: any integer change of basis of a cell comes back to its shortest vectors, right-handed, as B = T · M', () => {
  const cells: Mat3[] = [latticeMatrix(5.708, 5.708, 5.708, 90, 90, 90), latticeMatrix(3.1, 3.1, 5.2, 90, 90, 120), latticeMatrix(4.2, 5.3, 6.1, 82, 97, 104)];
  const unimodular = fc.tuple(fc.integer({ min: -6, max: 6 }), fc.integer({ min: -6, max: 6 }), fc.integer({ min: -6, max: 6 }), fc.integer({ min: 0, max: 5 }))
    .map(([p, q, r, order]): Mat3 => {
      // Products of elementary shears are unimodular; a permutation varies which axis is sheared.
      const shear: Mat3 = [[1, 0, 0], [p, 1, 0], [q, r, 1]];
      const perms: Mat3[] = [[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[0, 1, 0], [0, 0, 1], [1, 0, 0]], [[0, 0, 1], [1, 0, 0], [0, 1, 0]]];
      const m = mul(shear, perms[order % 3]);
      return order >= 3 ? mul(m, [[1, p, 0], [0, 1, 0], [0, 0, 1]]) : m;
    });
  for (const cell of cells) {
    const shortest = cell.map(len).sort((a, b) => a - b);
    fc.assert(fc.property(unimodular, (t) => {
      const given = mul(t, cell);
      const { basis, transform } = reduceBasis(given);
      assert.equal(Math.round(det3(transform)), 1, 'det T = +1');
      const expect = mul(transform, given);
      basis.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - expect[i][j]) < 1e-6, 'B = T · M')));
      basis.map(len).forEach((l, i) => assert.ok(Math.abs(l - shortest[i]) < 1e-6, `length ${i}: ${l} vs ${shortest[i]} (T ${JSON.stringify(t)})`));
    }), { seed: 20261203, numRuns: 150 });
  }
  assert.equal(combinationName([2, -1, 0]), '2a−b');
  assert.equal(combinationName([0, 0, -1]), '−c');
});

test('a skewed basis of Li2S is analysed in its reduced cell: the cubic cell\'s barriers, a small grid, and the change said', () => {
  const cubic = runLandscapeJobSync(LI2S, { method: 'bvse' });
  assert.ok(cubic.ok && cubic.report, cubic.error ?? '');
  assert.ok(!cubic.report!.warnings.some((w) => /skewed basis/.test(w)), 'an ordinary cell is kept as given');
  // b′ = 12a + b, c′ = 3a + 5b + c: 68 Å and 30 Å axes; planes 0.48 Å apart, which a flat cell would have.
  const t: Mat3 = [[1, 0, 0], [12, 1, 0], [3, 5, 1]];
  const text = inBasis(LI2S, t);
  const given = buildStructure(text);
  assert.ok(given.structure, `a skewed basis of a sound lattice is not refused as flat: ${JSON.stringify(given.messages.filter((m) => m.severity === 'error'))}`);
  assert.ok(gridRatio(given.structure!.lattice.matrix) > 50);
  const skewed = runLandscapeJobSync(text, { method: 'bvse' });
  assert.ok(skewed.ok && skewed.report, skewed.error ?? '');
  const r = skewed.report!;
  assert.deepEqual([...r.gridShape!].sort(), [...cubic.report!.gridShape!].sort(), 'the grid of the cubic cell');
  for (const k of ['Ea_1D_eV', 'Ea_2D_eV', 'Ea_3D_eV', 'MPE_eV'] as const) assert.ok(Math.abs(r[k]! - cubic.report![k]!) < 1e-4, `${k}: ${r[k]} vs ${cubic.report![k]}`);
  const note = r.warnings.find((w) => /is a skewed basis of its lattice: the analyses use the reduced cell/.test(w));
  assert.ok(note, JSON.stringify(r.warnings));
  assert.match(note!, /a′ 5\.708 Å, b′ 5\.708 Å, c′ 5\.708 Å, α′ 90°, β′ 90°, γ′ 90°/);
  assert.match(note!, /\d+× fewer grid points; positions and exports are in that cell/);
  // `info` shows the file's cell, and says which cell the analyses use.
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-skewed-'));
  try {
    writeFileSync(join(dir, 'skewed.cif'), text);
    const info = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'info', join(dir, 'skewed.cif')], { encoding: 'utf8' });
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stdout, /info: the cell \(a 5\.708 Å, b 68\.\d+ Å, .*\) is a skewed basis of its lattice: the analyses use the reduced cell/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // A mildly oblique cell (grid ratio below the threshold) is kept: a hexagonal cell with γ = 120°.
  assert.ok(gridRatio(latticeMatrix(3.1, 3.1, 5.2, 90, 90, 120)) < REDUCE_WHEN_GRID_RATIO);
});

test('a really flat or short lattice is still refused, named by its shortest translation', () => {
  // 2a − b is 0.25 Å long: no basis change makes that a crystal.
  const text = LI2S.replace(/_cell_length_b\s+\S+/, '_cell_length_b 11.291').replace(/_cell_angle_gamma\s+\S+/, '_cell_angle_gamma 1.2');
  const r = buildStructure(text);
  assert.equal(r.structure, null);
  const m = r.messages.find((x) => x.code === 'degenerate-cell');
  assert.ok(m, JSON.stringify(r.messages.map((x) => x.message)));
  assert.match(m!.message, /the lattice translation −?\d?a[−+]\d?b|the lattice translation [−]?\d*[ab][−+]\d*[ab]/);
});
