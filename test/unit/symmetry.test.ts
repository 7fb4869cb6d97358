/**
 * Symmetry operations: reading the CIF's `x,y,z` strings, and the space-group tables behind the
 * Hermann–Mauguin symbol, Hall symbol and number lookups (moyo). The table checks go beyond counts:
 * every setting's operations must form a group and keep its lattice's metric, which is what a
 * transposed rotation matrix (moyo stores them column by column) breaks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSymop, applyOp, opsFromHM, opsFromHall, opsFromNumber, ensureMoyo, IDENTITY, type SymOp } from '../../src/compute/structure/symmetry';
import type { Mat3, Vec3 } from '../../src/compute/structure/types';

function op(text: string): SymOp {
  const r = parseSymop(text);
  assert.ok('op' in r, `'${text}' should parse: ${'error' in r ? r.error : ''}`);
  return r.op;
}

/**
 * A number naming an operation for set comparisons: rotation entries (−1, 0, 1 in the tables; larger in
 * general) and the translation reduced into [0, 1) in steps of 1/24 (every table translation is one);
 * NaN when a translation is not such a multiple, which no set then matches.
 */
function key(o: SymOp): number {
  let k = 0;
  for (const r of o.rot) for (const v of r) k = k * 7 + (v + 3);
  for (const t of o.trans) {
    const s = t * 24;
    const n = Math.round(s);
    if (Math.abs(s - n) > 1e-6) return NaN;
    k = k * 24 + (((n % 24) + 24) % 24);
  }
  return k;
}
const keySet = (ops: SymOp[]) => new Set(ops.map((o) => {
  const k = key(o);
  assert.ok(!Number.isNaN(k), `translation ${o.trans} is not a multiple of 1/24`);
  return k;
}));

function compose(a: SymOp, b: SymOp): SymOp {
  // (a∘b)(x) = Ra (Rb x + tb) + ta
  const rot = [0, 1, 2].map((i) => [0, 1, 2].map((j) => a.rot[i][0] * b.rot[0][j] + a.rot[i][1] * b.rot[1][j] + a.rot[i][2] * b.rot[2][j])) as Mat3;
  const t = applyOp({ rot: a.rot, trans: a.trans }, b.trans);
  return { rot, trans: t };
}

// ---- parseSymop ------------------------------------------------------------------------------------

test('parseSymop: common forms', () => {
  const cases: [string, number[][], number[]][] = [
    ['x,y,z', [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0]],
    ['-x+1/2,y,-z', [[-1, 0, 0], [0, 1, 0], [0, 0, -1]], [0.5, 0, 0]],
    ['1/2+x,y,z', [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0.5, 0, 0]],
    ['x-y,x,z+1/2', [[1, -1, 0], [1, 0, 0], [0, 0, 1]], [0, 0, 0.5]],
    ["'x, y, z'", [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0]],
    ['+x,+y,+z', [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0]],
    ['x+0.5,y,z', [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0.5, 0, 0]],
    ['X, Y, Z', [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0]],
    ['-y,x-y,z+2/3', [[0, -1, 0], [1, -1, 0], [0, 0, 1]], [0, 0, 2 / 3]],
    ['y+1/4, -x + 3/4 ,z-1/4', [[0, 1, 0], [-1, 0, 0], [0, 0, 1]], [0.25, 0.75, -0.25]],
    ['"-x,-y,-z"', [[-1, 0, 0], [0, -1, 0], [0, 0, -1]], [0, 0, 0]],
    ['x,y,z+.5', [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0.5]],
    ['z,x,y', [[0, 0, 1], [1, 0, 0], [0, 1, 0]], [0, 0, 0]],
  ];
  for (const [text, rot, trans] of cases) {
    const o = op(text);
    assert.deepEqual(o.rot, rot, text);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(o.trans[i] - trans[i]) < 1e-12, `${text}: translation ${o.trans}`);
  }
});

