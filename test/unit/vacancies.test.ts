/**
 * structure/vacancies.ts: positions held less than half the time, found through fractional bins, against a brute
 * force over every pair and 125 images, on a random triclinic cell with close (split) and lone partial cations, and
 * on a cell thinner than two radii (several images of one site within 1 Å).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mostlyEmptyCationSites, SPLIT_POSITION_RADIUS } from '../../src/compute/structure/vacancies';
import type { Structure } from '../../src/compute/structure/types';
import { makeStructure, type SiteSpec } from './landscape-fixtures';
import { mulberry32 } from '../../src/compute/util/random';

function bruteForce(s: Structure, ion: string, threshold: number): Set<number> {
  const m = s.lattice.matrix;
  const occ = s.sites.map((site) => site.species.reduce((a, sp) => a + (sp.element !== ion && (sp.oxidation ?? 0) > 0 ? sp.occupancy : 0), 0));
  const out = new Set<number>();
  s.sites.forEach((site, i) => {
    if (!(occ[i] > 1e-9 && occ[i] < threshold - 1e-9)) return;
    let held = 0;
    s.sites.forEach((other, j) => {
      for (let a = -2; a <= 2; a++) for (let b = -2; b <= 2; b++) for (let c = -2; c <= 2; c++) {
        const f = [other.frac[0] - site.frac[0] + a, other.frac[1] - site.frac[1] + b, other.frac[2] - site.frac[2] + c];
        const p = [0, 1, 2].map((k) => f[0] * m[0][k] + f[1] * m[1][k] + f[2] * m[2][k]);
        if (Math.hypot(p[0], p[1], p[2]) <= SPLIT_POSITION_RADIUS) held += occ[j];
      }
    });
    if (held < threshold - 1e-9) out.add(i);
  });
  return out;
}

test('binned search equals the brute force on a random triclinic cell with split and lone partial cations', () => {
  const rand = mulberry32(7);
  const sites: SiteSpec[] = [];
  for (let i = 0; i < 400; i++) {
    const frac: [number, number, number] = [rand(), rand(), rand()];
    const kind = rand();
    if (kind < 0.3) sites.push({ element: 'O', oxidation: -2, frac });
    else if (kind < 0.5) sites.push({ element: 'Li', oxidation: 1, frac, occupancy: 0.5, with: [{ element: 'Mg', oxidation: 2, occupancy: 0.2 }] });
    else {
      sites.push({ element: 'Nb', oxidation: 5, frac, occupancy: 0.1 + 0.5 * rand() });
      // Half of them split: a second position 0.3–1.2 Å away.
      if (rand() < 0.5) sites.push({ element: 'Nb', oxidation: 5, frac: [frac[0] + 0.03 * rand(), frac[1] + 0.03 * rand(), frac[2]], occupancy: 0.1 + 0.4 * rand() });
    }
  }
  const s = makeStructure([19, 23, 27, 71, 97, 112], sites, 'random');
  const expected = bruteForce(s, 'Li', 0.5);
  assert.ok(expected.size > 20 && expected.size < s.sites.length / 2, `${expected.size} mostly empty`);
  assert.deepEqual([...mostlyEmptyCationSites(s, 'Li', 0.5)].sort((a, b) => a - b), [...expected].sort((a, b) => a - b));
});

test('a cell thinner than two radii: the images of one site count (0.3 at 0.9 Å spacing is held 0.9)', () => {
  const chain = makeStructure([0.9, 6, 6, 90, 90, 90], [
    { element: 'Nb', oxidation: 5, frac: [0, 0.5, 0.5], occupancy: 0.3 },
    { element: 'O', oxidation: -2, frac: [0, 0, 0] },
  ]);
  assert.equal(mostlyEmptyCationSites(chain, 'Li', 0.5).size, 0);
  assert.deepEqual(bruteForce(chain, 'Li', 0.5), new Set());
  const lone = makeStructure([3, 6, 6, 90, 90, 90], [
    { element: 'Nb', oxidation: 5, frac: [0, 0.5, 0.5], occupancy: 0.3 },
    { element: 'O', oxidation: -2, frac: [0, 0, 0] },
  ]);
  assert.deepEqual([...mostlyEmptyCationSites(lone, 'Li', 0.5)], [0]);
  // 0.4 Å: five images within 1 Å (held 1.5).
  const thin = makeStructure([0.4, 6, 6, 90, 90, 90], [{ element: 'Nb', oxidation: 5, frac: [0, 0.5, 0.5], occupancy: 0.3 }, { element: 'O', oxidation: -2, frac: [0, 0, 0] }]);
  assert.equal(mostlyEmptyCationSites(thin, 'Li', 0.5).size, 0);
});
