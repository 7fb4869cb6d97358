/**
 * The Slurm job scripts for a sharded ranking, as text: used by `ionpath slurm` and by the editor's
 * "Write Slurm Script for Folder…". Pure text generation (no file system, no vscode): Slurm lives only here
 * and in the scripts it writes; the compute core knows shards, not schedulers.
 *
 *   job.sbatch     a job array, one task per shard (1…N): `ionpath rank <input> --shard $SLURM_ARRAY_TASK_ID/N`
 *                  with as many compute hosts as the task has CPUs (SLURM_CPUS_PER_TASK), optionally one GPU
 *                  (--gres=gpu:1) for the execution provider;
 *   job.submit.sh  submits the array, then the merge as a job that starts once every task succeeded
 *                  (sbatch --dependency=afterok:<array id>; cancelled by Slurm if a task fails).
 * Each shard writes <outdir>/shard-K-of-N.{csv,json} (log: <outdir>/logs/shard-K-of-N.job<array id>.log) and keeps its cache in <outdir>/.ionpath-cache/shard-K-of-N/,
 * so a failed or cancelled task is re-run alone (`sbatch --array=K job.sbatch`) and resumes.
 *
 * Every path in the shell text is single-quoted. An #SBATCH line is read by sbatch's own parser, not the shell, so a
 * log path that would need quoting (a space, a quote, '#') is not put there: the submit wrapper passes it on the
 * sbatch command line instead, and the re-run hints carry it too.
 */
import { rankOrderFor } from '../analysis/ranking';

export interface SlurmJobSpec {
  /** Absolute folder of CIFs, or '@/abs/list.txt'. */
  input: string;
  shards: number;
  method: string;
  /** Extra `rank` options that change the numbers, e.g. ['--resolution', '0.2', '--ion', 'Li']. */
  rankArgs: string[];
  /** Absolute folder for shard outputs, logs, caches and the merged ranking. */
  outDir: string;
  /** Absolute path of the job-array script; the submit wrapper goes beside it. */
  scriptPath: string;
  /** Absolute path of ionpath's cli.js, and the node to run it with (overridable at run time: IONPATH_CLI, IONPATH_NODE). */
  cliPath: string;
  node?: string;
  cpusPerTask?: number;
  gpu?: boolean;
  partition?: string;
  /** Slurm's time limit per task: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS. */
  time?: string;
  /** `rank --timeout`: the time limit per structure in seconds (default the method's). */
  timeoutSeconds?: number;
  /** e.g. 4G, per node (task). */
  mem?: string;
  /** Array tasks running at once (Slurm's %M), unlimited when absent. */
  maxRunning?: number;
  account?: string;
  jobName?: string;
  /** When written, for the header. */
  date?: string;
}

export interface SlurmScripts { sbatchPath: string; sbatch: string; submitPath: string; submit: string }

