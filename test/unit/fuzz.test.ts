/**
 * Property tests (fast-check) of `buildStructure` on hostile input: random strings, and valid CIFs
 * mutated with deletions, duplications, quotes, semicolons at line starts, `loop_`, random tags, odd
 * numbers, CIF2 brackets and truncation. Whatever the input, the build must not throw, must finish in
 * bounded time, must locate its messages inside the text, and any structure it returns must be sane.
 * A last test builds ~2000 mutated CIFs and checks that memory does not grow with them.
 *
 * The properties run in a worker thread that announces each input before building it; the test fails
 * with that input when a build makes no progress for 30 s (an endless loop cannot be interrupted
 * otherwise). Build time is CPU time (process-wide), so that it stays meaningful on a busy machine.
 *
 * Runs are seeded (reproducible); set FUZZ_SEED to explore other inputs, FUZZ_RUNS to scale the counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { buildStructure, type BuildResult } from '../../src/compute/structure/build';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20240611;
const SCALE = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 1;
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
/**
 * Longest any single build may take, in CPU milliseconds of this process (the machine running the tests
 * may be shared, which stretches wall-clock time but not CPU time). Generous: the limit is for
 * "bounded", not for speed. Wall-clock time has a looser limit, against hangs.
 */
const MAX_MS = 2000;
const MAX_WALL_MS = 10_000;

// ---- seeds ---------------------------------------------------------------------------------------

const LIFEPO4 = `data_LiFePO4
_cell_length_a 10.329(1)
_cell_length_b 6.0065(5)
_cell_length_c 4.6908(4)
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
_cell_volume 291.02
_symmetry_space_group_name_H-M 'P n m a'
_space_group_IT_number 62
loop_
_symmetry_equiv_pos_as_xyz
'x, y, z'
'-x+1/2, -y, z+1/2'
'-x, y+1/2, -z'
'x+1/2, -y+1/2, -z+1/2'
'-x, -y, -z'
'x+1/2, y, -z+1/2'
'x, -y+1/2, z'
'-x+1/2, y+1/2, z+1/2'
loop_
_atom_type_symbol
_atom_type_oxidation_number
Li1+ 1
Fe2+ 2
P5+ 5
O2- -2
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_symmetry_multiplicity
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
_atom_site_occupancy
Li1 Li1+ 4 0 0 0 1
Fe1 Fe2+ 4 0.28220(3) 0.25 0.97475(5) 1
P1 P5+ 4 0.09483 0.25 0.41820 1
O1 O2- 4 0.09671 0.25 0.74279 1
O2 O2- 4 0.45707 0.25 0.20603 1
O3 O2- 8 0.16570 0.04646 0.28480 1
`;

const GARNET_LIKE = `data_mixed
_chemical_name_common 'O'Brien's garnet-like test'
_publ_section_title
;
A text field; with "quotes" and 'more'
loop_ inside text is not a loop
;
_cell_length_a 12.97
_cell_length_b 12.97
_cell_length_c 12.97
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
_space_group_name_H-M_alt 'I a -3 d'
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
_atom_site_occupancy
Li1 Li 0.375 0 0.25 0.56
Al1 Al 0.375 0 0.25 0.05
La1 La 0.125 0 0.25 1
Zr1 Zr 0 0 0 1
O1 O 0.2806 0.1005 0.1954 1
`;

const CIF2 = `#\\#CIF_2.0
data_cif2
_cell.length_a 4.2
_cell.length_b 4.2
_cell.length_c 4.2
_space_group.name_H-M_alt 'P m -3 m'
_audit.note '''two
lines'''
_list [1 2 [3 {'k':4}]]
save_frame
_inner 1
save_
loop_
_atom_site.label
_atom_site.type_symbol
_atom_site.fract_x
_atom_site.fract_y
_atom_site.fract_z
Li1 Li 0 0 0
Cl1 Cl 0.5 0.5 0.5
`;

