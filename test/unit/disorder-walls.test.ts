/**
 * The mean field's rules for a framework cation that shares a site with the mobile ion, or holds its position less
 * than half the time (energy/bvse/bvse.ts, WallRule 'vacant-excluded', the default; structure/vacancies.ts), and
 * their located warnings; the other rules stay selectable for validation.
 * Fixtures: LLTO `gas` of OBELiX (Li0.31La0.63Ti0.9Co0.1O3, cubic Pm-3m, a = 3.8845 Å; Li and La share the A site 1a)
 * and `cy2` (La0.64Li0.08TiO3, Pmmm, layered La 0.96 / 0.32, no Li in the CIF), read from ../shared at run time.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildStructure } from '../../src/compute/structure/build';
import { computeBvse, DEFAULT_WALL_RULE, WALL_ENERGY, WALL_MIN_OCCUPANCY } from '../../src/compute/energy/bvse/bvse';
import { mostlyEmptyCationSites } from '../../src/compute/structure/vacancies';
import { analyzeLandscapeSync } from '../../src/compute/analysis/pipeline';
import { runLandscapeJob as landscapeJob } from '../../src/compute/analysis/job';

const GAS = readFileSync(join(process.cwd(), '..', 'shared', 'data', 'obelix', 'cifs', 'gas.cif'), 'utf8');
const gas = () => buildStructure(GAS).structure!;
const CY2 = readFileSync(join(process.cwd(), '..', 'shared', 'data', 'obelix', 'cifs', 'cy2.cif'), 'utf8');
const cy2 = () => buildStructure(CY2).structure!;

/** Energy above the minimum at a fractional point of a grid (nearest voxel). */
function at(grid: ReturnType<typeof computeBvse>['grid'], f: number[]): number {
  const i = f.map((x, k) => ((Math.round(x * grid.shape[k]) % grid.shape[k]) + grid.shape[k]) % grid.shape[k]);
  return grid.data[(i[0] * grid.shape[1] + i[1]) * grid.shape[2] + i[2]];
}

test('default rule: La sharing the Li A site leaves the probe framework, the A cage opens, s is unchanged', () => {
  assert.equal(DEFAULT_WALL_RULE, 'vacant-excluded');
  const excluded = computeBvse(gas(), { resolution: 0.25 });
  const half = computeBvse(gas(), { resolution: 0.25, wallRule: 'half' });
  assert.equal(excluded.parameters.wallRule, 'vacant-excluded');
  // gas has no position held less than half the time: the default is 'shared-excluded' here, to the bit.
  assert.deepEqual(computeBvse(gas(), { resolution: 0.25, wallRule: 'shared-excluded' }).grid.data, excluded.grid.data);
  assert.ok(!excluded.parameters.framework.some((f) => f.species === 'La+3'), 'La is not in the probe framework');
  assert.ok(half.parameters.framework.some((f) => f.species === 'La+3'));
  // Neutrality of the real cell: La still counts in s.
  assert.equal(excluded.parameters.chargeScaling, half.parameters.chargeScaling);
  // The A-site centre (the CIF's Li position): walled (La 0.63 ≥ ½, r_C 1.81 Å) under 'half', open by default.
  assert.equal(at(half.grid, [0, 0, 0]), WALL_ENERGY);
  assert.ok(at(excluded.grid, [0, 0, 0]) < excluded.grid.min + 2, `A cage ${at(excluded.grid, [0, 0, 0]) - excluded.grid.min} eV above the minimum`);
  // Ti on the B site is not shared with Li: walled under every rule.
  assert.equal(at(excluded.grid, [0.5, 0.5, 0.5]), WALL_ENERGY);
});

test('rules order as their physics says on LLTO: excluded < open wall < half wall (Ea 1D)', () => {
  const ea = (wallRule: 'half' | 'shared-open' | 'shared-excluded') =>
    analyzeLandscapeSync(gas(), { resolution: 0.25, path: false, bvse: { wallRule } }).report.Ea_1D_eV ?? Infinity;
  const [excluded, open, half] = [ea('shared-excluded'), ea('shared-open'), ea('half')];
  assert.ok(excluded < open && open < half, `${excluded} < ${open} < ${half}`);
  // A cubic ordered framework (Ti/Co O6 corner-sharing, O4 windows): a percolating channel well below the wall.
  assert.ok(excluded < 1.5, `Ea 1D ${excluded} eV`);
});

test('unknown wall rule is a clear error', () => {
  assert.throws(() => computeBvse(gas(), { resolution: 0.5, wallRule: 'none' as never }), /Unknown wall rule 'none'/);
});

