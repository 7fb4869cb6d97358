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
 */

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
  /** HH:MM:SS, D-HH:MM:SS or minutes; per task. */
  time?: string;
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

export function validateSlurmSpec(s: SlurmJobSpec): string[] {
  const errors: string[] = [];
  if (!(Number.isInteger(s.shards) && s.shards >= 1)) errors.push(`--shards must be a positive integer (got ${s.shards})`);
  else if (s.shards > 1000) errors.push(`--shards ${s.shards}: Slurm's default MaxArraySize (1001) allows array indices up to 1000; use fewer, larger shards`);
  if (s.cpusPerTask !== undefined && !(Number.isInteger(s.cpusPerTask) && s.cpusPerTask >= 1 && s.cpusPerTask <= 1024)) errors.push(`--cpus must be an integer from 1 to 1024 (got ${s.cpusPerTask})`);
  if (s.time !== undefined && !/^(\d+-)?\d{1,2}:\d{2}:\d{2}$|^\d+$/.test(s.time)) errors.push(`--time '${s.time}' is not HH:MM:SS, D-HH:MM:SS or minutes`);
  if (s.mem !== undefined && !/^\d+[KMGT]?$/i.test(s.mem)) errors.push(`--mem '${s.mem}' is not a Slurm memory size like 4G`);
  if (s.partition !== undefined && !/^[A-Za-z0-9_.,-]+$/.test(s.partition)) errors.push(`--partition '${s.partition}' is not a partition name`);
  if (s.account !== undefined && !/^[A-Za-z0-9_.-]+$/.test(s.account)) errors.push(`--account '${s.account}' is not an account name`);
  if (s.maxRunning !== undefined && !(Number.isInteger(s.maxRunning) && s.maxRunning >= 1)) errors.push(`--max-running must be a positive integer (got ${s.maxRunning})`);
  if (!/^[A-Za-z0-9_]+$/.test(s.method)) errors.push(`--method '${s.method}' is not a method name`);
  return errors;
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
  const submitPath = submitPathFor(s.scriptPath);
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
    // Slurm opens these before the script runs: the submit wrapper creates the folder.
    `#SBATCH --output=${out}/logs/shard-%a-of-${N}.job%A.log`,
    // Let the shard write its partial output on cancellation before Slurm's KILL (it resumes either way).
    `#SBATCH --signal=B:TERM@60`,
  ];
  const env = [
    `NODE="\${IONPATH_NODE:-${s.node ?? 'node'}}"`,
    `CLI="\${IONPATH_CLI:-${s.cliPath}}"`,
  ];
  const sbatch = [
    '#!/bin/bash',
    ...header(`rank ${N} shards by Ξ as a Slurm job array (one task per shard). Submit with: bash ${shq(submitPath)}`),
    `# A failed or cancelled shard K is re-run alone and resumes from its cache: sbatch --array=K ${shq(s.scriptPath)}`,
    ...directives,
    'set -euo pipefail',
    ...env,
    `K="\${SLURM_ARRAY_TASK_ID:?submit this script with sbatch: it is a job array (one task per shard)}"`,
    // One compute host per CPU Slurm gave the task; native libraries get the same number of threads.
    `THREADS="\${SLURM_CPUS_PER_TASK:-1}"`,
    'export OMP_NUM_THREADS="$THREADS"',
    ...(s.gpu ? ['# The GPU Slurm gave this task (CUDA_VISIBLE_DEVICES is set by Slurm) for the execution provider.', 'export IONPATH_EXECUTION_PROVIDER=cuda'] : []),
    `echo "ionpath shard $K/${N} on $(hostname) with $THREADS CPUs, job \${SLURM_ARRAY_JOB_ID:-?}_$K"`,
    `exec "$NODE" "$CLI" rank ${shq(s.input)} --shard "$K/${N}" --method ${s.method}${s.rankArgs.length ? ' ' + s.rankArgs.map(shq).join(' ') : ''} --jobs "$THREADS" \\`,
    `  --out ${shq(out)}/shard-"$K"-of-${N}.csv --json ${shq(out)}/shard-"$K"-of-${N}.json --cache ${shq(out)}/.ionpath-cache/shard-"$K"-of-${N}`,
    '',
  ].join('\n');

  const mergeCmd = `exec "\${IONPATH_NODE:-${s.node ?? 'node'}}" "\${IONPATH_CLI:-${s.cliPath}}" merge ${shq(out)}/shard-*-of-${N}.json --out ${shq(out)}/ranking.csv --json ${shq(out)}/ranking.json`;
  const mergeOpts = [
    `--job-name=${name}-merge`, '--ntasks=1', '--cpus-per-task=1', `--output=${out}/logs/merge.log`,
    '--dependency=afterok:"$ARRAY"', '--kill-on-invalid-dep=yes',
    ...(s.partition ? [`--partition=${s.partition}`] : []), ...(s.account ? [`--account=${s.account}`] : []),
    ...(s.time ? ['--time=00:30:00'] : []),
  ];
  const submit = [
    '#!/bin/bash',
    ...header('submit the shard array, then the merge once every shard succeeded.'),
    '# Extra arguments go to both sbatch calls (e.g. --qos=long).',
    'set -euo pipefail',
    `mkdir -p ${shq(out)}/logs`,
    `ARRAY=$(sbatch --parsable "$@" ${shq(s.scriptPath)})`,
    'ARRAY=${ARRAY%%;*}',
    `MERGE=$(sbatch --parsable "$@" ${mergeOpts.join(' ')} --wrap=${shq(mergeCmd)})`,
    'MERGE=${MERGE%%;*}',
    `echo "ionpath: shards are job $ARRAY (array 1-${N}), the merge is job $MERGE (after all shards succeed)"`,
    `echo "ionpath: ranking -> ${out}/ranking.csv; logs in ${out}/logs"`,
    `echo "ionpath: a failed shard K: sbatch --array=K ${s.scriptPath}; then merge again: ${s.node ?? 'node'} ${s.cliPath} merge ${out}/shard-*-of-${N}.json --out ${out}/ranking.csv"`,
    '',
  ].join('\n');
  return { sbatchPath: s.scriptPath, sbatch, submitPath, submit };
}
