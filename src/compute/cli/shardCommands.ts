/**
 * The CLI's sharded-ranking commands, called from cli.ts:
 *
 *   ionpath rank <folder | @list.txt> --shard K/N --out shard-K.csv [--json shard-K.json] [--cache DIR] [--jobs N]
 *   ionpath merge <shard outputs…> --out ranking.csv [--json ranking.json] [--allow-partial]
 *   ionpath slurm <folder | @list.txt> --shards N [--method bvse] [--timeout S] [--gpu] [--partition P] [--time HH:MM:SS]
 *                 [--cpus C] [--mem 4G] [--account A] [--max-running M] [--results DIR] [--node PATH] [--cli PATH]
 *                 --out job.sbatch
 *
 * Each function takes the arguments after the command word and returns the exit code.
 */
import { existsSync, promises as fs } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { METHOD_TIME_LIMIT_MS, normaliseOptions } from '../analysis/options';
import { rowsToCsv, rowsToJson } from '../analysis/ranking';
import { HostPool } from '../host/pool';
import { compressedFilesWarning } from '../host/rankFolder';
import { checkOutputTarget, writeFileAtomic } from '../util/atomicWrite';
import { headOf } from '../util/fileHead';
import { notRegularFile } from '../util/readInput';
import {
  filesOfShard, foreignOutputRefusal, mergeShardOutputs, parseShardOutput, parseShardSpec, readRankInput, runShard, shardIdentity,
  shardNotDoneReason, ShardJournal, writeShardOutput, type OutputKind, type ShardOutput,
} from '../shard';
import { isIonpathJobScript, shq, slurmScripts, validateSlurmSpec } from './slurmScript';
import { usageOf, type CommandSpec, type ParsedCommand } from './args';
import { ANALYSIS_OPTIONS, analysisFlagsAsGiven, analysisOptionsOf, unreadFlagWarnings, UsageError } from './analysisFlags';

export const SHARD_USAGE = `  rank <folder | @list.txt> --shard K/N --out shard-K.csv [--json shard-K.json] [--cache DIR] [rank's options]
      One shard (K of N, by sha256 of the relative path mod N) of the ranking; its own cache (default
      .ionpath-cache/shard-K-of-N beside the output), resumable; a finished shard is not recomputed.
      @list.txt: one CIF path per line (relative to the list's folder).
  merge <shard outputs…> --out ranking.csv [--json ranking.json] [--allow-partial]
      The one ranking from the shards' JSON outputs; refuses mixed methods/parameters, missing or
      incomplete shards and duplicate rows.
  slurm <folder | @list.txt> --shards N [--method bvse|mlip|gcn] [rank's options, --timeout S] [--gpu] [--partition P] [--time HH:MM:SS] [--cpus C]
        [--mem 4G] [--account A] [--max-running M] [--results DIR] [--node PATH] [--cli PATH] --out job.sbatch
      Writes a Slurm job-array script (one task per shard) and job.submit.sh, which submits it and a
      dependent merge job. See docs/CLUSTER.md.
`;