const CARTESIAN = `data_cart
_cell_length_a 3.0
_cell_length_b 3.0
_cell_length_c 5.0
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 120
_symmetry_Int_Tables_number 194
loop_
_atom_site_label
_atom_site_cartn_x
_atom_site_cartn_y
_atom_site_cartn_z
Li1 0 0 0
N1 0 1.7320508 1.25
`;

/** Example CIFs (when present), a few OBELiX CIFs (when present), and the inline ones. */
function seeds(): string[] {
  const out = [LIFEPO4, GARNET_LIKE, CIF2, CARTESIAN];
  const examples = join(process.cwd(), 'examples');
  if (existsSync(examples)) {
    for (const f of readdirSync(examples).filter((x) => x.endsWith('.cif')).sort()) {
      const t = readFileSync(join(examples, f), 'utf8');
      if (t.length <= 20_000) out.push(t);
    }
  }
  const obelix = join(process.cwd(), '..', 'shared', 'data', 'obelix', 'cifs');
  if (existsSync(obelix)) {
    const files = readdirSync(obelix).filter((x) => x.endsWith('.cif')).sort();
    for (let i = 0; i < files.length && out.length < 16; i += 23) {
      const t = readFileSync(join(obelix, files[i]), 'utf8');
      if (t.length <= 8_000) out.push(t);
    }
  }
  return out;
}
const SEEDS = seeds();

// ---- mutations -----------------------------------------------------------------------------------

const SNIPPETS = [
  "'", '"', ';', '\n;', '\n;\n', 'loop_', '\nloop_\n', 'data_', '\ndata_x\n', 'save_', '\nsave_f\n', 'stop_', 'global_',
  '_atom_site_fract_x', '_atom_site_fract_y', '_atom_site_label', '_atom_site_type_symbol', '_atom_site_occupancy',
  '_atom_site_cartn_x', '_cell_length_a', '_cell_length_c', '_cell_angle_beta', '_cell_volume', '_atom_type_symbol',
  '_atom_type_oxidation_number', '_symmetry_equiv_pos_as_xyz', '_space_group_symop_operation_xyz',
  '_symmetry_space_group_name_H-M', '_space_group_name_Hall', '_space_group_IT_number', '_atom_site_symmetry_multiplicity',
  '[', ']', '{', '}', "'''", '"""', '?', '.', ' ', '\n', '\r\n', '\r', '\t', '#', '\uFEFF', '#\\#CIF_2.0\n',
  '1e308', '-1e308', '1e-320', '0', '-0', '1.5(3)', '4.6930(2)', 'NaN', 'Infinity', "'x,y,z'", "'-x+1/2,y,-z'", 'x,x,x', "'2x,y,z'",
  "'F d -3 m'", "'R -3 m'", "'P 1'", '230', '0.5', '-1', '999', '1.0001', 'Li', 'Li1+', 'O2-', 'Fe3+', 'Xx', 'D', '\u0000', 'é', '😀',
];
const NUMBERS = ['0', '-0', '0.5', '1', '-1', '1e308', '-1e308', '1e-320', '?', '.', '1e5', '-1e3', '0.99999999', '7', '1.0(0)', '12345678901234567890'];

type Edit =
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'duplicate'; at: number; len: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'line-start'; line: number; text: string }
  | { kind: 'number'; which: number; text: string }
  | { kind: 'truncate'; at: number };

const insertText = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SNIPPETS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 600 }) }),
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: insertText }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('line-start' as const), line: fc.nat(), text: fc.constantFrom(';', 'loop_ ', '_x ', "'", '"', 'data_y ', '#', 'save_s ', ';\n') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('number' as const), which: fc.nat(), text: fc.constantFrom(...NUMBERS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
);

