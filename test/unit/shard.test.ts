/**
 * Sharded ranking without a scheduler: the partition (deterministic, disjoint, stable when files are added), a shard
 * run with its journal (resume after a kill, a torn line, idempotent re-run), and the merge (identical to one run;
 * refuses mixed options, missing, duplicate and incomplete shards, duplicate rows). The Slurm side is
 * test/slurm/run-slurm.sh.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLandscapeJobSync, type LandscapeJobOptions } from '../../src/compute/analysis/job';
import { sortRows, type RankRow } from '../../src/compute/analysis/ranking';
import {
  filesOfShard, mergeShardOutputs, notReplaceable, parseShardOutput, parseShardSpec, partition, readRankInput, runShard, shardIdentity,
  shardNotDoneReason, shardOf, shardOutputJson, ShardJournal, type ShardOutput, type ShardSpec, type RankInput,
} from '../../src/compute/shard';
import { shq, slurmScripts, slurmTimeProblem, validateSlurmSpec, type SlurmJobSpec } from '../../src/compute/cli/slurmScript';
import { rankOrderFor } from '../../src/compute/analysis/ranking';

const names = (n: number, prefix = 'mp') => Array.from({ length: n }, (_, i) => ({ rel: `${prefix}/${String(i).padStart(5, '0')}-${(i * 7919) % 1000}.cif` }));

test('partition: every file in exactly one shard, the same on every call, roughly balanced', () => {
  const files = names(2000);
  const shards = partition(files, 8);
  assert.equal(shards.reduce((s, x) => s + x.length, 0), files.length);
  assert.equal(new Set(shards.flat().map((f) => f.rel)).size, files.length);
  for (const [i, s] of shards.entries()) {
    assert.ok(s.length > 0.7 * 250 && s.length < 1.3 * 250, `shard ${i + 1} has ${s.length} of 2000 files`);
    assert.deepEqual(filesOfShard(files, { index: i + 1, count: 8 }).map((f) => f.rel), s.map((f) => f.rel));
  }
  assert.deepEqual(partition([...files].reverse(), 8).map((s) => s.map((f) => f.rel)), shards.map((s) => s.map((f) => f.rel)));
});

test('partition: adding files never moves the files already assigned', () => {
  const before = names(500);
  const after = [...before, ...names(300, 'new'), ...names(40, 'mp/sub')];
  for (const n of [1, 3, 16]) {
    const was = new Map(before.map((f) => [f.rel, shardOf(f.rel, n)]));
    const now = partition(after, n);
    for (const [i, s] of now.entries()) for (const f of s) if (was.has(f.rel)) assert.equal(was.get(f.rel), i + 1, `${f.rel} moved with N=${n}`);
  }
});

test('shard spec: K/N with 1 ≤ K ≤ N, clear errors otherwise', () => {
  assert.deepEqual(parseShardSpec('3/16'), { index: 3, count: 16 });
  assert.deepEqual(parseShardSpec(' 1 / 1 '), { index: 1, count: 1 });
  assert.throws(() => parseShardSpec('0/4'), /K must be between 1 and N=4/);
  assert.throws(() => parseShardSpec('5/4'), /K must be between 1 and N=4/);
  assert.throws(() => parseShardSpec('2-4'), /not of the form K\/N/);
  assert.throws(() => parseShardSpec('1/0'), /N must be/);
});

// --- real shard runs on a few example structures (BVSE, coarse grid to keep it quick) ---
const OPTIONS: LandscapeJobOptions = { ion: 'Li', ionCharge: 1, resolution: 0.4, mode: 'spse' };
function inputFolder(): { dir: string; input: () => Promise<RankInput> } {
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-shard-'));
  mkdirSync(join(dir, 'in', 'sub'), { recursive: true });
  for (const f of ['Li3N', 'Li2S', 'Li2Te']) copyFileSync(join('examples', `${f}.cif`), join(dir, 'in', `${f}.cif`));
  // Another file, another text (a file with the same text as one before it would come from the journal).
  writeFileSync(join(dir, 'in', 'sub', 'Li3N-copy.cif'), readFileSync(join('examples', 'Li3N.cif'), 'utf8') + '\n# a copy\n');
  writeFileSync(join(dir, 'in', 'broken.cif'), 'data_x\n_cell_length_a 3\n');
  return { dir, input: () => readRankInput(join(dir, 'in')) };
}
function counter() {
  const c = { calls: 0, compute: async (text: string, o: LandscapeJobOptions) => { c.calls++; const { analysis: _a, ...r } = runLandscapeJobSync(text, o); return r; } };
  return c;
}
async function runOne(input: RankInput, spec: ShardSpec, journalDir: string, c = counter(), signal?: AbortSignal, onProgress?: () => void) {
  const files = filesOfShard(input.files, spec);
  const journal = new ShardJournal(journalDir);
  const r = await runShard({ identity: { input: input.id, listing: input.listing, shard: spec }, root: input.root, files, options: OPTIONS, journal, compute: c.compute, lanes: 1, signal, onProgress });
  await journal.close();
  return { r, files, journal, c };
}
const strip = (rows: RankRow[]) => rows.map(({ fromCache: _f, seconds: _s, ...x }) => x);
const asOutput = (path: string, r: { rows: RankRow[]; meta: unknown }): ShardOutput => parseShardOutput(path, shardOutputJson(r as Parameters<typeof shardOutputJson>[0]));

test('shards merged give exactly the rows of one run over all files', async () => {
  const { dir, input } = inputFolder();
  try {
    const inp = await input();
    assert.equal(inp.files.length, 5);
    const whole = await runOne(inp, { index: 1, count: 1 }, join(dir, 'j-all'));
    assert.equal(whole.r.meta.complete, true);
    assert.ok(whole.r.rows.some((x) => x.error), 'the broken CIF has a row with its reason');
    const outputs: ShardOutput[] = [];
    for (let k = 1; k <= 3; k++) outputs.push(asOutput(`s${k}.json`, (await runOne(inp, { index: k, count: 3 }, join(dir, `j${k}`))).r));
    const merged = mergeShardOutputs(outputs);
    assert.deepEqual(merged.problems, []);
    assert.deepEqual(strip(merged.rows), strip(whole.r.rows));
    assert.deepEqual(merged.rows.map((x) => x.file), sortRows(merged.rows).map((x) => x.file));
    assert.equal(merged.meta.complete, true);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a shard stopped mid-run resumes from its journal (a torn last line is skipped); a finished shard is not re-run', async () => {
  const { dir, input } = inputFolder();
  try {
    const inp = await input();
    const spec = { index: 1, count: 1 };
    const abort = new AbortController();
    const first = await runOne(inp, spec, join(dir, 'j'), counter(), abort.signal, () => abort.abort());
    assert.equal(first.r.meta.complete, false);
    assert.equal(first.r.cancelled, true);
    const journalled = first.journal.size;
    assert.ok(journalled >= 1 && journalled < 5, `${journalled} results journalled`);
    // A kill while appending leaves half a line.
    appendFileSync(join(dir, 'j', 'results.jsonl'), '{"schema":"ionpath.shard-journal/1","key":"abc","result":{"ok":tr');
    const c = counter();
    const second = await runOne(inp, spec, join(dir, 'j'), c);
    assert.equal(second.journal.skippedLines, 1);
    assert.equal(second.r.meta.complete, true);
    assert.equal(second.r.meta.fromJournal, journalled);
    // The broken CIF is computed (to its error) like any other; only the journalled ones are skipped.
    assert.equal(c.calls, 5 - journalled);

    const out = join(dir, 'shard.json');
    writeFileSync(out, shardOutputJson(second.r));
    const identity = shardIdentity({ identity: { input: inp.id, listing: inp.listing, shard: spec }, options: OPTIONS });
    assert.equal(await shardNotDoneReason(out, identity, second.files), null);
    assert.match(await shardNotDoneReason(out, { ...identity, options: { ...identity.options, resolution: 0.2 } }, second.files) ?? '', /another shard, input or options/);
    writeFileSync(join(dir, 'in', 'Li2S.cif'), readFileSync(join(dir, 'in', 'Li2S.cif'), 'utf8') + '\n# edited\n');
    assert.match(await shardNotDoneReason(out, identity, second.files) ?? '', /input changed \(Li2S\.cif\)/);
    const added = await input();
    writeFileSync(join(dir, 'in', 'new.cif'), 'data_y\n');
    assert.match(await shardNotDoneReason(out, identity, (await input()).files) ?? '', /input changed/);
    assert.equal(added.files.length, 5);
    // After the edit only the edited file is computed again.
    const c3 = counter();
    await runOne(added, spec, join(dir, 'j'), c3);
    assert.equal(c3.calls, 1);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('merge refuses mixed parameters, missing/duplicate/incomplete shards, duplicate rows and rows in the wrong shard', async () => {
  const { dir, input } = inputFolder();
  try {
    const inp = await input();
    const outs: ShardOutput[] = [];
    for (let k = 1; k <= 2; k++) outs.push(asOutput(`s${k}.json`, (await runOne(inp, { index: k, count: 2 }, join(dir, `j${k}`))).r));
    assert.deepEqual(mergeShardOutputs(outs).problems, []);
    const clone = (o: ShardOutput, path = o.path): ShardOutput => ({ ...(JSON.parse(JSON.stringify(o)) as ShardOutput), path });

    const mixed = clone(outs[1]);
    mixed.meta.options = { ...mixed.meta.options, resolution: 0.2 };
    assert.match(mergeShardOutputs([outs[0], mixed]).problems.join('\n'), /different parameters: resolution 0\.2 vs 0\.4/);
    const otherMethod = clone(outs[1]);
    otherMethod.meta.method = 'mlip';
    assert.match(mergeShardOutputs([outs[0], otherMethod]).problems.join('\n'), /mixed methods/);

    const missing = mergeShardOutputs([outs[0]]);
    assert.match(missing.problems.join('\n'), /missing 1 of 2 shards: 2\/2/);
    assert.deepEqual(missing.rows, []);
    assert.equal(mergeShardOutputs([outs[0]], { allowPartial: true }).meta.complete, false);

    assert.match(mergeShardOutputs([outs[0], outs[1], clone(outs[1], 'copy.json')]).problems.join('\n'), /shard 2\/2 given 2 times: s2\.json, copy\.json/);

    const extra = clone(outs[1]);
    const stray = outs[0].rows[0];
    extra.rows.push(stray);
    const dup = mergeShardOutputs([outs[0], extra]).problems.join('\n');
    assert.match(dup, new RegExp(`1 duplicate row: ${stray.file.replace('.', '\\.')} \\(in s1\\.json, s2\\.json\\)`));
    assert.match(dup, new RegExp(`row ${stray.file.replace('.', '\\.')} belongs to shard 1/2`));

    const partial = clone(outs[1]);
    partial.meta.complete = false;
    partial.rows = partial.rows.slice(0, 1);
    assert.match(mergeShardOutputs([outs[0], partial]).problems.join('\n'), /shard 2\/2 \(s2\.json\) is incomplete: 1 of \d+ files ranked; re-run/);

    assert.throws(() => parseShardOutput('whole.json', JSON.stringify({ schema: 'ionpath.ranking/1', folder: '/x', rows: [] })), /not a shard output/);
    assert.throws(() => parseShardOutput('x.csv', 'file,formula\n'), /x\.csv: not JSON/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('file list input: one path per line, relative to the list, comments and repeats ignored', async () => {
  const { dir } = inputFolder();
  try {
    const list = join(dir, 'list.txt');
    writeFileSync(list, `# structures\nin/Li3N.cif\n\n${join(dir, 'in', 'Li2S.cif')}\nin/Li3N.cif\nin/missing.cif\n`);
    const inp = await readRankInput(`@${list}`);
    assert.deepEqual(inp.files.map((f) => f.rel), ['in/Li2S.cif', 'in/Li3N.cif', 'in/missing.cif']);
    const { r } = await runOne(inp, { index: 1, count: 1 }, join(dir, 'jl'));
    assert.match(r.rows.find((x) => x.file === 'in/missing.cif')?.error ?? '', /cannot read/);
    await assert.rejects(readRankInput(`@${join(dir, 'nope.txt')}`), /cannot read the file list/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a FIFO or a folder in a file list gets a row with its kind, without blocking the shard', { timeout: 30_000 }, async () => {
  const { dir } = inputFolder();
  try {
    let fifo = true;
    try { execFileSync('mkfifo', [join(dir, 'in', 'pipe.cif')]); } catch { fifo = false; }
    const list = join(dir, 'list.txt');
    writeFileSync(list, `in/Li3N.cif\n${fifo ? 'in/pipe.cif\n' : ''}in/sub\n`);
    const { r } = await runOne(await readRankInput(`@${list}`), { index: 1, count: 1 }, join(dir, 'jf'));
    assert.equal(r.meta.complete, true);
    if (fifo) assert.match(r.rows.find((x) => x.file === 'in/pipe.cif')?.error ?? '', /named pipe \(FIFO\), not a regular file/);
    assert.match(r.rows.find((x) => x.file === 'in/sub')?.error ?? '', /is a directory, not a regular file/);
    assert.ok(r.rows.find((x) => x.file === 'in/Li3N.cif')?.Ea_1D_eV !== null);
    if (fifo) {
      // A FIFO as the file list or as a shard output to merge is refused by its kind, not read (it would block).
      await assert.rejects(readRankInput(`@${join(dir, 'in', 'pipe.cif')}`), /cannot read the file list: .*named pipe \(FIFO\)/);
      const cli = spawnSync(process.execPath, [join(process.cwd(), 'dist', 'cli.js'), 'merge', join(dir, 'in', 'pipe.cif'), '--out', join(dir, 'm.csv')], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(cli.status, 1, cli.stderr);
      assert.match(cli.stderr, /named pipe \(FIFO\), not a regular file[\s\S]*nothing written/);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('slurm scripts: job array, CPUs from SLURM_CPUS_PER_TASK, optional GPU, dependent merge; valid bash; bad values refused', () => {
  const spec: SlurmJobSpec = {
    input: "/data/my cifs/it's here", shards: 16, method: 'bvse', rankArgs: ['--resolution', '0.2'], outDir: '/scratch/run 1',
    scriptPath: '/scratch/run 1/job.sbatch', cliPath: '/opt/ionpath/dist/cli.js', cpusPerTask: 8, gpu: true, partition: 'gpu', time: '1-00:00:00', maxRunning: 4,
  };
  const s = slurmScripts(spec);
  assert.match(s.sbatch, /^#SBATCH --array=1-16%4$/m);
  assert.match(s.sbatch, /^#SBATCH --cpus-per-task=8$/m);
  assert.match(s.sbatch, /^#SBATCH --gres=gpu:1$/m);
  assert.match(s.sbatch, /^#SBATCH --partition=gpu$/m);
  assert.match(s.sbatch, /THREADS="\$\{SLURM_CPUS_PER_TASK:-1\}"/);
  assert.match(s.sbatch, /--shard "\$K\/16" --method bvse --resolution 0\.2 --jobs "\$THREADS"/);
  assert.ok(s.sbatch.includes(shq(spec.input)));
  assert.equal(s.submitPath, '/scratch/run 1/job.submit.sh');
  assert.match(s.submit, /--dependency=afterok:"\$ARRAY" --kill-on-invalid-dep=yes/);
  assert.ok(!slurmScripts({ ...spec, gpu: false }).sbatch.includes('gres'));
  for (const text of [s.sbatch, s.submit]) execFileSync('bash', ['-n'], { input: text });
  assert.equal(execFileSync('bash', ['-c', `printf %s ${shq("a 'b' $c")}`]).toString(), "a 'b' $c");
  assert.match(validateSlurmSpec({ ...spec, time: '10h' }).join(), /--time '10h' is not a Slurm time limit/);
  assert.match(validateSlurmSpec({ ...spec, shards: 5000 }).join(), /MaxArraySize/);
  assert.match(validateSlurmSpec({ ...spec, partition: 'a;rm -rf' }).join(), /not a partition name/);
  assert.throws(() => slurmScripts({ ...spec, shards: 0 }), /positive integer/);
});

test('rank --shard, merge and slurm parse their options strictly: a typo or a bad value is named, exit 2, nothing written', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-shard-cli-'));
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(process.cwd(), 'dist', 'cli.js'), ...args], { encoding: 'utf8', timeout: 30_000, cwd: dir });
  try {
    mkdirSync(join(dir, 'in'));
    copyFileSync(join(process.cwd(), 'examples', 'Li3N.cif'), join(dir, 'in', 'Li3N.cif'));
    const cases: [string[], RegExp][] = [
      // Before, '0.1' became a second positional argument and the message spoke of the folder.
      [['rank', 'in', '--shard', '1/2', '--out', 's.csv', '--reslution', '0.1'], /unknown option '--reslution' \(did you mean --resolution\?\)/],
      [['rank', 'in', '--shard', '1/2', '--out', 's.csv', '--json-out', 's.json', '--json', 't.json'], /give --json or --json-out \(the same option\), not both/],
      [['rank', 'in', '--shard', '3/2', '--out', 's.csv'], /--shard 3\/2: K must be between 1 and N=2/],
      [['rank', 'in', '--shard', '1/2', '--out', 's.csv', '--jobs', 'two'], /--jobs needs an integer, got 'two'/],
      [['rank', 'in', '--shard', '1/2', '--out', 's.csv', '--oxidation-states', 'Li=1,N'], /'N' is not Element=charge/],
      [['rank', 'in', '--shard', '1/2'], /a shard needs --out/],
      [['merge', '--out', 'm.csv'], /expected at least 1 arguments \(shard outputs\), got 0/],
      [['merge', 'a.json', '--allow-partial=yes'], /--allow-partial is a flag and takes no value/],
      [['slurm', 'in', '--out', 'job.sbatch'], /slurm needs --shards N/],
      [['slurm', 'in', '--shards', '4', '--out', 'job.sbatch', '--gpus'], /unknown option '--gpus' \(did you mean --gpu\?\)/],
      [['slurm', 'in', '--shards', '4', '--out', 'job.sbatch', '--time', '10h'], /--time '10h' is not a Slurm time limit \(minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS\)/],
      [['slurm', 'in', '--shards', '4', '--out', 'job.sbatch', '--time', '99:99:99'], /--time '99:99:99' is not a Slurm time limit: minutes and seconds must be below 60/],
      [['slurm', 'in', '--shards', '4', '--out', 'job.sbatch', '--timeout', '0'], /--timeout/],
      [['slurm', 'in', '--shards', '4', '--out', 'job.sbatch', '--resolution', '9'], /--resolution must be at most 2/],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
    for (const f of ['s.csv', 's.json', 'm.csv', 'job.sbatch', 'job.submit.sh']) assert.ok(!existsSync(join(dir, f)), `${f} was written`);
    // The options that change numbers reach the shards' command line as given.
    // --timeout (per structure) is rank's, passed through to every shard.
    const ok = cli('slurm', 'in', '--shards', '2', '--out', 'job.sbatch', '--resolution', '0.3', '--oxidation-states', 'Li=1,N=-3', '--disorder', 'approximants', '--timeout', '100');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(readFileSync(join(dir, 'job.sbatch'), 'utf8'), /--shard "\$K\/2" --method bvse --resolution 0\.3 --disorder approximants --oxidation-states Li=1,N=-3 --timeout 100 --jobs/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('slurm --time: Slurm\'s six formats, minutes and seconds below 60, hours below 24 after a day part', () => {
  for (const ok of ['0', '90', '30:00', '59:59', '12:00:00', '48:00:00', '1-12', '1-23:30', '2-23:59:59']) assert.equal(slurmTimeProblem(ok), null, ok);
  const bad: [string, RegExp][] = [
    ['99:99:99', /minutes and seconds must be below 60/], ['60:00', /minutes and seconds must be below 60/], ['1:00:60', /below 60/],
    ['1-24', /hours must be below 24 after a day part/], ['1-12:60', /below 60/], ['10h', /is not a Slurm time limit \(minutes, MM:SS/],
    ['1-', /is not a Slurm time limit/], [':30', /is not a Slurm time limit/], ['1:2:3:4', /is not a Slurm time limit/],
  ];
  for (const [time, why] of bad) {
    assert.match(slurmTimeProblem(time) ?? '', new RegExp(`^--time '${time}' is not a Slurm time limit`), time);
    assert.match(slurmTimeProblem(time) ?? '', why, time);
  }
});

test('slurm scripts: the header names the method\'s ranking order; --timeout reaches every shard', () => {
  const spec: SlurmJobSpec = { input: '/data/in', shards: 2, method: 'bvse', rankArgs: [], outDir: '/scratch/r', scriptPath: '/scratch/job.sbatch', cliPath: '/opt/cli.js' };
  for (const method of ['bvse', 'gcn', 'mlip']) {
    const header = slurmScripts({ ...spec, method }).sbatch.split('\n')[1];
    assert.ok(header.includes(rankOrderFor(method).caption), `${method}: ${header}`);
    assert.equal(header.includes('Ξ'), method === 'mlip', `${method}: ${header}`);
  }
  assert.match(slurmScripts({ ...spec, timeoutSeconds: 600 }).sbatch, /--method bvse --timeout 600 --jobs "\$THREADS"/);
  assert.ok(!slurmScripts(spec).sbatch.includes('--timeout'));
});

test('slurm scripts: paths with a space or a quote reach sbatch and the shards as one argument each, never in an #SBATCH line', { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-slurm-paths-'));
  try {
    // Stand-ins for sbatch and node on PATH that record their arguments (NUL-separated), so the real wrapper runs.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const recorder = (name: string, reply: string) => {
      writeFileSync(join(bin, name), `#!/bin/bash\nprintf '%s\\0' "$@" >> "${dir}/${name}.args"\nprintf '\\n' >> "${dir}/${name}.args"\n${reply}\n`, { mode: 0o755 });
    };
    recorder('sbatch', 'echo 42');
    recorder('node', 'exit 0');
    const calls = (name: string) => readFileSync(join(dir, `${name}.args`), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\0').slice(0, -1));
    const out = join(dir, "res ults/it's");
    const spec: SlurmJobSpec = {
      input: join(dir, 'my cifs'), shards: 3, method: 'bvse', rankArgs: ['--resolution', '0.3'], outDir: out,
      scriptPath: join(dir, 'job one.sbatch'), cliPath: join(dir, 'ion path', 'cli.js'), partition: 'debug', time: '10',
    };
    const s = slurmScripts(spec);
    for (const line of s.sbatch.split('\n').filter((l) => l.startsWith('#SBATCH'))) assert.match(line, /^#SBATCH --[a-z-]+=\S+$/, line);
    assert.ok(!/^#SBATCH --output/m.test(s.sbatch), 'the log path with a space is not in an #SBATCH line');
    writeFileSync(s.sbatchPath, s.sbatch);
    writeFileSync(s.submitPath, s.submit);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const printed = execFileSync('bash', [s.submitPath, '--qos=long'], { env, encoding: 'utf8' });
    assert.match(printed, /shards are job 42/);
    assert.ok(existsSync(join(out, 'logs')), 'the wrapper made the log folder');
    const [array, merge] = calls('sbatch');
    assert.deepEqual(array, ['--parsable', `--output=${out}/logs/shard-%a-of-3.job%A.log`, '--qos=long', s.sbatchPath]);
    assert.ok(merge.includes(`--output=${out}/logs/merge.log`), merge.join(' | '));
    assert.ok(merge.includes('--dependency=afterok:42'), merge.join(' | '));
    assert.match(printed, new RegExp(`a failed shard K: sbatch --array=K --output=${shq(`${out}/logs/shard-%a-of-3.job%A.log`).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `));

    // The array task, as Slurm runs it, and the merge job's --wrap script, as /bin/sh runs it.
    execFileSync('bash', [s.sbatchPath], { env: { ...env, SLURM_ARRAY_TASK_ID: '2', SLURM_CPUS_PER_TASK: '1' } });
    assert.deepEqual(calls('node')[0], [spec.cliPath, 'rank', spec.input, '--shard', '2/3', '--method', 'bvse', '--resolution', '0.3', '--jobs', '1',
      '--out', `${out}/shard-2-of-3.csv`, '--json', `${out}/shard-2-of-3.json`, '--cache', `${out}/.ionpath-cache/shard-2-of-3`]);
    for (const k of [1, 2, 3]) writeFileSync(join(out, `shard-${k}-of-3.json`), '{}');
    const wrap = merge.find((a) => a.startsWith('--wrap='))!.slice('--wrap='.length);
    execFileSync('sh', ['-c', wrap], { env });
    assert.deepEqual(calls('node')[1], [spec.cliPath, 'merge', ...[1, 2, 3].map((k) => `${out}/shard-${k}-of-3.json`), '--out', `${out}/ranking.csv`, '--json', `${out}/ranking.json`]);

    // A plain path keeps the log in the script, so `sbatch --array=K job.sbatch` alone logs to the same place.
    const plain = slurmScripts({ ...spec, outDir: join(dir, 'results') });
    assert.match(plain.sbatch, new RegExp(`^#SBATCH --output=${join(dir, 'results')}/logs/shard-%a-of-3\\.job%A\\.log$`, 'm'));
    assert.match(plain.submit, /^ARRAY=\$\(sbatch --parsable "\$@" /m);
    // What sbatch cannot take at all is refused, naming the option.
    assert.match(validateSlurmSpec({ ...spec, outDir: '/scratch/100%' }).join(), /--results '\/scratch\/100%' contains '%'/);
    assert.match(validateSlurmSpec({ ...spec, input: '/data/a\nrm -rf x' }).join(), /the input "\/data\/a\\nrm -rf x" contains a control character/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('rank --help shows the sharded form and its options', { timeout: 30_000 }, () => {
  const r = spawnSync(process.execPath, [join(process.cwd(), 'dist', 'cli.js'), 'rank', '--help'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^usage: ionpath rank <folder> \[options\]/);
  assert.match(r.stdout, /ionpath rank <folder \| @list\.txt> --shard K\/N --out shard-K\.csv \[--json shard-K\.json\]/);
  for (const flag of ['--shard <text>', '--json <path>', '--cache <path>']) assert.match(r.stdout, new RegExp(`^  ${flag}\\s+\\S`, 'm'), flag);
});

test('merge refuses shards that saw different states of the folder, and shard outputs that did not record it', async () => {
  const { dir, input } = inputFolder();
  try {
    const before = await input();
    const first = asOutput('s1.json', (await runOne(before, { index: 1, count: 2 }, join(dir, 'j1'))).r);
    // Between the two shards: two CIFs added, one deleted (5 files, then 6).
    copyFileSync(join('examples', 'LiCoO2.cif'), join(dir, 'in', 'LiCoO2.cif'));
    copyFileSync(join('examples', 'LiFePO4.cif'), join(dir, 'in', 'LiFePO4.cif'));
    rmSync(join(dir, 'in', 'Li2Te.cif'));
    const after = await input();
    assert.equal(after.files.length, 6);
    const second = asOutput('s2.json', (await runOne(after, { index: 2, count: 2 }, join(dir, 'j2'))).r);
    const mixed = mergeShardOutputs([first, second]);
    assert.deepEqual(mixed.rows, []);
    assert.deepEqual(mixed.problems, ['the shards saw different states of the input: shard 1/2 saw 5 files, shard 2/2 saw 6 files; re-run the shards on one state of the folder (each resumes from its cache)']);

    // Shard 1 knows it is out of date; re-run on this state, the set merges, without the deleted file.
    const identity = shardIdentity({ identity: { input: after.id, listing: after.listing, shard: { index: 1, count: 2 } }, options: OPTIONS });
    const s1 = join(dir, 's1.json');
    writeFileSync(s1, shardOutputJson(first));
    assert.equal(await shardNotDoneReason(s1, identity, filesOfShard(after.files, { index: 1, count: 2 })), "the input's file list changed (6 files now, 5 then)");
    const again = asOutput('s1.json', (await runOne(after, { index: 1, count: 2 }, join(dir, 'j1'))).r);
    const merged = mergeShardOutputs([again, second]);
    assert.deepEqual(merged.problems, []);
    assert.deepEqual(merged.rows.map((r) => r.file).sort(), after.files.map((f) => f.rel).sort());

    // The same number of files under other names is another state too.
    const renamed = structuredClone(second);
    renamed.meta.listing = { files: 6, sha256: '0'.repeat(64) };
    assert.match(mergeShardOutputs([again, renamed]).problems.join('\n'), /shard 1\/2 saw 6 files, shard 2\/2 saw 6 other files/);

    // A shard output from before the listing was recorded is refused with its reason, not merged.
    const old = structuredClone(second);
    delete (old.meta as Partial<typeof old.meta>).listing;
    assert.match(mergeShardOutputs([again, old]).problems.join('\n'), /^s2\.json \(shard 2\/2\) was written by an earlier ionpath that did not record the input's file list: re-run that shard/m);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('an existing file at an output path is replaced only if it is ionpath\'s output of the same kind; otherwise exit 2, nothing written', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-shard-outputs-'));
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(process.cwd(), 'dist', 'cli.js'), ...args], { encoding: 'utf8', timeout: 60_000, cwd: dir });
  const at = (f: string) => join(dir, f);
  const precious = '{"my":"precious"}\n';
  try {
    mkdirSync(at('in'));
    copyFileSync(join(process.cwd(), 'examples', 'Li3N.cif'), at('in/Li3N.cif'));
    const refused = (args: string[], message: RegExp, untouched: string[], absent: string[]) => {
      const r = cli(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      for (const f of untouched) assert.equal(readFileSync(at(f), 'utf8'), f.endsWith('.json') ? precious : 'a,b\n', `${f} was changed`);
      for (const f of absent) assert.ok(!existsSync(at(f)), `${f} was written`);
    };

    // rank --shard: the JSON beside --out, --json, and --out itself.
    writeFileSync(at('s1.json'), precious);
    refused(['rank', 'in', '--shard', '1/1', '--out', 's1.csv', '--resolution', '0.4'],
      /^ionpath rank: s1\.json \(the JSON written beside --out s1\.csv\) already exists and is not an ionpath shard output .*: ionpath replaces only its own outputs/m, ['s1.json'], ['s1.csv']);
    writeFileSync(at('x.csv'), 'a,b\n');
    refused(['rank', 'in', '--shard', '1/1', '--out', 'x.csv', '--json', 's2.json', '--resolution', '0.4'], /--out x\.csv already exists and is not an ionpath ranking CSV/, ['x.csv'], ['s2.json']);
    const shard = cli('rank', 'in', '--shard', '1/1', '--out', 's.csv', '--resolution', '0.4');
    assert.equal(shard.status, 0, shard.stderr);
    // Its own outputs, for other options: replaced.
    const again = cli('rank', 'in', '--shard', '1/1', '--out', 's.csv', '--resolution', '0.5');
    assert.equal(again.status, 0, again.stderr);
    assert.equal((JSON.parse(readFileSync(at('s.json'), 'utf8')) as { options: { resolution: number } }).options.resolution, 0.5);

    // merge: the JSON beside --out, --out itself, and a shard output as --json.
    writeFileSync(at('merged.json'), precious);
    refused(['merge', 's.json', '--out', 'merged.csv'], /merged\.json \(the JSON written beside --out merged\.csv\) already exists and is not an ionpath ranking JSON/, ['merged.json'], ['merged.csv']);
    refused(['merge', 's.json', '--out', 'x.csv', '--json', 'm.json'], /--out x\.csv already exists and is not an ionpath ranking CSV/, ['x.csv'], ['m.json']);
    copyFileSync(at('s.json'), at('other-shard.json'));
    refused(['merge', 's.json', '--out', 'm.csv', '--json', 'other-shard.json'], /--json other-shard\.json already exists and is an ionpath shard output, which merge does not replace/, [], ['m.csv']);
    for (let i = 0; i < 2; i++) { const m = cli('merge', 's.json', '--out', 'm.csv'); assert.equal(m.status, 0, m.stderr); }
    // A merged ranking is not a shard output either.
    refused(['rank', 'in', '--shard', '1/1', '--out', 's3.csv', '--json', 'm.json', '--resolution', '0.4'], /--json m\.json already exists and is an ionpath ranking but not a shard output/, [], ['s3.csv']);

    // slurm: the submit wrapper beside --out; its own scripts are replaced.
    writeFileSync(at('job.submit.sh'), precious);
    refused(['slurm', 'in', '--shards', '2', '--out', 'job.sbatch'], /job\.submit\.sh \(the submit wrapper written beside --out .*job\.sbatch\) already exists and is not a job script ionpath wrote/, [], ['job.sbatch']);
    assert.equal(readFileSync(at('job.submit.sh'), 'utf8'), precious);
    for (let i = 0; i < 2; i++) { const r = cli('slurm', 'in', '--shards', '2', '--out', 'own.sbatch'); assert.equal(r.status, 0, r.stderr); }

    // Plain rank writes no JSON unless asked: an x.json beside its --out stays as it was.
    writeFileSync(at('p.json'), precious);
    const plain = cli('rank', 'in', '--out', 'p.csv', '--cache', 'rank-cache.json', '--resolution', '0.4');
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(readFileSync(at('p.json'), 'utf8'), precious);

    // Recognised by content: a CSV by ionpath's header in any version (before the disorder and source columns too).
    writeFileSync(at('old.csv'), 'file,formula,Xi,Ea_1D_eV,Ea_2D_eV,Ea_3D_eV,MPE_eV,FV_connected,FV_disconnected,dimensionality,method,warnings,error\nx.cif,Li\n');
    assert.equal(notReplaceable(at('old.csv'), 'ranking CSV'), null);
    assert.equal(notReplaceable(at('p.csv'), 'ranking CSV'), null);
    assert.equal(notReplaceable(at('new.csv'), 'ranking CSV'), null);
    assert.match(notReplaceable(at('p.json'), 'ranking JSON') ?? '', /is not an ionpath ranking JSON/);
    writeFileSync(at('truncated.json'), readFileSync(at('s.json'), 'utf8').slice(0, 100));
    assert.match(notReplaceable(at('truncated.json'), 'shard JSON') ?? '', /is not an ionpath shard output/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
