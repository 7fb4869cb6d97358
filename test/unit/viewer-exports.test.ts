/**
 * The viewer's data and exports: analysis/exports.ts (NEB chain, profile CSV, ordered structure, report), the host's
 * scene with the interstitial network and the ordered-approximant ensemble (src/compute/host/scene.ts through a real
 * host), and the `ionpath analyze` export flags (dist/cli.js).
 * Fixtures: examples/LiFePO4.cif; the LLTO-type perovskite of approximants.test.ts (Li and La sharing the A site).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { runLandscapeJobSync } from '../../src/compute/analysis/job';
import { exportFiles, ExportError, nebChain, nebHop, nebImagePoints, profileCsv, structureCif, supercellLabel, orderingsByEwald } from '../../src/compute/analysis/exports';
import { buildStructure } from '../../src/compute/structure/build';
import { readPoscar } from '../../src/compute/structure/poscar';
import { buildInterstitialNetwork } from '../../src/compute/network';
import { HostClient } from '../../src/compute/host/client';

const WORKER = join(process.cwd(), 'dist', 'worker.js');
const CLI = join(process.cwd(), 'dist', 'cli.js');
const LFP = readFileSync(join(process.cwd(), 'examples', 'LiFePO4.cif'), 'utf8');
const LLTO = readFileSync(join(process.cwd(), 'test', 'fixtures', 'structures', 'LLTO-perovskite.cif'), 'utf8');

const lfp = runLandscapeJobSync(LFP, {});
const pdist = (x: number, y: number) => { const d = Math.abs(x - y) % 1; return Math.min(d, 1 - d); };

test('NEB image points: N equally spaced arc lengths, both ends included, on the path', () => {
  const path = { frac: [[0, 0, 0], [0, 0.5, 0], [0, 1, 0.5]] as [number, number, number][], distances_A: [0, 3, 6], energies_eV: [0, 0.4, 0] };
  const pts = nebImagePoints(path, 5);
  assert.deepEqual(pts.map((p) => p.s), [0, 1.5, 3, 4.5, 6]);
  assert.deepEqual(pts[0].frac, [0, 0, 0]);
  assert.deepEqual(pts[4].frac, [0, 1, 0.5]);
  assert.deepEqual(pts[1].frac, [0, 0.25, 0]);
  assert.ok(Math.abs(pts[2].energy - 0.4) < 1e-12 && Math.abs(pts[1].energy - 0.2) < 1e-12);
  assert.throws(() => nebImagePoints(path, 1), ExportError);
  // A path over two periods of equal hops: the chain is the first hop; a shallow intermediate minimum stays inside.
  assert.deepEqual(nebHop([0.01, 0.2, 0.42, 0.1, 0.005, 0.3, 0.42, 0.2, 0.01]), { start: 0, end: 4, saddle: 2 });
  assert.deepEqual(nebHop([0, 0.3, 0.15, 0.35, 0.1, 0.01, 0.3, 0]), { start: 0, end: 5, saddle: 3 });
  assert.throws(() => nebImagePoints({ ...path, frac: [[0, 0, 0]], distances_A: [0], energies_eV: [0] }, 7), ExportError);
});

test('NEB chain of LiFePO4: 00 … 06, framework + one Li at the path position, readable POSCARs', () => {
  assert.ok(lfp.ok && lfp.analysis && lfp.report?.path, lfp.error ?? 'no path');
  const files = nebChain(lfp.analysis.structure, lfp.report);
  assert.deepEqual(files.map((f) => f.name), ['00', '01', '02', '03', '04', '05', '06'].map((d) => `${d}/POSCAR`));
  const framework = lfp.analysis.structure.sites.filter((s) => s.species[0].element !== 'Li').length;
  const pts = nebImagePoints(lfp.report.path, 7);
  files.forEach((f, k) => {
    const r = readPoscar(f.content);
    assert.ok(r.structure, r.messages.map((m) => m.message).join('; '));
    const li = r.structure.sites.filter((s) => s.species[0].element === 'Li');
    assert.equal(r.structure.sites.length, framework + 1, 'framework ions and one Li');
    assert.equal(li.length, 1);
    for (let a = 0; a < 3; a++) assert.ok(pdist(li[0].frac[a], pts[k].frac[a]) < 1e-6, `image ${k}: Li at the path position`);
    assert.match(f.content.split('\n')[0], new RegExp(`NEB image ${k}/6: Li at s = [0-9.]+ A, E\\(BVSE\\) = [0-9.-]+ eV`));
  });
  // One hop, not the path's full period: the end images are two different Li sites, with the saddle between them.
  const li = (k: number) => readPoscar(files[k].content).structure!.sites.find((x) => x.species[0].element === 'Li')!.frac;
  assert.ok([0, 1, 2].some((a) => pdist(li(0)[a], li(6)[a]) > 0.1), `00 and 06 are different sites: ${li(0)} vs ${li(6)}`);
  const p = lfp.report.path;
  assert.ok(pts[6].s - pts[0].s < 0.75 * p.distances_A[p.distances_A.length - 1], 'shorter than the period');
  assert.ok(pts[0].energy < 0.05 && pts[6].energy < 0.05, `both ends at a minimum: ${pts[0].energy}, ${pts[6].energy}`);
  assert.ok(Math.max(...pts.map((x) => x.energy)) > p.barrier_eV - 0.1, 'the images climb to the saddle');
  assert.equal(nebChain(lfp.analysis.structure, lfp.report, 12).length, 12);
  assert.equal(nebChain(lfp.analysis.structure, lfp.report, 12)[0].name, '00/POSCAR');
});

test('NEB chain of a hop to the site\'s own image (LiCoO2 in-plane): written in the supercell where the ends differ', () => {
  const r = runLandscapeJobSync(readFileSync(join(process.cwd(), 'examples', 'LiCoO2.cif'), 'utf8'), {});
  assert.ok(r.ok && r.analysis && r.report?.path, r.error ?? 'no path');
  const files = nebChain(r.analysis.structure, r.report, 5);
  const first = readPoscar(files[0].content).structure!, last = readPoscar(files[4].content).structure!;
  assert.match(files[0].content.split('\n')[0], /NEB image 0\/4 in the \d×\d×\d supercell \(the hop joins a site to its own image one period away\)/);
  const cells = Math.round(first.lattice.volume / r.analysis.structure.lattice.volume);
  assert.ok(cells >= 2, `a supercell: ${cells} cells`);
  assert.equal(first.sites.length, cells * r.analysis.structure.sites.filter((x) => x.species[0].element !== 'Li').length + 1, 'the framework of every cell, and one Li');
  const li = (s: typeof first) => s.sites.find((x) => x.species[0].element === 'Li')!;
  const d = Math.hypot(...[0, 1, 2].map((a) => li(first).cart[a] - li(last).cart[a]));
  assert.ok([0, 1, 2].some((a) => pdist(li(first).frac[a], li(last).frac[a]) > 0.1), 'the ends are two positions of the supercell');
  assert.ok(d > 1.5, `the hop moves the Li (${d.toFixed(2)} Å)`);
});

test('--neb: an earlier ionpath chain is replaced whole; a folder with other files is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-neb-'));
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') } });
  try {
    assert.equal(cli('analyze', join(process.cwd(), 'examples', 'Li3N.cif'), '--neb', 'nb', '--neb-images', '9').status, 0);
    assert.equal(cli('analyze', join(process.cwd(), 'examples', 'Li2S.cif'), '--neb', 'nb', '--neb-images', '5').status, 0);
    assert.deepEqual(readdirSync(join(dir, 'nb')).sort(), ['00', '01', '02', '03', '04'], 'no image of the earlier chain is left');
    assert.ok(readdirSync(join(dir, 'nb')).every((k) => /^Li2S NEB image/.test(readFileSync(join(dir, 'nb', k, 'POSCAR'), 'utf8'))));
    writeFileSync(join(dir, 'nb', '03', 'OUTCAR'), 'a VASP run\n');
    const refused = cli('analyze', join(process.cwd(), 'examples', 'Li2S.cif'), '--neb', 'nb');
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /--neb nb holds files ionpath did not write \(03\/OUTCAR\): give a new or empty folder/);
    assert.equal(readFileSync(join(dir, 'nb', '03', 'OUTCAR'), 'utf8'), 'a VASP run\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('profile CSV: header names method, unit and source; one row per path point', () => {
  const csv = profileCsv(lfp.report!);
  const lines = csv.trim().split('\n');
  assert.match(lines[0], /^# ionpath energy profile of LiFePO4, Li\+1/);
  assert.ok(lines.some((l) => /^# method: BVSE/.test(l)) && lines.some((l) => /^# unit: .*eV above the landscape minimum/.test(l)) && lines.some((l) => /^# source: BVSE \(softBV/.test(l)));
  const header = lines.findIndex((l) => l === 'point,arc_length_A,energy_eV');
  assert.ok(header > 0);
  const rows = lines.slice(header + 1).map((l) => l.split(',').map(Number));
  const p = lfp.report!.path!;
  assert.equal(rows.length, p.distances_A.length);
  rows.forEach((r, i) => { assert.equal(r[0], i); assert.ok(Math.abs(r[1] - p.distances_A[i]) < 1e-6 && Math.abs(r[2] - p.energies_eV[i]) < 1e-6); });
  assert.ok(Math.abs(Math.max(...rows.map((r) => r[2])) - p.barrier_eV - rows[0][2]) < 0.01 || Math.max(...rows.map((r) => r[2])) >= p.barrier_eV - 1e-6, 'the profile reaches the barrier');
});

test('ordered structure: CIF round-trips; a mean-field disordered structure is refused with the reason', () => {
  const cif = structureCif(lfp.analysis!.structure);
  const back = buildStructure(cif).structure!;
  assert.equal(back.formula, 'LiFePO4');
  assert.equal(back.sites.length, lfp.analysis!.structure.sites.length);
  const mf = runLandscapeJobSync(LLTO, { resolution: 0.3 });
  assert.ok(mf.analysis);
  assert.throws(() => exportFiles(mf.analysis!, 'structure-cif'), (e: unknown) => e instanceof ExportError && /--disorder approximants/.test(e.message));
  assert.throws(() => exportFiles(mf.analysis!, 'neb'), ExportError, 'La shares the A site: the framework is not ordered');
  assert.equal(supercellLabel([[2, 0, 0], [0, 2, 0], [0, 0, 1]], 4), '2×2×1');
  assert.match(supercellLabel([[2, 1, 0], [-1, 0, 2], [0, -2, 1]], 9), /^9 cells/);
});

test('approximant exports: each ordering (lowest Ewald first) as POSCAR/CIF; a bad ordering refused', () => {
  const r = runLandscapeJobSync(LLTO, { disorder: 'approximants', resolution: 0.3 });
  assert.ok(r.ok && r.analysis?.ensemble, r.error ?? 'no ensemble');
  const members = orderingsByEwald(r.analysis);
  assert.equal(members.length, r.report!.disorder!.orderings);
  for (let i = 1; i < members.length; i++) assert.ok(members[i].ordering.ewald_eV >= members[i - 1].ordering.ewald_eV);
  const k = members.length - 1;
  const poscar = exportFiles(r.analysis, 'structure-poscar', { ordering: k })[0].content;
  const read = readPoscar(poscar).structure!;
  assert.equal(read.sites.length, members[k].ordering.structure.sites.length);
  assert.match(poscar.split('\n')[0], new RegExp(`ordering ${k + 1} of ${members.length}`));
  const cif = buildStructure(exportFiles(r.analysis, 'structure-cif', { ordering: 0 })[0].content).structure!;
  assert.equal(cif.hasPartialOccupancy, false);
  assert.equal(cif.sites.filter((s) => s.species[0].element === 'Li').length, members[0].ordering.structure.sites.filter((s) => s.species[0].element === 'Li').length);
  assert.throws(() => exportFiles(r.analysis!, 'structure-cif', { ordering: members.length }), /does not exist/);
  const reportJson = JSON.parse(exportFiles(r.analysis, 'report-json')[0].content);
  assert.equal(reportJson.disorder.treatment, 'approximants');
});

test('host scene: the interstitial network of the framework and, for approximants, the ensemble', { skip: !existsSync(WORKER) && 'build first (node esbuild.mjs)' }, async () => {
  const host = new HostClient(WORKER, { onProblem: () => undefined }, 120_000);
  try {
    const s = await host.request('scene', { text: LFP, options: {} });
    assert.ok(s.network, 'LiFePO4 scene carries the network');
    const independent = buildInterstitialNetwork(buildStructure(LFP).structure!, { mobileIon: 'Li' });
    assert.equal(s.network.nodes.length, independent.nodes.length);
    assert.equal(s.network.edges.length, independent.edges.length);
    assert.ok(Math.abs(s.network.accessibleRadius - 0.4528) < 1e-3);
    const accessible = s.network.nodes.filter((n) => n.radius >= s.network!.accessibleRadius).length;
    assert.ok(accessible > 0 && accessible < s.network.nodes.length, `some interstices Li-accessible (${accessible} of ${s.network.nodes.length})`);
    assert.equal(s.ensemble, null, 'an ordered crystal has no ensemble');
    const lean = await host.request('scene', { text: LFP, options: {}, network: false });
    assert.equal(lean.network, undefined, 'network: false leaves it out');
    const later = await host.request('sceneNetwork', { text: LFP, options: {} });
    assert.equal(later.network?.nodes.length, independent.nodes.length, 'sceneNetwork gives the same network');

    const e = await host.request('scene', { text: LLTO, options: { disorder: 'approximants', resolution: 0.3 } });
    assert.ok(e.ensemble && e.result?.report?.disorder, 'LLTO with approximants carries the ensemble');
    const d = e.result.report.disorder;
    assert.equal(e.ensemble.orderings.length, d.orderings);
    const ewald = e.ensemble.orderings.map((o) => o.ewald_eV);
    assert.deepEqual(ewald, [...ewald].sort((a, b) => a - b), 'lowest Ewald first');
    assert.deepEqual([...ewald].sort((a, b) => a - b), d.members!.map((m) => m.ewald_eV).sort((a, b) => a - b));
    assert.equal(e.ensemble.orderings.filter((o) => o.reported).length, 1, 'one ordering is the reported one');
    const reported = e.ensemble.orderings.find((o) => o.reported)!;
    assert.equal(reported.Ea_1D_eV, e.result.report.Ea_1D_eV);
    assert.equal(reported.structure.atoms.length, e.structure!.atoms.length);
    assert.ok(e.ensemble.orderings.every((o) => o.structure.atoms.every((a) => a.occupancy === 1)), 'orderings are ordered');
    assert.ok(e.ensemble.orderings.every((o) => o.landscape), 'small grids: every ordering\'s landscape is sent');
    assert.match(e.network?.caption ?? '', /reported ordering/);

    const x = await host.request('exportAnalysis', { text: LLTO, options: { disorder: 'approximants', resolution: 0.3 }, kind: 'structure-poscar', ordering: 1 });
    assert.ok(x.ok, x.error ?? '');
    assert.match(x.files[0].content, /ordering 2 of/);
    const bad = await host.request('exportAnalysis', { text: LFP, options: {}, kind: 'neb', images: 1 });
    assert.equal(bad.ok, false);
    assert.match(bad.error ?? '', /NEB images 1/);
  } finally {
    host.dispose();
  }
});

test('ionpath analyze export flags write CIF, POSCAR, NEB folders, CSV and JSON', { skip: !existsSync(CLI) && 'build first (node esbuild.mjs)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-exports-'));
  try {
    const file = join(process.cwd(), 'examples', 'LiFePO4.cif');
    const r = spawnSync(process.execPath, [CLI, 'analyze', file, '--ordered-cif', join(dir, 'o.cif'), '--ordered-poscar', join(dir, 'POSCAR'),
      '--neb', join(dir, 'neb'), '--neb-images', '5', '--profile-csv', join(dir, 'p.csv'), '--report-json', join(dir, 'r.json')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(join(dir, 'neb')).sort(), ['00', '01', '02', '03', '04']);
    assert.equal(buildStructure(readFileSync(join(dir, 'o.cif'), 'utf8')).structure?.formula, 'LiFePO4');
    assert.equal(readPoscar(readFileSync(join(dir, 'POSCAR'), 'utf8')).structure?.formula, 'LiFePO4');
    assert.match(readFileSync(join(dir, 'p.csv'), 'utf8'), /^# ionpath energy profile[\s\S]*point,arc_length_A,energy_eV\n0,0\.000000,/);
    assert.equal(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).schema, 'ionpath.landscape/2');
    assert.match(r.stdout, /wrote .*neb\/ \(5 NEB images\)/);
    const bad = spawnSync(process.execPath, [CLI, 'analyze', file, '--neb-images', '5'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--neb-images needs --neb/);
    const llto = join(dir, 'llto.cif');
    writeFileSync(llto, LLTO);
    const dis = spawnSync(process.execPath, [CLI, 'analyze', llto, '--resolution', '0.3', '--ordered-poscar', join(dir, 'x'), '--report-json', join(dir, 'llto.json')], { encoding: 'utf8' });
    assert.equal(dis.status, 1, 'an export not written sets the exit status');
    assert.match(dis.stderr, /cannot write .*--disorder approximants/);
    // … but takes neither the report nor the other exports with it.
    assert.match(dis.stdout, /Ea\(BVSE, 1D\)[\s\S]*wrote .*llto\.json[\s\S]*not written: .*x: /);
    assert.equal(JSON.parse(readFileSync(join(dir, 'llto.json'), 'utf8')).schema, 'ionpath.landscape/2');
    assert.ok(!existsSync(join(dir, 'x')));
    const ord = spawnSync(process.execPath, [CLI, 'analyze', llto, '--resolution', '0.3', '--disorder', 'approximants', '--ordering', '2', '--ordered-poscar', join(dir, 'o2.vasp')], { encoding: 'utf8' });
    assert.equal(ord.status, 0, ord.stderr);
    const o2 = readFileSync(join(dir, 'o2.vasp'), 'utf8');
    assert.match(o2.split('\n')[0], /ordering 2 of \d+/);
    assert.equal(readPoscar(o2).structure?.hasPartialOccupancy, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
