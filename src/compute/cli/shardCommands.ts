/**
 * The CLI's sharded-ranking commands, called from cli.ts:
 *
 *   ionpath rank <folder | @list.txt> --shard K/N --out shard-K.csv [--json shard-K.json] [--cache DIR] [--jobs N]
 *   ionpath merge <shard outputs…> --out ranking.csv [--json ranking.json] [--allow-partial]
 *   ionpath slurm <folder | @list.txt> --shards N [--method bvse] [--gpu] [--partition P] [--time HH:MM:SS]
 *                 [--cpus C] [--mem 4G] [--account A] [--max-running M] [--results DIR] [--node PATH] [--cli PATH]
 *                 --out job.sbatch
 *
 * Each function takes the arguments after the command word and returns the exit code.
 */
import { promises as fs } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { METHOD_TIME_LIMIT_MS, normaliseOptions, optionProblems, parseOxidationStates, type AnalysisOptions } from '../analysis/options';
import { METHOD_IDS, type MethodId } from '../energy/source';
import { rowsToCsv, rowsToJson } from '../analysis/ranking';
import { HostPool } from '../host/pool';
import { checkOutputTarget, writeFileAtomic } from '../util/atomicWrite';
import { notRegularFile } from '../util/readInput';
import {
  filesOfShard, mergeShardOutputs, parseShardOutput, parseShardSpec, readRankInput, runShard, shardIdentity,
  shardNotDoneReason, ShardJournal, writeShardOutput, type ShardOutput,
} from '../shard';
import { slurmScripts, validateSlurmSpec } from './slurmScript';

export const SHARD_USAGE = `  rank <folder | @list.txt> --shard K/N --out shard-K.csv [--json shard-K.json] [--cache DIR] [rank's options]
      One shard (K of N, by sha256 of the relative path mod N) of the ranking; its own cache (default
      .ionpath-cache/shard-K-of-N beside the output), resumable; a finished shard is not recomputed.
      @list.txt: one CIF path per line (relative to the list's folder).
  merge <shard outputs…> --out ranking.csv [--json ranking.json] [--allow-partial]
      The one ranking from the shards' JSON outputs; refuses mixed methods/parameters, missing or
      incomplete shards and duplicate rows.
  slurm <folder | @list.txt> --shards N [--method bvse|mlip|gcn] [rank's options] [--gpu] [--partition P] [--time HH:MM:SS] [--cpus C]
        [--mem 4G] [--account A] [--max-running M] [--results DIR] [--node PATH] [--cli PATH] --out job.sbatch
      Writes a Slurm job-array script (one task per shard) and job.submit.sh, which submits it and a
      dependent merge job. See docs/CLUSTER.md.
`;

type Flags = Map<string, string | true>;
/** The options that change the numbers, as `ionpath rank` names them; passed on unchanged by the Slurm script. */
const ANALYSIS_FLAGS = ['--method', '--ion', '--ion-charge', '--resolution', '--mode', '--disorder', '--cell', '--variant', '--model', '--max-barrier', '--oxidation-states'];
const VALUED = new Set(['--shard', '--out', '--json', '--cache', '--jobs', '--timeout', ...ANALYSIS_FLAGS,
  '--shards', '--partition', '--time', '--cpus', '--mem', '--account', '--max-running', '--results', '--node', '--cli']);

function parse(args: string[]): { positional: string[]; flags: Flags } {
  const positional: string[] = [];
  const flags: Flags = new Map();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(0, eq), a.slice(eq + 1));
      else if (VALUED.has(a)) {
        if (i + 1 >= args.length) throw new Error(`${a} needs a value`);
        flags.set(a, args[++i]);
      } else flags.set(a, true);
    } else positional.push(a);
  }
  return { positional, flags };
}
const str = (f: Flags, k: string): string | undefined => (typeof f.get(k) === 'string' ? (f.get(k) as string) : undefined);

/** Whether `rank` with these arguments is a sharded / file-list run (handled here) rather than a plain folder run. */
export function wantsShardedRank(args: string[]): boolean {
  return args.some((a) => a === '--shard' || a.startsWith('--shard=') || a.startsWith('@'));
}

