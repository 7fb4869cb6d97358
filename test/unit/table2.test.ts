/**
 * Seed 000 (Shi et al.), Table 2: BVSE barriers at 0.1 Å, the published labels. Our example CIFs are
 * written from the published structures (see each file's citation); Ea_1D must be within ±0.05 eV.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLandscapeJobSync } from '../../src/compute/analysis/job';

const TABLE_2: [file: string, ea: number][] = [
  ['Li3N.cif', 0.21],
  ['Li7La3Zr2O12.cif', 0.46],
  ['LiFePO4.cif', 0.39],
];

for (const [file, published] of TABLE_2) {
  test(`${file}: Ea(BVSE, 1D) at 0.1 Å within ±0.05 eV of ${published} eV`, () => {
    const text = readFileSync(join(process.cwd(), 'examples', file), 'utf8');
    const r = runLandscapeJobSync(text, { ion: 'Li', resolution: 0.1, mode: 'spse' });
    assert.ok(r.ok && r.report, r.error ?? 'no report');
    const ea = r.report.Ea_1D_eV!;
    console.log(`${file}: Ea_1D ${ea.toFixed(3)} eV (published ${published} eV), grid ${r.report.gridShape!.join('×')}, ${(r.report.timings_ms.total / 1000).toFixed(1)} s`);
    assert.ok(Math.abs(ea - published) <= 0.05, `Ea_1D ${ea.toFixed(3)} eV vs ${published} eV`);
  });
}
