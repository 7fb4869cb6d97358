/**
 * The file's own `_chemical_formula_sum` (and Z) against the composition of its atom sites
 * (structure/statedFormula.ts): silent where they agree (the examples, both conventions of Z), a located warning
 * where a site was edited, Z or the operations are wrong, or hydrogens are missing; never an error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildStructure } from '../../src/compute/structure/build';
import { parseFormulaSum } from '../../src/compute/structure/statedFormula';
import { runLandscapeJobSync } from '../../src/compute/analysis/job';

const EXAMPLES = join(process.cwd(), 'examples');
const LIFEPO4 = readFileSync(join(EXAMPLES, 'LiFePO4.cif'), 'utf8');
const mismatch = (text: string) => buildStructure(text).messages.filter((m) => m.code === 'formula-mismatch');
const withFormula = (text: string, formula: string, z?: string) => {
  let out = text.replace(/^_chemical_formula_sum.*$/m, `_chemical_formula_sum '${formula}'`);
  if (z !== undefined) out = z ? out.replace(/^_cell_formula_units_Z.*$/m, `_cell_formula_units_Z ${z}`) : out.replace(/^_cell_formula_units_Z.*\n/m, '');
  return out;
};

test('formula sums are read as element counts, with or without spaces; anything else is not read', () => {
  assert.deepEqual(parseFormulaSum('Fe Li O4 P'), { Fe: 1, Li: 1, O: 4, P: 1 });
  assert.deepEqual(parseFormulaSum('Li7La3Zr2O12'), { Li: 7, La: 3, Zr: 2, O: 12 });
  assert.deepEqual(parseFormulaSum('Li6.4 La3 Zr1.4 Ta0.6 O12'), { Li: 6.4, La: 3, Zr: 1.4, Ta: 0.6, O: 12 });
  assert.deepEqual(parseFormulaSum('D2 O'), { H: 2, O: 1 });
  for (const bad of ['Li (P O4)', 'Xx2 O', 'li O', '', '3 Li']) assert.equal(parseFormulaSum(bad), null, bad);
});

test('every bundled example agrees with its own formula: nothing is said', () => {
  for (const f of readdirSync(EXAMPLES).filter((x) => x.endsWith('.cif'))) {
    assert.deepEqual(mismatch(readFileSync(join(EXAMPLES, f), 'utf8')).map((m) => m.message), [], f);
  }
});

test('both conventions of Z: IUCr (Z formula units per cell) and the whole cell as the formula (pymatgen)', () => {
  assert.equal(/^_cell_formula_units_Z\s+4/m.test(LIFEPO4), true, 'the example states Z 4');
  assert.deepEqual(mismatch(LIFEPO4), []);
  assert.deepEqual(mismatch(withFormula(LIFEPO4, 'Li4 Fe4 P4 O16')), [], 'the cell as the formula, beside Z 4');
  assert.deepEqual(mismatch(withFormula(LIFEPO4, 'Li Fe P O4', '')), [], 'no Z: proportions');
  assert.deepEqual(mismatch(withFormula(LIFEPO4, 'Li Fe P O4.1')), [], 'within the tolerance of a refined formula');
});

test('a site edited without the formula, a wrong Z, missing hydrogens: a warning at the formula, the sites used', () => {
  const line = LIFEPO4.split('\n').findIndex((l) => l.startsWith('_chemical_formula_sum'));
  const manganese = LIFEPO4.replace(/^(\s*Fe1\s+)Fe\S*/m, '$1Mn2+');
  const [m] = mismatch(manganese);
  assert.ok(m, 'Mn on the Fe site, the formula still LiFePO4');
  assert.equal(m.severity, 'warning');
  assert.equal(m.at?.line, line, 'at the formula');
  assert.match(m.message, /^the atom sites do not give the stated _chemical_formula_sum 'Fe Li O4 P' \(Z 4\): per formula unit \(the cell's 28 atoms \/ Z 4\), sites vs formula: Mn 1 vs 0, Fe 0 vs 1; the barriers use the sites/);
  const job = runLandscapeJobSync(manganese, { method: 'bvse', resolution: 0.4 });
  assert.equal(job.ok, true, 'a warning, not a refusal');
  assert.ok(job.messages.some((x) => x.code === 'formula-mismatch'), 'it reaches the job');

  const [z8] = mismatch(withFormula(LIFEPO4, 'Fe Li O4 P', '8'));
  assert.match(z8?.message ?? '', /\(Z 8\): per formula unit \(the cell's 28 atoms \/ Z 8\), sites vs formula: Li 0\.5 vs 1, Fe 0\.5 vs 1, P 0\.5 vs 1, O 2 vs 4/);
  const [hydrogen] = mismatch(withFormula(LIFEPO4, 'H2 Fe Li O5 P'));
  assert.match(hydrogen?.message ?? '', /H 0 vs 2/);
  const [proportions] = mismatch(withFormula(manganese, 'Li Fe P O4', ''));
  assert.match(proportions?.message ?? '', /: in the proportions of one formula unit, sites vs formula: Mn 1 vs 0, Fe 0 vs 1/);
});
