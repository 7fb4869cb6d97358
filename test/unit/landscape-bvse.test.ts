import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gridShapeFor, pythonFloorDiv, voxelCoords } from '../../src/compute/landscape';
import { computeBvse, validateForBvse, type BvseMode, type WallRule } from '../../src/compute/energy/bvse/bvse';
import { erfc } from '../../src/compute/energy/bvse/erfc';
import { LandscapeError } from '../../src/compute/util/errors';
import { BVSE_PAIRS, ELEMENTS, ELEMENT_SYMBOLS, softBvIon } from '../../src/compute/data/bvTables';
import type { Structure, Vec3 } from '../../src/compute/structure/types';
import { dopedRockSalt, makeStructure, perovskite, vacantPerovskite } from './landscape-fixtures';

/**
 * Slow, direct BVSE at a Cartesian point, written from SCIENCE.md §2 (SPSE) or the reference README (BVlain) without
 * any of the production code's tables, blocks or image lists.
 */
function directBvse(structure: Structure, point: Vec3, mode: BvseMode, ion = 'Li', ionCharge = 1, k = 100, wallRule: WallRule = 'vacant-excluded'): number {
  const m = structure.lattice.matrix;
  const probe = mode === 'spse' ? softBvIon(ion, ionCharge)! : { n: ELEMENTS.get(ion)!.period, r: ELEMENTS.get(ion)!.covalentRadius! };
  const nOf = (el: string, ox: number) => softBvIon(el, ox)?.n ?? ELEMENTS.get(el)!.period;
  let anions = 0;
  let cations = 0;
  for (const site of structure.sites)
    for (const sp of site.species) {
      const v = (sp.oxidation! * sp.occupancy) / Math.sqrt(nOf(sp.element, sp.oxidation!));
      if (sp.oxidation! < 0) anions += v;
      else cations += v;
    }
  const s = mode === 'spse' ? -anions / cations : 1;
  type Hit = { r: number; site: (typeof structure.sites)[number] };
  const hits: Hit[] = [];
  const cationOcc = (site: (typeof structure.sites)[number]) => site.species.filter((sp) => sp.element !== ion && sp.oxidation! > 0).reduce((t, sp) => t + sp.occupancy, 0);
  const cart = (f: number[]) => [0, 1, 2].map((c) => f[0] * m[0][c] + f[1] * m[1][c] + f[2] * m[2][c]);
  // Cation occupancy of a position: every site (any image) within 1 Å of it (a split cation is one position).
  const held = (site: (typeof structure.sites)[number]) => {
    let h = 0;
    for (const other of structure.sites) for (let t0 = -1; t0 <= 1; t0++) for (let t1 = -1; t1 <= 1; t1++) for (let t2 = -1; t2 <= 1; t2++) {
      const d = cart([other.frac[0] + t0 - site.frac[0], other.frac[1] + t1 - site.frac[1], other.frac[2] + t2 - site.frac[2]]);
      if (Math.hypot(d[0], d[1], d[2]) <= 1) h += cationOcc(other);
    }
    return h;
  };
  const vacantSites = new Set<(typeof structure.sites)[number]>();
  for (const site of structure.sites) {
    if (site.species.every((sp) => sp.element === ion)) continue;
    // 'shared-excluded' and 'vacant-excluded' (the default): co-occupants of a mobile-ion site leave the framework
    // (still counted in s); 'vacant-excluded' also drops the cations of a position held less than ½ of the time.
    const excluding = mode === 'spse' && (wallRule === 'shared-excluded' || wallRule === 'vacant-excluded');
    if (excluding && site.species.some((sp) => sp.element === ion && sp.occupancy > 0)) continue;
    const vacant = mode === 'spse' && wallRule === 'vacant-excluded' && cationOcc(site) > 0 && held(site) < 0.5;
    if (vacant) vacantSites.add(site);
    for (let t0 = -4; t0 <= 4; t0++)
      for (let t1 = -4; t1 <= 4; t1++)
        for (let t2 = -4; t2 <= 4; t2++) {
          const f = [site.frac[0] + t0, site.frac[1] + t1, site.frac[2] + t2];
          const p = [0, 1, 2].map((c) => f[0] * m[0][c] + f[1] * m[1][c] + f[2] * m[2][c]);
          const r = Math.hypot(p[0] - point[0], p[1] - point[1], p[2] - point[2]);
          if (r < 10) hits.push({ r, site });
        }
  }
  hits.sort((a, b) => a.r - b.r);
  const used = mode === 'bvlain' ? hits.slice(0, k) : hits;
  let energy = 0;
  let wall = false;
  for (const { r, site } of used) {
    // The wall: cations holding the site at least half the time (WALL_MIN_OCCUPANCY), inside the largest core.
    const cations = site.species.filter((sp) => sp.element !== ion && sp.oxidation! > 0);
    const coreOf = (sp: (typeof cations)[number]) => (mode === 'spse' ? softBvIon(sp.element, sp.oxidation!)!.r : 0);
    const walledOcc = cations.reduce((t, sp) => t + sp.occupancy, 0);
    if (mode === 'spse' && walledOcc >= 0.5 - 1e-9 && r <= Math.max(...cations.map(coreOf))) wall = true;
    for (const sp of site.species) {
      if (sp.element === ion) continue;
      const ox = sp.oxidation!;
      if (ox > 0 && vacantSites.has(site)) continue;
      if (ox < 0) {
        const p = BVSE_PAIRS.get(`${ion}+${ionCharge}|${sp.element}${ox}`)!;
        energy += sp.occupancy * 0.5 * p.D0 * ((Math.exp(p.alpha * (p.Rmin - r)) - 1) ** 2 - 1);
      } else if (ox > 0) {
        const c = mode === 'spse' ? softBvIon(sp.element, ox)! : { n: ELEMENTS.get(sp.element)!.period, r: ELEMENTS.get(sp.element)!.covalentRadius! };
        const qq = (ionCharge / Math.sqrt(probe.n)) * (ox / Math.sqrt(c.n));
        // Flat core below r_C (reached only without a wall).
        const rc = mode === 'spse' ? Math.max(r, c.r) : r;
        energy += sp.occupancy * 14.4 * s * (qq / rc) * erfc(rc / (0.74 * (probe.r + c.r)));
      }
    }
  }
  return wall ? 300 : energy;
}

