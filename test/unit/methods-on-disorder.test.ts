/**
 * Methods without a mean field on a partially occupied structure (analysis/pipeline.ts, issue 9): the interstitial
 * network GCN and the potential scan are given the lowest-Ewald ordering of an ordered approximant, and the report
 * says so; a preview (`orderedOnly`) is refused at once with a located error; BVSE keeps its mean field.
 * Fixture: the repository's LLTO-type perovskite (Li0.33La0.56TiO3, a = 3.87 Å, Inaguma et al. 1993; Li and La share
 * the A site), as in approximants.test.ts.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildStructure } from '../../src/compute/structure/build';
import { orderedApproximants } from '../../src/compute/structure/approximants/approximants';
import { analyzeLandscape, structuresToAnalyse } from '../../src/compute/analysis/pipeline';
import { disorderText } from '../../src/compute/analysis/format';
import { runLandscapeJob } from '../../src/compute/analysis/job';
import { LandscapeError } from '../../src/compute/util/errors';
import { fractionalMap } from '../../src/compute/structure/geometry';
import { bvsePointEnergy } from '../../src/compute/energy/bvse/bvse';
import { gcnModel } from '../../src/compute/gcn/model';

const TEXT = readFileSync(join(process.cwd(), 'test', 'fixtures', 'structures', 'LLTO-perovskite.cif'), 'utf8');
const llto = () => buildStructure(TEXT).structure!;

test("GCN on a disordered CIF: the lowest-Ewald ordering's network with the CIF's mean-field BVSE, said in the report", async () => {
  const a = await analyzeLandscape(llto(), { method: 'gcn' });
  const d = a.report.disorder!;
  assert.equal(d.treatment, 'approximants');
  assert.equal(d.rule, 'lowest-ewald');
  assert.equal(d.orderings, 1);
  assert.equal(a.report.source.cell, 'ordered-approximant');
  assert.match(disorderText(a.report)!, /lowest-Ewald ordering of a 9-cell ordered approximant/);
  assert.ok(a.report.warnings.some((w) => /GCN-IN needs atoms at definite positions/.test(w)));
  const lowest = orderedApproximants(llto(), { count: 1, randomCount: 0, seed: 1 }).orderings[0];
  assert.equal(a.report.disorder!.members![0].ewald_eV, lowest.ewald_eV);
  // The ordering's network, the CIF's mean-field BVSE at its points (the number that replaces the preview).
  assert.ok(a.report.warnings.some((w) => /BVSE inputs are the CIF's mean field/.test(w)));
  assert.equal(a.report.details.bvseInputs, 'mean field of the CIF');
  const cif = llto(), toCif = fractionalMap(lowest.structure.lattice.matrix, cif.lattice.matrix);
  for (const site of lowest.structure.sites) {
    const f = toCif(site.frac);
    assert.ok(cif.sites.some((t) => [0, 1, 2].every((j) => { const x = f[j] - t.frac[j]; return Math.abs(x - Math.round(x)) < 1e-9; })), 'every ordering site lands on a CIF site');
  }
  const meanField = bvsePointEnergy(cif);
  const expected = await gcnModel({ network: { energyAt: (f) => meanField.energyAt(toCif(f)) } }).predict(lowest.structure);
  assert.ok(Math.abs(a.report.Ea_1D_eV! - expected.Ea_1D_eV!) < 1e-9, `${a.report.Ea_1D_eV} = the model on the ordering with the CIF's mean field (${expected.Ea_1D_eV})`);
  const direct = await analyzeLandscape(lowest.structure, { method: 'gcn' });
  assert.equal(direct.report.disorder, null, 'an ordered structure is analysed as it is');
  assert.ok(Math.abs(direct.report.Ea_1D_eV! - a.report.Ea_1D_eV!) > 1e-3, `the ordering's own BVSE gives another number (${direct.report.Ea_1D_eV} vs ${a.report.Ea_1D_eV}), so this test can tell`);
  // The ensemble is still there when asked for, and differs (several orderings, rule 'min').
  const ens = await analyzeLandscape(llto(), { method: 'gcn', disorder: 'approximants' });
  assert.equal(ens.report.disorder!.rule, 'min');
  assert.ok(ens.report.disorder!.orderings! > 1);
});

test('the potential scan plans on the lowest-Ewald ordering (one ordered structure of 9 cells), not an error', () => {
  const plan = structuresToAnalyse(llto(), { method: 'mlip' });
  assert.equal(plan.length, 1);
  assert.equal(plan[0].hasPartialOccupancy, false);
  assert.equal(plan[0].sites.filter((s) => s.species[0].element === 'Ti').length, 9);
  // BVSE has a mean field: it analyses the CIF as it is.
  assert.equal(structuresToAnalyse(llto(), { method: 'bvse' })[0].hasPartialOccupancy, true);
});

test('a preview (orderedOnly) of a disordered CIF is refused at once with a located error; BVSE ignores the flag', async () => {
  await assert.rejects(analyzeLandscape(llto(), { method: 'gcn', orderedOnly: true }), (e: unknown) => e instanceof LandscapeError && e.code === 'disordered-structure' && /site Li1/.test(e.message));
  const job = await runLandscapeJob(TEXT, { method: 'gcn', orderedOnly: true });
  assert.equal(job.ok, false);
  assert.match(job.error ?? '', /Not computed as a preview/);
  const bvse = await runLandscapeJob(TEXT, { method: 'bvse', orderedOnly: true, resolution: 0.3 });
  assert.ok(bvse.ok, bvse.error ?? '');
  assert.equal(bvse.report!.disorder?.treatment ?? 'mean-field', 'mean-field');
});

test('only the mobile ion disordered (LLZO): the GCN keeps the CIF (it removes Li); the potential orders it', async () => {
  const text = readFileSync(join(process.cwd(), 'examples', 'Li7La3Zr2O12.cif'), 'utf8');
  const s = buildStructure(text).structure!;
  assert.ok(s.hasPartialOccupancy, 'Li 24d/96h are partially occupied');
  const gcn = await analyzeLandscape(s, { method: 'gcn', orderedOnly: true });
  assert.equal(gcn.report.disorder?.treatment, 'mobile-ion-removed', 'no ordering and no mean field: the framework is ordered and Li is removed');
  assert.equal(gcn.report.source.cell, 'as-given');
  const { disorderCell, disorderText } = await import('../../src/compute/analysis/format');
  assert.equal(disorderCell(gcn.report), 'Li sites only (removed)');
  assert.match(disorderText(gcn.report) ?? '', /only the Li sites are partially occupied/);
  // BVSE removes every Li too: the same, while LLTO (La shares the A site) is its mean field.
  const bvse = await analyzeLandscape(s, { method: 'bvse', resolution: 0.4 });
  assert.equal(bvse.report.disorder?.treatment, 'mobile-ion-removed');
  assert.equal((await analyzeLandscape(llto(), { method: 'bvse', resolution: 0.4 })).report.disorder?.treatment, 'mean-field');
  assert.equal(structuresToAnalyse(s, { method: 'gcn' })[0], s);
  const plan = structuresToAnalyse(s, { method: 'mlip' });
  assert.equal(plan[0].hasPartialOccupancy, false, 'the potential needs the Li at definite positions too');
});

test('rank rows and their CSV say how partial occupancy was treated (mean field, lowest-Ewald ordering, ensemble)', async () => {
  const { rowFromResult, rowsToCsv } = await import('../../src/compute/analysis/ranking');
  const rows = await Promise.all([
    runLandscapeJob(TEXT, { method: 'bvse', resolution: 0.3 }),
    runLandscapeJob(TEXT, { method: 'gcn' }),
    runLandscapeJob(TEXT, { method: 'bvse', resolution: 0.3, disorder: 'approximants' }),
    runLandscapeJob(readFileSync(join(process.cwd(), 'examples', 'LiFePO4.cif'), 'utf8'), { method: 'bvse', resolution: 0.3 }),
  ]).then((jobs) => jobs.map((j, i) => rowFromResult(`f${i}.cif`, j, false)));
  assert.equal(rows[0].disorder, 'mean field');
  assert.equal(rows[1].disorder, 'lowest-Ewald ordering of 9 cells');
  assert.match(rows[2].disorder ?? '', /^min of \d+ orderings of 9 cells, Ea 1D [\d.]+–([\d.]+|none) eV$/);
  assert.equal(rows[3].disorder, null, 'an ordered CIF');
  const csv = rowsToCsv(rows).split('\n');
  const col = csv[0].split(',').indexOf('disorder');
  assert.ok(col > 0);
  assert.equal(csv[1].split(',')[col], 'mean field');
});

test('the CLI prints each of the ordering\'s decisions once, with its CIF line', () => {
  const file = join(process.cwd(), 'test', 'fixtures', 'structures', 'LLTO-perovskite.cif');
  const r = spawnSync(process.execPath, [join(process.cwd(), 'dist', 'cli.js'), 'analyze', file, '--method', 'gcn'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const warnings = r.stdout.split('\n').filter((l) => /^\s+warning: /.test(l)).map((l) => l.replace(/ \(line \d+\)$/, ''));
  assert.ok(warnings.some((w) => /in the 9-cell approximant/.test(w)), r.stdout);
  assert.equal(new Set(warnings).size, warnings.length, `no warning printed twice:\n${warnings.join('\n')}`);
});

test("a CIF whose mean field cannot be set up leaves the GCN the ordering's own BVSE, said in a warning", async () => {
  const lifepo4 = buildStructure(readFileSync(join(process.cwd(), 'examples', 'LiFePO4.cif'), 'utf8')).structure!;
  // Li, Br and O in one cell cannot be charge-balanced: no oxidation states, so BVSE cannot be set up for it.
  const unbalanced = buildStructure('data_x\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nLi1 Li 0 0 0\nBr1 Br 0.5 0.5 0.5\nO1 O 0.5 0 0\n').structure!;
  assert.throws(() => bvsePointEnergy(unbalanced));
  const model = gcnModel();
  const plain = await model.predict(lifepo4);
  const p = await model.predict(lifepo4, {}, { meanFieldOf: { structure: unbalanced, toCif: (f) => f } });
  assert.equal(p.Ea_1D_eV, plain.Ea_1D_eV);
  assert.equal(p.details.bvseInputs, 'this structure');
  assert.ok(p.warnings.some((w) => /mean field could not be set up/.test(w)), p.warnings.join('\n'));
});