/** Overrides for the lead's CLI: its own option reader, or another worker script. */
export interface ShardCommandHooks {
  /** Analysis options from the flags; must throw on a bad value. Default: the flags of `ionpath rank`. */
  analysisOptions?: (flags: Flags) => AnalysisOptions;
  /** The compute host's worker script; default dist/worker.js beside the CLI bundle. */
  workerPath?: string;
}

function defaultAnalysisOptions(flags: Flags): AnalysisOptions {
  const num = (k: string) => {
    const v = str(flags, k);
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isFinite(x)) throw new Error(`${k} ${v} is not a number`);
    return x;
  };
  const method = str(flags, '--method');
  if (method !== undefined && !(METHOD_IDS as readonly string[]).includes(method)) throw new Error(`--method ${method}: one of ${METHOD_IDS.filter((m) => m !== 'analytic').join(', ')}`);
  const o: AnalysisOptions = { method: method as MethodId | undefined };
  if (str(flags, '--ion') !== undefined) o.ion = str(flags, '--ion');
  if (num('--ion-charge') !== undefined) o.ionCharge = num('--ion-charge');
  if (num('--resolution') !== undefined) o.resolution = num('--resolution');
  if (str(flags, '--mode') !== undefined) o.mode = str(flags, '--mode') as AnalysisOptions['mode'];
  if (str(flags, '--disorder') !== undefined) o.disorder = str(flags, '--disorder') as AnalysisOptions['disorder'];
  if (str(flags, '--cell') !== undefined) o.cell = str(flags, '--cell') as AnalysisOptions['cell'];
  if (str(flags, '--variant') !== undefined) o.variant = str(flags, '--variant') as AnalysisOptions['variant'];
  if (str(flags, '--model') !== undefined) o.modelPath = resolve(str(flags, '--model')!);
  if (num('--max-barrier') !== undefined) o.maxBarrier = num('--max-barrier');
  if (str(flags, '--oxidation-states') !== undefined) {
    const parsed = parseOxidationStates(str(flags, '--oxidation-states')!);
    if (parsed.problem !== null) throw new Error(parsed.problem);
    o.oxidationStates = parsed.states;
  }
  const problems = optionProblems(o);
  if (problems.length) throw new Error(problems.join('; '));
  return o;
}

const jsonBeside = (csv: string) => (csv.toLowerCase().endsWith('.csv') ? csv.slice(0, -4) : csv) + '.json';

