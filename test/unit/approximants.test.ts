/**
 * Ordered approximants (src/compute/structure/approximants/approximants.ts) and the CIF/POSCAR writers.
 * Fixtures:
 *  - LLTO-type perovskite Li0.33La0.56TiO3 (x ≈ 0.11 of Li3xLa2/3−xTiO3), idealised cubic Pm-3m cell, a = 3.87 Å
 *    (the pseudo-cubic parameter of Inaguma et al., Solid State Commun. 86, 689 (1993)); Li and La share the A site 1a.
 *  - Al-doped LLZO, Li6.28Al0.24La3Zr2O12: examples/Li7La3Zr2O12.cif (Awaka et al., Chem. Lett. 40, 60 (2011)) with
 *    Al3+ on the tetrahedral Li 24d site (0.08) as refined by Buschmann et al., Phys. Chem. Chem. Phys. 13, 19378
 *    (2011), and the Li occupancies scaled to charge balance (24d Li 0.48, 96h Li 0.4033).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { buildStructure } from '../../src/compute/structure/build';
import { orderedApproximants, OCCUPANCY_TOLERANCE } from '../../src/compute/structure/approximants/approximants';
import { ewaldEnergy } from '../../src/compute/structure/approximants/ewald';
import { writeCif, writePoscar, UnorderedStructureError } from '../../src/compute/structure/writers';
import type { Structure } from '../../src/compute/structure/types';

const LLTO = readFileSync(join(process.cwd(), 'test', 'fixtures', 'structures', 'LLTO-perovskite.cif'), 'utf8');

function alLlzo(li24d = '0.48', li96h = '0.4033'): string {
  const text = readFileSync(join(process.cwd(), 'examples', 'Li7La3Zr2O12.cif'), 'utf8');
  return text
    .replace('  O2-    -2', '  O2-    -2\n  Al3+    3')
    .replace(/^( {2}Li1 +Li1\+ +24 +d +0\.375 +0 +0\.25 +)0\.564$/m, `$1${li24d}\n  Al1    Al3+   24  d  0.375      0          0.25       0.08`)
    .replace(/^( {2}Li2 +Li1\+ +96 +h +0\.1000 +0\.1900 +0\.4300 +)0\.442$/m, `$1${li96h}`);
}

const build = (text: string): Structure => {
  const r = buildStructure(text);
  assert.ok(r.structure, r.messages.map((m) => m.message).join('; '));
  return r.structure;
};

const charge = (s: Structure) => s.sites.reduce((q, site) => q + site.species.reduce((a, sp) => a + sp.occupancy * (sp.oxidation ?? 0), 0), 0);

function checkOrdering(parent: Structure, cells: number, o: Structure): void {
  for (const site of o.sites) { assert.equal(site.species.length, 1); assert.equal(site.species[0].occupancy, 1); }
  assert.ok(Math.abs(charge(o)) < 1e-9, `charge ${charge(o)}`);
  // Composition: every element within the occupancy tolerance of the CIF's, per supercell.
  for (const [el, n] of Object.entries(parent.composition)) {
    const got = o.composition[el] ?? 0;
    const perCellSites = parent.sites.filter((s) => s.species.some((sp) => sp.element === el)).length;
    assert.ok(Math.abs(got - n * cells) <= OCCUPANCY_TOLERANCE * perCellSites * cells + 1 + 1e-9, `${el}: ${got} vs ${n * cells}`);
  }
  assert.ok(Math.abs(o.lattice.volume - cells * parent.lattice.volume) < 1e-6 * o.lattice.volume);
}

test('LLTO-type perovskite: whole counts, neutral, La and Li ordered on the shared A site, located warnings', () => {
  const s = build(LLTO);
  const r = orderedApproximants(s, { count: 3, randomCount: 2, seed: 5 });
  assert.ok(r.cells > 1);
  const Hdet = r.supercell[0][0] * (r.supercell[1][1] * r.supercell[2][2] - r.supercell[1][2] * r.supercell[2][1]) - r.supercell[0][1] * (r.supercell[1][0] * r.supercell[2][2] - r.supercell[1][2] * r.supercell[2][0]) + r.supercell[0][2] * (r.supercell[1][0] * r.supercell[2][1] - r.supercell[1][1] * r.supercell[2][0]);
  assert.equal(Math.abs(Hdet), r.cells);
  assert.ok(r.orderings.length >= 3);
  for (const o of r.orderings) {
    checkOrdering(s, r.cells, o.structure);
    assert.equal(o.structure.composition.Ti, r.cells);
    assert.equal(o.structure.composition.O, 3 * r.cells);
  }
  // La 0.5633·D within the tolerance of a whole number (D is the smallest such).
  assert.ok(Math.abs(r.cells * 0.5633 - Math.round(r.cells * 0.5633)) / r.cells <= OCCUPANCY_TOLERANCE + 1e-9);
  const shares = r.warnings.find((w) => w.code === 'mobile-ion-shares-site');
  assert.ok(shares?.at, 'mobile ion sharing a site is a located warning');
  assert.equal(LLTO.split('\n')[shares.at.line].trim().split(/\s+/)[0], 'Li1');
  assert.ok(r.warnings.some((w) => w.code === 'vacancies-introduced' && w.at));
  // Low-energy orderings come first, sorted, and lie below the random ones.
  const low = r.orderings.filter((o) => o.kind === 'low-energy').map((o) => o.ewald_eV);
  const rnd = r.orderings.filter((o) => o.kind === 'random').map((o) => o.ewald_eV);
  assert.deepEqual(low, [...low].sort((a, b) => a - b));
  assert.ok(Math.max(...low) <= Math.min(...rnd) + 1e-9, `low ${low} random ${rnd}`);
});

test('reported Ewald energies are those of the written ordering', () => {
  const s = build(LLTO);
  const r = orderedApproximants(s, { count: 2, randomCount: 1, seed: 2 });
  for (const o of r.orderings) {
    const e = ewaldEnergy(o.structure.lattice.matrix, o.structure.sites.map((x) => x.frac), o.structure.sites.map((x) => x.species[0].oxidation!));
    assert.ok(Math.abs(e - o.ewald_eV) < 1e-5 * Math.abs(e), `${e} vs ${o.ewald_eV}`);
  }
});

test('deterministic for a seed', () => {
  const s = build(LLTO);
  const key = (seed: number) => orderedApproximants(s, { count: 2, randomCount: 1, seed }).orderings.map((o) => `${o.ewald_eV.toFixed(9)}|${o.structure.sites.map((x) => x.species[0].element + x.frac.join(',')).join(';')}`).join('\n');
  assert.equal(key(3), key(3));
});

test('Al-doped LLZO: Al ordered on the Li 24d site, whole counts, neutral, shared-site warning at the Li1 row', () => {
  const text = alLlzo();
  const s = build(text);
  const r = orderedApproximants(s, { count: 2, randomCount: 1, seed: 1 });
  assert.equal(r.cells, 1); // 24 × 0.08 = 1.92 and 96 × 0.4033 = 38.7: within 0.02 of whole numbers in one cell
  for (const o of r.orderings) {
    checkOrdering(s, r.cells, o.structure);
    assert.equal(o.structure.composition.Al, 2);
    assert.equal(o.structure.composition.La, 24);
    assert.equal(o.structure.composition.Zr, 16);
    // Al only on 24d positions.
    const al = o.structure.sites.filter((x) => x.species[0].element === 'Al');
    for (const x of al) assert.equal(s.asymmetricSites[x.asymmetricIndex].label, 'Li1');
  }
  const w = r.warnings.find((m) => m.code === 'mobile-ion-shares-site');
  assert.ok(w?.at);
  assert.match(text.split('\n')[w.at.line], /^\s*Li1\s/);
});

test('occupancy sums above 1 are scaled and said; rounding beyond the tolerance under the cap is said', () => {
  const over = build(alLlzo('0.98'));
  const r = orderedApproximants(over, { count: 1, randomCount: 0 });
  assert.ok(r.warnings.some((w) => w.code === 'occupancy-above-one' && w.at));
  const capped = orderedApproximants(build(LLTO), { maxAtoms: 10, count: 1, randomCount: 0 });
  assert.ok(capped.cells <= 2);
  assert.ok(capped.warnings.some((w) => w.code === 'occupancies-rounded' && w.severity === 'warning'));
  for (const o of capped.orderings) assert.ok(Math.abs(charge(o.structure)) < 1e-9);
});

test('an ordered CIF is its own approximant', () => {
  const s = build(readFileSync(join(process.cwd(), 'examples', 'LiFePO4.cif'), 'utf8'));
  const r = orderedApproximants(s);
  assert.equal(r.cells, 1);
  assert.equal(r.orderings.length, 1);
  assert.equal(r.orderings[0].structure.sites.length, s.sites.length);
});

test('CIF and POSCAR writers round-trip an approximant through buildStructure', () => {
  const s = build(LLTO);
  const o = orderedApproximants(s, { count: 1, randomCount: 0 }).orderings[0].structure;
  const cif = writeCif(o);
  const back = build(cif);
  assert.equal(back.sites.length, o.sites.length);
  assert.deepEqual(back.composition, o.composition);
  assert.ok(Math.abs(back.lattice.volume - o.lattice.volume) < 1e-3);
  assert.equal(back.oxidationSource, 'cif');
  const key = (x: Structure) => x.sites.map((site) => `${site.species[0].element}${site.species[0].oxidation}@${site.frac.map((f) => (Math.round(f * 1e4) % 1e4)).join(',')}`).sort().join(';');
  assert.equal(key(back), key(o));
  assert.ok(Math.abs(ewaldEnergy(back.lattice.matrix, back.sites.map((x) => x.frac), back.sites.map((x) => x.species[0].oxidation!)) - ewaldEnergy(o.lattice.matrix, o.sites.map((x) => x.frac), o.sites.map((x) => x.species[0].oxidation!))) < 1e-3);

  const poscar = writePoscar(o).trim().split('\n');
  const elements = poscar[5].trim().split(/\s+/), counts = poscar[6].trim().split(/\s+/).map(Number);
  assert.equal(counts.reduce((a, b) => a + b, 0), o.sites.length);
  elements.forEach((el, i) => assert.equal(counts[i], o.composition[el]));
  assert.equal(poscar[7], 'Direct');
  const rows = poscar.slice(2, 5).map((l) => l.trim().split(/\s+/).map(Number));
  rows.forEach((row, i) => row.forEach((x, j) => assert.ok(Math.abs(x - o.lattice.matrix[i][j]) < 1e-8)));
  assert.throws(() => writeCif(s), UnorderedStructureError);
});

// The exports are for other programs: pymatgen (Debian's python3-pymatgen) reads both to the same crystal, species by
// species and position by position, with the oxidation states the CIF carries. Skipped, and said, without pymatgen.
const PYTHON = '/usr/bin/python3';
const pymatgen = spawnSync(PYTHON, ['-c', 'import pymatgen.io.cif, pymatgen.io.vasp'], { encoding: 'utf8' });

test('pymatgen reads the exported CIF and POSCAR of an approximant as the same crystal', { skip: pymatgen.status === 0 ? false : `no pymatgen under ${PYTHON}: ${(pymatgen.stderr || pymatgen.error?.message || '').trim().split('\n').pop()}` }, () => {
  const o = orderedApproximants(build(alLlzo()), { count: 1, randomCount: 0 }).orderings[0].structure;
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-export-'));
  try {
    writeFileSync(join(dir, 'o.cif'), writeCif(o));
    writeFileSync(join(dir, 'POSCAR'), writePoscar(o));
    const script = [
      'import json, sys, warnings', 'warnings.simplefilter("ignore")',
      'from pymatgen.io.cif import CifParser', 'from pymatgen.io.vasp import Poscar',
      'p = CifParser(sys.argv[1]); a = (p.parse_structures(primitive=False) if hasattr(p, "parse_structures") else p.get_structures(primitive=False))[0]',
      'b = Poscar.from_file(sys.argv[2]).structure',
      'print(json.dumps({"cif": [[str(s.specie), *s.frac_coords.tolist()] for s in a], "poscar": [[str(s.specie), *s.frac_coords.tolist()] for s in b], "lattice": a.lattice.matrix.tolist()}))',
    ].join('\n');
    const r = spawnSync(PYTHON, ['-c', script, join(dir, 'o.cif'), join(dir, 'POSCAR')], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    const read = JSON.parse(r.stdout) as { cif: [string, number, number, number][]; poscar: [string, number, number, number][]; lattice: number[][] };
    read.lattice.forEach((row, i) => row.forEach((x, j) => assert.ok(Math.abs(x - o.lattice.matrix[i][j]) < 1e-5, `lattice ${i},${j}`)));
    const wrap = (x: number) => { const w = x - Math.floor(x); return w > 1 - 1e-6 ? 0 : w; };
    const key = (el: string, f: number[]) => `${el}@${f.map((x) => Math.round(wrap(x) * 1e4) % 1e4).join(',')}`;
    const ours = o.sites.map((x) => key(`${x.species[0].element}${x.species[0].oxidation! > 0 ? '+' : '-'}`, x.frac)).sort();
    const sign = (sp: string) => sp.replace(/^([A-Z][a-z]?)\d*([+-])$/, '$1$2');
    assert.equal(read.cif.length, o.sites.length);
    assert.deepEqual(read.cif.map(([sp, ...f]) => key(sign(sp), f)).sort(), ours, 'the CIF: species with their charges, positions');
    const charges = new Map(read.cif.map(([sp]) => [sp.replace(/\d*[+-]$/, ''), sp]));
    assert.equal(charges.get('Al'), 'Al3+');
    assert.equal(charges.get('O'), 'O2-');
    assert.deepEqual(read.poscar.map(([sp, ...f]) => key(`${sp}${sign(charges.get(sp)!).slice(-1)}`, f)).sort(), ours, 'the POSCAR: species, positions');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
