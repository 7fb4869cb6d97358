/**
 * The committed ONNX export of TensorNet-MatPES-PBE-v2025.1 (models/tensornet/, made by export.py from matgl's
 * weights) run by onnxruntime-node's CPU provider reproduces the total energies in
 * ../shared/models/tensornet-matpes-pbe-v2025.1/reference_energies.json within 1e-4 eV per structure, with the
 * brute-force neighbour list of tensornet-fixtures.ts; and a batch of disjoint copies of one structure in one
 * graph gives every copy the per-atom energies of the structure alone, to float32 rounding (the scan batches
 * probe positions so).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { ONNX_PATH, atomEnergies, concatGraphs, elementTypes, referenceCases, referenceGraph, sharedPresent, total } from './tensornet-fixtures';

const skip = !sharedPresent()
  ? '../shared/models/tensornet-matpes-pbe-v2025.1 is absent (third-party data not checked out): skipping the TensorNet ONNX checks'
  : false;

async function session(): Promise<ort.InferenceSession> {
  assert.ok(existsSync(ONNX_PATH), `missing ${ONNX_PATH}: run models/tensornet/export.py`);
  return ort.InferenceSession.create(ONNX_PATH, { executionProviders: ['cpu'], intraOpNumThreads: 2, interOpNumThreads: 1 });
}

test('TensorNet ONNX: graph inputs and output have the documented names', { skip }, async () => {
  const s = await session();
  assert.deepEqual([...s.inputNames], ['species', 'positions', 'edge_src', 'edge_dst', 'edge_shift']);
  assert.deepEqual([...s.outputNames], ['atom_energy']);
});

test('TensorNet ONNX: reference total energies within 1e-4 eV per structure', { skip }, async () => {
  const s = await session();
  const types = elementTypes();
  const { cutoff, cases } = referenceCases();
  assert.ok(Object.keys(cases).length >= 5);
  let worst = 0;
  for (const [name, c] of Object.entries(cases)) {
    const g = referenceGraph(name, c, types, cutoff);
    assert.equal(g.src.length, c.n_edges, `${name}: brute-force neighbour list has ${g.src.length} edges, reference ${c.n_edges}`);
    const e = await atomEnergies(ort, s, g);
    assert.equal(e.length, g.species.length);
    const E = total(e);
    assert.ok(Math.abs(E - c.energy_eV) <= 1e-4, `${name}: E(TensorNet ONNX) ${E.toFixed(6)} eV, reference ${c.energy_eV} eV`);
    worst = Math.max(worst, Math.abs(E - c.energy_eV));
  }
  console.log(`E(TensorNet ONNX) vs reference_energies.json: max |ΔE| ${worst.toExponential(2)} eV over ${Object.keys(cases).length} structures`);
});

test('TensorNet ONNX: repeated runs on 2 threads give bit-identical energies (no racing scatter)', { skip }, async () => {
  const s = await session();
  const { cutoff, cases } = referenceCases();
  const g = referenceGraph('Li2O_2x1x1_plus_Li', cases['Li2O_2x1x1_plus_Li'], elementTypes(), cutoff);
  const first = Array.from(await atomEnergies(ort, s, g));
  for (let r = 0; r < 4; r++) assert.deepEqual(Array.from(await atomEnergies(ort, s, g)), first, `run ${r + 2} differs from run 1`);
});

test('TensorNet ONNX: edge order does not matter; an atom without neighbours gets its reference energy', { skip }, async () => {
  const s = await session();
  const types = elementTypes();
  const { cutoff, cases } = referenceCases();
  const g = referenceGraph('Li2O', cases.Li2O, types, cutoff);
  const base = await atomEnergies(ort, s, g);
  // a fixed permutation (reversed, then pairs interleaved from both ends)
  const e = g.src.length;
  const perm = Array.from({ length: e }, (_, i) => (i % 2 ? i >> 1 : e - 1 - (i >> 1)));
  const shuffled = { ...g, src: perm.map((p) => g.src[p]), dst: perm.map((p) => g.dst[p]), shift: perm.flatMap((p) => g.shift.slice(3 * p, 3 * p + 3)) };
  const again = await atomEnergies(ort, s, shuffled);
  for (let i = 0; i < base.length; i++) assert.ok(Math.abs(again[i] - base[i]) <= 1e-5, `atom ${i}: ${again[i]} vs ${base[i]} eV after reordering edges`);
  // an isolated Li atom beside the structure, and a graph with no edges at all
  const li = types.indexOf('Li');
  const lonely = await atomEnergies(ort, s, concatGraphs([g, { name: 'Li', species: [li], cart: [[50, 50, 50]], src: [], dst: [], shift: [] }]));
  const alone = await atomEnergies(ort, s, { name: 'Li', species: [li], cart: [[0, 0, 0]], src: [], dst: [], shift: [] });
  assert.equal(alone.length, 1);
  assert.ok(Number.isFinite(alone[0]) && Math.abs(lonely[g.species.length] - alone[0]) <= 1e-6, `isolated Li: ${lonely[g.species.length]} vs ${alone[0]} eV`);
});

test('TensorNet ONNX: a batch of 2 disjoint copies gives each copy the per-atom energies alone', { skip }, async () => {
  const s = await session();
  const types = elementTypes();
  const { cutoff, cases } = referenceCases();
  for (const name of ['Li2O_2x1x1_plus_Li', 'AcAla3NHMe']) {
    const one = referenceGraph(name, cases[name], types, cutoff);
    const alone = await atomEnergies(ort, s, one);
    const n = one.species.length;
    const pair = await atomEnergies(ort, s, concatGraphs([one, one]));
    assert.equal(pair.length, 2 * n);
    let worstPair = 0;
    for (let i = 0; i < n; i++) worstPair = Math.max(worstPair, Math.abs(pair[i] - alone[i]), Math.abs(pair[n + i] - alone[i]));
    assert.ok(worstPair <= 1e-5, `${name}: per-atom energy differs by ${worstPair} eV between a batch of 2 copies and the structure alone`);
    // a copy displaced far away: a (wrong) coupling through positions or a global sum would show; float32
    // rounding of positions ~100 Å from the origin (~1e-5 Å) allows ~1e-5 eV per atom
    const moved = { ...one, cart: one.cart.map(([x, y, z]) => [x + 100, y - 50, z + 25]) };
    const far = await atomEnergies(ort, s, concatGraphs([one, moved]));
    let worstFar = 0;
    for (let i = 0; i < n; i++) worstFar = Math.max(worstFar, Math.abs(far[i] - alone[i]), Math.abs(far[n + i] - alone[i]));
    assert.ok(worstFar <= 1e-4, `${name}: per-atom energy differs by ${worstFar} eV with the second copy displaced`);
    console.log(`${name}: batch of 2 copies max |ΔE_i| ${worstPair.toExponential(1)} eV, displaced copy ${worstFar.toExponential(1)} eV`);
  }
});
