/**
 * Ewald energies (src/compute/structure/approximants/ewald.ts) against pymatgen's EwaldSummation (Debian's
 * python3-pymatgen), and the incremental swap update against a full recomputation. The pymatgen comparison skips,
 * with a message, only when /usr/bin/python3 cannot import pymatgen.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ewaldEnergy, ewaldMatrix, ewaldEnergyFromMatrix, sitePotentials, swapDelta, applySwap } from '../../src/compute/structure/approximants/ewald';
import { latticeMatrix } from '../../src/compute/structure/geometry';
import { buildStructure } from '../../src/compute/structure/build';
import { orderedApproximants } from '../../src/compute/structure/approximants/approximants';
import type { Mat3, Vec3 } from '../../src/compute/structure/types';

const PYTHON = '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import pymatgen.analysis.ewald'], { encoding: 'utf8' });
const noPymatgen = probe.status !== 0 ? `pymatgen missing for ${PYTHON} (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})` : false;

interface Case { name: string; lattice: Mat3; species: string[]; frac: Vec3[]; charges: number[] }

/** A deterministic pseudo-random generator for test structures. */
function lcg(seed: number) { let s = seed >>> 0; return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32); }

function cases(): Case[] {
  const out: Case[] = [];
  // Rock salt, conventional cell (a = 5.64 Å): Madelung constant 1.7476.
  const a = 5.64;
  const nacl: Case = { name: 'NaCl', lattice: latticeMatrix(a, a, a, 90, 90, 90), species: [], frac: [], charges: [] };
  for (const t of [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]] as Vec3[]) {
    nacl.species.push('Na'); nacl.frac.push(t); nacl.charges.push(1);
    nacl.species.push('Cl'); nacl.frac.push([(t[0] + 0.5) % 1, t[1], t[2]]); nacl.charges.push(-1);
  }
  out.push(nacl);
  // A triclinic cell with random neutral charges.
  const r = lcg(7);
  const tri: Case = { name: 'triclinic', lattice: latticeMatrix(6.1, 7.3, 8.2, 78, 95, 104), species: [], frac: [], charges: [] };
  for (let i = 0; i < 12; i++) {
    const q = i < 6 ? [1, 2, 3][i % 3] : -2;
    tri.species.push(q > 0 ? ['Li', 'Mg', 'Al'][i % 3] : 'O'); tri.frac.push([r(), r(), r()]); tri.charges.push(q);
  }
  tri.charges[11] = 0; tri.species[11] = 'O'; // Σq = 6 − 10 = −4 → make it charged on purpose: background term
  out.push(tri);
  // LiFePO4 from examples/ (formal charges from the CIF).
  const built = buildStructure(readFileSync(join(process.cwd(), 'examples', 'LiFePO4.cif'), 'utf8')).structure!;
  out.push({ name: 'LiFePO4', lattice: built.lattice.matrix, species: built.sites.map((s) => s.species[0].element), frac: built.sites.map((s) => s.frac), charges: built.sites.map((s) => s.species[0].oxidation!) });
  // An ordered approximant of the LLZO garnet in examples/ (Li ordered over 24d and 96h; 192 atoms).
  const llzo = buildStructure(readFileSync(join(process.cwd(), 'examples', 'Li7La3Zr2O12.cif'), 'utf8')).structure!;
  const o = orderedApproximants(llzo, { count: 1, randomCount: 0 }).orderings[0].structure;
  out.push({ name: 'LLZO approximant', lattice: o.lattice.matrix, species: o.sites.map((x) => x.species[0].element), frac: o.sites.map((x) => x.frac), charges: o.sites.map((x) => x.species[0].oxidation!) });
  return out;
}

function pymatgenEnergies(list: Case[]): number[] {
  const script = `
import json, sys
from pymatgen.core import Structure, Lattice
from pymatgen.analysis.ewald import EwaldSummation
out = []
for c in json.load(sys.stdin):
    s = Structure(Lattice(c['lattice']), c['species'], c['frac'])
    s.add_oxidation_state_by_site(c['charges'])
    out.append(EwaldSummation(s, acc_factor=14).total_energy)
print(json.dumps(out))
`;
  const res = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(list), encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  return JSON.parse(res.stdout.trim().split('\n').pop()!);
}

test('rock salt: Madelung constant 1.7476 per ion pair', () => {
  const c = cases()[0];
  const e = ewaldEnergy(c.lattice, c.frac, c.charges);
  const perPair = e / 4;
  assert.ok(Math.abs(perPair - (-1.747565 * 14.3996454784) / (5.64 / 2)) < 1e-4, `E per NaCl ${perPair}`);
});

test('Ewald energies agree with pymatgen EwaldSummation within 1e-4 relative', { skip: noPymatgen }, () => {
  const list = cases();
  const ref = pymatgenEnergies(list);
  list.forEach((c, i) => {
    const ours = ewaldEnergy(c.lattice, c.frac, c.charges);
    const rel = Math.abs(ours - ref[i]) / Math.abs(ref[i]);
    assert.ok(rel < 1e-4, `${c.name}: ours ${ours} eV, pymatgen ${ref[i]} eV (rel ${rel.toExponential(2)})`);
  });
});

test('the converged energy does not depend on the splitting parameter η', () => {
  const c = cases()[1];
  const e1 = ewaldEnergy(c.lattice, c.frac, c.charges);
  const e2 = ewaldEnergy(c.lattice, c.frac, c.charges, { eta: 0.5, accuracy: 16 });
  assert.ok(Math.abs(e1 - e2) < 1e-4 * Math.abs(e1), `${e1} vs ${e2}`);
});

test('incremental swap energies match full recomputation', () => {
  const c = cases()[1];
  const { matrix } = ewaldMatrix(c.lattice, c.frac);
  const n = c.frac.length;
  const q = [...c.charges];
  const v = sitePotentials(matrix, q);
  let e = ewaldEnergyFromMatrix(matrix, q);
  const r = lcg(3);
  for (let k = 0; k < 30; k++) {
    const a = Math.floor(r() * n), b = Math.floor(r() * n);
    e += swapDelta(matrix, n, v, q, a, b);
    applySwap(matrix, n, v, q, a, b);
    assert.ok(Math.abs(e - ewaldEnergyFromMatrix(matrix, q)) < 1e-8 * Math.max(1, Math.abs(e)));
  }
});
