/**
 * The radical (power) Voronoi decomposition against Debian's voro++ (Rycroft), radical mode `-r`, periodic box `-p`,
 * on the frameworks (Li removed) of the orthogonal examples and of Li3N in its orthohexagonal cell
 * (A = a, B = a + 2b, C = c; a hexagonal lattice that voro++'s rectangular box can hold). Same radii (the Shannon
 * radii the network assigned), so the same diagram: per-atom cell volumes and the set of Voronoi vertices must agree.
 * Skips with a message only when the voro++ binary is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync, spawnSync } from 'node:child_process';
import { buildStructure } from '../../src/compute/structure/build';
import { buildInterstitialNetwork } from '../../src/compute/network';
import type { Structure, Vec3 } from '../../src/compute/structure/types';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
const haveVoro = spawnSync('voro++', ['--version']).status === 0 || spawnSync('which', ['voro++']).status === 0;

function fromCif(text: string): Structure {
  const r = buildStructure(text);
  assert.ok(r.structure, r.messages.map((m) => m.message).join('; '));
  return r.structure!;
}

/** Li3N (P6/mmm, a = 3.648, c = 3.875 Å) written out in its orthohexagonal P1 cell. */
function li3nOrthohexagonal(): Structure {
  const a = 3.648, c = 3.875;
  // Hexagonal fractional (x, y, z) → orthohexagonal (X, Y, Z): r = x a + y b; A = a, B = a + 2b → X = x − y/2, Y = y/2.
  const hex: [string, number, Vec3][] = [['N', -3, [0, 0, 0]], ['Li', 1, [0, 0, 0.5]], ['Li', 1, [1 / 3, 2 / 3, 0]], ['Li', 1, [2 / 3, 1 / 3, 0]]];
  const rows: string[] = [];
  let n = 0;
  for (const [el, q, f] of hex) for (const t of [[0, 0], [0.5, 0.5]]) {
    const X = f[0] - f[1] / 2 + t[0], Y = f[1] / 2 + t[1];
    const w = (x: number) => (x - Math.floor(x)).toFixed(6);
    rows.push(`${el}${++n} ${el}${q > 0 ? '1+' : '3-'} ${w(X)} ${w(Y)} ${w(f[2])} 1`);
  }
  return fromCif(`data_Li3N_ortho\n_cell_length_a ${a}\n_cell_length_b ${(a * Math.sqrt(3)).toFixed(6)}\n_cell_length_c ${c}\n` +
    `_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n_symmetry_space_group_name_H-M 'P 1'\n` +
    `loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n_atom_site_occupancy\n${rows.join('\n')}\n`);
}

interface VoroCell { id: number; volume: number; vertices: Vec3[] }