/** The three commands' options, for the one strict parser (./args.ts): a misspelt or unknown option is an error. */
export const SHARD_COMMANDS = {
  rank: {
    summary: 'one shard of a ranking (--shard K/N), or the ranking of a file list (@list.txt); resumable',
    positional: ['folder | @list.txt'],
    options: {
      ...ANALYSIS_OPTIONS,
      '--shard': { kind: 'string', help: 'which shard, K/N (shards are numbered 1…N; default 1/1)' },
      '--out': { kind: 'path', help: 'write the shard as CSV (the JSON is written beside it)' },
      '--json': { kind: 'path', help: 'write the shard as JSON, which merge reads (default: beside --out)' },
      '--json-out': { kind: 'path', help: 'the same as --json, as plain rank names it' },
      '--cache': { kind: 'path', help: 'the shard\'s journal folder (default .ionpath-cache/shard-K-of-N beside the output)' },
      '--jobs': { kind: 'integer', min: 1, max: 4096, help: 'parallel workers (default SLURM_CPUS_PER_TASK, else all cores)' },
      '--timeout': { kind: 'number', min: 1, max: 86400, help: 'time limit per structure in s (default per method)' },
    },
  },
  merge: {
    summary: 'the one ranking from the shards\' JSON outputs (or their CSVs with the JSON beside them)',
    positional: ['shard outputs'],
    variadic: true,
    options: {
      '--out': { kind: 'path', help: 'write the ranking as CSV (default: print it)' },
      '--json': { kind: 'path', help: 'write the ranking as JSON (default: beside --out)' },
      '--json-out': { kind: 'path', help: 'the same as --json, as plain rank names it' },
      '--allow-partial': { kind: 'flag', help: 'merge although shards are missing or incomplete; the output says PARTIAL' },
    },
  },
  slurm: {
    summary: 'write a Slurm job-array script (one task per shard) and job.submit.sh, which submits it and a dependent merge',
    positional: ['folder | @list.txt'],
    options: {
      ...ANALYSIS_OPTIONS,
      '--shards': { kind: 'integer', min: 1, max: 1_000_000, help: 'number of shards (array tasks), at most 1000' },
      '--timeout': { kind: 'number', min: 1, max: 86400, help: 'time limit per structure in s, passed to every shard (default per method)' },
      '--gpu': { kind: 'flag', help: 'ask each task for one GPU (--gres=gpu:1)' },
      '--partition': { kind: 'string', help: 'Slurm partition' },
      '--time': { kind: 'string', help: 'time limit per task: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS' },
      '--cpus': { kind: 'integer', min: 1, max: 1024, help: 'CPUs per task (default 4)' },
      '--mem': { kind: 'string', help: 'memory per task, e.g. 4G' },
      '--account': { kind: 'string', help: 'Slurm account' },
      '--max-running': { kind: 'integer', min: 1, max: 1_000_000, help: 'at most this many tasks at once (%M of --array)' },
      '--results': { kind: 'path', help: 'results folder (default results/ beside the script)' },
      '--node': { kind: 'path', help: 'Node.js on the cluster (default node)' },
      '--cli': { kind: 'path', help: 'ionpath\'s dist/cli.js on the cluster (default this one)' },
      '--out': { kind: 'path', help: 'the script to write (default job.sbatch)' },
    },
  },
} satisfies Record<string, CommandSpec>;

/**
 * What `rank --help` adds: the sharded form (`--shard K/N` or `@list.txt`) is parsed with its own table, so plain
 * `rank`'s help would not show its options. The analysis options are the same in both and are not repeated.
 */
export function shardedRankHelp(): string {
  const own = Object.fromEntries(Object.entries(SHARD_COMMANDS.rank.options).filter(([flag]) => !(flag in ANALYSIS_OPTIONS)));
  const lines = usageOf('rank', { ...SHARD_COMMANDS.rank, options: own }).split('\n');
  const options = lines.slice(lines.indexOf('options:') + 1).filter((l) => !l.trimStart().startsWith('--help'));
  return [
    '',
    'sharded form: ionpath rank <folder | @list.txt> --shard K/N --out shard-K.csv [--json shard-K.json] [options]',
    `  ${SHARD_COMMANDS.rank.summary}; see also ionpath merge and ionpath slurm`,
    '',
    'options of the sharded form (with the analysis options above):',
    ...options,
    '',
  ].join('\n');
}

const str = (p: ParsedCommand, k: string): string | undefined => (typeof p.values[k] === 'string' ? (p.values[k] as string) : undefined);
const int = (p: ParsedCommand, k: string): number | undefined => (typeof p.values[k] === 'number' ? (p.values[k] as number) : undefined);

/** `--json`, or `--json-out` as plain `rank` calls it (not both). */
function jsonOption(p: ParsedCommand): string | undefined {
  if (str(p, '--json') !== undefined && str(p, '--json-out') !== undefined) throw new UsageError('give --json or --json-out (the same option), not both');
  return str(p, '--json') ?? str(p, '--json-out');
}

/** Whether `rank` with these arguments is a sharded / file-list run (handled here) rather than a plain folder run. */
export function wantsShardedRank(args: string[]): boolean {
  return args.some((a) => a === '--shard' || a.startsWith('--shard=') || a.startsWith('@'));
}