test('parseSymop: malformed operations return an error and never throw', () => {
  const bad: [string, RegExp][] = [
    ['x,y,q', /cannot read 'q'/],
    ['x,y', /3 comma-separated parts, got 2/],
    ['x,y,z,x', /got 4/],
    ['2x,y,z', /coefficient 2/],
    ['x,x,x', /determinant 0/],
    ['x+y,x+y,z', /determinant 0/],
    ['x,,z', /empty part 2/],
    ['x,y,z+', /dangling sign/],
    ['x,y,1/2', /no x, y or z/],
    ['x,y,z+1/0', /bad number/],
    ['', /3 comma-separated parts/],
    ['?', /3 comma-separated parts/],
    ['x,y,z/2', /cannot read/],
  ];
  for (const [text, re] of bad) {
    let r: ReturnType<typeof parseSymop> | undefined;
    assert.doesNotThrow(() => { r = parseSymop(text); }, text);
    assert.ok(r && 'error' in r, `'${text}' should be rejected`);
    assert.match(r.error, re, text);
  }
});

test('applyOp maps fractional coordinates', () => {
  assert.deepEqual(applyOp(op('-x+1/2,y,-z'), [0.1, 0.2, 0.3]).map((v) => +v.toFixed(12)), [0.4, 0.2, -0.3]);
  assert.deepEqual(applyOp(IDENTITY, [0.1, 0.2, 0.3]), [0.1, 0.2, 0.3]);
});

// ---- table lookups -------------------------------------------------------------------------------

const PNMA_ITA = ['x,y,z', '-x+1/2,-y,z+1/2', '-x,y+1/2,-z', 'x+1/2,-y+1/2,-z+1/2', '-x,-y,-z', 'x+1/2,y,-z+1/2', 'x,-y+1/2,z', '-x+1/2,y+1/2,z+1/2'];

test("opsFromHM('P n m a'): the 8 operations of ITA no. 62, no assumption", () => {
  const r = opsFromHM('P n m a', false);
  assert.ok(r);
  assert.equal(r.ops.length, 8);
  assert.equal(r.number, 62);
  assert.equal(r.assumption, undefined);
  assert.deepEqual(keySet(r.ops), keySet(PNMA_ITA.map(op)));
  // Written without spaces, and by its full symbol.
  assert.deepEqual(keySet(opsFromHM('Pnma', false)!.ops), keySet(r.ops));
  assert.deepEqual(keySet(opsFromHM('P 21/n 21/m 21/a', false)!.ops), keySet(r.ops));
  // Another setting of the same group is a different set of operations.
  const pbnm = opsFromHM('P b n m', false)!;
  assert.equal(pbnm.number, 62);
  assert.notDeepEqual(keySet(pbnm.ops), keySet(r.ops));
});

test("opsFromHM('F d -3 m'): 192 operations, origin choice 2 assumed and said", () => {
  const r = opsFromHM('F d -3 m', false);
  assert.ok(r);
  assert.equal(r.ops.length, 192);
  assert.equal(r.number, 227);
  assert.ok(r.assumption, 'the choice of origin must be reported');
  assert.match(r.assumption, /origin choice 2/);
  // Origin choice 2 has the inversion centre at the origin; origin choice 1 has it at 1/8,1/8,1/8.
  assert.ok(keySet(r.ops).has(key(op('-x,-y,-z'))));
  const o1 = opsFromHM('F d -3 m:1', false)!;
  assert.equal(o1.ops.length, 192);
  assert.equal(o1.assumption, undefined);
  assert.ok(!keySet(o1.ops).has(key(op('-x,-y,-z'))));
  assert.ok(keySet(o1.ops).has(key(op('-x+1/4,-y+1/4,-z+1/4'))));
  // Explicit settings need no assumption.
  for (const s of ['F d -3 m:2', 'Fd-3m:2', 'F d -3 m Z']) {
    const x = opsFromHM(s, false)!;
    assert.equal(x.assumption, undefined, s);
    assert.deepEqual(keySet(x.ops), keySet(r.ops), s);
  }
  assert.deepEqual(keySet(opsFromHM('F d -3 m S', false)!.ops), keySet(o1.ops));
});

