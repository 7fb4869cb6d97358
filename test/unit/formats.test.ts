/**
 * Issue 13, formats: POSCAR/CONTCAR and extended XYZ through the CLI (info, analyze, rank) and the job's cache key;
 * CIF data blocks (which one, --block); magnetic CIF operations; Pauling File mixed-site symbols; warnings said once
 * and only where they matter. Fixtures (test/fixtures/structures/README.md): Li3N as a Cartesian CONTCAR and an
 * extended XYZ, written from the published cell (Rabenau & Schulz 1976, as examples/Li3N.cif); LiFePO4 POSCAR and
 * extxyz (ASE-written); a two-block CIF; LiCoO2 as a magnetic CIF.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStructure, parseMixedTypeSymbol } from '../../src/compute/structure/build';
import { formatOfText, readStructure } from '../../src/compute/structure/read';
import { landscapeJobKey, runLandscapeJobSync } from '../../src/compute/analysis/job';
import { analyzeDocument } from '../../src/compute/language/analyze';
import { parseOxidationStates } from '../../src/compute/analysis/options';
import { listStructureFiles } from '../../src/compute/host/rankFolder';

const ROOT = process.cwd();
const CLI = join(ROOT, 'dist', 'cli.js');
const FIX = join(ROOT, 'test', 'fixtures', 'structures');
const example = (f: string) => readFileSync(join(ROOT, 'examples', f), 'utf8');
const fixture = (f: string) => readFileSync(join(FIX, f), 'utf8');
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: join(tmpdir(), 'ionpath-formats-test-cache') } });

test('CLI analyze reads a CONTCAR (by its name, no extension) and an extxyz, with the CIF\'s barrier', () => {
  const cif = JSON.parse(cli('analyze', join(ROOT, 'examples', 'Li3N.cif'), '--json').stdout);
  for (const f of [join(FIX, 'Li3N', 'CONTCAR'), join(FIX, 'Li3N.extxyz')]) {
    const r = cli('analyze', f, '--json');
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.structure.formula, 'Li3N', f);
    assert.equal(rep.structure.siteCount, 4);
    assert.ok(Math.abs(rep.Ea_1D_eV - cif.Ea_1D_eV) < 0.01, `${f}: Ea 1D ${rep.Ea_1D_eV} vs the CIF's ${cif.Ea_1D_eV}`);
    // No oxidation states in these formats: the guessed states are said, once, with the states named.
    const oxidation = [...rep.warnings, ...rep.structureMessages.map((m: { message: string }) => m.message)].filter((w: string) => /oxidation/i.test(w));
    assert.equal(oxidation.length, 1, JSON.stringify(oxidation));
    assert.match(oxidation[0], /guessed by charge balance: Li\+1, N-3/);
  }
  const text = cli('analyze', join(FIX, 'LiFePO4.POSCAR'));
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /LiFePO4 — BVSE/);
  assert.equal((text.stdout.match(/oxidation states/gi) ?? []).length, 1, text.stdout);
});

test('CLI analyze says once that a framework has no Li, and ends each sentence', () => {
  // Rock-salt MgO (a = 4.212 Å, Fm-3m) with 2 % Mg vacancies, no oxidation states given: a Li probe in a Li-free
  // framework, and states that leave a residual charge (4 × 0.98 × 2 − 4 × 2 = −0.16 e per cell).
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-no-li-'));
  const file = join(dir, 'MgO.cif');
  writeFileSync(file, `data_MgO\n_cell_length_a 4.212\n_cell_length_b 4.212\n_cell_length_c 4.212\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n_symmetry_space_group_name_H-M 'F m -3 m'\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n_atom_site_occupancy\nMg1 Mg 0 0 0 0.98\nO1 O 0.5 0.5 0.5 1\n`);
  try {
    const text = cli('analyze', file, '--resolution', '0.4');
    assert.equal(text.status, 0, text.stderr);
    assert.equal((text.stdout.match(/contains no Li/g) ?? []).length, 1, text.stdout);
    assert.match(text.stdout, /guessed by charge balance: Mg\+2, O-2 \(residual charge -0\.160 e per cell\)\. Barriers depend on them\./);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('CLI info reads POSCAR and extxyz; JSON names the format', () => {
  const r = cli('info', join(FIX, 'LiFePO4.extxyz'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.format, 'xyz');
  assert.equal(j.formula, 'LiFePO4');
  assert.equal(j.atomsInCell, 28);
  assert.equal(j.oxidationStates.source, 'guessed');
  const p = cli('info', join(FIX, 'Li3N', 'CONTCAR'), '--json');
  assert.equal(JSON.parse(p.stdout).format, 'poscar');
  // A block asked of a POSCAR is an error, not silently ignored.
  const b = cli('info', join(FIX, 'Li3N', 'CONTCAR'), '--block', 'x');
  assert.equal(b.status, 1);
  assert.match(b.stderr, /holds one structure/);
});

test('rank lists and analyses POSCAR, CONTCAR and extxyz files beside CIFs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-rank-formats-'));
  try {
    copyFileSync(join(ROOT, 'examples', 'Li3N.cif'), join(dir, 'Li3N.cif'));
    mkdirSync(join(dir, 'relax'));
    copyFileSync(join(FIX, 'Li3N', 'CONTCAR'), join(dir, 'relax', 'CONTCAR'));
    copyFileSync(join(FIX, 'Li3N.extxyz'), join(dir, 'Li3N.extxyz'));
    copyFileSync(join(FIX, 'LiFePO4.POSCAR'), join(dir, 'LiFePO4.POSCAR'));
    execFileSync('sh', ['-c', `echo notes > ${join(dir, 'notes.txt')}`]);
    const files = (await listStructureFiles(dir)).map((f) => f.slice(dir.length + 1));
    assert.deepEqual(files, ['Li3N.cif', 'Li3N.extxyz', 'LiFePO4.POSCAR', 'relax/CONTCAR']);
    const r = cli('rank', dir, '--jobs', '2', '--cache', join(dir, 'cache.json'));
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 5, r.stdout);
    for (const f of files) assert.ok(lines.some((l) => l.startsWith(`${f},`) && /BVSE/.test(l) && !/error/i.test(l.split(',').slice(-3).join(','))), `${f} ranked: ${r.stdout}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the cache key includes the format: the same text read as another format is another job', () => {
  const text = fixture('LiFePO4.POSCAR');
  assert.equal(formatOfText(text), 'poscar');
  assert.equal(landscapeJobKey(text, {}), landscapeJobKey(text, { format: 'poscar' }), 'content detection and the name agree: one key');
  assert.notEqual(landscapeJobKey(text, { format: 'poscar' }), landscapeJobKey(text, { format: 'cif' }));
  const cif = example('LiFePO4.cif');
  assert.notEqual(landscapeJobKey(cif, { block: 'LiFePO4' }), landscapeJobKey(cif, {}), 'the block is part of the key');
  // Read as CIF, a POSCAR fails with a CIF error (located), not a crash.
  const wrong = runLandscapeJobSync(text, { format: 'cif' });
  assert.equal(wrong.ok, false);
  assert.equal(wrong.failure?.stage, 'input');
});

test('content detection: CIF unless recognisably XYZ or POSCAR; a broken CIF stays a CIF', () => {
  assert.equal(formatOfText(fixture('Li3N/CONTCAR')), 'poscar');
  assert.equal(formatOfText(fixture('Li3N.extxyz')), 'xyz');
  assert.equal(formatOfText('_cell_length_a 5\n_cell_length_b 5\n'), 'cif');
  assert.equal(formatOfText('garbage\n'), 'cif');
  const a = analyzeDocument(fixture('Li3N/CONTCAR'));
  assert.equal(a.format, 'poscar');
  assert.match(a.summary ?? '', /^Li3N \(P 6\/m m m, detected, 4 sites/, 'a POSCAR names no group: the detected one, said as such');
  const ox = a.diagnostics.filter((d) => d.code === 'oxidation-guessed');
  assert.equal(ox.length, 1);
  assert.equal(ox[0].severity, 'warning');
});

test('several data blocks: the first with atom sites is analysed and named; --block chooses; a wrong name lists them', () => {
  const text = fixture('two-blocks.cif');
  const first = buildStructure(text);
  assert.equal(first.structure?.name, 'Li3N');
  const said = first.messages.find((m) => m.code === 'data-block');
  assert.ok(said?.at, 'located at the analysed block');
  assert.match(said!.message, /'Li3N' is analysed \(1 of 2 .*LiFePO4/);
  assert.equal(buildStructure(text, { block: 'LiFePO4' }).structure?.formula, 'LiFePO4');
  const bad = buildStructure(text, { block: 'nope' });
  assert.equal(bad.structure, null);
  assert.match(bad.messages.find((m) => m.code === 'missing-block')!.message, /'Li3N', 'LiFePO4'/);
  const doc = analyzeDocument(text);
  assert.deepEqual(doc.blocks.map((b) => [b.name, b.hasStructure]), [['global', false], ['Li3N', true], ['LiFePO4', true]]);
  assert.equal(doc.analysedBlock, 'Li3N');

  const r = cli('analyze', join(FIX, 'two-blocks.cif'), '--block', 'LiFePO4');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.split('\n')[0], /two-blocks\.cif \(data_LiFePO4\): LiFePO4/);
  assert.match(r.stdout, /Ea\(BVSE, 1D\) 0\.39 eV · 1D/);
  const d = cli('analyze', join(FIX, 'two-blocks.cif'));
  assert.match(d.stdout, /\(data_Li3N\): Li3N/);
  assert.match(d.stdout, /data block 'Li3N' is analysed/);
});

test('a type symbol whose charge its oxidation number contradicts is said once, at the row', () => {
  const li3n = example('Li3N.cif');
  assert.ok(!buildStructure(li3n).messages.some((m) => m.code === 'oxidation-conflict'));
  const text = li3n.replace(/^(\s*Li1\+\s+)1\s*$/m, '$12');
  assert.notEqual(text, li3n, "the example's _atom_type row for Li1+ is changed to 2");
  const r = buildStructure(text);
  const said = r.messages.filter((m) => m.code === 'oxidation-conflict');
  assert.equal(said.length, 1, JSON.stringify(r.messages.map((m) => m.message)));
  assert.match(said[0].message, /^type 'Li1\+' says Li\+1, but its oxidation number is \+2: \+2 is used; check which is meant$/);
  assert.ok(said[0].at && said[0].severity === 'warning');
});

test('two different lists of symmetry operations (old and new dictionary names) are said; equal ones are not', () => {
  const li3n = example('Li3N.cif');
  const withList = (ops: string[]) => li3n.replace('loop_\n_atom_type_symbol', `loop_\n_space_group_symop_operation_xyz\n${ops.map((o) => `'${o}'`).join('\n')}\nloop_\n_atom_type_symbol`);
  const r = buildStructure(withList(['x, y, z', '-x, -y, -z']));
  const m = r.messages.find((x) => x.code === 'symops-disagree');
  assert.ok(m && m.at, JSON.stringify(r.messages.map((x) => x.code)));
  assert.match(m!.message, /two different sets of symmetry operations \(2 as _space_group_symop_operation_xyz, 24 as _symmetry_equiv_pos_as_xyz\): _symmetry_equiv_pos_as_xyz is used/);
  const ops = [...li3n.matchAll(/^\s*\d+\s+'([^']+)'\s*$/gm)].map((x) => x[1]);
  assert.equal(ops.length, 24);
  assert.ok(!buildStructure(withList(ops)).messages.some((x) => x.code === 'symops-disagree'), 'the same operations twice: nothing to say');
});

test('two data blocks of one name (ignoring case) are said', () => {
  const li3n = example('Li3N.cif');
  const r = readStructure(`${li3n}\n${li3n.replace(/^data_(\S+)/m, (_, n: string) => `data_${n.toUpperCase()}`)}`);
  const m = r.messages.find((x) => x.code === 'duplicate-block');
  assert.ok(m && m.severity === 'warning' && m.at, JSON.stringify(r.messages.map((x) => x.code)));
  assert.match(m!.message, /has the name of an earlier block \(line \d+\); CIF block names must be unique, ignoring case/);
  assert.ok(!readStructure(li3n).messages.some((x) => x.code === 'duplicate-block'));
});

test('magnetic CIF: operations × centrings, time reversal ignored, give the cell of the ordinary CIF', () => {
  const mag = buildStructure(fixture('LiCoO2-magnetic.mcif'));
  const plain = buildStructure(example('LiCoO2.cif')).structure!;
  const s = mag.structure;
  assert.ok(s, JSON.stringify(mag.messages.filter((m) => m.severity === 'error')));
  assert.equal(s.sites.length, plain.sites.length);
  assert.equal(s.sites.length, 12);
  assert.deepEqual(s.composition, plain.composition);
  assert.equal(s.spaceGroup.detected?.number, 166);
  assert.equal(s.spaceGroup.operationCount, 36);
  assert.equal(s.spaceGroup.symbol, "R-3m'");
  assert.ok(mag.messages.some((m) => m.code === 'magnetic-symops' && /12 operations × 3 centrings give 36/.test(m.message)));
  assert.ok(!mag.messages.some((m) => m.code === 'no-symmetry' || m.code === 'duplicate-symop'));
  // Without its centrings the same file is a third of the cell: the centrings are really used.
  const noCentring = fixture('LiCoO2-magnetic.mcif').replace(/loop_\n_space_group_symop_magn_centering\.id[\s\S]*?\n\n/, '');
  assert.equal(buildStructure(noCentring).structure?.sites.length, 4);
  // A time reversal other than ±1 is a located error.
  const bad = buildStructure(fixture('LiCoO2-magnetic.mcif').replace("'-y, x-y, z, +1'", "'-y, x-y, z, 2'"));
  const e = bad.messages.find((m) => m.code === 'bad-symop');
  assert.ok(e?.at && /time reversal/.test(e.message), JSON.stringify(e));
});

test("Pauling File mixed-site symbols ('0.8Nb + 0.2Zr') are read as mixed sites", () => {
  assert.equal(parseMixedTypeSymbol('Nb5+'), null);
  assert.deepEqual(parseMixedTypeSymbol('0.8Nb + 0.2Zr'), [{ element: 'Nb', symbol: 'Nb', fraction: 0.8, charge: null }, { element: 'Zr', symbol: 'Zr', fraction: 0.2, charge: null }]);
  assert.match(String(parseMixedTypeSymbol('0.8Nb + 0.4Zr')), /add up to 1\.2/);
  const cif = (sym: string, occ = '1') => `data_mixed\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n_atom_site_occupancy\nLi1 Li 0.5 0.5 0.5 1\nM1 '${sym}' 0 0 0 ${occ}\nO1 O 0.5 0 0 1\nO2 O 0 0.5 0 1\nO3 O 0 0 0.5 1\n`;
  const s = buildStructure(cif('0.8Nb + 0.2Zr')).structure!;
  const m = s.asymmetricSites.find((a) => a.label === 'M1')!;
  assert.deepEqual(m.species.map((sp) => [sp.element, sp.occupancy]), [['Nb', 0.8], ['Zr', 0.2]]);
  assert.deepEqual(s.composition, { Li: 1, Nb: 0.8, Zr: 0.2, O: 3 });
  // Fractions scale the row's occupancy; charges written in the symbol are the oxidation states.
  const half = buildStructure(cif('0.5Nb5+ + 0.5Ta5+', '0.5')).structure!;
  assert.deepEqual(half.asymmetricSites.find((a) => a.label === 'M1')!.species.map((sp) => [sp.element, sp.occupancy, sp.oxidation]), [['Nb', 0.25, 5], ['Ta', 0.25, 5]]);
  const wrong = buildStructure(cif('0.8Nb + 0.2Qq'));
  assert.equal(wrong.structure, null);
  assert.ok(wrong.messages.find((x) => x.code === 'unknown-element' && x.at && /0\.2Qq/.test(x.message)));
});

test('LLZO: the Li partial occupancy is an info, not a framework warning; the formula is reduced', () => {
  const r = readStructure(example('Li7La3Zr2O12.cif'), { name: 'Li7La3Zr2O12.cif' });
  assert.equal(r.structure?.formula, 'Li6.996La3Zr2O12');
  assert.ok(!r.messages.some((m) => m.code === 'partial-occupancy'), 'no framework site is partial');
  const info = r.messages.find((m) => m.code === 'mobile-partial-occupancy');
  assert.equal(info?.severity, 'info');
  assert.match(info!.message, /Li1, Li2/);
  const lgps = buildStructure(example('Li10GeP2S12.cif'));
  const w = lgps.messages.find((m) => m.code === 'partial-occupancy');
  assert.equal(w?.severity, 'warning', 'the mixed Ge/P site is a framework site');
  assert.doesNotMatch(w!.message, /Li/);
});

test('--oxidation-states: given states replace the guessed ones (the guess sentence goes); malformed, unknown or missing ones are named', () => {
  const xyz = join(FIX, 'LiFePO4.extxyz');
  const guessed = cli('analyze', xyz, '--resolution', '0.4');
  assert.equal(guessed.status, 0, guessed.stderr);
  assert.match(guessed.stdout, /guessed by charge balance/);
  const given = cli('analyze', xyz, '--resolution', '0.4', '--oxidation-states', 'Li=1,Fe=+2,P=5,O=-2');
  assert.equal(given.status, 0, given.stderr);
  assert.doesNotMatch(given.stdout, /guess/, 'no guess is said once every state is given');
  assert.match(given.stdout, /Ea\(BVSE, 1D\) \d\.\d\d eV/);
  // Given ones that differ from the guess change the number (the states are read, not only the sentence dropped).
  const ea = (s: string) => Number(/Ea\(BVSE, 1D\) (\d\.\d+) eV,/.exec(s)![1]);
  const other = cli('analyze', xyz, '--resolution', '0.4', '--oxidation-states', 'Li=1,Fe=3,P=5,O=-2');
  assert.notEqual(ea(other.stdout), ea(given.stdout));
  for (const [value, said] of [['Li=1,Fe=2,O=x', /'O=x' is not Element=charge/], ['Li=1,Li=1', /Li is given twice/], ['Li=1,Qq=2', /'Qq', which is not an element symbol/], ['Li=1,Fe=0', /oxidation state 0 of Fe must be a nonzero integer/]] as const) {
    const r = cli('analyze', xyz, '--oxidation-states', value);
    assert.equal(r.status, 2, `${value}: a usage error`);
    assert.match(r.stderr, said);
  }
  // States that do not balance, or that give the mobile ion another charge than the probe's, are said.
  const odd = cli('analyze', join(ROOT, 'examples', 'Li3N.cif'), '--resolution', '0.4', '--oxidation-states', 'Li=2,N=-3');
  assert.equal(odd.status, 0, odd.stderr);
  assert.match(odd.stdout, /warning: the oxidation states leave a net charge of \+3\.00 e per cell \(50 % of the cations' charge\): the states or the occupancies are most likely wrong, and the barriers use them as given\n/);
  assert.match(odd.stdout, /site Li1: the oxidation states given say Li\+2, but the landscape is that of a Li\+1 probe/);
  assert.doesNotMatch(given.stdout, /net charge/);
  const partial = cli('analyze', xyz, '--resolution', '0.4', '--oxidation-states', 'Fe=2');
  assert.equal(partial.status, 0, partial.stderr);
  assert.match(partial.stdout, /oxidation states were given for Fe only; kept Li\+1 \(guessed\)/);
});

test('a framework with no charge-balanced common states: the failure says so (an alloy as such) and how to give them', () => {
  const p1 = (name: string, rows: string) => `data_${name}\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n_symmetry_space_group_name_H-M 'P 1'\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n${rows}`;
  // No element of LiFe is commonly an anion: an alloy, said as one.
  const alloy = runLandscapeJobSync(p1('LiFe', 'Li1 Li 0 0 0\nFe1 Fe 0.5 0.5 0.5\n'), { resolution: 0.4 });
  assert.equal(alloy.failure?.code, 'missing-oxidation');
  assert.match(alloy.error!, /LiFe has no element that is commonly an anion: it looks like an intermetallic or an alloy, and BVSE, a model of ionic crystals, has no landscape for it\. If it is ionic, state the oxidation states .*--oxidation-states/);
  // An oxide whose common states do not balance (Ag is +1 in the table; LiAgO2 needs Ag3+): not called an alloy.
  const oxide = runLandscapeJobSync(p1('LiAgO2', 'Li1 Li 0 0 0\nAg1 Ag 0.5 0.5 0.5\nO1 O 0.5 0 0\nO2 O 0 0.5 0.5\n'), { resolution: 0.4 });
  assert.equal(oxide.failure?.code, 'missing-oxidation');
  assert.match(oxide.error!, /LiAgO2 has no charge-balanced assignment of common ones; state them .*--oxidation-states/);
  assert.doesNotMatch(oxide.error!, /alloy/);
});

test('CLI info on a file with errors: shows what was read, exits 1, JSON ok false', () => {
  const file = join(ROOT, 'test', 'fixtures', 'broken', 'loop-count.cif');
  const r = cli('info', file);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /error \(line 30, column 1\): loop has 23 values for 6 tags/);
  assert.match(r.stderr, /1 error \(above\); the structure shown is what could be read, and no barrier is computed from it/);
  const j = cli('info', file, '--json');
  assert.equal(j.status, 1);
  assert.equal(JSON.parse(j.stdout).ok, false);
  assert.equal(cli('info', join(ROOT, 'examples', 'Li3N.cif')).status, 0);
});

test('rank of a folder with no structure files says so (a wrong folder, usually), and an unknown command lists them all', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-empty-rank-'));
  try {
    writeFileSync(join(dir, 'notes.txt'), 'not a structure\n');
    const r = cli('rank', dir, '--jobs', '1');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /warning: no structure files under .* \(looked for \*\.cif, .*POSCAR\*, CONTCAR\*; hidden folders skipped\)/);
    assert.match(cli('rank', join(ROOT, 'examples'), '--jobs', '1').stderr, /^(?![\s\S]*no structure files)/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
  assert.match(cli('frobnicate').stderr, /unknown command 'frobnicate' \(one of info, analyze, rank, bvse, merge, slurm\)/);
});

test('--oxidation-states reads Element=charge and the charged symbols ionpath prints (Li+1, O-2, O2-)', () => {
  assert.deepEqual(parseOxidationStates('Li=1,Fe=+2,P=5,O=-2'), { states: { Li: 1, Fe: 2, P: 5, O: -2 }, problem: null });
  assert.deepEqual(parseOxidationStates('Li+1, Mn+4, O-2'), { states: { Li: 1, Mn: 4, O: -2 }, problem: null });
  assert.deepEqual(parseOxidationStates('Li+,Fe2+,O2-'), { states: { Li: 1, Fe: 2, O: -2 }, problem: null });
  for (const bad of ['Li1', 'Li', 'Li=1,O=-2-', 'Li+1+', 'Li=1,Li+1']) assert.ok(parseOxidationStates(bad).problem, bad);
});
