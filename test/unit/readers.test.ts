/**
 * POSCAR/CONTCAR and extended XYZ → Structure, checked against the CIF-built structure of
 * examples/LiFePO4.cif (fixtures in test/fixtures/structures, written by ASE; see its README):
 * same composition, volume, number of sites, detected space group, and the same set of interatomic
 * distances. Bad input gives located errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildStructure } from '../../src/compute/structure/build';
import { readStructureFile, formatOfFile, isStructureFileName } from '../../src/compute/structure/read';
import { readPoscar } from '../../src/compute/structure/poscar';
import { readExtendedXyz } from '../../src/compute/structure/xyz';
import type { Structure, StructureMessage } from '../../src/compute/structure/types';

const ROOT = process.cwd();
const FIX = join(ROOT, 'test', 'fixtures', 'structures');
const read = (f: string) => readFileSync(join(FIX, f), 'utf8');

const cif = buildStructure(readFileSync(join(ROOT, 'examples', 'LiFePO4.cif'), 'utf8')).structure!;

function ok(r: { structure: Structure | null; messages: StructureMessage[] }): Structure {
  assert.deepEqual(r.messages.filter((m) => m.severity === 'error'), [], 'no errors expected');
  assert.ok(r.structure);
  return r.structure;
}

/** Sorted nearest-neighbour distance of every atom (minimum image): orientation-independent fingerprint. */
function nearestDistances(s: Structure): number[] {
  const out: number[] = [];
  for (const a of s.sites) {
    let best = Infinity;
    for (const b of s.sites) {
      if (a === b) continue;
      for (let i = -1; i <= 1; i++) for (let j = -1; j <= 1; j++) for (let k = -1; k <= 1; k++) {
        const d = [b.frac[0] - a.frac[0] + i, b.frac[1] - a.frac[1] + j, b.frac[2] - a.frac[2] + k];
        const m = s.lattice.matrix;
        const c = [0, 1, 2].map((x) => d[0] * m[0][x] + d[1] * m[1][x] + d[2] * m[2][x]);
        best = Math.min(best, Math.hypot(c[0], c[1], c[2]));
      }
    }
    out.push(Number(best.toFixed(3)));
  }
  return out.sort((x, y) => x - y);
}

function sameAsCif(s: Structure) {
  assert.deepEqual(s.composition, cif.composition);
  assert.equal(s.formula, 'LiFePO4');
  assert.ok(Math.abs(s.lattice.volume - cif.lattice.volume) < 1e-3, `volume ${s.lattice.volume} vs ${cif.lattice.volume}`);
  assert.equal(s.sites.length, cif.sites.length);
  assert.equal(s.spaceGroup.detected?.number, 62);
  assert.equal(s.spaceGroup.detected?.number, cif.spaceGroup.detected?.number);
  // 6 orbits (Li, Fe, P, O1, O2, O3), as the CIF's asymmetric unit
  assert.equal(s.asymmetricSites.length, cif.asymmetricSites.length);
  assert.deepEqual(nearestDistances(s), nearestDistances(cif));
  for (const site of s.sites) for (const sp of site.species) assert.equal(sp.oxidation, { Li: 1, Fe: 2, P: 5, O: -2 }[sp.element]);
  assert.ok(s.messages.some((m) => m.code === 'oxidation-guessed'));
  // The lattice is in the crystallographic orientation (a along x, b in xy), like a CIF's.
  assert.ok(Math.abs(s.lattice.matrix[0][1]) < 1e-9 && Math.abs(s.lattice.matrix[0][2]) < 1e-9 && Math.abs(s.lattice.matrix[1][2]) < 1e-9);
}

test('VASP 5 POSCAR (Direct) reads as the CIF structure', () => {
  const r = readStructureFile('LiFePO4.POSCAR', read('LiFePO4.POSCAR'));
  assert.equal(r.format, 'poscar');
  sameAsCif(ok(r));
});

