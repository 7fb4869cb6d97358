/**
 * structure/bondValence.ts: bond-valence sums through the binned neighbour finder against a brute force over every
 * site and image; good refinements pass; the same CIFs squeezed or stretched are flagged at the right row; the flag
 * reaches the editor's diagnostics and the landscape report.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildStructure } from '../../src/compute/structure/build';
import { bondValenceSums, implausibleGeometryMessages, IMPLAUSIBLE_FACTOR } from '../../src/compute/structure/bondValence';
import { bvsePair } from '../../src/compute/data/bvTables';
import { analyzeDocument } from '../../src/compute/language/analyze';
import { hoverAt } from '../../src/compute/language/hover';
import { runLandscapeJobSync } from '../../src/compute/analysis/job';
import { barrierHint } from '../../src/compute/analysis/format';
import type { Structure } from '../../src/compute/structure/types';

const EXAMPLES = join(__dirname, '../../../examples');
const read = (name: string) => readFileSync(join(EXAMPLES, name), 'utf8');
const built = (text: string): Structure => {
  const r = buildStructure(text);
  assert.ok(r.structure, r.messages.map((m) => m.message).join('; '));
  return r.structure;
};

/** Every pair, every image within ±3 cells: no bins, no shortcuts. */
function bruteForceSum(s: Structure, asym: number, element: string): number {
  const i = s.sites.findIndex((x) => x.asymmetricIndex === asym);
  const site = s.sites[i];
  const z = site.species.find((sp) => sp.element === element)!.oxidation!;
  const m = s.lattice.matrix;
  let sum = 0;
  for (const other of s.sites) {
    for (let a = -3; a <= 3; a++) for (let b = -3; b <= 3; b++) for (let c = -3; c <= 3; c++) {
      const f = [other.frac[0] - site.frac[0] + a, other.frac[1] - site.frac[1] + b, other.frac[2] - site.frac[2] + c];
      const p = [0, 1, 2].map((k) => f[0] * m[0][k] + f[1] * m[1][k] + f[2] * m[2][k]);
      const r = Math.hypot(p[0], p[1], p[2]);
      if (r < 0.5) continue;
      for (const o of other.species) {
        if (!o.oxidation || Math.sign(o.oxidation) === Math.sign(z)) continue;
        const pair = z > 0 ? bvsePair(element, z, o.element, o.oxidation) : bvsePair(o.element, o.oxidation, element, z);
        if (pair && r <= pair.Rcutoff) sum += o.occupancy * Math.exp((pair.R0 - r) / (1 / pair.alpha));
      }
    }
  }
  return sum;
}

/** The CIF with its cell lengths scaled by `k` (fractional coordinates kept): every distance × k. */
function scaled(text: string, k: number): string {
  return text.replace(/^(_cell_length_[abc]\s+)([0-9.]+)/gm, (_, tag: string, v: string) => `${tag}${(Number(v) * k).toFixed(5)}`);
}

test('binned sums equal a brute force over every site and image (ordered, partially occupied, layered)', () => {
  for (const name of ['LiFePO4.cif', 'Li7La3Zr2O12.cif', 'LiCoO2.cif', 'Li6PS5Cl.cif']) {
    const s = built(read(name));
    const check = bondValenceSums(s);
    assert.ok(check.sites.length >= s.asymmetricSites.length, name);
    for (const v of check.sites) {
      const ref = bruteForceSum(s, v.asymmetricIndex, v.element);
      assert.ok(Math.abs(v.sum - ref) < 1e-9 * Math.max(1, ref), `${name} ${v.label} ${v.element}: ${v.sum} vs ${ref}`);
    }
  }
});

test('good refinements pass: every bundled example within the bounds, LiFePO4 within 10 % at every site', () => {
  for (const name of readdirSync(EXAMPLES).filter((f) => f.endsWith('.cif'))) {
    const s = built(read(name));
    assert.deepEqual(implausibleGeometryMessages(s).map((m) => m.message), [], name);
  }
  const lfp = bondValenceSums(built(read('LiFePO4.cif')));
  for (const v of lfp.sites) assert.ok(Math.abs(v.sum / Math.abs(v.oxidation) - 1) < 0.1, `${v.label}: ${v.sum}`);
  assert.ok(lfp.gii! < 0.1, `GII ${lfp.gii}`);
});