function applyEdit(text: string, e: Edit): string {
  const n = text.length;
  switch (e.kind) {
    case 'delete': { const a = e.at % (n + 1); return text.slice(0, a) + text.slice(a + e.len); }
    case 'duplicate': { const a = e.at % (n + 1); const piece = text.slice(a, a + e.len); return text.slice(0, a) + piece + piece + text.slice(a + e.len); }
    case 'insert': { const a = e.at % (n + 1); return text.slice(0, a) + e.text + text.slice(a); }
    case 'line-start': {
      const lines = text.split('\n');
      const i = e.line % lines.length;
      lines[i] = e.text + lines[i];
      return lines.join('\n');
    }
    case 'number': {
      const matches = [...text.matchAll(/(?<=\s)-?\d+(\.\d*)?(\(\d+\))?(?=\s)/g)];
      if (!matches.length) return text;
      const m = matches[e.which % matches.length];
      return text.slice(0, m.index) + e.text + text.slice(m.index! + m[0].length);
    }
    case 'truncate': return text.slice(0, e.at % (n + 1));
  }
}

const mutatedCif = fc
  .record({ seed: fc.nat({ max: SEEDS.length - 1 }), edits: fc.array(editArb, { minLength: 1, maxLength: 8 }) })
  .map(({ seed, edits }) => edits.reduce(applyEdit, SEEDS[seed]).slice(0, 20_000));

// ---- the checks ----------------------------------------------------------------------------------

interface Timed { result: BuildResult; ms: number; wallMs: number }

/** Tells the watching main thread which input is being built (set in the worker). */
let announce: (text: string) => void = () => {};

function timedBuild(text: string): Timed {
  announce(text);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = buildStructure(text);
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { result, ms: (c.user + c.system) / 1000, wallMs };
}

let slowest = { ms: 0, wallMs: 0, size: 0 };

/** Everything a caller may rely on, whatever the input. Throws (fails the property) otherwise. */
function checkResult(text: string, { result, ms, wallMs }: Timed): void {
  if (ms > slowest.ms) slowest = { ms, wallMs, size: text.length };
  assert.ok(ms < MAX_MS, `build took ${ms.toFixed(0)} ms of CPU (limit ${MAX_MS}) for a ${text.length}-character input`);
  assert.ok(wallMs < MAX_WALL_MS, `build took ${wallMs.toFixed(0)} ms (limit ${MAX_WALL_MS}) for a ${text.length}-character input`);
  const lines = text.split('\n');
  for (const m of result.messages) {
    assert.ok(['error', 'warning', 'info'].includes(m.severity), `severity ${m.severity}`);
    assert.ok(typeof m.code === 'string' && m.code.length > 0);
    assert.ok(typeof m.message === 'string' && m.message.length > 0);
    // A thrown exception inside the builder is a bug even though it is caught and reported.
    assert.notEqual(m.code, 'internal', m.message);
    if (!m.at) continue;
    const { line, column, length } = m.at;
    assert.ok(Number.isInteger(line) && line >= 0 && line < lines.length, `${m.code}: line ${line} outside 0..${lines.length - 1}`);
    assert.ok(Number.isInteger(column) && column >= 0 && column <= lines[line].length, `${m.code}: column ${column} outside line ${line} (${lines[line].length} characters)`);
    assert.ok(Number.isInteger(length) && length >= 0, `${m.code}: length ${length}`);
  }
  for (const e of result.document.errors) {
    assert.ok(e.at.line >= 0 && e.at.line < lines.length && e.at.endLine >= e.at.line && e.at.endLine < lines.length, `syntax error location ${JSON.stringify(e.at)}`);
  }
  const s = result.structure;
  if (!s) {
    assert.ok(result.messages.some((m) => m.severity === 'error'), 'no structure but no error saying why');
    return;
  }
  assert.ok(!s.messages.some((m) => m.severity === 'error'));
  const L = s.lattice;
  for (const v of [L.a, L.b, L.c, L.alpha, L.beta, L.gamma, L.volume]) assert.ok(Number.isFinite(v) && v > 0, `lattice value ${v}`);
  assert.ok(s.sites.length > 0, 'a structure without sites');
  for (const site of s.sites) {
    for (const f of site.frac) assert.ok(Number.isFinite(f) && f >= 0 && f < 1, `fractional coordinate ${f}`);
    for (const c of site.cart) assert.ok(Number.isFinite(c), `Cartesian coordinate ${c}`);
    assert.ok(site.species.length > 0);
    for (const sp of site.species) {
      assert.ok(sp.occupancy > 0 && sp.occupancy <= 1, `occupancy ${sp.occupancy}`);
      assert.ok(sp.oxidation === null || Number.isFinite(sp.oxidation), `oxidation ${sp.oxidation}`);
    }
  }
  // ≥ 0, not > 0: the composition is rounded to 1e-4, so a vanishing occupancy (1e-320) shows as 0.
  for (const [el, n] of Object.entries(s.composition)) assert.ok(Number.isFinite(n) && n >= 0, `composition ${el} ${n}`);
}