/** POSIX shell single-quoting. */
export function shq(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

const TIME_FORMATS = 'minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS';

/** Why `time` is not a Slurm time limit (sbatch --time), or null when it is one. */
export function slurmTimeProblem(time: string): string | null {
  const withDays = /^(\d+)-(\d+)(?::(\d+)(?::(\d+))?)?$/.exec(time);
  const withoutDays = /^(\d+)(?::(\d+)(?::(\d+))?)?$/.exec(time);
  if (!withDays && !withoutDays) return `--time '${time}' is not a Slurm time limit (${TIME_FORMATS})`;
  // Without a day part, a lone number is minutes and the hours of HH:MM:SS are unbounded.
  const [hours, minutes, seconds] = withDays
    ? [withDays[2], withDays[3], withDays[4]]
    : withoutDays![3] !== undefined ? [withoutDays![1], withoutDays![2], withoutDays![3]]
    : withoutDays![2] !== undefined ? [undefined, withoutDays![1], withoutDays![2]]
    : [undefined, undefined, undefined];
  if ([minutes, seconds].some((x) => x !== undefined && Number(x) >= 60)) return `--time '${time}' is not a Slurm time limit: minutes and seconds must be below 60 (${TIME_FORMATS})`;
  if (withDays && Number(hours) >= 24) return `--time '${time}' is not a Slurm time limit: hours must be below 24 after a day part (${TIME_FORMATS})`;
  return null;
}

/** Paths that go into the scripts, by the option that sets them. */
function pathsOf(s: SlurmJobSpec): [string, string | undefined][] {
  return [['the input', s.input], ['--results', s.outDir], ['--out', s.scriptPath], ['--cli', s.cliPath], ['--node', s.node]];
}

export function validateSlurmSpec(s: SlurmJobSpec): string[] {
  const errors: string[] = [];
  // A newline would end a comment line of the script and run the rest of the path as a command.
  for (const [what, path] of pathsOf(s)) if (path !== undefined && /[\x00-\x1f\x7f]/.test(path)) errors.push(`${what} ${JSON.stringify(path)} contains a control character (a newline or tab), which a job script cannot carry: rename it`);
  // In a log path Slurm reads %x as a pattern, and a backslash turns every pattern off (the shard number among them).
  if (/[%\\]/.test(s.outDir)) errors.push(`--results '${s.outDir}' contains '%' or '\\', which Slurm reads as patterns in a log path: give a folder without them`);
  if (!(Number.isInteger(s.shards) && s.shards >= 1)) errors.push(`--shards must be a positive integer (got ${s.shards})`);
  else if (s.shards > 1000) errors.push(`--shards ${s.shards}: Slurm's default MaxArraySize (1001) allows array indices up to 1000; use fewer, larger shards`);
  if (s.cpusPerTask !== undefined && !(Number.isInteger(s.cpusPerTask) && s.cpusPerTask >= 1 && s.cpusPerTask <= 1024)) errors.push(`--cpus must be an integer from 1 to 1024 (got ${s.cpusPerTask})`);
  const timeProblem = s.time !== undefined ? slurmTimeProblem(s.time) : null;
  if (timeProblem) errors.push(timeProblem);
  if (s.timeoutSeconds !== undefined && !(s.timeoutSeconds > 0)) errors.push(`--timeout must be a positive number of seconds (got ${s.timeoutSeconds})`);
  if (s.mem !== undefined && !/^\d+[KMGT]?$/i.test(s.mem)) errors.push(`--mem '${s.mem}' is not a Slurm memory size like 4G`);
  if (s.partition !== undefined && !/^[A-Za-z0-9_.,-]+$/.test(s.partition)) errors.push(`--partition '${s.partition}' is not a partition name`);
  if (s.account !== undefined && !/^[A-Za-z0-9_.-]+$/.test(s.account)) errors.push(`--account '${s.account}' is not an account name`);
  if (s.maxRunning !== undefined && !(Number.isInteger(s.maxRunning) && s.maxRunning >= 1)) errors.push(`--max-running must be a positive integer (got ${s.maxRunning})`);
  if (!/^[A-Za-z0-9_]+$/.test(s.method)) errors.push(`--method '${s.method}' is not a method name`);
  return errors;
}

/** Whether a file's text is a job script or submit wrapper that slurmScripts wrote (its header line). */
export function isIonpathJobScript(text: string): boolean {
  const [shebang, header] = text.split('\n', 2);
  return shebang === '#!/bin/bash' && (header ?? '').startsWith('# ionpath: ');
}

export function submitPathFor(scriptPath: string): string {
  return scriptPath.replace(/(\.sbatch|\.sh)?$/, '.submit.sh');
}

export function slurmScripts(s: SlurmJobSpec): SlurmScripts {
  const errors = validateSlurmSpec(s);
  if (errors.length) throw new Error(errors.join('; '));
  const N = s.shards;
  const cpus = s.cpusPerTask ?? 4;
  const name = s.jobName ?? 'ionpath-rank';
  const out = s.outDir.replace(/\/+$/, '');
  const node = s.node ?? 'node';
  const submitPath = submitPathFor(s.scriptPath);
  // Slurm opens the log before the script runs (the submit wrapper creates its folder). In the #SBATCH line when
  // sbatch can read it there unquoted, so that `sbatch --array=K job.sbatch` alone logs to the same place.
  const logPattern = `${out}/logs/shard-%a-of-${N}.job%A.log`;
  const logInScript = shq(logPattern) === logPattern;
  const logOption = logInScript ? '' : ` --output=${shq(logPattern)}`;
  const resubmit = `sbatch --array=K${logOption} ${shq(s.scriptPath)}`;
  const header = (what: string) => [
    `# ionpath: ${what}`,
    `# Written by ionpath${s.date ? ` on ${s.date}` : ''}. Input: ${s.input}; ${N} shards; method ${s.method}${s.rankArgs.length ? ` (${s.rankArgs.join(' ')})` : ''}.`,
  ];
  const directives = [
    `#SBATCH --job-name=${name}`,
    `#SBATCH --array=1-${N}${s.maxRunning ? `%${s.maxRunning}` : ''}`,
    `#SBATCH --ntasks=1`,
    `#SBATCH --cpus-per-task=${cpus}`,
    ...(s.time ? [`#SBATCH --time=${s.time}`] : []),
    ...(s.mem ? [`#SBATCH --mem=${s.mem}`] : []),
    ...(s.partition ? [`#SBATCH --partition=${s.partition}`] : []),
    ...(s.account ? [`#SBATCH --account=${s.account}`] : []),
    ...(s.gpu ? [`#SBATCH --gres=gpu:1`] : []),
    ...(logInScript ? [`#SBATCH --output=${logPattern}`] : [`# The log (${logPattern}) is set by the submit wrapper: sbatch cannot read this path in an #SBATCH line.`]),
    // Let the shard write its partial output on cancellation before Slurm's KILL (it resumes either way).
    `#SBATCH --signal=B:TERM@60`,
  ];
  const rankOptions = [...s.rankArgs, ...(s.timeoutSeconds !== undefined ? ['--timeout', String(s.timeoutSeconds)] : [])];
  const sbatch = [
    '#!/bin/bash',
    ...header(`rank ${N} shards as a Slurm job array (one task per shard); the merged ranking is ${rankOrderFor(s.method).caption}. Submit with: bash ${shq(submitPath)}`),
    `# A failed or cancelled shard K is re-run alone and resumes from its cache: ${resubmit}`,
    ...directives,
    'set -euo pipefail',
    `DEFAULT_NODE=${shq(node)}`,
    `DEFAULT_CLI=${shq(s.cliPath)}`,
    'NODE="${IONPATH_NODE:-$DEFAULT_NODE}"',
    'CLI="${IONPATH_CLI:-$DEFAULT_CLI}"',
    `K="\${SLURM_ARRAY_TASK_ID:?submit this script with sbatch: it is a job array (one task per shard)}"`,
    // One compute host per CPU Slurm gave the task; native libraries get the same number of threads.
    `THREADS="\${SLURM_CPUS_PER_TASK:-1}"`,
    'export OMP_NUM_THREADS="$THREADS"',
    ...(s.gpu ? ['# The GPU Slurm gave this task (CUDA_VISIBLE_DEVICES is set by Slurm) for the execution provider.', 'export IONPATH_EXECUTION_PROVIDER=cuda'] : []),
    `echo "ionpath shard $K/${N} on $(hostname) with $THREADS CPUs, job \${SLURM_ARRAY_JOB_ID:-?}_$K"`,
    `exec "$NODE" "$CLI" rank ${shq(s.input)} --shard "$K/${N}" --method ${s.method}${rankOptions.length ? ' ' + rankOptions.map(shq).join(' ') : ''} --jobs "$THREADS" \\`,
    `  --out ${shq(out)}/shard-"$K"-of-${N}.csv --json ${shq(out)}/shard-"$K"-of-${N}.json --cache ${shq(out)}/.ionpath-cache/shard-"$K"-of-${N}`,
    '',
  ].join('\n');

  // The merge job's script (sbatch --wrap runs it with /bin/sh).
  const mergeCsv = `merge ${shq(out)}/shard-*-of-${N}.json --out ${shq(out)}/ranking.csv`;
  const mergeArgs = `${mergeCsv} --json ${shq(out)}/ranking.json`;
  const mergeCmd = `DEFAULT_NODE=${shq(node)}; DEFAULT_CLI=${shq(s.cliPath)}; exec "\${IONPATH_NODE:-$DEFAULT_NODE}" "\${IONPATH_CLI:-$DEFAULT_CLI}" ${mergeArgs}`;
  const mergeOpts = [
    `--job-name=${name}-merge`, '--ntasks=1', '--cpus-per-task=1', `--output=${shq(`${out}/logs/merge.log`)}`,
    '--dependency=afterok:"$ARRAY"', '--kill-on-invalid-dep=yes',
    ...(s.partition ? [`--partition=${s.partition}`] : []), ...(s.account ? [`--account=${s.account}`] : []),
    ...(s.time ? ['--time=00:30:00'] : []),
  ];
  // Messages with paths are printed as one quoted word each, so no path is read by the shell.
  const say = (text: string) => `printf '%s\\n' ${shq(text)}`;
  const submit = [
    '#!/bin/bash',
    ...header('submit the shard array, then the merge once every shard succeeded.'),
    '# Extra arguments go to both sbatch calls (e.g. --qos=long).',
    'set -euo pipefail',
    `mkdir -p ${shq(`${out}/logs`)}`,
    `ARRAY=$(sbatch --parsable${logOption} "$@" ${shq(s.scriptPath)})`,
    'ARRAY=${ARRAY%%;*}',
    `MERGE=$(sbatch --parsable "$@" ${mergeOpts.join(' ')} --wrap=${shq(mergeCmd)})`,
    'MERGE=${MERGE%%;*}',
    `echo "ionpath: shards are job $ARRAY (array 1-${N}), the merge is job $MERGE (after all shards succeed)"`,
    say(`ionpath: ranking -> ${out}/ranking.csv; logs in ${out}/logs`),
    say(`ionpath: a failed shard K: ${resubmit}; then merge again: ${shq(node)} ${shq(s.cliPath)} ${mergeCsv}`),
    '',
  ].join('\n');
  return { sbatchPath: s.scriptPath, sbatch, submitPath, submit };
}