function runVoro(s: Structure, carts: Vec3[], radii: number[]): VoroCell[] {
  const dir = mkdtempSync(join(tmpdir(), 'voro-'));
  try {
    const file = join(dir, 'atoms');
    writeFileSync(file, carts.map((c, i) => `${i} ${c[0]} ${c[1]} ${c[2]} ${radii[i]}`).join('\n') + '\n');
    const [A, B, C] = [s.lattice.matrix[0][0], s.lattice.matrix[1][1], s.lattice.matrix[2][2]];
    execFileSync('voro++', ['-r', '-p', '-o', '-c', '%i %v %P', '0', String(A), '0', String(B), '0', String(C), file]);
    return readFileSync(file + '.vol', 'utf8').trim().split('\n').map((line) => {
      const [id, vol, ...rest] = line.split(' ');
      const vertices = rest.join(' ').match(/\(([^)]+)\)/g)!.map((t) => t.slice(1, -1).split(',').map(Number) as Vec3);
      return { id: Number(id), volume: Number(vol), vertices };
    });
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** Distinct points (periodic in the orthogonal box, tolerance tol Å). */
function distinct(points: Vec3[], box: Vec3, tol: number): Vec3[] {
  const out: Vec3[] = [];
  for (const p of points) {
    const w = p.map((x, d) => x - Math.floor(x / box[d]) * box[d]) as Vec3;
    if (!out.some((q) => periodicDistance(q, w, box) < tol)) out.push(w);
  }
  return out;
}

function periodicDistance(p: Vec3, q: Vec3, box: Vec3): number {
  const d = p.map((x, k) => { const t = x - q[k]; return t - Math.round(t / box[k]) * box[k]; });
  return Math.hypot(d[0], d[1], d[2]);
}

const cases: [string, () => Structure][] = [
  ['LiFePO4', () => fromCif(readFileSync(join(EXAMPLES, 'LiFePO4.cif'), 'utf8'))],
  ['Li3PS4_beta', () => fromCif(readFileSync(join(EXAMPLES, 'Li3PS4_beta.cif'), 'utf8'))],
  ['Li2S', () => fromCif(readFileSync(join(EXAMPLES, 'Li2S.cif'), 'utf8'))],
  ['Li7La3Zr2O12', () => fromCif(readFileSync(join(EXAMPLES, 'Li7La3Zr2O12.cif'), 'utf8'))],
  ['Li3N (orthohexagonal)', li3nOrthohexagonal],
];

for (const [name, make] of cases) {
  test(`power cells and Voronoi vertices agree with voro++ -r -p: ${name}`, { skip: haveVoro ? false : 'voro++ not installed (apt-get install voro++)' }, () => {
    const s = make();
    const angles = [s.lattice.alpha, s.lattice.beta, s.lattice.gamma];
    assert.ok(angles.every((x) => Math.abs(x - 90) < 1e-9), `${name} is not orthogonal`);
    const net = buildInterstitialNetwork(s, { faceCentres: false });
    const box: Vec3 = [s.lattice.matrix[0][0], s.lattice.matrix[1][1], s.lattice.matrix[2][2]];
    const carts = net.framework.map((a) => a.cart);
    const voro = runVoro(s, carts, net.framework.map((a) => a.radius));
    assert.equal(voro.length, net.framework.length);
    let worstVolume = 0;
    for (const cell of voro) {
      const mine = net.cellVolumes[cell.id];
      worstVolume = Math.max(worstVolume, Math.abs(mine - cell.volume) / cell.volume);
    }
    const theirs = distinct(voro.flatMap((c) => c.vertices), box, 0.02);
    const ours = net.nodes.filter((n) => n.kind === 'vertex').map((n) => n.cart);
    let worstMatch = 0;
    for (const p of theirs) worstMatch = Math.max(worstMatch, Math.min(...ours.map((q) => periodicDistance(p, q, box))));
    for (const q of ours) worstMatch = Math.max(worstMatch, Math.min(...theirs.map((p) => periodicDistance(p, q, box))));
    console.log(`${name}: ${net.framework.length} framework ions, worst relative cell-volume difference ${worstVolume.toExponential(2)}; ` +
      `${ours.length} vertices (ionpath) vs ${theirs.length} (voro++), worst nearest-vertex distance ${worstMatch.toExponential(2)} Å`);
    assert.ok(worstVolume < 1e-5, `cell volumes differ by ${worstVolume}`);
    assert.equal(ours.length, theirs.length, 'vertex counts differ');
    assert.ok(worstMatch < 0.02, `vertex sets differ by ${worstMatch} Å`);
  });
}

test('the network does not depend on the cell chosen: Li3N hexagonal (γ = 120°) vs its orthohexagonal double cell', () => {
  const hex = buildInterstitialNetwork(fromCif(readFileSync(join(EXAMPLES, 'Li3N.cif'), 'utf8')));
  const ortho = buildInterstitialNetwork(li3nOrthohexagonal());
  const radii = (net: typeof hex, copies: number) => net.nodes.flatMap((n) => Array(copies).fill(n.radius.toFixed(4))).sort();
  assert.deepEqual(radii(ortho, 1), radii(hex, 2));
  assert.equal(ortho.edges.length, 2 * hex.edges.length);
  assert.deepEqual(ortho.channels.criticalRadii.map((r) => r.toFixed(4)), hex.channels.criticalRadii.map((r) => r.toFixed(4)));
  assert.equal(ortho.channels.dimensionality, hex.channels.dimensionality);
});