const jsonBeside = (csv: string) => (csv.toLowerCase().endsWith('.csv') ? csv.slice(0, -4) : csv) + '.json';

/** --out, and the JSON (--json, or beside --out), each with the words a message names it by. */
function outputsOf(p: ParsedCommand): { csvOut?: string; jsonOut?: string; jsonLabel: string } {
  const csvOut = str(p, '--out');
  const given = jsonOption(p);
  const jsonOut = given ?? (csvOut ? jsonBeside(csvOut) : undefined);
  const jsonLabel = given !== undefined ? `${str(p, '--json') !== undefined ? '--json' : '--json-out'} ${given}` : `${jsonOut} (the JSON written beside --out ${csvOut})`;
  return { csvOut, jsonOut, jsonLabel };
}

/** Before any work: an existing file at an output path is replaced only if it is ionpath's own output of that kind. */
function refuseForeignFile(path: string | undefined, label: string, kind: OutputKind): void {
  const refusal = foreignOutputRefusal(path, label, kind);
  if (refusal) throw new UsageError(refusal);
}

/** `ionpath rank <folder | @list.txt> --shard K/N --out shard-K.csv …` (SHARD_COMMANDS.rank). */
export async function rankShard(p: ParsedCommand): Promise<number> {
  const shardText = str(p, '--shard');
  let spec: { index: number; count: number };
  try { spec = shardText !== undefined ? parseShardSpec(shardText) : { index: 1, count: 1 }; } catch (e) { throw new UsageError((e as Error).message); }
  const options = analysisOptionsOf(p);
  for (const w of unreadFlagWarnings(p, normaliseOptions(options).method)) process.stderr.write(`ionpath rank: ${w}\n`);
  const method = normaliseOptions(options).method;
  const { csvOut, jsonOut, jsonLabel } = outputsOf(p);
  if (!jsonOut && shardText !== undefined) throw new UsageError('a shard needs --out shard-K.csv (merge reads the JSON written beside it)');
  const slurmCpus = Number(process.env.SLURM_CPUS_PER_TASK);
  const jobs = int(p, '--jobs') ?? (Number.isInteger(slurmCpus) && slurmCpus >= 1 ? slurmCpus : availableParallelism());
  const tag = `shard-${spec.index}-of-${spec.count}`;
  // Beside the output; with no output file (an unsharded `rank @list.txt` printing CSV), in the current folder.
  const cacheDir = resolve(str(p, '--cache') ?? join(jsonOut ? dirname(resolve(jsonOut)) : resolve('.'), '.ionpath-cache', tag));
  const say = (m: string) => process.stderr.write(`ionpath rank ${spec.index}/${spec.count}: ${m}\n`);

  const input = await readRankInput(p.positional[0]);
  const files = filesOfShard(input.files, spec);
  for (const out of [csvOut, jsonOut]) if (out) checkOutputTarget(out, input.files.map((f) => f.path), 'a structure file of the input');
  refuseForeignFile(csvOut, `--out ${csvOut}`, 'ranking CSV');
  refuseForeignFile(jsonOut, jsonLabel, 'shard JSON');
  const identity = shardIdentity({ identity: { input: input.id, listing: input.listing, shard: spec }, options });

  if (jsonOut) {
    const reason = await shardNotDoneReason(jsonOut, identity, files);
    if (reason === null) {
      if (csvOut && !(await fs.stat(csvOut).catch(() => null))) {
        const done = parseShardOutput(jsonOut, await fs.readFile(jsonOut, 'utf8'));
        await writeFileAtomic(csvOut, rowsToCsv(done.rows));
      }
      say(`already complete (${jsonOut}: ${files.length} files, same contents and options): nothing to do`);
      return 0;
    }
    say(`${files.length} of ${input.files.length} files; ${reason}`);
  }

  const journal = new ShardJournal(cacheDir);
  if (journal.size || journal.skippedLines) say(`resuming: ${journal.size} results in ${journal.file}${journal.skippedLines ? ` (${journal.skippedLines} cut-short lines skipped)` : ''}`);
  const workerPath = join(__dirname, 'worker.js');
  const timeoutMs = ((p.values['--timeout'] as number | undefined) ?? METHOD_TIME_LIMIT_MS[method] / 1000) * 1000;
  const pool = new HostPool(workerPath, Math.min(jobs, Math.max(1, files.length)), { onProblem: (m) => process.stderr.write(`ionpath: ${m}\n`) }, timeoutMs);
  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => { say(`${sig}: stopping; results so far are in the cache, re-run to resume`); abort.abort(); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const t0 = Date.now();
  let lastReport = 0;
  try {
    const r = await runShard({
      identity: { input: input.id, listing: input.listing, shard: spec }, root: input.root, files, options, journal, lanes: pool.size, signal: abort.signal,
      compute: async (text, o, signal) => (await pool.request('landscape', { text, options: o, withGrid: false }, { signal })).result,
      onProgress: (p) => {
        if (process.stderr.isTTY) process.stderr.write(`\r${p.done}/${p.total} done, ${p.failed} failed, ${p.cached} from cache`);
        else if (Date.now() - lastReport > 10_000 || p.done === p.total) { lastReport = Date.now(); say(`${p.done}/${p.total} done, ${p.failed} failed, ${p.cached} from cache`); }
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    await journal.close();
    if (jsonOut) {
      await fs.mkdir(dirname(resolve(jsonOut)), { recursive: true });
      await writeShardOutput(jsonOut, r);
      // The CSV is the finished shard's table only: a partial one could be mistaken for the result.
      if (csvOut && r.meta.complete) await writeFileAtomic(csvOut, rowsToCsv(r.rows));
    } else process.stdout.write(rowsToCsv(r.rows));
    const seconds = (Date.now() - t0) / 1000;
    say(`${r.rows.length}/${files.length} files in ${seconds.toFixed(1)} s with ${pool.size} worker${pool.size === 1 ? '' : 's'}; ${r.meta.computed} computed, ${r.meta.fromJournal} from cache; ${r.rows.filter((x) => x.error).length} failed with a reason${r.meta.complete ? '' : '; INCOMPLETE (re-run to resume)'}`);
    return r.meta.complete ? 0 : abort.signal.aborted ? 130 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    pool.dispose();
    await journal.close();
  }
}

/** `ionpath merge <shard outputs…> --out ranking.csv` (SHARD_COMMANDS.merge). */
export async function mergeCommand(p: ParsedCommand): Promise<number> {
  const positional = p.positional;
  const { csvOut, jsonOut, jsonLabel } = outputsOf(p);
  const outputs: ShardOutput[] = [];
  const unreadable: string[] = [];
  // A shard's .csv names the .json written beside it, which is what merge reads.
  const paths = positional.map((p) => (p.toLowerCase().endsWith('.csv') ? jsonBeside(p) : p));
  for (const out of [csvOut, jsonOut]) if (out) checkOutputTarget(out, [...positional, ...paths], 'a shard output being merged');
  refuseForeignFile(csvOut, `--out ${csvOut}`, 'ranking CSV');
  refuseForeignFile(jsonOut, jsonLabel, 'ranking JSON');
  for (const [k, p] of positional.entries()) {
    const path = paths[k];
    let text: string;
    const special = notRegularFile(path);
    if (special) { unreadable.push(special); continue; }
    try { text = await fs.readFile(path, 'utf8'); } catch (e) {
      unreadable.push(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})${path !== p ? `; merge reads the JSON that rank --shard writes beside ${basename(p)}` : ''}`);
      continue;
    }
    try { outputs.push(parseShardOutput(path, text)); } catch (e) { unreadable.push(e instanceof Error ? e.message : String(e)); }
  }
  const merged = mergeShardOutputs(outputs, { allowPartial: p.values['--allow-partial'] === true });
  const problems = [...unreadable, ...(unreadable.length && !outputs.length ? [] : merged.problems)];
  if (problems.length) {
    for (const m of problems) process.stderr.write(`ionpath merge: ${m}\n`);
    process.stderr.write(`ionpath merge: not merged (${problems.length} problem${problems.length > 1 ? 's' : ''}); nothing written\n`);
    return 1;
  }
  if (csvOut) await writeFileAtomic(csvOut, rowsToCsv(merged.rows));
  if (jsonOut) await writeFileAtomic(jsonOut, rowsToJson(merged.rows, merged.meta));
  if (!csvOut && !jsonOut) process.stdout.write(rowsToCsv(merged.rows));
  const notes = (merged.meta.notes as string[] | undefined) ?? [];
  for (const n of notes) process.stderr.write(`ionpath merge: partial: ${n}\n`);
  process.stderr.write(`ionpath merge: ${outputs.length} shard${outputs.length === 1 ? '' : 's'}, ${merged.rows.length} rows (${merged.rows.filter((r) => r.error).length} failed with a reason)${csvOut ? ` -> ${csvOut}` : ''}${jsonOut ? ` and ${jsonOut}` : ''}${merged.meta.complete ? '' : ' (PARTIAL)'}\n`);
  return 0;
}

function isJobScriptWeWrote(path: string): boolean {
  try { return isIonpathJobScript(headOf(path, 4096)); } catch { return false; }
}

/** `ionpath slurm <folder | @list.txt> --shards N … --out job.sbatch` (SHARD_COMMANDS.slurm). */
export async function slurmCommand(p: ParsedCommand): Promise<number> {
  // Fail here, not on the cluster, on a bad value; the shards get the flags as given (a model path made absolute).
  const method = normaliseOptions(analysisOptionsOf(p)).method;
  const rankArgs = analysisFlagsAsGiven(p);
  if (int(p, '--shards') === undefined) throw new UsageError('slurm needs --shards N');
  const raw = p.positional[0];
  const input = raw.startsWith('@') ? `@${resolve(raw.slice(1))}` : resolve(raw);
  // The input must exist where the script is written (the cluster's shared file system).
  const listed = await readRankInput(input);
  // Said once here, where the job is made, rather than in every shard's log.
  const compressed = compressedFilesWarning(listed.compressed, listed.root);
  if (compressed) process.stderr.write(`ionpath slurm: warning: ${compressed}\n`);
  const scriptPath = resolve(str(p, '--out') ?? 'job.sbatch');
  const spec = {
    input, shards: int(p, '--shards')!, method, rankArgs,
    outDir: resolve(str(p, '--results') ?? join(dirname(scriptPath), 'results')),
    scriptPath, cliPath: resolve(str(p, '--cli') ?? join(__dirname, 'cli.js')), node: str(p, '--node'),
    cpusPerTask: int(p, '--cpus'), gpu: p.values['--gpu'] === true, partition: str(p, '--partition'), time: str(p, '--time'),
    mem: str(p, '--mem'), account: str(p, '--account'), maxRunning: int(p, '--max-running'), date: new Date().toISOString(),
    timeoutSeconds: p.values['--timeout'] as number | undefined,
  };
  const errors = validateSlurmSpec(spec);
  if (errors.length) throw new UsageError(errors.join('; '));
  const s = slurmScripts(spec);
  for (const [path, label] of [[s.sbatchPath, `--out ${s.sbatchPath}`], [s.submitPath, `${s.submitPath} (the submit wrapper written beside --out ${s.sbatchPath})`]]) {
    if (existsSync(path) && notRegularFile(path) === null && !isJobScriptWeWrote(path)) {
      throw new UsageError(`${label} already exists and is not a job script ionpath wrote (its second line would start with '# ionpath:'): ionpath replaces only its own outputs, so move that file or give another name`);
    }
  }
  await fs.mkdir(dirname(s.sbatchPath), { recursive: true });
  await fs.mkdir(join(spec.outDir, 'logs'), { recursive: true });
  await writeFileAtomic(s.sbatchPath, s.sbatch);
  await writeFileAtomic(s.submitPath, s.submit);
  await fs.chmod(s.sbatchPath, 0o755);
  await fs.chmod(s.submitPath, 0o755);
  process.stderr.write(`ionpath slurm: wrote ${s.sbatchPath} (array of ${spec.shards} shards) and ${s.submitPath} (submits it and the merge)\n` +
    `  submit: bash ${shq(s.submitPath)}\n  results: ${spec.outDir}/ranking.csv\n`);
  return 0;
}