export async function rankShard(args: string[], hooks: ShardCommandHooks = {}): Promise<number> {
  const { positional, flags } = parse(args);
  if (positional.length !== 1) throw new Error('rank needs one folder or @list.txt');
  const spec = str(flags, '--shard') !== undefined ? parseShardSpec(str(flags, '--shard')!) : { index: 1, count: 1 };
  const options = (hooks.analysisOptions ?? defaultAnalysisOptions)(flags);
  const method = normaliseOptions(options).method;
  const csvOut = str(flags, '--out');
  const jsonOut = str(flags, '--json') ?? (csvOut ? jsonBeside(csvOut) : undefined);
  if (!jsonOut) {
    if (flags.has('--shard')) throw new Error('a shard needs --out shard-K.csv (merge reads the JSON written beside it)');
  }
  const slurmCpus = Number(process.env.SLURM_CPUS_PER_TASK);
  const jobs = Math.max(1, Number(str(flags, '--jobs') ?? (slurmCpus >= 1 ? slurmCpus : availableParallelism())));
  if (!Number.isFinite(jobs)) throw new Error(`--jobs ${str(flags, '--jobs')} is not a number`);
  const tag = `shard-${spec.index}-of-${spec.count}`;
  const cacheDir = resolve(str(flags, '--cache') ?? join(dirname(resolve(jsonOut ?? '.')), '.ionpath-cache', tag));
  const say = (m: string) => process.stderr.write(`ionpath rank ${spec.index}/${spec.count}: ${m}\n`);

  const input = await readRankInput(positional[0]);
  const files = filesOfShard(input.files, spec);
  for (const out of [csvOut, jsonOut]) if (out) checkOutputTarget(out, input.files.map((f) => f.path), 'a structure file of the input');
  const identity = shardIdentity({ identity: { input: input.id, shard: spec }, options });

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
  const workerPath = hooks.workerPath ?? join(__dirname, 'worker.js');
  const timeoutMs = (Number(str(flags, '--timeout')) || METHOD_TIME_LIMIT_MS[method] / 1000) * 1000;
  const pool = new HostPool(workerPath, Math.min(jobs, Math.max(1, files.length)), { onProblem: (m) => process.stderr.write(`ionpath: ${m}\n`) }, timeoutMs);
  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => { say(`${sig}: stopping; results so far are in the cache, re-run to resume`); abort.abort(); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const t0 = Date.now();
  let lastReport = 0;
  try {
    const r = await runShard({
      identity: { input: input.id, shard: spec }, root: input.root, files, options, journal, lanes: pool.size, signal: abort.signal,
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

export async function mergeCommand(args: string[]): Promise<number> {
  const { positional, flags } = parse(args);
  if (!positional.length) throw new Error('merge needs the shard outputs (their .json, or the .csv with the .json beside it)');
  const csvOut = str(flags, '--out');
  const jsonOut = str(flags, '--json') ?? (csvOut ? jsonBeside(csvOut) : undefined);
  const outputs: ShardOutput[] = [];
  const unreadable: string[] = [];
  // A shard's .csv names the .json written beside it, which is what merge reads.
  const paths = positional.map((p) => (p.toLowerCase().endsWith('.csv') ? jsonBeside(p) : p));
  for (const out of [csvOut, jsonOut]) if (out) checkOutputTarget(out, [...positional, ...paths], 'a shard output being merged');
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
  const merged = mergeShardOutputs(outputs, { allowPartial: flags.has('--allow-partial') });
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

export async function slurmCommand(args: string[], hooks: ShardCommandHooks = {}): Promise<number> {
  const { positional, flags } = parse(args);
  if (positional.length !== 1) throw new Error('slurm needs one folder or @list.txt');
  // Fail here, not on the cluster, on a bad value; the shards get the flags as given (a model path made absolute).
  const method = normaliseOptions((hooks.analysisOptions ?? defaultAnalysisOptions)(flags)).method;
  const rankArgs = ANALYSIS_FLAGS.filter((k) => k !== '--method').flatMap((k) => (str(flags, k) !== undefined ? [k, k === '--model' ? resolve(str(flags, k)!) : str(flags, k)!] : []));
  const raw = positional[0];
  const input = raw.startsWith('@') ? `@${resolve(raw.slice(1))}` : resolve(raw);
  await readRankInput(input); // the input must exist where the script is written (the cluster's shared file system)
  const scriptPath = resolve(str(flags, '--out') ?? 'job.sbatch');
  const int = (k: string) => (str(flags, k) !== undefined ? Number(str(flags, k)) : undefined);
  const spec = {
    input, shards: int('--shards') ?? NaN, method, rankArgs,
    outDir: resolve(str(flags, '--results') ?? join(dirname(scriptPath), 'results')),
    scriptPath, cliPath: resolve(str(flags, '--cli') ?? join(__dirname, 'cli.js')), node: str(flags, '--node'),
    cpusPerTask: int('--cpus'), gpu: flags.has('--gpu'), partition: str(flags, '--partition'), time: str(flags, '--time'),
    mem: str(flags, '--mem'), account: str(flags, '--account'), maxRunning: int('--max-running'), date: new Date().toISOString(),
  };
  if (str(flags, '--shards') === undefined) throw new Error('slurm needs --shards N');
  const errors = validateSlurmSpec(spec);
  if (errors.length) throw new Error(errors.join('; '));
  const s = slurmScripts(spec);
  await fs.mkdir(dirname(s.sbatchPath), { recursive: true });
  await fs.mkdir(join(spec.outDir, 'logs'), { recursive: true });
  await writeFileAtomic(s.sbatchPath, s.sbatch);
  await writeFileAtomic(s.submitPath, s.submit);
  await fs.chmod(s.sbatchPath, 0o755);
  await fs.chmod(s.submitPath, 0o755);
  process.stderr.write(`ionpath slurm: wrote ${s.sbatchPath} (array of ${spec.shards} shards) and ${s.submitPath} (submits it and the merge)\n` +
    `  submit: bash ${s.submitPath}\n  results: ${spec.outDir}/ranking.csv\n`);
  return 0;
}
