/**
 * Reliability suite (issue 8): property-based generators for every class of input that once crashed the host,
 * hung a run or gave a silent wrong number. Each class prints `reliability: <class> N cases, K crashes` and
 * fails on any crash (an exception other than the documented error type), any hang (a per-case time bound),
 * and any silent acceptance of what the class forbids. Seeds are fixed (override with RELIABILITY_SEED) so that
 * CI is deterministic; the whole suite is bounded to well under 60 s on 2 cores.
 *
 * Real parts throughout: the structure builder, util/readInput, cli/options, and a real HostClient/HostPool over
 * the built bundle dist/worker.js (its test-only `debugAllocate` method exhausts the heap or triggers a V8 fatal
 * error on purpose).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildStructure, buildStructureAsync } from '../../src/compute/structure/build';
import { checkCellGeometry, shortestTranslation, interplanarSpacings, MIN_INTERPLANAR_SPACING_A, MIN_LATTICE_TRANSLATION_A, estimateGridBytes, checkGridBytes, MAX_GRID_BYTES } from '../../src/compute/structure/limits';
import { parseSymop, formatSymop, closeOperations } from '../../src/compute/structure/symmetry';
import { reduceBasis } from '../../src/compute/structure/reduce';
import { onnxErrorLine } from '../../src/compute/energy/mlip/session';
import { inverse3 } from '../../src/compute/structure/geometry';
import { analyzeDocument } from '../../src/compute/language/analyze';
import { decodeInput, InputError, readInputFile, readInputFileSync, MAX_INPUT_BYTES } from '../../src/compute/util/readInput';
import { parseOptions, OptionError, formatHelp, type CommandSpec } from '../../src/compute/cli/options';
import { HostClient } from '../../src/compute/host/client';
import { HostPool, clampPoolSize, maxPoolSize } from '../../src/compute/host/pool';
import { rankFolder, RankCache, writeRankOutput, partialPathOf, RankFolderError } from '../../src/compute/host/rankFolder';
import { ProtocolError } from '../../src/protocol/endpoint';
import { CancelledError } from '../../src/compute/util/errors';
import { optionProblems } from '../../src/compute/analysis/options';
import { runLandscapeJobSync } from '../../src/compute/analysis/job';
import { writeFileAtomic, writeFileAtomicSync, writeTarget, UnwritableTargetError } from '../../src/compute/util/atomicWrite';

const SEED = Number(process.env.RELIABILITY_SEED ?? 20261201);
const WORKER = join(process.cwd(), 'dist', 'worker.js');
const noWorker = !existsSync(WORKER) && 'build first (node esbuild.mjs)';
const LIFEPO4 = readFileSync(join(process.cwd(), 'examples', 'LiFePO4.cif'), 'utf8');

function report(cls: string, cases: number, crashes: number, extra = ''): void {
  console.log(`reliability: ${cls} ${cases} cases, ${crashes} crashes${extra ? `; ${extra}` : ''}`);
}

function withCell(text: string, cell: { a: number; b: number; c: number; alpha: number; beta: number; gamma: number }): string {
  return text
    .replace(/_cell_length_a\s+\S+/, `_cell_length_a ${cell.a}`).replace(/_cell_length_b\s+\S+/, `_cell_length_b ${cell.b}`).replace(/_cell_length_c\s+\S+/, `_cell_length_c ${cell.c}`)
    .replace(/_cell_angle_alpha\s+\S+/, `_cell_angle_alpha ${cell.alpha}`).replace(/_cell_angle_beta\s+\S+/, `_cell_angle_beta ${cell.beta}`).replace(/_cell_angle_gamma\s+\S+/, `_cell_angle_gamma ${cell.gamma}`)
    .replace(/_cell_volume\s+\S+\n/, '');
}

// ---- degenerate cells ------------------------------------------------------------------------------------

test('degenerate cells: refused before expansion with a located error naming the limit, or built within every limit', () => {
  // Lengths from the probe's and near the limits; angles mostly near-real (60–120°) so both outcomes occur.
  const length = fc.oneof(fc.double({ min: 0.3, max: 40, noNaN: true }), fc.double({ min: 4, max: 12, noNaN: true }), fc.constantFrom(0.51, 1.2, 1.49, 1.5, 4.69, 10.33));
  const angle = fc.oneof(
    { arbitrary: fc.double({ min: 0.01, max: 179.99, noNaN: true }), weight: 1 },
    { arbitrary: fc.double({ min: 60, max: 120, noNaN: true }), weight: 3 },
    { arbitrary: fc.constantFrom(0.06, 0.5, 1, 5, 60, 90, 120, 175, 179.5), weight: 2 },
  );
  let cases = 0, crashes = 0, refused = 0, built = 0;
  fc.assert(fc.property(fc.record({ a: length, b: length, c: length, alpha: angle, beta: angle, gamma: angle }), (cell) => {
    cases++;
    const t0 = performance.now();
    let r;
    try { r = buildStructure(withCell(LIFEPO4, cell)); } catch (e) { crashes++; throw e; }
    assert.ok(performance.now() - t0 < 3000, `build took ${performance.now() - t0} ms for ${JSON.stringify(cell)}`);
    if (r.structure) {
      built++;
      const l = r.structure.lattice;
      assert.ok(shortestTranslation(l).length >= MIN_LATTICE_TRANSLATION_A, JSON.stringify(cell));
      // Flatness is the lattice's: a skewed basis of a sound lattice is built, and analysed in its reduced cell.
      assert.ok(Math.min(...interplanarSpacings({ inverse: inverse3(reduceBasis(l.matrix).basis) })) >= MIN_INTERPLANAR_SPACING_A, JSON.stringify(cell));
      assert.ok(r.structure.sites.length <= 28, 'no more atoms than the formula units');
    } else {
      refused++;
      const errors = r.messages.filter((m) => m.severity === 'error');
      assert.ok(errors.length, `refused without an error: ${JSON.stringify(cell)}`);
      assert.ok(errors.every((m) => m.at), `every error is located: ${JSON.stringify(errors)}`);
    }
  }), { seed: SEED, numRuns: 200 });
  // The probe's cases, each refused with the limit named.
  const probes: [Partial<Record<'a' | 'beta' | 'gamma', number>>, RegExp][] = [
    [{ gamma: 0.06 }, /MIN_INTERPLANAR_SPACING_A|MIN_LATTICE_TRANSLATION_A/],
    [{ gamma: 0.5 }, /MIN_INTERPLANAR_SPACING_A|MIN_LATTICE_TRANSLATION_A/],
    [{ beta: 1 }, /MIN_LATTICE_TRANSLATION_A/], // −5a+11c is 0.90 Å long
    [{ a: 0.51 }, /MIN_LATTICE_TRANSLATION_A/],
  ];
  for (const [change, re] of probes) {
    cases++;
    const r = buildStructure(withCell(LIFEPO4, { a: 10.332, b: 6.01, c: 4.692, alpha: 90, beta: 90, gamma: 90, ...change }));
    assert.equal(r.structure, null, JSON.stringify(change));
    const m = r.messages.find((x) => x.code === 'degenerate-cell');
    assert.ok(m && re.test(m.message) && m.at, `${JSON.stringify(change)}: ${JSON.stringify(r.messages.filter((x) => x.severity === 'error'))}`);
  }
  // Atoms of different sites closer than any bond; too many atoms for the volume.
  const close = buildStructure(LIFEPO4.replace('  P1     P5+    4   c  0.09486    0.25       0.41820    1', '  P1     P5+    4   c  0.09486    0.25       0.41820    1\n  P2     P5+    4   c  0.09486    0.25       0.44820    1'));
  cases++;
  assert.equal(close.structure, null);
  assert.ok(close.messages.some((m) => m.code === 'atoms-too-close' && /MIN_INTERATOMIC_DISTANCE_A/.test(m.message) && m.at?.line !== undefined), JSON.stringify(close.messages.map((m) => m.code)));
  const split = buildStructure(LIFEPO4.replace('  Li1    Li1+   4   a  0          0          0          1', '  Li1    Li1+   4   a  0          0          0          0.5\n  Li2    Li1+   4   c  0.02       0.25       0.01       0.5'));
  cases++;
  assert.ok(split.structure, 'a split site (occupancies adding to 1) is a disorder model, not an error');
  const dense = buildStructure(`data_d\n_cell_length_a 2\n_cell_length_b 2\n_cell_length_c 2\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n${Array.from({ length: 8 }, (_, i) => `Li${i} Li ${(i & 1) / 2} ${((i >> 1) & 1) / 2} ${((i >> 2) & 1) / 2}`).join('\n')}\n`);
  cases++;
  assert.ok(dense.messages.some((m) => m.code === 'too-dense' || m.code === 'atoms-too-close' || m.code === 'degenerate-cell'), JSON.stringify(dense.messages.map((m) => m.code)));
  assert.ok(built >= 10 && refused >= 10, `both outcomes generated (built ${built}, refused ${refused})`);
  report('degenerate-cells', cases, crashes, `${refused} refused, ${built} built`);
});

test('grid memory is estimated from the shape before allocation', () => {
  assert.equal(estimateGridBytes([100, 100, 100]), 4e6);
  assert.equal(estimateGridBytes([1e5, 1e5, 10], 4, 3), 1.2e12);
  assert.equal(estimateGridBytes([NaN, 1, 1]), Infinity);
  assert.equal(checkGridBytes([200, 200, 200]), null);
  const refusal = checkGridBytes([2000, 2000, 300]);
  assert.ok(refusal && /MAX_GRID_BYTES/.test(refusal) && /2000×2000×300/.test(refusal), String(refusal));
  assert.ok(estimateGridBytes([1024, 1024, 256]) <= MAX_GRID_BYTES);
});

// ---- every error at once -----------------------------------------------------------------------------------

test('a broken file reports all its errors at once (cell, symmetry, element, occupancy), in the editor too', () => {
  const broken = LIFEPO4
    .replace(/_cell_length_b\s+\S+/, '_cell_length_b -6.01')
    .replace("'-x, y+1/2, -z'", "'-x, y+1/2.5.5, -z'")
    .replace('  Fe1    Fe2+ ', '  Xx1    Xx ')
    .replace(/(O3 +O2- +8 +d +\S+ +\S+ +\S+ +)1/, '$11.7');
  const r = buildStructure(broken);
  const codes = new Set(r.messages.filter((m) => m.severity === 'error').map((m) => m.code));
  for (const c of ['cell-out-of-range', 'bad-symop', 'unknown-element', 'bad-occupancy']) assert.ok(codes.has(c), `${c} missing among ${[...codes]}`);
  const diagnostics = new Set(analyzeDocument(broken).diagnostics.filter((d) => d.severity === 'error').map((d) => d.code));
  for (const c of codes) assert.ok(diagnostics.has(c), `editor lacks ${c}`);
  const symop = r.messages.find((m) => m.code === 'bad-symop')!;
  const line = broken.split('\n')[symop.at!.line];
  assert.equal(line.slice(symop.at!.column, symop.at!.column + 2), '.5', `located on the offending character: ${line}`);
});

test('a file read with errors gives no number, even where a structure was recovered from it', () => {
  // Each broken fixture whose error the builder recovers from (a short loop row dropped, a broken symmetry
  // operation replaced by the symbol's, a duplicate tag): the job names the first error at its line, gives no Ea.
  const dir = join(process.cwd(), 'test', 'fixtures', 'broken');
  let recovered = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cif'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    const built = buildStructure(text);
    const firstError = built.messages.find((m) => m.severity === 'error');
    const job = runLandscapeJobSync(text, { resolution: 0.4 });
    if (!firstError) { assert.ok(job.ok || job.failure?.stage === 'method', `${f}: no error in the file, so no input failure`); continue; }
    if (built.structure) recovered++;
    assert.equal(job.ok, false, `${f}: a number from a file with errors`);
    assert.equal(job.report, null, f);
    assert.equal(job.failure?.stage, 'input', f);
    assert.equal(job.failure?.code, firstError.code, f);
    assert.equal(job.failure?.at?.line, firstError.at ? firstError.at.line + 1 : undefined, `${f}: located at the first error`);
    if (built.structure) assert.match(job.error!, /no barrier is computed from a file with errors$/, f);
  }
  assert.ok(recovered >= 3, `the recovering cases are covered (${recovered})`);
  // Two errors (a broken operation, the last row one value short): both counted in the one sentence.
  const two = LIFEPO4.replace("'-x, y+1/2, -z'", "'-x, y+1/2, q'").replace(/0\.28478 +1/, '0.28478');
  assert.equal(buildStructure(two).messages.filter((m) => m.severity === 'error').length, 2);
  assert.match(runLandscapeJobSync(two, { resolution: 0.4 }).error!, /\(line \d+\), and 1 more error; no barrier is computed from a file with errors$/);
});

test('a mobile ion whose state in the file differs from the probe\'s is said at its row; the usual one is not', () => {
  const li9 = LIFEPO4.replace(/^(\s*Li1\s+)Li1\+/m, '$1Li9+');
  assert.notEqual(li9, LIFEPO4, 'the Li row was changed');
  const job = runLandscapeJobSync(li9, { resolution: 0.4 });
  const said = job.messages.filter((m) => m.code === 'mobile-ion-charge');
  assert.equal(said.length, 1, JSON.stringify(job.messages.map((m) => m.code)));
  assert.match(said[0].message, /^site Li1: the file gives Li\+9, but the landscape is that of a Li\+1 probe/);
  assert.match(li9.split('\n')[said[0].at!.line], /^\s*Li1\s+Li9\+/);
  // The editor shows the computation's findings apart from the reader's (which it finds in the document itself).
  assert.deepEqual(job.computedMessages?.map((m) => m.code), ['mobile-ion-charge']);
  assert.ok(job.messages.some((m) => m.code === 'charge-imbalance'), 'the reader\'s imbalance stays in messages');
  assert.equal(runLandscapeJobSync(LIFEPO4, { resolution: 0.4 }).messages.filter((m) => m.code === 'mobile-ion-charge').length, 0);
});

// ---- special files -----------------------------------------------------------------------------------------

test('special files: FIFO, /dev/zero link, directory, oversized, encodings: each a named error or warning, no hang', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-special-'));
  let cases = 0, crashes = 0;
  try {
    const files: [string, RegExp | null][] = [];
    const fifo = join(dir, 'fifo.cif');
    let haveFifo = true;
    try { execFileSync('mkfifo', [fifo]); } catch { haveFifo = false; }
    if (haveFifo) files.push([fifo, /named pipe \(FIFO\)/]);
    if (existsSync('/dev/zero')) { symlinkSync('/dev/zero', join(dir, 'zero.cif')); files.push([join(dir, 'zero.cif'), /character device \(through a symbolic link\)/]); }
    mkdirSync(join(dir, 'x.cif'));
    files.push([join(dir, 'x.cif'), /directory/]);
    writeFileSync(join(dir, 'huge.cif'), '');
    truncateSync(join(dir, 'huge.cif'), MAX_INPUT_BYTES + 1); // sparse: no disk used
    files.push([join(dir, 'huge.cif'), /larger than the 52 MB limit \(MAX_INPUT_BYTES\)/]);
    files.push([join(dir, 'missing.cif'), /no such file/]);
    symlinkSync(join(dir, 'gone'), join(dir, 'dangling.cif'));
    files.push([join(dir, 'dangling.cif'), /dangling\.cif: a symbolic link to .*gone, which does not exist/]);
    const text = 'data_x\n_cell_length_a 4\n';
    const encoded: [string, Buffer, RegExp | null, string | null][] = [
      ['utf16le-bom.cif', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), /UTF-16 \(little-endian\)/, null],
      ['utf16be-bom.cif', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]), /UTF-16 \(big-endian\)/, null],
      ['utf16le-nobom.cif', Buffer.from(text, 'utf16le'), /UTF-16 \(little-endian\) text without a byte-order mark/, null],
      ['binary.cif', Buffer.from([0x64, 0x61, 0x74, 0x61, 0, 1, 2, 3, 0xff, 0x10, 0x20, 0x30, 0x40, 0x50]), /NUL byte at offset 4/, null],
      ['cr-only.cif', Buffer.from(text.replace(/\n/g, '\r')), null, 'cr-line-endings'],
      ['latin1.cif', Buffer.from('data_x\n_publ_author_name \'M\xfcller\'\n', 'latin1'), null, 'not-utf8'],
      ['bom.cif', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), null, null],
    ];
    for (const [name, bytes] of encoded) writeFileSync(join(dir, name), bytes);
    for (const [path, re] of files) {
      for (const read of [(p: string) => readInputFile(p, { timeoutMs: 2000 }), async (p: string) => readInputFileSync(p)]) {
        cases++;
        const t0 = performance.now();
        try {
          await read(path);
          assert.fail(`${path} was read`);
        } catch (e) {
          if (!(e instanceof InputError)) { crashes++; throw e; }
          assert.match(e.message, re!, path);
        }
        assert.ok(performance.now() - t0 < 1500, `${path}: ${performance.now() - t0} ms`);
      }
    }
    for (const [name, , re, warning] of encoded) {
      cases++;
      const path = join(dir, name);
      if (re) { await assert.rejects(readInputFile(path), (e: unknown) => e instanceof InputError && e.code === 'encoding' && re.test(e.message)); continue; }
      const r = await readInputFile(path);
      assert.equal(r.text.includes('\r') || r.text.charCodeAt(0) === 0xfeff, false, name);
      if (warning) assert.ok(r.warnings.some((w) => w.code === warning), `${name}: ${JSON.stringify(r.warnings)}`);
      else assert.deepEqual(r.warnings, [], name);
    }
    assert.match((await readInputFile(join(dir, 'latin1.cif'))).text, /Müller/);
    // Random bytes: decodeInput either decodes or throws its named error.
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      cases++;
      try { const r = decodeInput(bytes); assert.equal(typeof r.text, 'string'); } catch (e) { if (!(e instanceof InputError)) { crashes++; throw e; } }
    }), { seed: SEED, numRuns: 300 });
    report('special-files', cases, crashes, haveFifo ? '' : 'mkfifo unavailable: FIFO case skipped');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('special files as output: a FIFO, a device or a folder is refused, not renamed over; a link is written through', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-write-'));
  try {
    const real = join(dir, 'real.csv'), link = join(dir, 'link.csv');
    writeFileSync(real, 'old\n');
    symlinkSync(real, link);
    await writeFileAtomic(link, 'new\n');
    assert.equal(readFileSync(real, 'utf8'), 'new\n', 'the linked file holds the result');
    assert.ok(lstatSync(link).isSymbolicLink(), 'the link stays a link');
    symlinkSync(join(dir, 'missing.csv'), join(dir, 'dangling.csv'));
    await assert.rejects(writeFileAtomic(join(dir, 'dangling.csv'), 'x'), (e: unknown) => e instanceof UnwritableTargetError && /link to a missing file/.test(e.message));
    mkdirSync(join(dir, 'folder.csv'));
    assert.throws(() => writeFileAtomicSync(join(dir, 'folder.csv'), 'x'), /is a directory, not a regular file/);
    // /dev/null is a character device on every Linux; renaming over it would have replaced it with a file.
    if (existsSync('/dev/null')) {
      assert.throws(() => writeTarget('/dev/null'), /\/dev\/null is a character device, not a regular file/);
      assert.ok(statSync('/dev/null').isCharacterDevice());
    }
    let haveFifo = true;
    try { execFileSync('mkfifo', [join(dir, 'pipe.csv')]); } catch { haveFifo = false; }
    if (haveFifo) await assert.rejects(writeFileAtomic(join(dir, 'pipe.csv'), 'x'), /named pipe \(FIFO\), not a regular file/);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file stays');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a model path naming a FIFO or a folder is a bad option, not a read that blocks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-model-'));
  try {
    assert.match(optionProblems({ method: 'gcn', modelPath: dir }).join(' '), /model file .* is a directory, not a regular file/);
    let haveFifo = true;
    try { execFileSync('mkfifo', [join(dir, 'model.onnx')]); } catch { haveFifo = false; }
    if (haveFifo) assert.match(optionProblems({ method: 'mlip', modelPath: join(dir, 'model.onnx') }).join(' '), /named pipe \(FIFO\), not a regular file/);
    assert.deepEqual(optionProblems({ method: 'mlip', modelPath: join(dir, 'missing.onnx') }), [], 'a missing file is said when the model is loaded');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('outputs never overwrite inputs: the analysed file, a structure of the ranked folder, a shard being merged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-inputs-'));
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(process.cwd(), 'dist', 'cli.js'), ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') } });
  try {
    const original = readFileSync(join(process.cwd(), 'examples', 'Li3N.cif'), 'utf8');
    mkdirSync(join(dir, 'folder'));
    writeFileSync(join(dir, 'folder', 'Li3N.cif'), original);
    symlinkSync(join(dir, 'folder', 'Li3N.cif'), join(dir, 'alias.cif'));
    const refused = [
      cli('analyze', 'folder/Li3N.cif', '--ordered-cif', 'folder/Li3N.cif'),
      cli('analyze', 'alias.cif', '--cube', 'folder/Li3N.cif'),
      cli('rank', 'folder', '--out', 'folder/Li3N.cif'),
      cli('rank', 'folder', '--cache', 'folder/Li3N.cif'),
      cli('rank', 'folder', '--shard', '1/1', '--out', 'folder/Li3N.cif'),
    ];
    for (const r of refused) {
      assert.notEqual(r.status, 0, r.stdout);
      assert.match(r.stderr, /never writes over its inputs/);
    }
    assert.equal(readFileSync(join(dir, 'folder', 'Li3N.cif'), 'utf8'), original, 'the CIF is untouched');
    assert.equal(cli('rank', 'folder', '--shard', '1/1', '--out', 'shard.csv').status, 0);
    const merge = cli('merge', 'shard.json', '--out', 'merged.csv', '--json', 'shard.json');
    assert.notEqual(merge.status, 0);
    assert.match(merge.stderr, /shard\.json is a shard output being merged/);
    assert.equal(cli('merge', 'shard.json', '--out', 'merged.csv').status, 0, 'another name is fine');

    // A cache must be an ionpath cache: a CSV (or any other file) named by --cache is refused, not replaced.
    writeFileSync(join(dir, 'notes.csv'), 'sample,sigma\nA,1e-3\n');
    const foreign = cli('rank', 'folder', '--cache', 'notes.csv');
    assert.equal(foreign.status, 2, foreign.stderr);
    assert.match(foreign.stderr, /notes\.csv exists and is not an ionpath cache .*not overwritten/);
    assert.equal(readFileSync(join(dir, 'notes.csv'), 'utf8'), 'sample,sigma\nA,1e-3\n', 'the CSV is untouched');
    // The same for a plain rank's --out and --json-out: a user's CSV is not replaced, an earlier ranking is.
    const mine = cli('rank', 'folder', '--out', 'notes.csv');
    assert.equal(mine.status, 2, mine.stderr);
    assert.match(mine.stderr, /--out notes\.csv already exists and is not an ionpath ranking CSV/);
    assert.equal(readFileSync(join(dir, 'notes.csv'), 'utf8'), 'sample,sigma\nA,1e-3\n');
    assert.equal(cli('rank', 'folder', '--out', 'ranked.csv', '--json-out', 'ranked.json').status, 0);
    assert.equal(cli('rank', 'folder', '--out', 'ranked.csv', '--json-out', 'ranked.json').status, 0, 'its own ranking is replaced');
    assert.equal(cli('rank', 'folder', '--cache', 'fresh.json').status, 0);
    assert.equal(cli('rank', 'folder', '--cache', 'fresh.json').status, 0, 'its own cache is read back');
    // Its own cache cut short (a full disk, a killed run): started afresh, and said.
    truncateSync(join(dir, 'fresh.json'), 60);
    const cut = cli('rank', 'folder', '--cache', 'fresh.json');
    assert.equal(cut.status, 0, cut.stderr);
    assert.match(cut.stderr, /warning: the cache fresh\.json could not be read \(cut short or damaged\): every file is computed afresh/);
    // An unsharded `rank @list.txt` printing its CSV keeps its journal in the current folder, not in its parent.
    writeFileSync(join(dir, 'list.txt'), 'folder/Li3N.cif\n');
    const listed = cli('rank', '@list.txt');
    assert.equal(listed.status, 0, listed.stderr);
    assert.ok(existsSync(join(dir, '.ionpath-cache', 'shard-1-of-1')), `the journal beside: ${readdirSync(dir)}`);
    assert.ok(!existsSync(join(dir, '..', '.ionpath-cache', 'shard-1-of-1')), 'nothing written in the parent folder');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a closed pipe or a full disk on the standard output: a quiet stop or one line, never a stack trace', () => {
  const cliPath = join(process.cwd(), 'dist', 'cli.js');
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-pipe-'));
  try {
    // A megabyte of JSON (a 4,096-site cell's summary) read by `head -c 10`, which closes the pipe at once.
    writeFileSync(join(dir, 'big.cif'), p1Cell(4096, 64));
    const piped = spawnSync('bash', ['-c', `node '${cliPath}' info --json big.cif | head -c 10 >/dev/null; echo "status \${PIPESTATUS[0]}" >&2`], { encoding: 'utf8', cwd: dir });
    assert.match(piped.stderr, /^status 141\n$/, `only the status, no trace: ${piped.stderr.slice(0, 400)}`);
    if (existsSync('/dev/full')) {
      const full = spawnSync('bash', ['-c', `node '${cliPath}' info big.cif > /dev/full`], { encoding: 'utf8', cwd: dir });
      assert.equal(full.status, 1);
      assert.equal(full.stderr, 'ionpath: cannot write the standard output: ENOSPC (no space left on the device)\n');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- huge cells --------------------------------------------------------------------------------------------

function p1Cell(atoms: number, a = 200): string {
  const rows: string[] = [];
  const n = Math.ceil(Math.cbrt(atoms));
  for (let i = 0; i < atoms; i++) rows.push(`Li${i} Li ${((i % n) / n).toFixed(5)} ${((Math.floor(i / n) % n) / n).toFixed(5)} ${(Math.floor(i / n / n) / n).toFixed(5)}`);
  return `data_big\n_cell_length_a ${a}\n_cell_length_b ${a}\n_cell_length_c ${a}\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n_symmetry_space_group_name_H-M 'P 1'\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n${rows.join('\n')}\n`;
}

test('huge cells: a 96,000-atom P1 cell is refused in under 2 s; large expansions before the merge', () => {
  let cases = 0;
  const big = p1Cell(96_000);
  const t0 = performance.now();
  const r = buildStructure(big);
  const ms = performance.now() - t0;
  cases++;
  assert.equal(r.structure, null);
  const m = r.messages.find((x) => x.code === 'too-large');
  assert.ok(m && /MAX_ATOMS_IN_CELL/.test(m.message) && m.at, JSON.stringify(r.messages.slice(0, 3)));
  assert.ok(ms < 2000, `refused after ${ms.toFixed(0)} ms`);
  // Site count × operations beyond the cap, in a high-symmetry group: refused as fast.
  const fm3m = (sites: number) => `data_f\n_cell_length_a 40\n_cell_length_b 40\n_cell_length_c 40\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n_symmetry_space_group_name_H-M 'F m -3 m'\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n${Array.from({ length: sites }, (_, i) => `O${i} O ${(0.013 + (i * 0.61803) % 0.45).toFixed(4)} ${(0.031 + (i * 0.41421) % 0.43).toFixed(4)} ${(0.047 + (i * 0.7320) % 0.41).toFixed(4)}`).join('\n')}\n`;
  fc.assert(fc.property(fc.integer({ min: 420, max: 1500 }), (sites) => {
    cases++;
    const t = performance.now();
    const q = buildStructure(fm3m(sites));
    assert.equal(q.structure, null);
    assert.ok(q.messages.some((x) => x.code === 'too-large'), `${sites} sites: ${JSON.stringify(q.messages.filter((x) => x.severity === 'error'))}`);
    assert.ok(performance.now() - t < 2000, `${sites} sites: ${performance.now() - t} ms`);
  }), { seed: SEED, numRuns: 5 });
  // Just below the cap still builds, in bounded time (binned merges, no O(n²)).
  const t1 = performance.now();
  const ok = buildStructure(p1Cell(8000, 60));
  cases++;
  assert.ok(ok.structure, JSON.stringify(ok.messages.filter((x) => x.severity === 'error')));
  assert.ok(performance.now() - t1 < 5000, `8000 atoms built in ${performance.now() - t1} ms`);
  report('huge-cells', cases, 0, `96,000-atom P1 refused in ${ms.toFixed(0)} ms`);
});

// ---- trace occupancies, ?/. occupancies ---------------------------------------------------------------------

function withTrace(occ: number): string {
  return LIFEPO4.replace('  Li1    Li1+   4   a  0          0          0          1', `  Li1    Li1+   4   a  0          0          0          ${1 - occ}\n  Fe9    Fe2+   4   a  0          0          0          ${occ}`);
}

test('trace and unknown occupancies: kept with a warning, never silently changed', () => {
  let cases = 0, crashes = 0;
  fc.assert(fc.property(fc.integer({ min: 4, max: 300 }), (k) => {
    cases++;
    const occ = Number(`1e-${k}`);
    let r;
    try { r = buildStructure(withTrace(occ)); } catch (e) { crashes++; throw e; }
    assert.ok(r.structure, JSON.stringify(r.messages.filter((m) => m.severity === 'error')));
    const w = r.messages.find((m) => m.code === 'trace-occupancy');
    assert.ok(w && w.at && /Fe/.test(w.message), `1e-${k}: ${JSON.stringify(r.messages.map((m) => m.code))}`);
    const fe = r.structure.sites.flatMap((s) => s.species).filter((sp) => sp.label === 'Fe9');
    assert.ok(fe.length === 4 && fe.every((sp) => sp.occupancy === occ), 'the trace keeps its occupancy');
  }), { seed: SEED, numRuns: 40 });
  for (const special of ['?', '.']) {
    cases++;
    const r = buildStructure(LIFEPO4.replace(/(O3 +O2- +8 +d +\S+ +\S+ +\S+ +)1/, `$1${special}`));
    const w = r.messages.find((m) => m.code === 'occupancy-assumed');
    assert.ok(w && w.severity === 'warning' && /1 assumed/.test(w.message) && w.at, `${special}: ${JSON.stringify(r.messages.map((m) => m.code))}`);
  }
  // Above 1: a refined value within three standard uncertainties of 1 is a full site, said; beyond, an error.
  const o3 = (occ: string) => buildStructure(LIFEPO4.replace(/(O3 +O2- +8 +d +\S+ +\S+ +\S+ +)1/, `$1${occ}`));
  const within = o3('1.02(1)');
  assert.ok(within.structure, 'built');
  const above = within.messages.find((m) => m.code === 'occupancy-above-one');
  assert.ok(above && above.severity === 'warning' && above.at && /occupancy 1\.02\(1\) is above 1 within three standard uncertainties; taken as 1/.test(above.message), JSON.stringify(within.messages.map((m) => m.message)));
  assert.ok(within.structure.sites.flatMap((s) => s.species).filter((sp) => sp.label === 'O3').every((sp) => sp.occupancy === 1));
  for (const beyond of ['1.02', '1.05(1)']) {
    const r = o3(beyond);
    assert.equal(r.structure === null || r.messages.some((m) => m.severity === 'error' && m.code === 'bad-occupancy'), true, beyond);
    assert.ok(r.messages.some((m) => m.severity === 'error' && m.code === 'bad-occupancy' && m.message.includes(`occupancy ${beyond} must be in (0, 1]`)), beyond);
  }
  cases += 3;
  report('trace-occupancies', cases, crashes);
});

// ---- malformed symmetry operations ---------------------------------------------------------------------------

const PNMA = ['x, y, z', '-x+1/2, -y, z+1/2', 'x+1/2, -y+1/2, -z+1/2', '-x, y+1/2, -z', '-x, -y, -z', 'x+1/2, y, -z+1/2', '-x+1/2, y+1/2, z+1/2', 'x, -y+1/2, z'];

test('malformed symmetry operations: exactly the CIF grammar; sets checked for closure', () => {
  let cases = 0, crashes = 0;
  const token = fc.constantFrom('x', 'y', 'z', '-x', '+y', '-z', '1/2', '0.5', '.5', '.', '+', '-', '*', '2', '1.2.3', ',', ' ', 'z+0.5.5', 'q', '/', '1/0', "'", 'X', '3/4', '0.25');
  fc.assert(fc.property(fc.array(token, { maxLength: 14 }), (parts) => {
    cases++;
    const text = parts.join('');
    let r;
    try { r = parseSymop(text); } catch (e) { crashes++; throw e; }
    if ('error' in r) {
      assert.ok(r.offset >= 0 && r.offset <= Math.max(0, text.length), `${text}: offset ${r.offset}`);
    } else {
      // Accepted: must be well formed and survive a round trip through its canonical text.
      assert.ok(!/\d\.\d*\.\d|\d\s*\.\d|\.\d+\.\d/.test(text.replace(/\s/g, '')), `'${text}' accepted with a second decimal point`);
      const again = parseSymop(formatSymop(r.op));
      assert.ok('op' in again, formatSymop(r.op));
      assert.deepEqual(again.op.rot, r.op.rot);
      for (let i = 0; i < 3; i++) assert.ok(Math.abs(again.op.trans[i] - r.op.trans[i]) < 1e-4, `${text} → ${formatSymop(r.op)}`);
    }
  }), { seed: SEED, numRuns: 500 });
  for (const bad of ['x,y,z+0.5.5', '1.2.3,y,z', 'x,y,z 1/2', 'x,,z']) { cases++; assert.ok('error' in parseSymop(bad), bad); }
  // Subsets of P n m a containing the identity: a non-subgroup is closed with a warning, and builds the same cell.
  fc.assert(fc.property(fc.subarray(PNMA.slice(1), { minLength: 1 }), (subset) => {
    cases++;
    const ops = ['x, y, z', ...subset];
    const closure = closeOperations(ops.map((t) => (parseSymop(t) as { op: never }).op));
    const text = LIFEPO4.replace(/loop_\n_symmetry_equiv_pos_site_id\n_symmetry_equiv_pos_as_xyz\n(?: +\d+ +'[^']+'\n)+/, `loop_\n_symmetry_equiv_pos_as_xyz\n${ops.map((o) => `'${o}'`).join('\n')}\n`);
    const r = buildStructure(text);
    assert.ok(r.structure);
    const warned = r.messages.some((m) => m.code === 'symops-not-closed');
    assert.equal(warned, closure.added.length > 0, `${ops.join(' ; ')}`);
    assert.equal(r.structure.spaceGroup.operationCount, closure.ops.length);
    if (closure.ops.length === 8) assert.equal(r.structure.sites.length, 28, 'the generated group gives the full cell');
  }), { seed: SEED, numRuns: 40 });
  report('malformed-operations', cases, crashes);
});

test('options that contradict each other, and inputs a user mistypes, are said as such', () => {
  const cliPath = join(process.cwd(), 'dist', 'cli.js');
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-said-'));
  const cli = (...args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') } });
  const li3n = join(process.cwd(), 'examples', 'Li3N.cif');
  try {
    for (const [args, said] of [
      [['analyze', li3n, '--cube', 'x.out', '--grd', 'x.out'], /--cube and --grd name the same file \(x\.out\): give each output its own/],
      [['analyze', li3n, '--ordering', '2'], /--ordering chooses among ordered approximants: it needs --disorder approximants/],
      [['analyze', li3n, '--ordering', '2', '--disorder', 'approximants'], /it needs --ordered-cif or --ordered-poscar/],
      [['rank', '@missing.txt'], /cannot read the file list .*missing\.txt: no such file \(@list\.txt names a text file with one structure path per line\)/],
    ] as const) {
      const r = cli(...args);
      assert.notEqual(r.status, 0, args.join(' '));
      assert.match(r.stderr, said, args.join(' '));
    }
    assert.deepEqual(readdirSync(dir).filter((f) => f !== 'cache'), [], 'nothing written');
    const low = cli('analyze', li3n, '--max-barrier', '0.01');
    assert.equal(low.status, 0, low.stderr);
    assert.match(low.stdout, /Ea\(BVSE, 1D\): none < 0\.01 eV/);
    assert.match(low.stdout, /no channel percolates below 0\.01 eV \(--max-barrier\)/);
    assert.doesNotMatch(low.stdout, /0D/);
    // A flag the method does not read is said, not silently dropped.
    const unread = cli('analyze', li3n, '--cell', 'as-given', '--model', 'none.onnx', '--resolution', '0.3');
    assert.equal(unread.status, 0, unread.stderr);
    assert.match(unread.stderr, /warning: --cell does not apply to --method bvse \(only to mlip\); ignored/);
    assert.match(unread.stderr, /warning: --model does not apply to --method bvse \(only to mlip, gcn\); ignored/);
    assert.doesNotMatch(unread.stderr, /--resolution does not apply/, 'BVSE reads its resolution');
    // --json: one top level for success and failure (file, schema, ok).
    const good = JSON.parse(cli('analyze', li3n, '--json').stdout);
    assert.deepEqual([good.ok, good.schema], [true, 'ionpath.landscape/2']);
    writeFileSync(join(dir, 'unknown-group.cif'), readFileSync(join(process.cwd(), 'test', 'fixtures', 'hm-only-LiFePO4.cif'), 'utf8').replace(/^_symmetry_space_group_name_H-M.*$/m, "_symmetry_space_group_name_H-M 'Xyz'"));
    const bad = cli('analyze', 'unknown-group.cif', '--json');
    assert.equal(bad.status, 1);
    const parsed = JSON.parse(bad.stdout);
    assert.deepEqual([parsed.ok, parsed.schema], [false, 'ionpath.landscape/2'], bad.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const word = buildStructure(LIFEPO4.replace(/(Li1\s+Li1\+\s+4\s+a\s+0\s+0\s+0\s+)1/, '$1abc'));
  assert.ok(word.messages.some((m) => m.code === 'bad-occupancy' && m.message === "site Li1: occupancy 'abc' is not a number"), JSON.stringify(word.messages.map((m) => m.message)));
  // onnxruntime's C++ errors: the sentence, not the source location and the signature.
  assert.equal(onnxErrorLine(new Error('/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\nmore')), 'Failed to get a WebGPU adapter: No supported adapters');
  assert.equal(onnxErrorLine(new Error('plain message')), 'plain message');
});

test('a space group the file names but ionpath does not know, or one whose multiplicities the file contradicts, is an error', () => {
  const hmOnly = readFileSync(join(process.cwd(), 'test', 'fixtures', 'hm-only-LiFePO4.cif'), 'utf8');
  const named = (symbol: string) => hmOnly.replace(/^_symmetry_space_group_name_H-M.*$/m, `_symmetry_space_group_name_H-M '${symbol}'`);
  assert.ok(buildStructure(named('P n m a')).structure, 'the fixture builds as written');
  const unknown = buildStructure(named('Xyz'));
  assert.equal(unknown.structure, null, 'not the asymmetric unit taken as P1');
  assert.ok(unknown.messages.some((m) => m.severity === 'error' && m.code === 'unknown-space-group' && /lists no symmetry operations: the cell cannot be built/.test(m.message) && m.at), JSON.stringify(unknown.messages));
  assert.ok(!unknown.messages.some((m) => m.code === 'no-symmetry'), 'no contradicting "no symbol" message');
  // The right symbol in another setting: Pbnm operations on Pnma coordinates put Fe, P on 8 positions, not 4.
  const setting = buildStructure(named('P b n m'));
  const m = setting.messages.find((x) => x.code === 'multiplicity-mismatch');
  assert.ok(m && m.severity === 'error' && m.at, JSON.stringify(setting.messages.map((x) => x.message)));
  assert.match(m!.message, /^site \w+: the file gives multiplicity 4, the symmetry operations place 8 positions \(8 operations from the symbol 'P b n m'\): check the space group and its setting$/);
  const job = runLandscapeJobSync(named('P b n m'), { method: 'bvse' });
  assert.equal(job.ok, false, 'no barrier from it');
  assert.equal(job.failure?.code, 'multiplicity-mismatch');
});

test('operations that do not keep the cell\'s lengths and angles: another lattice is an error, a cell slightly off is a warning', () => {
  const licoo2 = readFileSync(join(process.cwd(), 'examples', 'LiCoO2.cif'), 'utf8');
  const gamma = (g: number) => licoo2.replace(/_cell_angle_gamma\s+\S+/, `_cell_angle_gamma ${g}`);
  const mismatch = (text: string) => buildStructure(text).messages.filter((m) => m.code === 'cell-symmetry-mismatch');
  assert.deepEqual(mismatch(licoo2), [], 'a hexagonal cell under its own group: nothing said');
  assert.deepEqual(mismatch(LIFEPO4), [], 'an orthorhombic cell under its listed operations: nothing said');
  // R-3m's listed operations on a cell whose γ is 90°: the threefold turns the a–b angle of 90° into 135°.
  const square = buildStructure(gamma(90));
  const error = square.messages.find((m) => m.code === 'cell-symmetry-mismatch');
  assert.ok(error && error.severity === 'error' && error.at, JSON.stringify(square.messages.map((m) => m.message)));
  assert.match(error!.message, /^the listed symmetry operation -y,x-y,z turns the 90° angle between a and b into 135°: the cell \(a [\d.]+ Å.*γ 90°\) does not fit the group's lattice/);
  assert.equal(error!.at!.line, licoo2.split('\n').findIndex((l) => /'x, y, z'/.test(l)), 'at the operations');
  const job = runLandscapeJobSync(gamma(90), { method: 'bvse' });
  assert.equal(job.ok, false, 'no barrier from a crystal that the file does not describe');
  assert.equal(job.failure?.code, 'cell-symmetry-mismatch');
  // A cell refined 0.3° off its group's metric: built as given, and said.
  const near = buildStructure(gamma(119.7));
  assert.ok(near.structure, 'still built');
  const warning = near.messages.find((m) => m.code === 'cell-symmetry-mismatch');
  assert.ok(warning && warning.severity === 'warning', JSON.stringify(near.messages.map((m) => m.message)));
  assert.match(warning!.message, /is slightly off the group's lattice/);
  // Operations from the symbol too: Pnma's −x+1/2,−y,z+1/2 turns a β of 95° into 85°.
  const hmOnly = readFileSync(join(process.cwd(), 'test', 'fixtures', 'hm-only-LiFePO4.cif'), 'utf8');
  const tilted = buildStructure(hmOnly.replace(/_cell_angle_beta\s+\S+/, '_cell_angle_beta 95')).messages.find((m) => m.code === 'cell-symmetry-mismatch');
  assert.ok(tilted && tilted.severity === 'error', 'a monoclinic cell under orthorhombic operations');
  assert.match(tilted!.message, /^the symmetry operation \S+ of 'P n m a' turns the 95° angle between a and c into 85°/);
  const beta = (b: number) => LIFEPO4.replace(/_cell_angle_beta\s+\S+/, `_cell_angle_beta ${b}`);
  assert.equal(buildStructure(beta(90.3)).messages.find((m) => m.code === 'cell-symmetry-mismatch')?.severity, 'warning');
  assert.equal(buildStructure(beta(90.05)).messages.find((m) => m.code === 'cell-symmetry-mismatch'), undefined, 'below the warning: rounding of a refined cell');
});

test('a failed analyze prints the file\'s other errors and its warnings beneath the failure, each at its line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-failctx-'));
  // The only framework site has occupancy 0: skipped with a warning, and the job then finds no framework.
  writeFileSync(join(dir, 'x.cif'), `data_x\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n_atom_site_occupancy\nLi1 Li 0 0 0 1\nCl1 Cl 0.5 0.5 0.5 0\n`);
  const r = spawnSync(process.execPath, [join(process.cwd(), 'dist', 'cli.js'), 'analyze', 'x.cif'], { encoding: 'utf8', cwd: dir, env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') } });
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split('\n');
  assert.match(lines[0], /^x\.cif: The structure has no atoms besides Li.*\[no-framework\]$/);
  assert.ok(lines.some((l) => /^ {2}warning: site Cl1: occupancy 0 must be in \(0, 1\]; the site is skipped \(line 13\)$/.test(l)), r.stderr);
  assert.ok(!lines.some((l) => /^ {2}info:/.test(l)), 'infos stay out, as on success');
  rmSync(dir, { recursive: true, force: true });
});

test('species a reader could mistake: a vacancy row is skipped, not vanadium; a type symbol read by its first letter is said; a fraction is named', () => {
  const cell = 'data_x\n_cell_length_a 4\n_cell_length_b 4\n_cell_length_c 4\n_symmetry_space_group_name_H-M \'P 1\'\nloop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n_atom_site_occupancy\n';
  for (const va of ['Va', 'Vac', 'VA', 'Va0']) {
    const r = buildStructure(`${cell}Li1 Li 0 0 0 0.5\nVa1 ${va} 0 0 0 0.5\nCl1 Cl- 0.5 0.5 0.5 1\n`);
    assert.ok(r.structure, va);
    assert.deepEqual(r.structure.composition, { Li: 0.5, Cl: 1 }, `${va}: no vanadium`);
    const m = r.messages.find((x) => x.code === 'vacancy-row');
    assert.ok(m && m.at?.line === 13, `${va}: ${JSON.stringify(r.messages.map((x) => x.message))}`);
  }
  assert.ok(buildStructure(`${cell}Li1 Li 0 0 0 1\nV1 V 0 0.5 0 1\nCl1 Cl 0.5 0.5 0.5 1\n`).structure?.composition.V === 1, 'vanadium stays vanadium');
  const water = buildStructure(`${cell}Li1 Li 0 0 0 1\nO1 Ow 0.5 0.5 0.5 1\n`);
  const guessed = water.messages.find((x) => x.code === 'element-guessed');
  assert.ok(guessed && guessed.severity === 'warning' && /type symbol 'Ow' is not an element symbol; read as O, its first letter/.test(guessed.message), JSON.stringify(water.messages));
  assert.ok(!buildStructure(`${cell.replace('_atom_site_type_symbol\n', '')}Li1 0 0 0 1\nOW1 0.5 0.5 0.5 1\n`).messages.some((x) => x.code === 'element-guessed'), 'a label is free text: OW1 is oxygen without a word');
  const fraction = buildStructure(`${cell}Li1 Li 0 0 0 1\nCl1 Cl 1/3 0.5 0.5 1\n`).messages.find((x) => x.code === 'bad-coordinate');
  assert.match(fraction?.message ?? '', /coordinate '1\/3' is not a number \(a fraction\? CIF numbers are decimals: 0\.333333\)/);
});

test('compressed structure files: a direct read names the compression and its tool; a ranking says which it skipped', async () => {
  const { gzipSync, brotliCompressSync } = await import('node:zlib');
  const text = Buffer.from(LIFEPO4);
  assert.throws(() => decodeInput(gzipSync(text), 'x.cif.gz'), (e: unknown) => e instanceof InputError && /^x\.cif\.gz is gzip-compressed: ionpath reads plain text; decompress it first \(gunzip -k x\.cif\.gz\)$/.test(e.message));
  assert.throws(() => decodeInput(Buffer.concat([Buffer.from('BZh9'), Buffer.alloc(8)]), 'x.cif.bz2'), /bzip2-compressed/);
  assert.throws(() => decodeInput(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(8)]), 'x.zip'), /zip-compressed/);
  assert.throws(() => decodeInput(brotliCompressSync(text), 'x.br'), InputError, 'other binary data stays a plain binary-file error');
  assert.equal(decodeInput(Buffer.from('BZh is not a CIF, but text')).text.startsWith('BZh'), true, 'text that starts like bzip2 is text');
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-compressed-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'a.cif'), LIFEPO4);
  writeFileSync(join(dir, 'b.cif.gz'), gzipSync(text));
  writeFileSync(join(dir, 'sub', 'POSCAR.gz'), gzipSync(text));
  writeFileSync(join(dir, 'notes.md.gz'), gzipSync(Buffer.from('# notes')));
  const { listStructureFiles, listStructureFolder, compressedFilesWarning } = await import('../../src/compute/host/rankFolder');
  assert.deepEqual((await listStructureFiles(dir)).map((f) => f.slice(dir.length + 1)), ['a.cif'], 'POSCAR.gz is not tried as a POSCAR');
  const { compressed } = await listStructureFolder(dir);
  assert.deepEqual(compressed.map((f) => f.slice(dir.length + 1)), ['b.cif.gz', join('sub', 'POSCAR.gz')], 'structure files only, not notes.md.gz');
  assert.equal(compressedFilesWarning(compressed, dir), `2 compressed structure files are not read (b.cif.gz, ${join('sub', 'POSCAR.gz')}): ionpath reads plain text; decompress them first (e.g. gunzip -k)`);
  assert.equal(compressedFilesWarning([], dir), null);
  const cli = spawnSync(process.execPath, [join(process.cwd(), 'dist', 'cli.js'), 'rank', dir, '--out', join(dir, 'r.csv'), '--cache', join(dir, 'cache.json'), '--resolution', '0.4', '--jobs', '1'], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stderr, /ionpath rank: warning: 2 compressed structure files are not read/);
  assert.match(cli.stderr, /1\/1 files/);
  const slurm = spawnSync(process.execPath, [join(process.cwd(), 'dist', 'cli.js'), 'slurm', dir, '--shards', '2', '--out', join(dir, 'job', 'job.sbatch')], { encoding: 'utf8' });
  assert.equal(slurm.status, 0, slurm.stderr);
  assert.match(slurm.stderr, /^ionpath slurm: warning: 2 compressed structure files are not read/, 'said once where the job is made');
  rmSync(dir, { recursive: true, force: true });
});

// ---- option fuzzing ----------------------------------------------------------------------------------------

const RANK_SPEC = {
  command: 'ionpath rank',
  options: [
    { name: 'jobs', type: 'number', integer: true, min: 1 },
    { name: 'resolution', type: 'number', min: 0.05, max: 1, unit: 'Å' },
    { name: 'mode', type: 'enum', values: ['spse', 'bvlain'], default: 'spse' },
    { name: 'ion', type: 'string', default: 'Li' },
    { name: 'out', type: 'path' },
    { name: 'cube', type: 'path' },
    { name: 'json', type: 'flag' },
  ],
  positionals: { min: 1, max: 1, names: ['folder'] },
} as const satisfies CommandSpec;

test('option fuzzing: unknown options, bad and missing values are errors naming the option', () => {
  const expectError = (argv: string[], re: RegExp) => assert.throws(() => parseOptions(argv, RANK_SPEC), (e: unknown) => e instanceof OptionError && re.test(e.message), argv.join(' '));
  expectError(['f', '--jobs', 'abc'], /--jobs needs an integer, got 'abc'/);
  expectError(['f', '--mode', 'foo'], /--mode must be one of spse, bvlain; got 'foo'/);
  expectError(['f', '--reslution=0.05'], /unknown option '--reslution' \(did you mean --resolution\?\); valid options: --jobs, --resolution/);
  expectError(['f', '--cube'], /--cube needs a value .*arguments end there/);
  expectError(['f', '--cube', '--json'], /--cube needs a value .*followed by '--json'/);
  expectError(['f', '--resolution', '0.02'], /--resolution must be at least 0.05 Å, got 0.02 Å/);
  expectError(['f', '--json=yes'], /flag and takes no value/);
  expectError([], /expected 1 argument \(folder\), got 0/);
  expectError(['f', '--jobs', '2', '--jobs', '3'], /given twice/);
  const ok = parseOptions(['folder', '--jobs=3', '--resolution', '0.1', '--json', '--cube', 'out.cube'], RANK_SPEC);
  assert.deepEqual([ok.positionals, ok.values.jobs, ok.values.resolution, ok.values.mode, ok.values.json, ok.values.cube, ok.values.out], [['folder'], 3, 0.1, 'spse', true, 'out.cube', undefined]);
  assert.equal(parseOptions(['--help'], RANK_SPEC).help, true);
  assert.match(formatHelp(RANK_SPEC), /--mode spse\|bvlain/);

  let cases = 0, crashes = 0;
  const names = RANK_SPEC.options.map((o) => o.name as string);
  const word = fc.oneof(
    fc.constantFrom(...names).map((n) => `--${n}`),
    fc.constantFrom('--reslution', '--job', '--Jobs', '-j', '--', '-', '--json=1', '--jobs=', '--mode=spse', '--resolution=0.2'),
    fc.constantFrom('abc', '3', '-2', '0.05', '1e400', 'NaN', '0x10', 'spse', 'bvlain', 'foo', 'a.cif', '', ' ', '1.5'),
  );
  fc.assert(fc.property(fc.array(word, { maxLength: 8 }), (argv) => {
    cases++;
    let r;
    try { r = parseOptions(argv, RANK_SPEC); } catch (e) {
      if (!(e instanceof OptionError)) { crashes++; throw e; }
      assert.ok(e.message.length > 10);
      return;
    }
    if (r.help) return;
    const end = argv.indexOf('--');
    for (const a of end < 0 ? argv : argv.slice(0, end)) {
      if (a.startsWith('--') && a !== '--') assert.ok(names.includes(a.slice(2).split('=')[0]), `unknown ${a} accepted in ${JSON.stringify(argv)}`);
    }
    const v = r.values;
    if (v.jobs !== undefined) assert.ok(Number.isInteger(v.jobs) && v.jobs >= 1, JSON.stringify(argv));
    if (v.resolution !== undefined) assert.ok(v.resolution >= 0.05 && v.resolution <= 1, JSON.stringify(argv));
    assert.ok(['spse', 'bvlain'].includes(v.mode));
    assert.equal(r.positionals.length, 1);
  }), { seed: SEED, numRuns: 1000 });
  report('option-fuzzing', cases, crashes);
});

// ---- the host -------------------------------------------------------------------------------------------

test('host: out of memory and V8 fatal errors are host-crashed answers; the parent survives and a fresh host serves', { skip: noWorker, timeout: 40_000 }, async () => {
  let cases = 0;
  for (const isolation of ['process', 'thread'] as const) {
    const problems: string[] = [];
    const host = new HostClient(WORKER, { onProblem: (m) => problems.push(m) }, 20_000, { isolation, maxOldGenerationSizeMb: 64, testHooks: true });
    try {
      // In a process, heap exhaustion is a V8 fatal error (SIGABRT), as is 'abort'; a thread gets ERR_WORKER_OUT_OF_MEMORY.
      const kinds = isolation === 'process' ? ['heap', 'abort'] : ['heap'];
      for (const kind of kinds) {
        cases++;
        const before = await host.request('ping', {});
        await assert.rejects(host.request('debugAllocate' as 'spin', { kind } as never), (e: unknown) => e instanceof ProtocolError && e.code === 'host-crashed', `${isolation} ${kind}`);
        const after = await host.request('ping', {});
        assert.ok(after.pid !== before.pid || after.threadId !== before.threadId, 'a fresh host answers');
      }
      assert.ok(problems.some((p) => /crashed/.test(p)), problems.join('\n'));
      if (isolation === 'process') assert.ok(problems.some((p) => /heap|memory/i.test(p)), `the cause is named: ${problems.join('\n')}`);
    } finally { host.dispose(); }
  }
  report('host-crashes', cases, 0, 'parent alive');
});

test('host: a short request queued behind a long one is not timed out with it; a cancel frees a stuck host', { skip: noWorker, timeout: 40_000 }, async () => {
  const host = new HostClient(WORKER, { onProblem: () => undefined }, 1000);
  try {
    await host.request('ping', {});
    // Long one over its limit: killed at 1 s; the short one sent right after is resent to the fresh host.
    const long = host.request('spin', { ms: 4000 });
    const short = host.request('info', { text: LIFEPO4 });
    await assert.rejects(long, (e: unknown) => e instanceof ProtocolError && e.code === 'timeout');
    assert.equal((await short).ok, true, 'the short request is answered');
    // Long one within its own (longer) limit: the short one waits longer than its 1 s limit, and still succeeds.
    const long2 = host.request('spin', { ms: 1800 }, { timeoutMs: 10_000 });
    const short2 = host.request('info', { text: LIFEPO4 }, { timeoutMs: 1000 });
    assert.equal((await short2).ok, true);
    await long2;
    // Cancel during synchronous work: the host is restarted within the grace period, not busy for 10 s.
    const ac = new AbortController();
    const stuck = host.request('spin', { ms: 10_000 }, { signal: ac.signal, timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    ac.abort();
    await assert.rejects(stuck, (e: unknown) => e instanceof ProtocolError && e.code === 'cancelled');
    await new Promise((r) => setTimeout(r, 50));
    await host.request('ping', {}, { timeoutMs: 8000 });
    const ms = performance.now() - t0;
    assert.ok(ms < 5000, `the host served again ${ms.toFixed(0)} ms after the cancel`);
    report('host-queue-cancel', 3, 0, `served ${ms.toFixed(0)} ms after a cancel in synchronous work`);
  } finally { host.dispose(); }
});

let traceEa: { plain: number | null; trace: number | null } | undefined;

test('host: degenerate and trace inputs through the real host are answers, never crashes', { skip: noWorker, timeout: 50_000 }, async () => {
  const host = new HostClient(WORKER, { onProblem: () => undefined }, 40_000);
  let cases = 0;
  try {
    for (const gamma of [0.06, 0.5]) {
      cases++;
      const r = await host.request('landscape', { text: withCell(LIFEPO4, { a: 10.332, b: 6.01, c: 4.692, alpha: 90, beta: 90, gamma }), options: {}, withGrid: false });
      assert.equal(r.result.ok, false);
      assert.ok(r.result.messages.some((m) => m.code === 'degenerate-cell') || /degenerate|flat|MIN_/.test(r.result.error ?? ''), JSON.stringify(r.result).slice(0, 400));
    }
    cases++;
    const plain = await host.request('landscape', { text: LIFEPO4, options: {}, withGrid: false });
    const trace = await host.request('landscape', { text: withTrace(1e-5), options: {}, withGrid: false });
    assert.ok(plain.result.ok && trace.result.ok);
    assert.ok(trace.result.messages.some((m) => m.code === 'trace-occupancy'));
    traceEa = { plain: plain.result.report!.Ea_1D_eV, trace: trace.result.report!.Ea_1D_eV };
    const d = Math.abs((trace.result.report!.Ea_1D_eV ?? NaN) - (plain.result.report!.Ea_1D_eV ?? NaN));
    console.log(`reliability: trace Fe 1e-5 on the Li site changes Ea(BVSE, 1D) by ${d.toFixed(3)} eV (${plain.result.report!.Ea_1D_eV} → ${trace.result.report!.Ea_1D_eV} eV)`);
    report('host-inputs', cases, 0);
  } finally { host.dispose(); }
});

test('trace occupancy does not move Ea(BVSE, 1D) by more than 0.05 eV', { skip: noWorker }, () => {
  assert.ok(traceEa && traceEa.plain !== null && traceEa.trace !== null, 'computed by the test above');
  assert.ok(Math.abs(traceEa.trace - traceEa.plain) < 0.05, `${traceEa.plain} → ${traceEa.trace} eV`);
});

// ---- rank ------------------------------------------------------------------------------------------------

test('rank over a folder with special files finishes; failures are rows, timeouts are not cached; partial output kept apart', { skip: noWorker, timeout: 50_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-rank-'));
  const problems: string[] = [];
  const pool = new HostPool(WORKER, 2, { onProblem: (m) => problems.push(m) }, 30_000);
  try {
    writeFileSync(join(dir, 'LiFePO4.cif'), LIFEPO4);
    writeFileSync(join(dir, 'flat.cif'), withCell(LIFEPO4, { a: 10.332, b: 6.01, c: 4.692, alpha: 90, beta: 90, gamma: 0.06 }));
    try { execFileSync('mkfifo', [join(dir, 'fifo.cif')]); } catch { /* no mkfifo: fewer cases */ }
    if (existsSync('/dev/zero')) symlinkSync('/dev/zero', join(dir, 'zero.cif'));
    mkdirSync(join(dir, 'dir.cif'));
    const cache = new RankCache(null);
    const t0 = performance.now();
    const { rows, cancelled } = await rankFolder(dir, { pool, options: { resolution: 0.3 }, cache });
    assert.equal(cancelled, false);
    assert.ok(performance.now() - t0 < 40_000);
    const byFile = new Map(rows.map((r) => [r.file, r]));
    assert.ok(byFile.get('LiFePO4.cif')?.Ea_1D_eV !== null && !byFile.get('LiFePO4.cif')?.error, JSON.stringify(byFile.get('LiFePO4.cif')));
    assert.ok(byFile.get('flat.cif')?.error, 'the flat cell is a row with its reason');
    if (byFile.has('fifo.cif')) assert.match(byFile.get('fifo.cif')!.error!, /FIFO/);
    if (byFile.has('zero.cif')) assert.match(byFile.get('zero.cif')!.error!, /character device/);
    // A missing folder is an error, not "0/0 files".
    await assert.rejects(rankFolder(join(dir, 'nope'), { pool, options: {}, cache }), RankFolderError);
    // Timeouts are not cached: a 1 ms limit fails the file, and nothing is stored for it.
    const tiny = new HostPool(WORKER, 1, { onProblem: () => undefined }, 1);
    try {
      const c2 = new RankCache(null);
      const r2 = await rankFolder(dir, { pool: tiny, options: { resolution: 0.3 }, cache: c2 });
      assert.ok(/timeout/.test(r2.rows.find((r) => r.file === 'LiFePO4.cif')?.error ?? ''), JSON.stringify(r2.rows));
      assert.ok(c2.size <= 1, 'nothing but (perhaps) the flat cell\'s answer, an input error, is cached');
      // The next run with a usable limit computes the file instead of replaying the timeout.
      const r3 = await rankFolder(dir, { pool, options: { resolution: 0.3 }, cache: c2 });
      const row = r3.rows.find((r) => r.file === 'LiFePO4.cif')!;
      assert.ok(!row.error && !row.fromCache && row.Ea_1D_eV !== null, JSON.stringify(row));
    } finally { tiny.dispose(); }
    // Partial output never replaces a complete one.
    const out = join(dir, 'ranking.csv');
    await writeRankOutput(out, 'complete\n', true);
    const w = await writeRankOutput(out, 'partial\n', false);
    assert.equal(readFileSync(out, 'utf8'), 'complete\n');
    assert.equal(w.path, partialPathOf(out));
    assert.match(w.note, /incomplete.*left unchanged/);
    await writeRankOutput(out, 'complete 2\n', true);
    assert.ok(!existsSync(partialPathOf(out)), 'a complete run removes the stale partial file');
    // --jobs is clamped to the cores, and said.
    const c = clampPoolSize(10_000);
    assert.equal(c.size, maxPoolSize());
    assert.match(c.note ?? '', /reduced to/);
    assert.equal(clampPoolSize(NaN).size, 1);
    report('rank', rows.length + 4, 0);
  } finally {
    pool.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- cancellation of the build ------------------------------------------------------------------------------

test('the asynchronous build honours its signal between stages', async () => {
  const ac = new AbortController();
  const p = buildStructureAsync(p1Cell(15_000, 80), {}, { signal: ac.signal });
  setImmediate(() => ac.abort());
  await assert.rejects(p, (e: unknown) => e instanceof CancelledError);
  const r = await buildStructureAsync(LIFEPO4);
  assert.equal(r.structure?.sites.length, 28);
  assert.deepEqual(checkCellGeometry(r.structure!.lattice), []);
});