test("opsFromHM('R -3 m'): hexagonal axes 36 operations, rhombohedral axes 12", () => {
  const hex = opsFromHM('R -3 m', false)!;
  assert.equal(hex.ops.length, 36);
  assert.match(hex.assumption ?? '', /hexagonal/);
  // The R-centring translation is there.
  assert.ok(keySet(hex.ops).has(key(op('x+2/3,y+1/3,z+1/3'))));
  const rh = opsFromHM('R -3 m', true)!;
  assert.equal(rh.ops.length, 12);
  assert.match(rh.assumption ?? '', /rhombohedral/);
  assert.ok(keySet(rh.ops).has(key(op('z,x,y'))));
  assert.equal(opsFromHM('R -3 m:H', true)!.ops.length, 36, 'an explicit :H wins over the cell');
  assert.equal(opsFromHM('R -3 m:R', false)!.ops.length, 12);
  assert.equal(opsFromHM('R -3 m:H', true)!.assumption, undefined);
});

test('opsFromHM: monoclinic short symbols in other cell choices, old e-glide and unbarred cubic symbols', () => {
  const cases: [string, number, number, RegExp | null][] = [
    // symbol, space-group number, Hall number, assumption
    ['P 21/n', 14, 82, /P 1 2_1\/n 1, unique axis b/],
    ['P21/n', 14, 82, /unique axis b/],
    ['P 1 21/n 1', 14, 82, null],
    ['P 21/a', 14, 83, /unique axis b/],
    ['P 21/c', 14, 81, /ITA standard/],
    ['P 1 1 21/b', 14, 86, null],
    ['I 2/a', 15, 92, /unique axis b/],
    ['C 2/c', 15, 90, /ITA standard/],
    ['C m c a', 64, 304, null],
    ['Cmca', 64, 304, null],
    ['A b m 2', 39, 191, null],
    ['F m 3 m', 225, 523, null],
    ['Fm3m', 225, 523, null],
    ['Ia3d', 230, 530, null],
    ['P m 3 n', 223, 520, null],
    ['F d 3 m', 227, 526, /origin choice 2/],
  ];
  for (const [symbol, number, hall, assumption] of cases) {
    const r = opsFromHM(symbol, false);
    assert.ok(r, `${symbol} not recognised`);
    assert.equal(r.number, number, symbol);
    assert.equal(r.hallNumber, hall, symbol);
    if (assumption) assert.match(r.assumption ?? '', assumption, symbol);
    else assert.equal(r.assumption, undefined, symbol);
  }
  // P 21/n: the n-glide is x+1/2, -y+1/2, z+1/2 (unique axis b, cell choice 2).
  assert.ok(keySet(opsFromHM('P 21/n', false)!.ops).has(key(op('x+1/2,-y+1/2,z+1/2'))));
});

test('opsFromHM: unknown symbols give null', () => {
  for (const s of ['garbage', '', 'P 7', 'Q n m a', 'P 3 3', 'F 3', '3']) assert.equal(opsFromHM(s, false), null, s);
});

test('opsFromNumber: 225 → 192 operations of F m -3 m; out-of-range numbers → null', () => {
  const r = opsFromNumber(225, false)!;
  assert.equal(r.ops.length, 192);
  assert.equal(r.number, 225);
  assert.equal(r.symbol, 'F m -3 m');
  assert.deepEqual(keySet(r.ops), keySet(opsFromHM('F m -3 m', false)!.ops));
  assert.equal(opsFromNumber(62, false)!.ops.length, 8);
  const r166 = opsFromNumber(166, false)!;
  assert.equal(r166.ops.length, 36);
  assert.ok(r166.assumption);
  assert.equal(opsFromNumber(166, true)!.ops.length, 12);
  for (const n of [0, 231, 1.5, -3, NaN]) assert.equal(opsFromNumber(n, false), null, String(n));
});

test("opsFromHall('-P 2ac 2n') is Pnma with 8 operations", () => {
  const r = opsFromHall('-P 2ac 2n')!;
  assert.ok(r);
  assert.equal(r.ops.length, 8);
  assert.equal(r.number, 62);
  assert.deepEqual(keySet(r.ops), keySet(PNMA_ITA.map(op)));
  assert.equal(opsFromHall('  -p  2AC 2n ')?.number, 62, 'case and spacing do not matter');
  assert.equal(opsFromHall('-F 4vw 2vw 3')?.ops.length, 192);
  assert.equal(opsFromHall('bogus'), null);
});