test('the job carries a located warning at the shared Li row; an approximant job carries the ordering decisions', async () => {
  const job = await landscapeJob(GAS, { resolution: 0.25 });
  assert.ok(job.ok);
  const w = job.messages.find((m) => m.code === 'mobile-ion-shares-site');
  assert.ok(w && w.at, 'located');
  const line = GAS.split('\n')[w.at.line];
  assert.match(line, /Li0/, `points at the Li0 row, got: ${line}`);
  assert.match(w.message, /La \(0\.63\)/);
  assert.ok(job.report!.warnings.some((x) => x.includes('site Li0') && x.includes('vacant-excluded')));
  const ens = await landscapeJob(GAS, { resolution: 0.25, disorder: 'approximants' });
  assert.ok(ens.ok);
  const codes = new Set(ens.messages.map((m) => m.code));
  for (const c of ['mobile-ion-shares-site', 'occupancies-rounded', 'vacancies-introduced']) assert.ok(codes.has(c), `${c} among ${[...codes]}`);
  assert.ok(ens.messages.filter((m) => m.code === 'vacancies-introduced').every((m) => m.at), 'vacancies located');
});

test('a position held less than half the time leaves the probe framework; a half-held one stays walled (cy2, no Li)', () => {
  const s = cy2();
  const empty = [...mostlyEmptyCationSites(s, 'Li', WALL_MIN_OCCUPANCY)].map((i) => s.asymmetricSites[s.sites[i].asymmetricIndex].label);
  assert.deepEqual([...new Set(empty)], ['La1'], 'only the La-poor site (0.32)');
  const vacant = computeBvse(s, { resolution: 0.25 }), shared = computeBvse(s, { resolution: 0.25, wallRule: 'shared-excluded' });
  assert.equal(vacant.parameters.chargeScaling, shared.parameters.chargeScaling, 'La1 still counts in s');
  assert.ok(at(vacant.grid, [0, 0, 0]) === WALL_ENERGY, 'La0 (0.96) keeps its wall');
  assert.ok(at(vacant.grid, [0, 0, 0.5]) < vacant.grid.min + 2, 'the La1 cage is open');
  const ea = (wallRule: 'shared-excluded' | 'vacant-excluded') =>
    analyzeLandscapeSync(s, { resolution: 0.25, path: false, bvse: { wallRule } }).report.Ea_1D_eV ?? Infinity;
  const [open, before] = [ea('vacant-excluded'), ea('shared-excluded')];
  assert.ok(open < before - 0.2, `Ea 1D ${open} < ${before} eV`);
});

test('a cation split over close positions counts as one position (held 0.8, not two of 0.4)', () => {
  const cif = (rows: string) => `data_split\n_cell_length_a 6\n_cell_length_b 6\n_cell_length_c 6\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n_symmetry_space_group_name_H-M 'P 1'\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n_atom_site_occupancy\nLi1 Li+ 0.5 0.5 0.5 1\nO1 O2- 0 0 0 1\n${rows}`;
  const split = buildStructure(cif('Nb1 Nb5+ 0.25 0 0 0.4\nNb2 Nb5+ 0.333 0 0 0.4\n')).structure!;
  assert.equal(mostlyEmptyCationSites(split, 'Li', WALL_MIN_OCCUPANCY).size, 0, 'split positions 0.5 Å apart: held 0.8');
  const apart = buildStructure(cif('Nb1 Nb5+ 0.25 0 0 0.4\nNb2 Nb5+ 0.25 0.5 0 0.4\n')).structure!;
  assert.equal(mostlyEmptyCationSites(apart, 'Li', WALL_MIN_OCCUPANCY).size, 2, 'positions 3 Å apart: each held 0.4');
});

test('the job says which positions it opened, at their CIF rows', async () => {
  const job = await landscapeJob(CY2, { resolution: 0.25 });
  assert.ok(job.ok);
  const w = job.messages.filter((m) => m.code === 'mostly-empty-site');
  assert.equal(w.length, 1);
  assert.ok(w[0].at);
  assert.match(CY2.split('\n')[w[0].at!.line], /La1/);
  assert.match(w[0].message, /La \(0\.32\)/);
  assert.ok(job.report!.warnings.some((x) => x.includes('site La1') && x.includes('vacant-excluded')));
});

test('a minority cation on a Li site is said once: as sharing the site, not again as mostly empty, report and messages alike', async () => {
  // gas with La 0.30 on the Li A site: shared with Li and held less than half the time; both rules leave it out.
  const text = GAS.replace(/(La\s+La1\s+1\s+0\.0+\s+0\.0+\s+0\.0+\s+)0\.63/, '$10.30');
  assert.notEqual(text, GAS);
  assert.ok(mostlyEmptyCationSites(buildStructure(text).structure!, 'Li', WALL_MIN_OCCUPANCY).size > 0, 'La1 is mostly empty');
  const job = await landscapeJob(text, { resolution: 0.25 });
  assert.ok(job.ok);
  const about = job.messages.filter((m) => /^site Li0:/.test(m.message));
  assert.deepEqual(about.map((m) => m.code), ['mobile-ion-shares-site']);
  assert.match(about[0].message, /La \(0\.3\).*Wall rule: vacant-excluded\./);
  // The report's sentence is the message's own, so a listing of both (CLI, ranking row) has it once.
  assert.equal(job.report!.warnings.filter((w) => w.includes('site Li0')).length, 1);
  assert.ok(job.report!.warnings.includes(about[0].message));
});

