import { test } from 'node:test';
import assert from 'node:assert/strict';
import { marchingCubes, bounds, type IsoMesh, type Mat3 } from '../../webview/marchingCubes';

type V3 = [number, number, number];

function fracToCart(f: V3, L: Mat3): V3 {
  return [0, 1, 2].map((j) => f[0] * L[0][j] + f[1] * L[1][j] + f[2] * L[2][j]) as V3;
}

function inverse(m: Mat3): Mat3 {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

/** Fill a grid from a function of fractional coordinates. */
function makeGrid(shape: V3, f: (fr: V3) => number): Float32Array {
  const [n0, n1, n2] = shape;
  const g = new Float32Array(n0 * n1 * n2);
  for (let i = 0; i < n0; i++) for (let j = 0; j < n1; j++) for (let k = 0; k < n2; k++) {
    g[(i * n1 + j) * n2 + k] = f([i / n0, j / n1, k / n2]);
  }
  return g;
}

/** Minimum-image Cartesian distance from `fr` to fractional point `c` (checks the 27 images). */
function periodicDistance(fr: V3, c: V3, L: Mat3): number {
  let best = Infinity;
  for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let d = -1; d <= 1; d++) {
    const df: V3 = [fr[0] - c[0] + a, fr[1] - c[1] + b, fr[2] - c[2] + d];
    const x = fracToCart(df, L);
    best = Math.min(best, Math.hypot(x[0], x[1], x[2]));
  }
  return best;
}

/**
 * Check the mesh is a closed, consistently oriented 2-manifold on the torus: after welding vertices
 * that are the same periodic point, every undirected edge belongs to exactly two triangles and every
 * directed edge to exactly one. Returns the Euler characteristic V − E + F.
 */
function checkClosedOriented(m: IsoMesh): number {
  const weld = m.periodicIds;
  const directed = new Map<string, number>();
  const undirected = new Map<string, number>();
  const used = new Set<number>();
  for (let t = 0; t < m.indices.length; t += 3) {
    const tri = [weld[m.indices[t]], weld[m.indices[t + 1]], weld[m.indices[t + 2]]];
    for (let e = 0; e < 3; e++) {
      const a = tri[e], b = tri[(e + 1) % 3];
      used.add(a);
      assert.notEqual(a, b, 'degenerate triangle after welding');
      const dk = `${a},${b}`;
      directed.set(dk, (directed.get(dk) ?? 0) + 1);
      const uk = a < b ? `${a},${b}` : `${b},${a}`;
      undirected.set(uk, (undirected.get(uk) ?? 0) + 1);
    }
  }
  let open = 0, nonManifold = 0, misoriented = 0;
  for (const c of undirected.values()) { if (c === 1) open++; else if (c > 2) nonManifold++; }
  for (const c of directed.values()) if (c !== 1) misoriented++;
  assert.equal(open, 0, `${open} open (boundary) edges`);
  assert.equal(nonManifold, 0, `${nonManifold} edges shared by more than two triangles`);
  assert.equal(misoriented, 0, `${misoriented} directed edges used twice: inconsistent winding`);
  return used.size - undirected.size + m.indices.length / 3;
}

/** Fraction of triangles whose geometric normal (CCW) agrees with the mean of their vertex normals. */
function windingAgreement(m: IsoMesh): number {
  let agree = 0, total = 0;
  const P = m.positions, N = m.normals;
  for (let t = 0; t < m.indices.length; t += 3) {
    const [a, b, c] = [m.indices[t] * 3, m.indices[t + 1] * 3, m.indices[t + 2] * 3];
    const u = [P[b] - P[a], P[b + 1] - P[a + 1], P[b + 2] - P[a + 2]];
    const v = [P[c] - P[a], P[c + 1] - P[a + 1], P[c + 2] - P[a + 2]];
    const n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
    const area = Math.hypot(n[0], n[1], n[2]);
    if (area < 1e-9) continue;
    const vn = [N[a] + N[b] + N[c], N[a + 1] + N[b + 1] + N[c + 1], N[a + 2] + N[b + 2] + N[c + 2]];
    total++;
    if (n[0] * vn[0] + n[1] * vn[1] + n[2] * vn[2] > 0) agree++;
  }
  return agree / total;
}

const cubic: Mat3 = [[10, 0, 0], [0, 10, 0], [0, 0, 10]];
// Monoclinic-ish, non-orthogonal, to check the Cartesian mapping and gradient transform.
const oblique: Mat3 = [[9, 0, 0], [2.5, 10, 0], [-1.5, 1, 11]];