// ---- properties (run in a worker thread, watched for hangs) --------------------------------------

const PROPERTIES: Record<string, () => void> = {
  seeds() {
    for (const t of SEEDS.slice(0, 4)) {
      const r = timedBuild(t);
      checkResult(t, r);
      assert.ok(r.result.structure, r.result.messages.map((m) => m.message).join('; '));
    }
  },

  randomStrings() {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => checkResult(s, timedBuild(s))), { seed: SEED, numRuns: runs(300) });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => checkResult(s, timedBuild(s))), { seed: SEED + 1, numRuns: runs(200) });
    // Strings made of CIF vocabulary reach much deeper into the parser and builder.
    const vocab = fc.string({ unit: fc.constantFrom(...SNIPPETS, ...NUMBERS, ' ', '\n', '\n', 'data_a\n', 'Li1 Li 0 0 0\n'), maxLength: 120 });
    fc.assert(fc.property(vocab, (s) => checkResult(s, timedBuild(s))), { seed: SEED + 2, numRuns: runs(400) });
    fc.assert(fc.property(vocab, (s) => { const t = `data_v\n${s}`; checkResult(t, timedBuild(t)); }), { seed: SEED + 3, numRuns: runs(300) });
    checkSymmetryStillWorks();
  },

  mutated() {
    fc.assert(fc.property(mutatedCif, (t) => checkResult(t, timedBuild(t))), { seed: SEED + 4, numRuns: runs(1000) });
    checkSymmetryStillWorks();
  },

  large() {
    // The LiFePO4 atom rows repeated with shifted coordinates in P1, then mutated: many atoms, no symmetry.
    const big = fc
      .record({ copies: fc.integer({ min: 20, max: 75 }), edits: fc.array(editArb, { maxLength: 4 }) })
      .map(({ copies, edits }) => {
        const header = LIFEPO4.slice(0, LIFEPO4.indexOf('loop_\n_atom_site_label'))
          .replace(/loop_\n_symmetry_equiv_pos_as_xyz\n('[^'\n]*'\n)+/, '')
          .replace("'P n m a'", "'P 1'").replace('_space_group_IT_number 62', '_space_group_IT_number 1')
          .replace(/_cell_length_(\w) [\d.()]+/g, '_cell_length_$1 40.0');
        const rows: string[] = [];
        for (let k = 0; k < copies; k++) for (const el of ['Li', 'Fe', 'P', 'O', 'O', 'O', 'O']) {
          const i = rows.length;
          rows.push(`${el}${i} ${el} ${((i * 0.6180339) % 1).toFixed(5)} ${((i * 0.4142135) % 1).toFixed(5)} ${((i * 0.7320508) % 1).toFixed(5)} 1`);
        }
        const text = `${header}loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n_atom_site_occupancy\n${rows.join('\n')}\n`;
        return edits.reduce(applyEdit, text).slice(0, 20_000);
      });
    fc.assert(fc.property(big, (t) => checkResult(t, timedBuild(t))), { seed: SEED + 5, numRuns: runs(12) });
  },

  targeted() {
    const cases = [
      '#\\#CIF_2.0\ndata_x\n_a ]\n', // a stray bracket once looped forever
      '#\\#CIF_2.0\ndata_x\n' + '['.repeat(5000),
      '#\\#CIF_2.0\ndata_x\n_a ' + "'''".repeat(3000),
      'data_x\n' + "'".repeat(20000),
      'data_x\n' + ';\n'.repeat(10000),
      'data_x\nloop_\n' + '_a\n'.repeat(3000) + '1 '.repeat(2999),
      'data_x\n' + '_a 1\n'.repeat(4000),
      'data_' + 'x'.repeat(20000),
      '\uFEFF'.repeat(100) + 'data_x\n',
      '\r'.repeat(20000),
      'data_x\n' + 'save_a\n'.repeat(3000),
      LIFEPO4.replace(/0\.28220\(3\)/, '1e308'),
      LIFEPO4.replace(/_cell_length_a [\d.()]+/, '_cell_length_a 1e-320'),
      LIFEPO4.replace(/'P n m a'/, "'F d -3 m'").replace(/loop_\n_symmetry_equiv_pos_as_xyz\n('[^'\n]*'\n)+/, ''),
      LIFEPO4.replace(/'x, y, z'/, "'x+1e308, y, z'"),
      LIFEPO4.replace(/'x, y, z'/, "'x+99999999999999999999/3, y, z'"),
    ];
    for (const t of cases) checkResult(t, timedBuild(t));
    checkSymmetryStillWorks();
  },

  generalPositions() {
    // 200 general positions in Fm-3m: 38 400 images to de-duplicate, 6.8 kB of text.
    const rows: string[] = [];
    for (let i = 0; i < 200; i++) rows.push(`Li${i} Li ${((i * 0.6180339 + 0.013) % 1).toFixed(5)} ${((i * 0.4142135 + 0.029) % 1).toFixed(5)} ${((i * 0.7320508 + 0.047) % 1).toFixed(5)}`);
    const text = `data_big\n_cell_length_a 30\n_cell_length_b 30\n_cell_length_c 30\n_symmetry_space_group_name_H-M 'F m -3 m'\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n${rows.join('\n')}\n`;
    checkResult(text, timedBuild(text));
  },

  supercell() {
    // A 4×4×4 rock-salt supercell written in P1 (512 atoms, 20 kB): a plausible file to open.
    const basis: [string, number[]][] = [['Na', [0, 0, 0]], ['Na', [0, 0.5, 0.5]], ['Na', [0.5, 0, 0.5]], ['Na', [0.5, 0.5, 0]], ['Cl', [0.5, 0.5, 0.5]], ['Cl', [0.5, 0, 0]], ['Cl', [0, 0.5, 0]], ['Cl', [0, 0, 0.5]]];
    const rows: string[] = [];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) for (const [el, f] of basis) rows.push(`${el}${rows.length + 1} ${el} ${((f[0] + i) / 4).toFixed(6)} ${((f[1] + j) / 4).toFixed(6)} ${((f[2] + k) / 4).toFixed(6)}`);
    const text = `data_NaCl_444\n_cell_length_a 22.5608\n_cell_length_b 22.5608\n_cell_length_c 22.5608\n_symmetry_space_group_name_H-M 'P 1'\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n${rows.join('\n')}\n`;
    checkResult(text, timedBuild(text));
  },

};