test('VASP 4 CONTCAR: species from the comment, negative scale = volume, Cartesian, selective dynamics', () => {
  const r = readStructureFile('some/dir/LiFePO4-vasp4.CONTCAR', read('LiFePO4-vasp4.CONTCAR'));
  const s = ok(r);
  sameAsCif(s);
  assert.ok(r.messages.some((m) => m.code === 'poscar-species-from-comment'));
  assert.ok(Math.abs(s.lattice.a - 10.332) < 1e-6 && Math.abs(s.lattice.c - 4.692) < 1e-6);
});

test('extended XYZ in a rotated cell (ASE-written, escaped quotes in other keys) reads as the CIF structure', () => {
  const r = readStructureFile('LiFePO4.extxyz', read('LiFePO4.extxyz'));
  assert.equal(r.format, 'xyz');
  const s = ok(r);
  sameAsCif(s);
  assert.ok(Math.abs(s.lattice.a - 10.332) < 1e-6 && Math.abs(s.lattice.alpha - 90) < 1e-6);
});

test('format by name and by content', () => {
  assert.equal(formatOfFile('POSCAR', ''), 'poscar');
  assert.equal(formatOfFile('/x/CONTCAR_relaxed', ''), 'poscar');
  assert.equal(formatOfFile('a.vasp', ''), 'poscar');
  assert.equal(formatOfFile('a.XYZ', ''), 'xyz');
  assert.equal(formatOfFile('a.mcif', ''), 'cif');
  assert.equal(formatOfFile('noext', 'data_x\n_cell_length_a 1'), 'cif');
  assert.equal(formatOfFile('noext', '2\nLattice="1 0 0 0 1 0 0 0 1"\n'), 'xyz');
  assert.equal(formatOfFile('noext', read('LiFePO4.POSCAR')), 'poscar');
  assert.ok(isStructureFileName('C:\\runs\\CONTCAR'));
  assert.ok(!isStructureFileName('notes.txt'));
});

const POSCAR4_NO_SPECIES = `relaxed structure
1.0
4 0 0
0 4 0
0 0 4
1 1
Direct
0 0 0
0.5 0.5 0.5
`;

function err(r: { messages: StructureMessage[]; structure: Structure | null }, code: string): StructureMessage {
  assert.equal(r.structure, null);
  const m = r.messages.find((x) => x.code === code && x.severity === 'error');
  assert.ok(m, `expected error ${code}, got ${JSON.stringify(r.messages)}`);
  assert.ok(m.at, 'error is located');
  return m;
}

test('VASP 4 without species anywhere: a located error asking for the species line', () => {
  const m = err(readPoscar(POSCAR4_NO_SPECIES), 'poscar-no-species');
  assert.equal(m.at!.line, 5);
  assert.match(m.message, /species/);
  // species after the coordinates are accepted
  const labelled = POSCAR4_NO_SPECIES.replace('0 0 0\n', '0 0 0 Li\n').replace('0.5 0.5 0.5\n', '0.5 0.5 0.5 Cl\n');
  assert.equal(ok(readPoscar(labelled)).formula, 'LiCl');
});