test("hexagonal tables: P 63/m m c holds x-y,x,z+1/2 (rows, not columns, of moyo's matrices)", () => {
  const r = opsFromHM('P 63/m m c', false)!;
  assert.equal(r.ops.length, 24);
  const set = keySet(r.ops);
  for (const s of ['x-y,x,z+1/2', '-y,x-y,z', 'y,x,-z', 'x,x-y,-z+1/2', '-x+y,y,-z+1/2']) assert.ok(set.has(key(op(s))), s);
});

/** Metric tensor that every operation of the space group must preserve (null: the group does not fix one simply). */
function metricFor(number: number, setting: string): Mat3 | null {
  if (number >= 16 && number <= 74) return [[1, 0, 0], [0, 2.2, 0], [0, 0, 3.7]];
  if (number >= 75 && number <= 142) return [[1, 0, 0], [0, 1, 0], [0, 0, 2.5]];
  if (number >= 143 && number <= 194) {
    if (setting === 'R') return [[1, 0.3, 0.3], [0.3, 1, 0.3], [0.3, 0.3, 1]];
    return [[1, -0.5, 0], [-0.5, 1, 0], [0, 0, 2.5]];
  }
  if (number >= 195) return [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  return null;
}

test('all 530 Hall settings: operations form a group and preserve the lattice metric', () => {
  const m = ensureMoyo();
  let checkedMetric = 0;
  for (let h = 1; h <= 530; h++) {
    const e = m.hall_symbol_entry(h);
    const r = opsFromHall(e.hall_symbol);
    assert.ok(r, `Hall ${h} '${e.hall_symbol}' not found`);
    assert.equal(r.number, e.number);
    const set = keySet(r.ops);
    assert.equal(set.size, r.ops.length, `Hall ${h}: repeated operations`);
    assert.ok(set.has(key(IDENTITY)), `Hall ${h}: no identity`);
    for (const a of r.ops) {
      const d = a.rot[0][0] * (a.rot[1][1] * a.rot[2][2] - a.rot[1][2] * a.rot[2][1]) - a.rot[0][1] * (a.rot[1][0] * a.rot[2][2] - a.rot[1][2] * a.rot[2][0]) + a.rot[0][2] * (a.rot[1][0] * a.rot[2][1] - a.rot[1][1] * a.rot[2][0]);
      assert.ok(d === 1 || d === -1, `Hall ${h}: determinant ${d}`);
      for (const b of r.ops) {
        if (!set.has(key(compose(a, b)))) assert.fail(`Hall ${h} (${e.hall_symbol}): not closed under composition`);
      }
    }
    const g = metricFor(e.number, e.setting);
    if (g) {
      checkedMetric++;
      for (const o of r.ops) {
        // Rᵀ G R = G for a rotation acting on fractional coordinates.
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
          let s = 0;
          for (let k = 0; k < 3; k++) for (let l = 0; l < 3; l++) s += o.rot[k][i] * g[k][l] * o.rot[l][j];
          if (Math.abs(s - g[i][j]) > 1e-9) assert.fail(`Hall ${h} (${e.hall_symbol}): ${JSON.stringify(o.rot)} does not preserve the metric`);
        }
      }
    }
  }
  assert.ok(checkedMetric > 300);
});

test('site multiplicities from the tables: Pnma 4a, 4c, 8d; Fm-3m 4a', () => {
  const orbit = (ops: SymOp[], f: Vec3) => {
    const seen = new Set<string>();
    for (const o of ops) seen.add(applyOp(o, f).map((x) => { const w = ((x % 1) + 1) % 1; const r = Math.round(w * 1e6) / 1e6; return r === 1 ? 0 : r; }).join(','));
    return seen.size;
  };
  const pnma = opsFromHM('P n m a', false)!.ops;
  assert.equal(orbit(pnma, [0, 0, 0]), 4);
  assert.equal(orbit(pnma, [0.28222, 0.25, 0.97472]), 4);
  assert.equal(orbit(pnma, [0.16558, 0.04646, 0.28478]), 8);
  const fm3m = opsFromHM('F m -3 m', false)!.ops;
  assert.equal(orbit(fm3m, [0, 0, 0]), 4);
  assert.equal(orbit(fm3m, [0.25, 0.25, 0.25]), 8);
  assert.equal(orbit(fm3m, [0.11, 0.23, 0.37]), 192);
});