/** Every pair summed at every point (no far-field split): tests the tables, blocks and image lists. */
function compareWithDirect(structure: Structure, mode: BvseMode, stride: number, wallRule?: WallRule): { maxLow: number; maxAll: number } {
  const { grid } = computeBvse(structure, { mode, farField: false, wallRule });
  const m = structure.lattice.matrix;
  let maxLow = 0;
  let maxAll = 0;
  for (let v = 0; v < grid.data.length; v += stride) {
    const [i0, i1, i2] = voxelCoords(grid.shape, v);
    const f = [i0 / grid.shape[0], i1 / grid.shape[1], i2 / grid.shape[2]];
    const p = [0, 1, 2].map((c) => f[0] * m[0][c] + f[1] * m[1][c] + f[2] * m[2][c]) as Vec3;
    const expected = directBvse(structure, p, mode, 'Li', 1, 100, wallRule);
    const err = Math.abs(grid.data[v] - expected);
    if (expected === 300 || grid.data[v] === 300) assert.equal(grid.data[v], expected, `wall mismatch at voxel ${v}`);
    if (expected - grid.min < 5) maxLow = Math.max(maxLow, err);
    if (expected < 100) maxAll = Math.max(maxAll, err / Math.max(1, Math.abs(expected)));
  }
  return { maxLow, maxAll };
}

test('SPSE BVSE matches a slow direct sum (perovskite with a framework cation and core walls)', () => {
  const { maxLow, maxAll } = compareWithDirect(perovskite(), 'spse', 7);
  assert.ok(maxLow < 2e-4, `max error below Emin + 5 eV: ${maxLow}`);
  assert.ok(maxAll < 2e-3, `max relative error elsewhere: ${maxAll}`);
});

test('SPSE BVSE weights mixed, partially occupied sites (rock salt with Li/Mg sites), under both wall rules', () => {
  for (const rule of ['shared-excluded', 'half'] as const) {
    const { maxLow, maxAll } = compareWithDirect(dopedRockSalt(), 'spse', 5, rule);
    assert.ok(maxLow < 2e-4, `${rule}: max error below Emin + 5 eV: ${maxLow}`);
    assert.ok(maxAll < 2e-3, `${rule}: max relative error elsewhere: ${maxAll}`);
  }
});