test('POSCAR errors are located at the offending token', () => {
  let m = err(readPoscar(POSCAR4_NO_SPECIES.replace('0 0 4', '0 0 x')), 'poscar-syntax');
  assert.deepEqual([m.at!.line, m.at!.column], [4, 4]);
  m = err(readPoscar(POSCAR4_NO_SPECIES.replace('1 1\n', 'Li Cl\n1 1\n').replace('0.5 0.5 0.5\n', '')), 'poscar-syntax');
  assert.match(m.message, /2 atoms .* stop after 1/);
  m = err(readPoscar(POSCAR4_NO_SPECIES.replace('1 1\n', 'Li Qq\n1 1\n')), 'unknown-element');
  assert.deepEqual([m.at!.line, m.at!.column], [5, 3]);
  m = err(readPoscar(POSCAR4_NO_SPECIES.replace('1 1\n', 'Li Cl\n1 1 1\n')), 'poscar-syntax');
  assert.match(m.message, /2 species .* 3 counts/);
  m = err(readPoscar(POSCAR4_NO_SPECIES.replace('1 1\n', 'Li Cl\n1 1\nSelective dynamics\n')), 'poscar-syntax');
  assert.match(m.message, /T\/F flags/);
  m = err(readPoscar(POSCAR4_NO_SPECIES.replace('1 1\n', 'Li Cl\n1 1\n').replace('0.5 0.5 0.5', '0.01 0 0')), 'overlapping-atoms');
  assert.equal(m.at!.line, 9);
  // A position line more than the counts say: another composition, not a line to drop.
  m = err(readPoscar(POSCAR4_NO_SPECIES.replace('1 1\n', 'Li Cl\n1 1\n').replace('0.5 0.5 0.5\n', '0.5 0.5 0.5\n0.25 0.25 0.25\n')), 'poscar-syntax');
  assert.match(m.message, /is one more atom position than the 2 counted on line \d+: the counts or the positions are wrong/);
  err(readPoscar(''), 'empty');
  err(readPoscar('x\nabc\n'), 'poscar-syntax');
});

