/**
 * The mean field's rule for a framework cation that shares a site with the mobile ion (energy/bvse/bvse.ts, WallRule
 * 'shared-excluded', the default) and its located warning; the other rules stay selectable for validation.
 * Fixture: LLTO `gas` of OBELiX (Li0.31La0.63Ti0.9Co0.1O3, cubic Pm-3m, a = 3.8845 Å; Li and La share the A site 1a).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildStructure } from '../../src/compute/structure/build';
import { computeBvse, DEFAULT_WALL_RULE, WALL_ENERGY } from '../../src/compute/energy/bvse/bvse';
import { analyzeLandscapeSync } from '../../src/compute/analysis/pipeline';
import { runLandscapeJob as landscapeJob } from '../../src/compute/analysis/job';

const GAS = readFileSync(join(process.cwd(), '..', 'shared', 'data', 'obelix', 'cifs', 'gas.cif'), 'utf8');
const gas = () => buildStructure(GAS).structure!;

/** Energy above the minimum at a fractional point of a grid (nearest voxel). */
function at(grid: ReturnType<typeof computeBvse>['grid'], f: number[]): number {
  const i = f.map((x, k) => ((Math.round(x * grid.shape[k]) % grid.shape[k]) + grid.shape[k]) % grid.shape[k]);
  return grid.data[(i[0] * grid.shape[1] + i[1]) * grid.shape[2] + i[2]];
}

test('default rule: La sharing the Li A site leaves the probe framework, the A cage opens, s is unchanged', () => {
  assert.equal(DEFAULT_WALL_RULE, 'shared-excluded');
  const excluded = computeBvse(gas(), { resolution: 0.25 });
  const half = computeBvse(gas(), { resolution: 0.25, wallRule: 'half' });
  assert.equal(excluded.parameters.wallRule, 'shared-excluded');
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
  assert.ok(job.report!.warnings.some((x) => x.includes('site Li0') && x.includes('shared-excluded')));
  const ens = await landscapeJob(GAS, { resolution: 0.25, disorder: 'approximants' });
  assert.ok(ens.ok);
  const codes = new Set(ens.messages.map((m) => m.code));
  for (const c of ['mobile-ion-shares-site', 'occupancies-rounded', 'vacancies-introduced']) assert.ok(codes.has(c), `${c} among ${[...codes]}`);
  assert.ok(ens.messages.filter((m) => m.code === 'vacancies-introduced').every((m) => m.at), 'vacancies located');
});