test('SPSE BVSE leaves out a position held less than half the time (vacant-excluded), and weights it under half', () => {
  for (const rule of ['vacant-excluded', 'half'] as const) {
    const { maxLow, maxAll } = compareWithDirect(vacantPerovskite(), 'spse', 5, rule);
    assert.ok(maxLow < 2e-4, `${rule}: max error below Emin + 5 eV: ${maxLow}`);
    assert.ok(maxAll < 2e-3, `${rule}: max relative error elsewhere: ${maxAll}`);
  }
  const e = (wallRule: WallRule) => computeBvse(vacantPerovskite(), { wallRule, resolution: 0.25 }).grid;
  assert.notDeepEqual(e('vacant-excluded').data, e('half').data, 'the rules differ on this cell');
});

test('BVlain mode matches a direct sum over the k = 100 nearest framework sites', () => {
  const { maxLow, maxAll } = compareWithDirect(perovskite(), 'bvlain', 11);
  assert.ok(maxLow < 2e-4, `max error below Emin + 5 eV: ${maxLow}`);
  assert.ok(maxAll < 2e-3, `max relative error elsewhere: ${maxAll}`);
});

test('symmetry-equivalent grid points of a cubic perovskite have equal energies', () => {
  const { grid } = computeBvse(perovskite(), { resolution: 0.2 });
  const n = grid.shape[0];
  assert.deepEqual(grid.shape, [n, n, n]);
  const at = (i: number, j: number, k: number) => grid.data[(((i % n) + n) % n * n + (((j % n) + n) % n)) * n + (((k % n) + n) % n)];
  let worst = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      for (let k = 0; k < n; k++) {
        const e = at(i, j, k);
        for (const other of [at(j, i, k), at(k, j, i), at(i, k, j), at(-i, j, k), at(i, -j, k), at(i, j, -k), at(j, k, i)]) {
          worst = Math.max(worst, Math.abs(other - e) / Math.max(1, Math.abs(e)));
        }
      }
  assert.ok(worst < 2e-6, `worst asymmetry ${worst}`);
  // The empty Li site (the cube corner) is the global minimum.
  assert.equal(grid.min, at(0, 0, 0));
});

test('other mobile ions from the softBV table: Na+, K+, Ag+, Cu+, Mg2+, Zn2+', () => {
  const structure = perovskite();
  const minima: Record<string, number> = {};
  for (const [ion, ionCharge] of [['Na', 1], ['K', 1], ['Ag', 1], ['Cu', 1], ['Mg', 2], ['Zn', 2]] as const) {
    const r = computeBvse(structure, { ion, ionCharge, resolution: 0.4 });
    assert.ok(Number.isFinite(r.grid.min), `${ion}: finite landscape`);
    assert.equal(r.parameters.ion, ion);
    minima[ion] = r.grid.min;
  }
  // Different softBV parameters give different landscapes.
  assert.equal(new Set(Object.values(minima).map((x) => x.toFixed(4))).size, 6, JSON.stringify(minima));
  const na = computeBvse(structure, { ion: 'Na', ionCharge: 1, resolution: 0.4 });
  // Li stays in the framework as a cation when another ion is mobile.
  assert.ok(na.parameters.framework.some((f) => f.species === 'Li+1' && f.role === 'cation'));
});

test('a cation–anion pair missing from softBV is an error naming the pair and the site', () => {
  const s = makeStructure([4, 4, 4, 90, 90, 90], [
    { element: 'Li', oxidation: 1, frac: [0, 0, 0] },
    { element: 'H', oxidation: -1, frac: [0.5, 0.5, 0.5], label: 'H1' },
    { element: 'O', oxidation: -2, frac: [0.5, 0, 0], label: 'O1' },
  ]);
  assert.throws(
    () => computeBvse(s),
    (e: unknown) => e instanceof LandscapeError && e.code === 'missing-bvse-pair' && e.message.includes('Li+1|H-1') && e.at?.siteLabel === 'H1' && e.at?.line === 12, // 1-based: the fixture's row is on 0-based line 11
  );
});