test('POSCAR and XYZ cells meet the CIF\'s limits: too short, flat or too dense is a located error before anything is computed', () => {
  const poscar = (scale: string, c = '4') => `LiCl\n${scale}\n4 0 0\n0 4 0\n0 0 ${c}\nLi Cl\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n`;
  assert.equal(ok(readPoscar(poscar('1'))).formula, 'LiCl');
  // A scale of -1 is a volume of 1 Å³: a cell of 1 Å edges, not a structure.
  let m = err(readPoscar(poscar('-1')), 'degenerate-cell');
  assert.match(m.message, /is 1\.00 Å long, shorter than MIN_LATTICE_TRANSLATION_A = 1\.5 Å.*\(a = 1 Å, b = 1 Å, c = 1 Å/);
  assert.equal(m.at!.line, 2);
  m = err(readPoscar(poscar('1', '0.9')), 'degenerate-cell');
  assert.match(m.message, /0\.900 Å long/);
  // Dense beyond any solid without a short translation: 1.6 Å edges holding two atoms (0.49 atoms/Å³).
  const dense = readPoscar(poscar('0.4'));
  assert.ok(dense.messages.some((x) => x.code === 'too-dense' && x.severity === 'error'), JSON.stringify(dense.messages));
  const xyz = '2\nLattice="4 0 0 0 4 0 0 0 0.8" Properties=species:S:1:pos:R:3 pbc="T T T"\nLi 0 0 0\nCl 2 2 0.4\n';
  err(readExtendedXyz(xyz), 'degenerate-cell');
});

test('extended XYZ errors: no Lattice, non-periodic, bad column, short frame', () => {
  const good = '2\nLattice="4 0 0 0 4 0 0 0 4" Properties=species:S:1:pos:R:3 pbc="T T T"\nLi 0 0 0\nCl 2 2 2\n';
  assert.equal(ok(readExtendedXyz(good)).formula, 'LiCl');
  let m = err(readExtendedXyz(good.replace(/Lattice="[^"]*" /, '')), 'missing-cell');
  assert.equal(m.at!.line, 1);
  m = err(readExtendedXyz(good.replace('T T T', 'T T F')), 'not-periodic');
  assert.match(m.message, /along c/);
  m = err(readExtendedXyz(good.replace('Cl 2 2 2', 'Cl 2 two 2')), 'xyz-syntax');
  assert.deepEqual([m.at!.line, m.at!.column], [3, 5]);
  m = err(readExtendedXyz(good.replace('Cl 2 2 2\n', '')), 'xyz-syntax');
  assert.match(m.message, /stops after 1/);
  err(readExtendedXyz('hello\n'), 'xyz-syntax');
  // Z instead of species; two frames → the last is read
  const z = '2\nLattice="4 0 0 0 4 0 0 0 4" Properties=Z:I:1:pos:R:3\n3 0 0 0\n17 2 2 2\n';
  const two = readExtendedXyz(good + z.replace('17 2 2 2', '9 2 2 2'));
  assert.equal(ok(two).formula, 'LiF');
  assert.ok(two.messages.some((x) => x.code === 'xyz-last-frame'));
});

test('readStructureFile still reads CIFs through buildStructure', () => {
  const r = readStructureFile('x.cif', readFileSync(join(ROOT, 'examples', 'LiFePO4.cif'), 'utf8'));
  assert.equal(r.format, 'cif');
  assert.equal(ok(r).sites.length, 28);
});

test('BVSE on the POSCAR- and XYZ-read LiFePO4 gives the CIF\'s barriers (same landscape up to the grid)', async () => {
  const { analyzeLandscapeSync } = await import('../../src/compute/analysis/pipeline');
  const opts = { resolution: 0.3 };
  const ref = analyzeLandscapeSync(cif, opts).report;
  for (const f of ['LiFePO4.POSCAR', 'LiFePO4.extxyz']) {
    const s = ok(readStructureFile(f, read(f)));
    const r = analyzeLandscapeSync(s, opts).report;
    assert.ok(ref.Ea_1D_eV !== null && r.Ea_1D_eV !== null);
    // Same cell and grid, positions equal to ~1e-6 Å (ASE round trip): identical barriers to 1 meV.
    assert.ok(Math.abs(r.Ea_1D_eV - ref.Ea_1D_eV) < 1e-3, `${f}: Ea(BVSE, 1D) ${r.Ea_1D_eV} vs CIF ${ref.Ea_1D_eV} eV`);
    assert.ok(Math.abs((r.Ea_3D_eV ?? 0) - (ref.Ea_3D_eV ?? 0)) < 1e-3, `${f}: Ea 3D`);
  }
});

test('POSCAR variants: three scale factors, CRLF line ends, species labels after VASP 5 coordinates', () => {
  const base = ['LiCl rock salt', '1.0', '5.13 0 0', '0 5.13 0', '0 0 5.13', 'Li Cl', '4 4', 'Direct',
    '0 0 0 Li', '0.5 0.5 0 Li', '0.5 0 0.5 Li', '0 0.5 0.5 Li', '0.5 0 0 Cl', '0 0.5 0 Cl', '0 0 0.5 Cl', '0.5 0.5 0.5 Cl'];
  const s1 = ok(readPoscar(base.join('\r\n')));
  assert.equal(s1.formula, 'LiCl');
  assert.equal(s1.spaceGroup.detected?.number, 225);
  assert.ok(Math.abs(s1.lattice.volume - 5.13 ** 3) < 1e-6);
  const three = [...base];
  three[1] = '1.0 2.0 0.5';
  three[2] = '5.13 0 0'; three[3] = '0 2.565 0'; three[4] = '0 0 10.26';
  const s2 = ok(readPoscar(three.join('\n')));
  assert.ok(Math.abs(s2.lattice.a - 5.13) < 1e-9 && Math.abs(s2.lattice.b - 5.13) < 1e-9 && Math.abs(s2.lattice.c - 5.13) < 1e-9);
  const bad = [...base];
  bad[1] = '1.0 -2.0 0.5';
  err(readPoscar(bad.join('\n')), 'poscar-syntax');
});

test('writePoscar: an ordered structure round-trips; a disordered one is refused with the site named', async () => {
  const { writePoscar, UnorderedStructureError } = await import('../../src/compute/structure/writers');
  const back = ok(readPoscar(writePoscar(cif)));
  assert.deepEqual(back.composition, cif.composition);
  assert.equal(back.spaceGroup.detected?.number, 62);
  assert.deepEqual(nearestDistances(back), nearestDistances(cif));
  const llzo = buildStructure(readFileSync(join(ROOT, 'examples', 'Li7La3Zr2O12.cif'), 'utf8')).structure!;
  assert.throws(() => writePoscar(llzo), (e: unknown) => e instanceof UnorderedStructureError && /site Li\d? .*not fully occupied/.test(e.message));
});