for (const [name, L] of [['cubic', cubic], ['oblique', oblique]] as const) {
  test(`sphere-like field (${name}): closed surface at the level-set radius`, () => {
    const shape: V3 = [28, 30, 32];
    const centre: V3 = [0.5, 0.45, 0.55];
    const grid = makeGrid(shape, (fr) => periodicDistance(fr, centre, L));
    const r0 = 3.0;
    const m = marchingCubes(grid, shape, r0, L);
    assert.ok(m.indices.length > 300, 'surface has triangles');
    assert.equal(m.positions.length, m.normals.length);
    assert.equal(m.periodicIds.length, m.positions.length / 3);

    // Every vertex lies at the level-set radius within one grid spacing.
    const spacing = Math.max(...[0, 1, 2].map((a) => Math.hypot(...L[a]) / shape[a]));
    const c = fracToCart(centre, L);
    let worst = 0;
    for (let i = 0; i < m.positions.length; i += 3) {
      const d = Math.hypot(m.positions[i] - c[0], m.positions[i + 1] - c[1], m.positions[i + 2] - c[2]);
      worst = Math.max(worst, Math.abs(d - r0));
      // Normals are unit and point outwards (towards higher values).
      const n = [m.normals[i], m.normals[i + 1], m.normals[i + 2]];
      assert.ok(Math.abs(Math.hypot(n[0], n[1], n[2]) - 1) < 1e-4, 'unit normal');
      const radial = [(m.positions[i] - c[0]) / d, (m.positions[i + 1] - c[1]) / d, (m.positions[i + 2] - c[2]) / d];
      assert.ok(n[0] * radial[0] + n[1] * radial[1] + n[2] * radial[2] > 0.9, 'normal is radial, outwards');
    }
    assert.ok(worst < spacing, `max |r − r0| = ${worst.toFixed(3)} Å < grid spacing ${spacing.toFixed(3)} Å`);

    // Closed, oriented, and a sphere (Euler characteristic 2).
    assert.equal(checkClosedOriented(m), 2);
    // Triangles face outwards (CCW seen from the side the normals point to).
    assert.ok(windingAgreement(m) > 0.99, 'winding agrees with gradient normals');
    // And the closed mesh without welding has no boundary either (sphere is inside the cell).
    const b = bounds(m.positions)!;
    for (let a = 0; a < 3; a++) assert.ok(b.max[a] - b.min[a] > 2 * r0 - 2 * spacing);
  });
}

test('periodic tube through the cell boundary is closed (torus) with vertices on both sides', () => {
  for (const L of [cubic, oblique]) {
    const shape: V3 = [24, 20, 22];
    // A channel along a, centred on the cell edge b = c = 0, so it is also cut by the b and c faces.
    const axisPoint = (fr: V3): V3 => [fr[0], 0, 0];
    const grid = makeGrid(shape, (fr) => periodicDistance(fr, axisPoint(fr), L));
    const m = marchingCubes(grid, shape, 2.2, L);
    assert.ok(m.indices.length > 300);
    const inv = inverse(L);
    let lowA = 0, highA = 0, lowB = 0, highB = 0;
    for (let i = 0; i < m.positions.length; i += 3) {
      const p = [m.positions[i], m.positions[i + 1], m.positions[i + 2]];
      const f = [0, 1, 2].map((k) => p[0] * inv[0][k] + p[1] * inv[1][k] + p[2] * inv[2][k]);
      for (const x of f) assert.ok(x > -1e-5 && x < 1 + 1e-5, 'vertices lie in the unit cell');
      if (f[0] < 0.05) lowA++;
      if (f[0] > 0.95) highA++;
      if (f[1] < 0.2) lowB++;
      if (f[1] > 0.8) highB++;
    }
    assert.ok(lowA > 0 && highA > 0, 'vertices near both a faces');
    assert.ok(lowB > 0 && highB > 0, 'vertices near both b faces');
    // Welded across the boundary the surface is closed and oriented: a torus (χ = 0).
    assert.equal(checkClosedOriented(m), 0);
    assert.ok(windingAgreement(m) > 0.99);
  }
});

test('non-periodic welding would leave the boundary open (the wrap really is used)', () => {
  const shape: V3 = [16, 16, 16];
  const grid = makeGrid(shape, (fr) => periodicDistance(fr, [fr[0], 0.5, 0.5], cubic));
  const m = marchingCubes(grid, shape, 2.5, cubic);
  const counts = new Map<string, number>();
  for (let t = 0; t < m.indices.length; t += 3) {
    for (let e = 0; e < 3; e++) {
      const a = m.indices[t + e], b = m.indices[t + ((e + 1) % 3)];
      const k = a < b ? `${a},${b}` : `${b},${a}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  const open = [...counts.values()].filter((c) => c === 1).length;
  assert.ok(open > 0, 'by raw index the tube ends at the a faces');
  assert.equal(checkClosedOriented(m), 0);
});

test('empty surface above the maximum, below the minimum, and for a non-finite level', () => {
  const shape: V3 = [8, 9, 10];
  const grid = makeGrid(shape, (fr) => Math.sin(2 * Math.PI * fr[0]) + Math.cos(2 * Math.PI * fr[1]) * fr[2]);
  let min = Infinity, max = -Infinity;
  for (const x of grid) { min = Math.min(min, x); max = Math.max(max, x); }
  for (const level of [max + 0.01, max + 100, min - 0.01, min, NaN, Infinity]) {
    const m = marchingCubes(grid, shape, level, cubic);
    assert.equal(m.indices.length, 0, `level ${level}`);
    assert.equal(m.positions.length, 0, `level ${level}`);
  }
  const mid = marchingCubes(grid, shape, (min + max) / 2, cubic);
  assert.ok(mid.indices.length > 0);
  checkClosedOriented(mid);
});

test('rejects a grid that does not match its shape', () => {
  assert.throws(() => marchingCubes(new Float32Array(10), [2, 2, 2], 0, cubic), /does not match/);
  assert.throws(() => marchingCubes(new Float32Array(1), [1, 1, 1], 0, cubic), /does not match/);
});

test('100³ grid extracts in reasonable time', () => {
  const n = 100;
  const grid = makeGrid([n, n, n], (fr) =>
    0.4 * (1 + Math.cos(2 * Math.PI * fr[0])) / 2 + 1.2 * (1 - Math.cos(2 * Math.PI * (fr[1] - 0.5))) / 2 + 1.8 * (1 - Math.cos(2 * Math.PI * (fr[2] - 0.5))) / 2);
  const t0 = performance.now();
  const m = marchingCubes(grid, [n, n, n], 0.45, cubic);
  const ms = performance.now() - t0;
  assert.ok(m.indices.length > 0);
  assert.equal(checkClosedOriented(m), 0);
  assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
});
