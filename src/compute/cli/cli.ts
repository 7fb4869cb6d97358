/**
 * `ionpath` command line: the compute core without VS Code, for batch work and benchmarks.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { buildStructure } from '../structure/build';
import { summarise, summaryText } from '../structure/summary';
import { runLandscapeJobSync } from '../analysis/job';
import { writeCube, writeGrd } from '../landscape/volumetric';
import { barrierHint, eV } from '../analysis/format';
import { rowsToCsv, rowsToJson } from '../analysis/ranking';
import { HostPool } from '../host/pool';
import { RankCache, rankFolder } from '../host/rankFolder';
import { writeFileAtomicSync, writeFileAtomic } from '../util/atomicWrite';
// --- issue 11 hook (sharded ranking, Slurm): see shardCommands.ts ---
import { mergeCommand, rankShard, slurmCommand, wantsShardedRank, SHARD_USAGE } from './shardCommands';
// --- end issue 11 hook ---

const USAGE = `usage: ionpath <command> [options]

commands:
  info <file.cif> [--json]
      Structure summary: formula, cell, space group, sites with occupancies and oxidation states,
      and every warning with its line.
  bvse <file.cif> [--ion Li] [--resolution 0.2] [--mode spse|bvlain] [--cube out.cube] [--grd out.grd] [--json]
      BVSE landscape of a mobile-ion probe: percolation barriers Ea(1D/2D/3D), MPE, free volumes, Ξ,
      the migration path. --json prints the full report (every number with its unit and method).
  rank <folder> [--jobs N] [--out ranking.csv] [--json ranking.json] [--ion Li] [--resolution 0.2] [--cache file]
      Every CIF under the folder, in parallel, ordered by Ξ (high first). Failures get a row with the
      reason. Results are cached (default .ionpath-cache/rank.json in the current directory) so an
      interrupted run resumes.
` + SHARD_USAGE; // issue 11 hook

function parseArgs(argv: string[]): { positional: string[]; flags: Map<string, string | true> } {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const valued = new Set(['--ion', '--resolution', '--mode', '--cube', '--grd', '--jobs', '--out', '--cache', '--json-out']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(0, eq), a.slice(eq + 1));
      else if (valued.has(a) || (a === '--json' && argv[i + 1] && !argv[i + 1].startsWith('--') && argv[i + 1].endsWith('.json'))) flags.set(a, argv[++i] ?? '');
      else flags.set(a, true);
    } else positional.push(a);
  }
  return { positional, flags };
}

function readText(path: string): string | null {
  try { return readFileSync(path, 'utf8'); } catch (e) {
    process.stderr.write(`ionpath: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? e}\n`);
    return null;
  }
}

function info(path: string, json: boolean): number {
  const text = readText(path);
  if (text === null) return 1;
  const r = buildStructure(text);
  if (!r.structure) {
    if (json) process.stdout.write(JSON.stringify({ file: path, ok: false, messages: r.messages }, null, 2) + '\n');
    else for (const m of r.messages.filter((x) => x.severity === 'error')) process.stderr.write(`${path}:${m.at ? `${m.at.line + 1}:${m.at.column + 1}` : ''} error: ${m.message} [${m.code}]\n`);
    return 1;
  }
  const sum = summarise(r.structure, r.messages);
  process.stdout.write(json ? JSON.stringify({ file: path, ok: true, ...sum }, null, 2) + '\n' : summaryText(sum) + '\n');
  return 0;
}

function jobOptions(flags: Map<string, string | true>) {
  const ion = typeof flags.get('--ion') === 'string' ? (flags.get('--ion') as string) : 'Li';
  const resolution = Number(flags.get('--resolution') ?? 0.2);
  const mode = flags.get('--mode') === 'bvlain' ? 'bvlain' as const : 'spse' as const;
  if (!(resolution >= 0.02 && resolution <= 2)) throw new Error(`--resolution ${flags.get('--resolution')} Å is out of range (0.02–2 Å)`);
  return { ion, ionCharge: ion === 'Mg' || ion === 'Zn' ? 2 : 1, resolution, mode };
}

function bvse(path: string, flags: Map<string, string | true>): number {
  const text = readText(path);
  if (text === null) return 1;
  const options = jobOptions(flags);
  const { analysis, ...result } = runLandscapeJobSync(text, options);
  if (!result.ok || !analysis || !result.report) {
    process.stderr.write(`${path}: ${result.error}\n`);
    if (flags.get('--json') === true) process.stdout.write(JSON.stringify({ file: path, ...result }, null, 2) + '\n');
    return 1;
  }
  const cube = flags.get('--cube'), grd = flags.get('--grd');
  if (typeof cube === 'string') writeFileAtomicSync(cube, writeCube(analysis.grid, analysis.structure));
  if (typeof grd === 'string') writeFileAtomicSync(grd, writeGrd(analysis.grid, { title: result.formula ?? undefined }));
  const r = result.report;
  if (flags.get('--json') === true) {
    process.stdout.write(JSON.stringify({ file: path, ...r, structureMessages: result.messages }, null, 2) + '\n');
    return 0;
  }
  const lines = [
    `${path}: ${r.structure.formula} — ${r.method}, ${r.ion}`,
    `  ${barrierHint(r)}`,
    `  Ea 1D ${eV(r.Ea_1D_eV, 3)}, 2D ${eV(r.Ea_2D_eV, 3)}, 3D ${eV(r.Ea_3D_eV, 3)}; MPE ${eV(r.MPE_eV, 3)}; FV_c ${r.FV_connected.toPrecision(3)}, FV_d ${r.FV_disconnected.toPrecision(3)} (at ${r.FV_threshold_eV} eV); Ξ ${r.Xi.toFixed(3)}`,
    `  grid ${r.gridShape.join('×')} at ${r.resolution_A} Å; ${(r.timings_ms.total / 1000).toFixed(2)} s`,
    ...result.messages.filter((m) => m.severity !== 'info').map((m) => `  ${m.severity}: ${m.message}`),
    ...r.warnings.map((w) => `  warning: ${w}`),
    ...(typeof cube === 'string' ? [`  wrote ${cube}`] : []),
    ...(typeof grd === 'string' ? [`  wrote ${grd}`] : []),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

async function rank(folder: string, flags: Map<string, string | true>): Promise<number> {
  const options = jobOptions(flags);
  const jobs = Math.max(1, Number(flags.get('--jobs') ?? availableParallelism()));
  const cacheFile = typeof flags.get('--cache') === 'string' ? (flags.get('--cache') as string) : join(process.cwd(), '.ionpath-cache', 'rank.json');
  const pool = new HostPool(join(__dirname, 'worker.js'), jobs, { onProblem: (m) => process.stderr.write(`ionpath: ${m}\n`) });
  const abort = new AbortController();
  const onSigint = () => { process.stderr.write('\nionpath: cancelling (results so far are cached)…\n'); abort.abort(); };
  process.once('SIGINT', onSigint);
  const t0 = Date.now();
  try {
    const { rows, cancelled, files } = await rankFolder(resolve(folder), {
      pool, options, cache: new RankCache(cacheFile), signal: abort.signal,
      onProgress: (p) => { if (process.stderr.isTTY) process.stderr.write(`\r${p.done}/${p.total} done, ${p.failed} failed, ${p.cached} from cache`); },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const seconds = (Date.now() - t0) / 1000;
    const out = flags.get('--out'), jsonOut = flags.get('--json-out') ?? flags.get('--json');
    if (typeof out === 'string') await writeFileAtomic(out, rowsToCsv(rows));
    if (typeof jsonOut === 'string') await writeFileAtomic(jsonOut, rowsToJson(rows, { folder: resolve(folder), options, complete: !cancelled }));
    if (typeof out !== 'string' && typeof jsonOut !== 'string') process.stdout.write(rowsToCsv(rows));
    process.stderr.write(`ionpath rank: ${rows.length}/${files} files in ${seconds.toFixed(1)} s with ${jobs} workers; ${rows.filter((r) => r.error).length} failed with a reason; ${rows.filter((r) => r.fromCache).length} from cache${cancelled ? '; CANCELLED (re-run to resume)' : ''}\n`);
    return cancelled ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    pool.dispose();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { positional, flags } = parseArgs(rest);
  if (!command || command === '--help' || command === '-h' || command === 'help') { process.stdout.write(USAGE); return command ? 0 : 2; }
  try {
    // --- issue 11 hook: merge, slurm, and rank --shard K/N / rank @list.txt ---
    if (command === 'merge') return await mergeCommand(rest);
    if (command === 'slurm') return await slurmCommand(rest);
    if (command === 'rank' && wantsShardedRank(rest)) return await rankShard(rest);
    // --- end issue 11 hook ---
    switch (command) {
      case 'info': if (positional.length !== 1) break; return info(positional[0], flags.has('--json'));
      case 'bvse': if (positional.length !== 1) break; return bvse(positional[0], flags);
      case 'rank': if (positional.length !== 1) break; return await rank(positional[0], flags);
      default:
        process.stderr.write(`ionpath: unknown command '${command}'\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    process.stderr.write(`ionpath: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  process.stderr.write(USAGE);
  return 2;
}

void main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
