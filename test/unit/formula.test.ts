/** Reduced formulas (src/compute/structure/formula.ts): whole counts by the GCD, fractional ones without ugly decimals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reducedFormula, formulaUnits } from '../../src/compute/structure/formula';
import { buildStructure } from '../../src/compute/structure/build';

test('whole counts are divided by their GCD', () => {
  assert.equal(reducedFormula({ Li: 4, Fe: 4, P: 4, O: 16 }), 'LiFePO4');
  assert.equal(reducedFormula({ Li: 56, La: 24, Zr: 16, O: 96 }), 'Li7La3Zr2O12');
  assert.equal(reducedFormula({ Li: 24, P: 4, S: 20, Cl: 4 }), 'Li6PS5Cl');
  assert.equal(reducedFormula({ S: 4, O: 16, Li: 8.0000001 }), 'Li2SO4');
  assert.equal(formulaUnits({ Li: 4, Fe: 4, P: 4, O: 16 }), 4);
});

test('fractional counts: divided by the largest divisor of the whole counts that keeps 3 exact decimals', () => {
  assert.equal(reducedFormula({ Li: 55.968, La: 24, Zr: 16, O: 96 }), 'Li6.996La3Zr2O12');
  assert.equal(formulaUnits({ Li: 55.968, La: 24, Zr: 16, O: 96 }), 8);
  // 3 would give Li2.1667: keep the formula as written
  assert.equal(reducedFormula({ Li: 6.5, La: 3, Zr: 1.5, O: 12 }), 'Li6.5La3Zr1.5O12');
  assert.equal(reducedFormula({ Li: 1.3, Al: 0.3, Ti: 1.7, P: 3, O: 12 }), 'Li1.3Ti1.7Al0.3P3O12'); // Ti (1.54) before Al (1.61)
  assert.equal(reducedFormula({ Li: 5.2, Al: 1.2, Ti: 6.8, P: 12, O: 48 }), 'Li1.3Ti1.7Al0.3P3O12');
  // a trace is neither 0 nor dropped: LiAl0.0001O, not LiAl0O
  assert.equal(reducedFormula({ Li: 1, Al: 0.0001, O: 1 }), 'LiAl0.0001O');
  assert.equal(reducedFormula({ Li: 8, Ga: 0.02, O: 8 }), 'Li2Ga0.005O2'); // rule 3: 0.0025 is not exact to 3 decimals
  assert.equal(reducedFormula({ Li: 4, Fe: 0.004, O: 4 }), 'LiFe0.001O');
  // no whole count at all
  assert.equal(reducedFormula({ Li: 0.5, Na: 0.5, Cl: 0.999999 }), 'Na0.5Li0.5Cl');
  // never more than 3 decimals
  for (const f of [reducedFormula({ Li: 1 / 3, Ti: 1, O: 3 }), reducedFormula({ Li: 55.9681234, La: 24, Zr: 16, O: 96 })]) {
    for (const m of f.matchAll(/\d+\.(\d+)/g)) assert.ok(m[1].length <= 3, f);
  }
});

test('the LLZO example and the others read as formula units', () => {
  const text = readFileSync(join(process.cwd(), 'examples', 'Li7La3Zr2O12.cif'), 'utf8');
  const s = buildStructure(text).structure!;
  const f = reducedFormula(s.composition);
  assert.match(f, /^Li\d+(\.\d{1,3})?La3Zr2O12$/, `${f} from ${JSON.stringify(s.composition)}`);
});