test('a squeezed cell is over-bonded and a stretched one under-bonded, flagged at the CIF row', () => {
  const text = read('LiFePO4.cif');
  const liRow = text.split('\n').findIndex((l) => /^\s*Li1\s/.test(l));
  assert.ok(liRow > 0);
  for (const [k, word] of [[0.75, 'closer'], [1.45, 'farther']] as const) {
    const s = built(scaled(text, k));
    const ms = s.messages.filter((m) => m.code === 'implausible-geometry');
    const li = ms.find((m) => m.message.startsWith('site Li1:'));
    assert.ok(li, `×${k}: ${ms.map((m) => m.message).join(' | ')}`);
    assert.equal(li.at?.line, liRow);
    assert.match(li.message, new RegExp(word));
    const ratio = Number(/\(([0-9.]+)×/.exec(li.message)![1]);
    assert.ok(k < 1 ? ratio > IMPLAUSIBLE_FACTOR : ratio < 1 / IMPLAUSIBLE_FACTOR, `×${k}: ratio ${ratio}`);
  }
});

test('the flag is an editor diagnostic at the row, and the report says it beside the barriers', () => {
  const text = scaled(read('LiFePO4.cif'), 0.75);
  const doc = analyzeDocument(text);
  assert.ok(doc.diagnostics.some((d) => d.code === 'implausible-geometry' && d.severity === 'warning'), JSON.stringify(doc.diagnostics.map((d) => d.code)));
  const job = runLandscapeJobSync(text, { resolution: 0.4 });
  assert.ok(job.ok, job.error ?? '');
  assert.ok(job.messages.some((m) => m.code === 'implausible-geometry'));
  assert.ok(job.report!.warnings.some((w) => w.startsWith('Implausible geometry') && w.includes('Li1 (Li+1)')), job.report!.warnings.join(' | '));
  assert.ok(job.report!.implausibleGeometry?.includes('Li1'), JSON.stringify(job.report!.implausibleGeometry));
  assert.match(barrierHint(job.report!), /^Ea\(BVSE, 1D\) \d\.\d\d eV · \dD · ⚠ geometry$/);
  // The unsqueezed file says nothing of the kind.
  const good = runLandscapeJobSync(read('LiFePO4.cif'), { resolution: 0.4 });
  assert.ok(!good.report!.warnings.some((w) => w.startsWith('Implausible geometry')));
  assert.equal(good.report!.implausibleGeometry, undefined);
  assert.doesNotMatch(barrierHint(good.report!), /geometry/);
});

test('oxidation states given by the caller: the geometry is judged again with them, once', () => {
  const text = scaled(read('LiFePO4.cif'), 0.75);
  const plain = runLandscapeJobSync(text, { resolution: 0.4 });
  const given = runLandscapeJobSync(text, { resolution: 0.4, oxidationStates: { Li: 1, Fe: 2, P: 5, O: -2 } });
  const codes = (j: typeof plain) => j.messages.filter((m) => m.code === 'implausible-geometry').map((m) => m.message);
  assert.ok(codes(plain).length > 0);
  assert.deepEqual(codes(given), codes(plain));
});

test('the atom-site hover gives the row\'s bond-valence sum', () => {
  const text = read('LiFePO4.cif');
  const doc = analyzeDocument(text);
  const li = doc.atomSiteRows.find((r) => r.label === 'Li1')!;
  assert.ok(li.bondValenceSum !== null && Math.abs(li.bondValenceSum - 1) < 0.1, `Li1 BVS ${li.bondValenceSum}`);
  const hover = hoverAt(doc, li.line, 2);
  assert.match(hover?.markdown ?? '', /bond-valence sum: \d\.\d\d v\.u\. for valence 1 \(\d\.\d\d×; softBV parameters\)/);
  // Squeezed: the hover's sum is the one the warning names.
  const squeezed = analyzeDocument(scaled(text, 0.75));
  const row = squeezed.atomSiteRows.find((r) => r.label === 'Li1')!;
  const warning = squeezed.diagnostics.find((d) => d.code === 'implausible-geometry' && d.message.startsWith('site Li1:'))!;
  assert.ok(warning.message.includes(`${row.bondValenceSum!.toFixed(2)} v.u.`), warning.message);
});