test('missing oxidation states, anion-free frameworks and unknown ions are located errors', () => {
  const noOx = makeStructure([4, 4, 4, 90, 90, 90], [
    { element: 'Li', oxidation: 1, frac: [0, 0, 0] },
    { element: 'O', oxidation: null, frac: [0.5, 0.5, 0.5], label: 'O7' },
  ]);
  assert.throws(() => validateForBvse(noOx), (e: unknown) => e instanceof LandscapeError && e.code === 'missing-oxidation' && e.at?.siteLabel === 'O7');
  const noAnion = makeStructure([4, 4, 4, 90, 90, 90], [
    { element: 'Li', oxidation: 1, frac: [0, 0, 0] },
    { element: 'Al', oxidation: 3, frac: [0.5, 0.5, 0.5] },
  ]);
  assert.throws(() => validateForBvse(noAnion), (e: unknown) => e instanceof LandscapeError && e.code === 'no-anion');
  assert.throws(() => validateForBvse(perovskite(), { ion: 'Xx' }), (e: unknown) => e instanceof LandscapeError && e.code === 'unknown-ion');
  assert.throws(() => validateForBvse(perovskite(), { ion: 'Li', ionCharge: -1 }), (e: unknown) => e instanceof LandscapeError && e.code === 'unknown-ion');
  // Mobile-ion sites without an oxidation state are fine: they are removed anyway.
  const liNull = makeStructure([3.9, 3.9, 3.9, 90, 90, 90], [
    { element: 'Li', oxidation: null, frac: [0, 0, 0] },
    { element: 'Nb', oxidation: 5, frac: [0.5, 0.5, 0.5] },
    { element: 'O', oxidation: -2, frac: [0.5, 0.5, 0] },
    { element: 'O', oxidation: -2, frac: [0.5, 0, 0.5] },
    { element: 'O', oxidation: -2, frac: [0, 0.5, 0.5] },
  ]);
  assert.doesNotThrow(() => validateForBvse(liNull));
});

test('charge-neutrality scaling s = −Σ_anions(V·occ/√n) / Σ_cations(V·occ/√n) over the whole cell', () => {
  const { parameters } = validateForBvse(perovskite());
  // O2− (n 2): 3·2/√2; Li+ (n 2) 1/√2; Nb5+ (softBV n 5): 5/√5.
  const expected = (3 * 2) / Math.sqrt(2) / (1 / Math.sqrt(2) + 5 / Math.sqrt(softBvIon('Nb', 5)!.n));
  assert.ok(Math.abs(parameters.chargeScaling - expected) < 1e-12);
  assert.equal(validateForBvse(perovskite(), { mode: 'bvlain' }).parameters.chargeScaling, 1);
});

test('grid sizes: periodic rounding, BVlain’s linspace count, and the size cap', () => {
  const cubic = perovskite(4.0).lattice.matrix;
  assert.deepEqual(gridShapeFor(cubic, 0.2), [20, 20, 20]);
  assert.equal(pythonFloorDiv(4.0, 0.2), 19); // Python: 4.0 // 0.2 == 19.0
  assert.equal(pythonFloorDiv(10.673, 0.2), 53);
  assert.deepEqual(gridShapeFor(cubic, 0.2, 'bvlain'), [18, 18, 18]);
  assert.deepEqual(computeBvse(perovskite(3.9), { mode: 'bvlain' }).grid.shape, [18, 18, 18]);
  assert.throws(() => gridShapeFor(cubic, 0.001), (e: unknown) => e instanceof LandscapeError && e.code === 'grid-too-large' && /resolution/.test(e.message));
});

test('erfc against reference values', () => {
  const ref: [number, number][] = [[0, 1], [0.5, 0.4795001221869535], [1, 0.15729920705028513], [2, 0.004677734981047266], [3, 2.209049699858544e-5], [-1, 1.8427007929497148]];
  for (const [x, y] of ref) assert.ok(Math.abs(erfc(x) - y) <= 1.2e-7 * y, `erfc(${x}) = ${erfc(x)}`);
});

test('element table: 118 symbols, softBV and pair data as in SCIENCE.md', () => {
  assert.equal(ELEMENT_SYMBOLS.length, 118);
  assert.equal(ELEMENT_SYMBOLS[117], 'Og');
  assert.deepEqual(BVSE_PAIRS.get('Li+1|O-2'), { D0: 0.98816, Rmin: 1.940013, alpha: 1.937984, R0: 1.17096, Rcutoff: 6, Nc: 5.021 });
  assert.deepEqual(softBvIon('Li', 1), { n: 2, r: 1.31 });
  assert.equal(BVSE_PAIRS.get('Be+2|S-2'), undefined); // disabled in the source table
});