test("Hall symbols as CIFs write them: Hall's double prime, a change of basis with commas", () => {
  const r = opsFromHall('-R 3 2"');
  assert.ok(r, 'the " of -R 3 2" is spglib\'s =');
  assert.equal(r.number, 166);
  assert.deepEqual(keySet(r.ops), keySet(opsFromHall('-R 3 2=')!.ops));
  assert.equal(opsFromHall('P 3 2"')!.number, 150);
  assert.equal(opsFromHall('P 31 2 (0,0,4)')!.number, 151);
  assert.equal(opsFromHall('  -p  2ac 2n ')!.number, 62);
  assert.equal(opsFromHall('-R 3 2x'), null);
});

test('H-M symbols with parenthesised subscripts or a setting letter written without its space', () => {
  assert.deepEqual(keySet(opsFromHM('P6(3)/mmc', false)!.ops), keySet(opsFromHM('P 63/m m c', false)!.ops));
  const h = opsFromHM('R-3mH', true)!;
  assert.equal(h.ops.length, 36, 'H: hexagonal axes, whatever the cell');
  assert.equal(h.assumption, undefined);
  assert.deepEqual(keySet(opsFromHM('I41/amdZ', false)!.ops), keySet(opsFromHM('I 41/a m d :2', false)!.ops));
  assert.equal(opsFromHM('R-3mR', false)!.ops.length, 12, 'R: rhombohedral axes, whatever the cell');
  assert.equal(opsFromHM('P6(3)/mmcx', false), null);
});

test('a symbol of several settings keeps the others as alternatives, the assumed one first', () => {
  const fd = opsFromHM('F d -3 m', false)!;
  assert.equal(fd.settingName, 'origin choice 2');
  assert.deepEqual(fd.alternatives!.map((a) => a.settingName), ['origin choice 1']);
  assert.deepEqual(keySet(fd.alternatives![0].ops), keySet(opsFromHM('F d -3 m :1', false)!.ops));
  const r = opsFromHM('R -3 m', true)!;
  assert.equal(r.settingName, 'rhombohedral axes');
  assert.equal(r.ops.length, 12);
  assert.deepEqual(r.alternatives!.map((a) => a.ops.length), [36]);
  assert.equal(opsFromHM('P n m a', false)!.alternatives, undefined, 'one setting: nothing to choose');
  const n = opsFromNumber(62, false)!;
  assert.equal(n.alternatives!.length, 5, 'the six axis settings of No. 62');
  assert.ok(n.alternatives!.some((a) => /P b n m/.test(a.settingName!)));
});

test("a monoclinic short symbol names its own centring's settings only; pre-2002 glide letters of the e-groups", () => {
  const c2m = opsFromHM('C 2/m', false)!;
  assert.equal(c2m.settingName, 'C 1 2/m 1, unique axis b');
  assert.deepEqual(c2m.alternatives!.map((a) => a.settingName), ['C 2/m 1 1, unique axis a'], 'never the A- or I-centred cell choices');
  assert.ok(opsFromHM('P 21/c', false)!.alternatives!.every((a) => /P 2_1\/c/.test(a.settingName!)));
  assert.match(opsFromHM('B 2/b', false)!.assumption!, /the first listed \(B 1 1 2\/b, unique axis c\)/);
  const bmab = opsFromHM('B m a b', false)!;
  assert.equal(bmab.number, 64, 'B m a b is B m e b, a setting of C m c e');
  assert.equal(bmab.ops.length, 16);
});

test("JANA's coordinate names x1, x2, x3 are x, y, z; a superspace operation is refused by name", () => {
  assert.deepEqual(key((parseSymop('-x1+1/2,x2,-x3') as { op: SymOp }).op), key(op('-x+1/2,y,-z')));
  assert.deepEqual(key((parseSymop('x2-x1,-x1,x3+1/3') as { op: SymOp }).op), key(op('y-x,-x,z+1/3')));
  const r = parseSymop('x1,x2,x3,x4+1/2');
  assert.ok('error' in r);
  assert.match(r.error, /\(3\+1\)-dimensional superspace operation: modulated structures are not read/);
  assert.ok('error' in parseSymop('x12,y,z'), 'x12 is no coordinate');
});