/** The symmetry tables and moyo still answer after hostile input (no broken WebAssembly state). */
function checkSymmetryStillWorks(): void {
  const r = buildStructure(LIFEPO4.replace(/loop_\n_symmetry_equiv_pos_as_xyz\n('[^'\n]*'\n)+/, ''));
  assert.equal(r.structure?.sites.length, 28, 'LiFePO4 from its symbol after the fuzzing');
  assert.equal(r.structure?.spaceGroup.detected?.number, 62, 'moyo still detects Pnma after the fuzzing');
}

/** A build that makes no progress for this long (wall clock) is a hang: the worker is stopped. */
const HANG_MS = 30_000;

/**
 * Run one property in a worker thread. The worker announces each input before building it, so that
 * a build that never returns (an endless loop) fails the test with that input instead of blocking it.
 */
function inWorker(property: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: { property } });
    let last = { text: '', at: performance.now() };
    let settled = false;
    const settle = (f: () => void) => { if (!settled) { settled = true; clearInterval(watch); f(); } };
    const watch = setInterval(() => {
      if (performance.now() - last.at < HANG_MS) return;
      settle(() => reject(new Error(`a build made no progress for ${HANG_MS / 1000} s (endless loop?) on this ${last.text.length}-character input:\n${JSON.stringify(last.text.slice(0, 3000))}`)));
      void w.terminate();
    }, 200);
    w.on('message', (m: { kind: string; text?: string; info?: string; message?: string }) => {
      if (m.kind === 'start') last = { text: m.text!, at: performance.now() };
      else if (m.kind === 'done') settle(() => resolve(m.info!));
      else if (m.kind === 'fail') settle(() => reject(new Error(m.message)));
    });
    w.on('error', (e) => settle(() => reject(e)));
    w.on('exit', (code) => settle(() => reject(new Error(`fuzz worker exited (code ${code}) before finishing`))));
  });
}

if (!isMainThread && parentPort && workerData?.property) {
  const port = parentPort;
  announce = (text) => port.postMessage({ kind: 'start', text });
  try {
    PROPERTIES[workerData.property as string]();
    port.postMessage({ kind: 'done', info: `slowest build: ${slowest.ms.toFixed(0)} ms CPU (${slowest.wallMs.toFixed(0)} ms wall) for ${slowest.size} characters` });
  } catch (e) {
    port.postMessage({ kind: 'fail', message: e instanceof Error ? e.message : String(e) });
  }
}

function fuzzTest(name: string, property: string, options: { todo?: string; skip?: string } = {}): void {
  if (!isMainThread) return;
  test(name, options, async (t) => {
    const info = await inWorker(property);
    t.diagnostic(info);
  });
}

fuzzTest('the seeds themselves build', 'seeds');
fuzzTest('random strings never throw, finish quickly, and give sane results', 'randomStrings');
fuzzTest('mutated valid CIFs never throw, finish quickly, and give sane results', 'mutated');
fuzzTest('large inputs (up to ~20 kB) stay within the time limit', 'large');
fuzzTest('targeted hostile inputs', 'targeted');
fuzzTest('200 general positions in Fm-3m build within the time limit', 'generalPositions');
fuzzTest('a 512-atom rock-salt supercell in P1 builds within the time limit', 'supercell');

if (isMainThread) test('memory stays bounded over ~2000 builds', () => {
  // --expose-gc is not given by `node --test`; switch it on at run time where V8 allows it.
  let gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    try { v8.setFlagsFromString('--expose-gc'); gc = vm.runInNewContext('gc') as () => void; } catch { gc = undefined; }
  }
  const inputs = fc.sample(mutatedCif, { seed: SEED + 6, numRuns: 300 }).filter((t) => t.length < 5000).slice(0, 100);
  const used = () => { gc?.(); gc?.(); const m = process.memoryUsage(); return m.heapUsed + m.external + m.arrayBuffers; };
  // Warm up first: caches (space-group tables, WebAssembly memory) fill once and stay.
  for (let i = 0; i < 100; i++) buildStructure(inputs[i % inputs.length]);
  const before = used();
  let keep = 0;
  for (let i = 0; i < runs(2000); i++) {
    const r = buildStructure(inputs[i % inputs.length]);
    keep += r.messages.length; // use the result so the build is not optimised away
  }
  const after = used();
  const growthMB = (after - before) / 2 ** 20;
  assert.ok(keep > 0);
  // Measured: ~0.2 MB with gc forced. Keeping every BuildResult (a ~20 kB leak a build) gives ~40 MB,
  // so 10 MB catches leaks down to ~5 kB a build.
  assert.ok(growthMB < (gc ? 10 : 60), `memory grew by ${growthMB.toFixed(1)} MB over ${runs(2000)} builds (gc ${gc ? 'forced' : 'not available'})`);
});
