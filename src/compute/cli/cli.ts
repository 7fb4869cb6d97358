/**
 * `ionpath` command line: the compute core without VS Code, for batch work and benchmarks. Analyses run in a
 * compute-host worker (as in the editor), so an input that exhausts memory fails its own row, never the CLI.
 */
import { availableParallelism, homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { formatOfFile, readStructure } from '../structure/read';
import { summarise, summaryText } from '../structure/summary';
import { barrierHint, eaLabel, eV, methodLabel, sourceCaption, xiLabel } from '../analysis/format';
import { rankOrderFor, rowsToCsv, rowsToJson } from '../analysis/ranking';
import { METHOD_TIME_LIMIT_MS, normaliseOptions } from '../analysis/options';
import { REPORT_SCHEMA } from '../analysis/report';
import { reducedCellOf } from '../structure/reduce';
import type { MethodId } from '../energy/source';
import type { StructureMessage } from '../structure/types';
import { HostClient } from '../host/client';
import { HostPool } from '../host/pool';
import { compressedFilesWarning, describeEstimate, listStructureFolder, noStructureFilesWarning, RankCache, rankFolder, writeRankOutput } from '../host/rankFolder';
import { describeScanEstimate } from '../energy/mlip/scan';
import { checkOutputTarget, writeFileAtomic, UnwritableTargetError } from '../util/atomicWrite';
import { InputError, readInputFileSync } from '../util/readInput';
import type { SceneExportKind } from '../../protocol/scene';
import { foreignOutputRefusal } from '../shard';
import { parseCommandLine, usageOf, type CommandSpec, type ParsedCommand } from './args';
import { ANALYSIS_OPTIONS, analysisOptionsOf, unreadFlagWarnings, UsageError } from './analysisFlags';
// Sharded ranking, merge and Slurm scripts: their commands and option tables (shardCommands.ts).
import { mergeCommand, rankShard, SHARD_COMMANDS, SHARD_USAGE, shardedRankHelp, slurmCommand, wantsShardedRank } from './shardCommands';

/** A structure file's text, or the reason it cannot be read (regular files only, size cap, encodings named). */
function readTextFile(path: string): { ok: true; text: string } | { ok: false; error: string } {
  try {
    const r = readInputFileSync(path);
    for (const w of r.warnings) process.stderr.write(`ionpath: warning: ${w.message}\n`);
    return { ok: true, text: r.text };
  } catch (e) {
    if (e instanceof InputError) return { ok: false, error: e.message };
    throw e;
  }
}


/** Which CIF data block (files: CIF, POSCAR/CONTCAR/*.vasp, *.xyz/*.extxyz; the format is told by the name, else the content). */
const BLOCK_OPTION: CommandSpec['options'][string] = { kind: 'string', pattern: /^\S+$/, help: 'CIF data block to read (the name after data_; default the first with atom sites)' };

const COMMANDS: Record<string, CommandSpec> = {
  info: {
    summary: 'structure summary: formula, cell, space group, sites with occupancies and oxidation states, every warning with its line',
    positional: ['file'],
    options: { '--json': { kind: 'flag', help: 'print JSON' }, '--block': BLOCK_OPTION },
  },
  analyze: {
    summary: 'barriers Ea(1D/2D/3D), MPE, free volumes, Ξ and the migration path of one structure, each labelled with its method',
    positional: ['file'],
    options: {
      ...ANALYSIS_OPTIONS,
      '--block': BLOCK_OPTION,
      '--json': { kind: 'flag', help: 'print the full report (schema ionpath.landscape/2)' },
      '--cube': { kind: 'path', help: 'write the energy grid as a Gaussian cube file' },
      '--grd': { kind: 'path', help: 'write the energy grid as a VESTA .grd file' },
      '--timeout': { kind: 'number', min: 1, max: 86400, help: 'time limit in s (default per method)' },
      // What a user takes elsewhere (analysis/exports.ts):
      '--ordered-cif': { kind: 'path', help: 'write the ordered structure analysed (with --disorder approximants: an ordering) as CIF' },
      '--ordered-poscar': { kind: 'path', help: 'write the same as POSCAR' },
      '--ordering': { kind: 'integer', min: 1, max: 1000, help: 'with --disorder approximants: which ordering to export, 1 = lowest Ewald energy (default: the reported one)' },
      '--neb': { kind: 'path', help: 'write the migration path as an NEB image chain: folders 00 … NN in this folder, one POSCAR each' },
      '--neb-images': { kind: 'integer', min: 2, max: 99, help: 'NEB images including both ends (default 7)' },
      '--profile-csv': { kind: 'path', help: 'write the energy profile along the path as CSV (arc length Å, energy eV)' },
      '--report-json': { kind: 'path', help: 'write the full report as JSON' },
    },
  },
  rank: {
    summary: 'every structure under a folder, in parallel, ranked (by Ea for BVSE/GCN, by Ξ for the potential scan); failures get a row with the reason; cached so an interrupted run resumes',
    positional: ['folder'],
    options: {
      ...ANALYSIS_OPTIONS,
      '--jobs': { kind: 'integer', min: 1, max: availableParallelism(), help: `parallel workers (1–${availableParallelism()}, default all cores)` },
      '--out': { kind: 'path', help: 'write the ranking as CSV (default: print it)' },
      '--json-out': { kind: 'path', help: 'write the ranking as JSON' },
      '--cache': { kind: 'path', help: 'cache file (default in the user cache directory)' },
      '--timeout': { kind: 'number', min: 1, max: 86400, help: 'time limit per structure in s (default per method)' },
    },
  },
};
COMMANDS.bvse = { ...COMMANDS.analyze, summary: 'the same as `analyze --method bvse`', options: { ...COMMANDS.analyze.options } };
delete COMMANDS.bvse.options['--method'];

const USAGE = `usage: ionpath <command> [options]   (ionpath <command> --help for its options)

commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name} ${c.positional.map((p) => `<${p}>`).join(' ')}\n      ${c.summary}`).join('\n')}
` + SHARD_USAGE;

const workerPath = () => join(__dirname, 'worker.js');


/** The user's cache directory (XDG), never the current folder. */
export function userCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'ionpath');
}

function info(path: string, json: boolean, block: string | undefined): number {
  const read = readTextFile(path);
  if (!read.ok) { process.stderr.write(`ionpath: ${read.error}\n`); return 1; }
  const r = readStructure(read.text, { name: path, block });
  if (!r.structure) {
    if (json) process.stdout.write(JSON.stringify({ file: path, ok: false, messages: r.messages }, null, 2) + '\n');
    else for (const m of r.messages.filter((x) => x.severity === 'error')) process.stderr.write(`${path}:${m.at ? `${m.at.line + 1}:${m.at.column + 1}` : ''} error: ${m.message} [${m.code}]\n`);
    return 1;
  }
  // A structure recovered from a file with errors is shown (what was read), but the file is not fine: exit 1, as a
  // linter does, and `ok: false`, since the analysis commands refuse it.
  const errors = r.messages.filter((m) => m.severity === 'error').length;
  // The cell is shown as the file gives it; where the analyses would use its reduced cell, that is said here too.
  const reduced = reducedCellOf(r.structure);
  const sum = summarise(r.structure, reduced ? [...r.messages, reduced.message] : r.messages);
  process.stdout.write(json ? JSON.stringify({ file: path, format: r.format, ok: errors === 0, ...sum }, null, 2) + '\n' : summaryText(sum) + '\n');
  if (errors && !json) process.stderr.write(`ionpath info: ${path}: ${errors} error${errors > 1 ? 's' : ''} (above); the structure shown is what could be read, and no barrier is computed from it\n`);
  return errors ? 1 : 0;
}

/** A message under a report or a failure: its severity, its text and its line. */
const messageLine = (m: StructureMessage) => `  ${m.severity}: ${m.message}${m.at ? ` (line ${m.at.line + 1})` : ''}`;

/** At most this many of a failed file's other messages are printed beneath its failure; `info` lists them all. */
const FAILURE_CONTEXT_LINES = 8;

/**
 * The lines printed beneath a failure: the file's other errors and its warnings, each with its line, the failure's
 * own message left out. Infos are left out, as they are on success.
 */
function failureContext(messages: readonly StructureMessage[], path: string, failureMessage: string): string {
  const rest = messages.filter((m) => m.severity !== 'info' && !failureMessage.startsWith(m.message));
  const lines = rest.slice(0, FAILURE_CONTEXT_LINES).map((m) => `${messageLine(m)}\n`);
  if (rest.length > FAILURE_CONTEXT_LINES) lines.push(`  … and ${rest.length - FAILURE_CONTEXT_LINES} more (ionpath info ${path} lists them all)\n`);
  return lines.join('');
}

/** Refuse an output path that cannot be written before computing anything. */
function checkOutputPath(flag: string, path: string, inputs: readonly string[] = [], what?: string): void {
  const isFolder = (p: string) => existsSync(p) && statSync(p).isDirectory();
  if (isFolder(path)) throw new UsageError(`${flag} ${path} is a folder; give a file name`);
  try { checkOutputTarget(path, inputs, what); } catch (e) { if (e instanceof UnwritableTargetError) throw new UsageError(`${flag} ${e.message}`); throw e; }
  if (!existsSync(path) && !isFolder(resolve(path, '..'))) throw new UsageError(`${flag} ${path}: its folder does not exist`);
}

/**
 * The NEB folder: new, empty, or holding only an earlier ionpath chain (folders 00 … NN with one POSCAR each, which
 * are replaced, the surplus ones removed, so that no image of an earlier run is left among the new ones). A folder
 * with anything else in it (a VASP run's OUTCAR) is refused: its results would sit beside images they do not belong to.
 */
function checkNebFolder(path: string): void {
  try { if (!statSync(path).isDirectory()) throw new UsageError(`--neb ${path} is a file; give a folder`); } catch (e) {
    if (e instanceof UsageError) throw e;
    try { if (!statSync(resolve(path, '..')).isDirectory()) throw new Error(); } catch { throw new UsageError(`--neb ${path}: its parent folder does not exist`); }
    return;
  }
  const foreign = foreignNebEntries(path);
  if (foreign.length) throw new UsageError(`--neb ${path} holds files ionpath did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}): give a new or empty folder`);
}

/** Entries of an existing NEB folder that are not an ionpath image (NN/POSCAR whose comment line is ionpath's). */
function foreignNebEntries(folder: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(folder, { withFileTypes: true })) {
    if (!e.isDirectory() || !/^\d{2,}$/.test(e.name)) { out.push(e.name); continue; }
    for (const f of readdirSync(join(folder, e.name))) {
      const ours = f === 'POSCAR' && /NEB image \d+\/\d+.*\(ionpath\)$/.test(readFileSync(join(folder, e.name, f), 'utf8').split('\n')[0]);
      if (!ours) out.push(`${e.name}/${f}`);
    }
  }
  return out;
}

/** One export: a file, or (NEB) a folder of `00/POSCAR` …, each file written atomically. */
async function writeExportFiles(target: string, folder: boolean, files: { name: string; content: string }[]): Promise<void> {
  if (!folder) { await writeFileAtomic(target, files[0].content); return; }
  // An earlier chain's images beyond this one's (checked to be ionpath's own: checkNebFolder) would look like part of it.
  const keep = new Set(files.map((f) => f.name.split('/')[0]));
  if (existsSync(target)) for (const e of readdirSync(target)) if (/^\d{2,}$/.test(e) && !keep.has(e)) await rm(join(target, e), { recursive: true });
  for (const f of files) {
    const path = join(target, f.name);
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, f.content);
  }
}

async function analyze(p: ParsedCommand, method?: MethodId): Promise<number> {
  const path = p.positional[0];
  const options = analysisOptionsOf(p, method);
  for (const w of unreadFlagWarnings(p, normaliseOptions(options).method)) process.stderr.write(`ionpath analyze: ${w}\n`);
  const cube = p.values['--cube'] as string | undefined, grd = p.values['--grd'] as string | undefined;
  if (cube) checkOutputPath('--cube', cube, [path], 'the input file');
  if (grd) checkOutputPath('--grd', grd, [path], 'the input file');
  for (const flag of ['--ordered-cif', '--ordered-poscar', '--profile-csv', '--report-json']) if (p.values[flag]) checkOutputPath(flag, p.values[flag] as string, [path], 'the input file');
  if (p.values['--neb']) checkNebFolder(p.values['--neb'] as string);
  if ((p.values['--neb-images'] !== undefined) && !p.values['--neb']) throw new UsageError('--neb-images needs --neb <folder>');
  if (p.values['--ordering'] !== undefined) {
    // Which ordering to export: meaningless without an ensemble of orderings, or without an export.
    if (options.disorder !== 'approximants') throw new UsageError('--ordering chooses among ordered approximants: it needs --disorder approximants');
    if (!p.values['--ordered-cif'] && !p.values['--ordered-poscar']) throw new UsageError('--ordering chooses the ordering to export: it needs --ordered-cif or --ordered-poscar');
  }
  // Two outputs under one name: the second would replace the first.
  const outputs = ['--cube', '--grd', '--ordered-cif', '--ordered-poscar', '--profile-csv', '--report-json', '--neb'].filter((f) => p.values[f]).map((f) => [f, resolve(p.values[f] as string)] as const);
  for (let i = 0; i < outputs.length; i++) for (let j = i + 1; j < outputs.length; j++) {
    if (outputs[i][1] === outputs[j][1]) throw new UsageError(`${outputs[i][0]} and ${outputs[j][0]} name the same file (${p.values[outputs[i][0]]}): give each output its own`);
  }
  const read = readTextFile(path);
  if (!read.ok) { process.stderr.write(`ionpath: ${read.error}\n`); return 1; }
  const text = read.text;
  // The format by the file's name (POSCAR, CONTCAR, *.vasp, *.xyz, …), else by its content; part of the cache key.
  options.format = formatOfFile(path, text);
  if (p.values['--block'] !== undefined) options.block = p.values['--block'] as string;
  const o = normaliseOptions(options);
  const timeoutMs = ((p.values['--timeout'] as number | undefined) ?? METHOD_TIME_LIMIT_MS[o.method] / 1000) * 1000;
  const host = new HostClient(workerPath(), { onProblem: (m) => process.stderr.write(`ionpath: ${m}\n`) }, timeoutMs);
  const abort = new AbortController();
  const onSigint = () => { process.stderr.write('\nionpath: cancelling…\n'); abort.abort(); };
  process.once('SIGINT', onSigint);
  const tty = process.stderr.isTTY;
  try {
    if (o.method === 'mlip') {
      // Minutes for large or disordered cells: say so before starting.
      const e = await host.request('estimateScan', { text, options }, { signal: abort.signal });
      if (e.ok) process.stderr.write(`ionpath: TensorNet-MatPES scan, ${describeScanEstimate(e)} on this machine's CPU; Ctrl-C cancels\n`);
      if (e.ok && e.seconds * 1000 > timeoutMs) process.stderr.write(`ionpath: warning: the estimate is above the time limit (${Math.round(timeoutMs / 1000)} s; --timeout raises it)\n`);
    }
    const { result } = await host.request('landscape', { text, options, withGrid: false }, {
      signal: abort.signal,
      onProgress: (f) => { if (tty) process.stderr.write(`\r${o.method}: ${Math.round(f * 100)} %`); },
    });
    if (tty) process.stderr.write('\r\x1b[K');
    const json = p.values['--json'] === true;
    if (!result.ok || !result.report) {
      // The located form: the line in the prefix, as compilers write it.
      const line = result.failure?.at?.line;
      process.stderr.write(`${path}${line ? `:${line}` : ''}: ${result.failure?.message ?? result.error}${result.failure ? ` [${result.failure.code}]` : ''}\n`);
      // The file's other errors and its warnings, which often say why (a site skipped for occupancy 0 leaves no
      // framework): each at its line, as a success prints them.
      process.stderr.write(failureContext(result.messages, path, result.failure?.message ?? result.error ?? ''));
      // The same top level as a success (file, schema, ok), so that a script can test `ok` first.
      if (json) process.stdout.write(JSON.stringify({ file: path, schema: REPORT_SCHEMA, ...result }, null, 2) + '\n');
      return 1;
    }
    // An export that cannot be written (no path to make an NEB chain of) is said and sets the exit status, but
    // takes neither the other exports nor the report with it.
    const written: string[] = [], notWritten: string[] = [];
    for (const [file, format] of [[cube, 'cube'], [grd, 'grd']] as const) {
      if (!file) continue;
      const out = await host.request('exportLandscape', { text, options, format }, { signal: abort.signal });
      if (!out.ok || out.content === null) { notWritten.push(`cannot write ${file}: ${out.error}`); continue; }
      await writeFileAtomic(file, out.content);
      written.push(file);
    }
    // Exports (analysis/exports.ts): the same files as the viewer's export menu.
    const exportsAsked: [string | undefined, SceneExportKind][] = [
      [p.values['--ordered-cif'] as string | undefined, 'structure-cif'], [p.values['--ordered-poscar'] as string | undefined, 'structure-poscar'],
      [p.values['--neb'] as string | undefined, 'neb'], [p.values['--profile-csv'] as string | undefined, 'profile-csv'], [p.values['--report-json'] as string | undefined, 'report-json'],
    ];
    const ordering = p.values['--ordering'] === undefined ? undefined : (p.values['--ordering'] as number) - 1;
    for (const [target, kind] of exportsAsked) {
      if (!target) continue;
      const out = await host.request('exportAnalysis', { text, options, kind, ordering, images: p.values['--neb-images'] as number | undefined }, { signal: abort.signal });
      if (!out.ok) { notWritten.push(`cannot write ${target}: ${out.error}`); continue; }
      await writeExportFiles(target, kind === 'neb', out.files);
      written.push(kind === 'neb' ? `${target}/ (${out.files.length} NEB images)` : target);
    }
    const r = result.report;
    // With several data blocks, the one analysed is named in the first line.
    const block = result.messages.find((m) => m.code === 'data-block');
    const exportStatus = () => { for (const m of notWritten) process.stderr.write(`ionpath: ${m}\n`); return notWritten.length ? 1 : 0; };
    if (json) {
      process.stdout.write(JSON.stringify({ file: path, ok: true, ...r, structureMessages: result.messages }, null, 2) + '\n');
      return exportStatus();
    }
    const lines = [
      `${path}${block ? ` (data_${r.structure.name})` : ''}: ${r.structure.formula} — ${sourceCaption(r)}`,
      `  ${barrierHint(r)}`,
      `  ${eaLabel(r, 1)} ${eV(r.Ea_1D_eV, 3)}${r.source.method === 'gcn' ? '' : `, 2D ${eV(r.Ea_2D_eV, 3)}, 3D ${eV(r.Ea_3D_eV, 3)}`}; ${r.percolationDimensionality === 0 ? `no channel percolates${r.maxBarrier_eV !== null ? ` below ${Number(r.maxBarrier_eV.toPrecision(3))} eV (--max-barrier)` : ''}` : `channels ${r.channelDimensionality}D (percolation ${r.percolationDimensionality}D)`}`,
    ];
    if (r.Xi !== null) {
      lines.push(`  MPE(${methodLabel(r)}) ${eV(r.MPE_eV, 3)}; FV_c ${r.FV_connected?.toPrecision(3)}, FV_d ${r.FV_disconnected?.toPrecision(3)} (fractions of grid points below ${r.FV_threshold_eV} eV); ${xiLabel(r)} ${r.Xi.toFixed(3)}`);
    }
    const located = result.messages.filter((m) => m.severity !== 'info' || m.code === 'data-block');
    lines.push(
      `  cell ${r.source.cell}; ${r.source.variant}; ${(r.timings_ms.total / 1000).toFixed(2)} s`,
      ...located.map(messageLine),
      // The report repeats some located messages without their line (an ordering's decisions): printed once.
      ...r.warnings.filter((w) => !located.some((m) => m.message === w)).map((w) => `  warning: ${w}`),
      ...written.map((f) => `  wrote ${f}`),
      ...notWritten.map((m) => `  not written: ${m.replace(/^cannot write /, '')}`),
    );
    process.stdout.write(lines.join('\n') + '\n');
    return exportStatus();
  } catch (e) {
    if (abort.signal.aborted) { process.stderr.write('ionpath: cancelled\n'); return 130; }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    host.dispose();
  }
}

async function rank(p: ParsedCommand): Promise<number> {
  const folder = p.positional[0];
  try { if (!statSync(folder).isDirectory()) throw new UsageError(`${folder} is not a folder`); } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`folder ${folder} does not exist`);
  }
  const options = analysisOptionsOf(p);
  const o = normaliseOptions(options);
  for (const w of unreadFlagWarnings(p, o.method)) process.stderr.write(`ionpath rank: ${w}\n`);
  const jobs = (p.values['--jobs'] as number | undefined) ?? availableParallelism();
  const timeoutMs = ((p.values['--timeout'] as number | undefined) ?? METHOD_TIME_LIMIT_MS[o.method] / 1000) * 1000;
  const out = p.values['--out'] as string | undefined, jsonOut = p.values['--json-out'] as string | undefined;
  const cacheFile = (p.values['--cache'] as string | undefined) ?? join(userCacheDir(), `rank-${o.method}.json`);
  // Outputs and the cache must not be among the structures ranked (a CSV written over a CIF of the folder).
  const listed = [out, jsonOut, cacheFile].some((f) => f && existsSync(f)) ? await listStructureFolder(resolve(folder)) : undefined;
  const inputs = listed?.files ?? [];
  if (out) checkOutputPath('--out', out, inputs, 'a structure file of the folder');
  if (jsonOut) checkOutputPath('--json-out', jsonOut, inputs, 'a structure file of the folder');
  // The sharded rank's rule (shard/outputs.ts): an existing file is replaced only if it is ionpath's own ranking.
  for (const [flag, path, kind] of [['--out', out, 'ranking CSV'], ['--json-out', jsonOut, 'ranking JSON']] as const) {
    const refusal = foreignOutputRefusal(path, `${flag} ${path}`, kind);
    if (refusal) throw new UsageError(refusal);
  }
  if (p.values['--cache']) checkOutputPath('--cache', cacheFile, inputs, 'a structure file of the folder');
  let cache: RankCache;
  try { cache = new RankCache(cacheFile); } catch (e) { throw new UsageError(`--cache: ${e instanceof Error ? e.message : String(e)}`); }
  if (cache.readProblem) process.stderr.write(`ionpath rank: warning: ${cache.readProblem}\n`);
  const pool = new HostPool(workerPath(), jobs, { onProblem: (m) => process.stderr.write(`ionpath: ${m}\n`) }, timeoutMs);
  const abort = new AbortController();
  const onSigint = () => { process.stderr.write('\nionpath: cancelling (results so far are cached)…\n'); abort.abort(); };
  process.once('SIGINT', onSigint);
  const t0 = Date.now();
  try {
    const { rows, cancelled, files, compressed } = await rankFolder(resolve(folder), {
      pool, options, cache, signal: abort.signal, listing: listed,
      onProgress: (q) => { if (process.stderr.isTTY) process.stderr.write(`\r${q.done}/${q.total} done, ${q.failed} failed, ${q.cached} from cache`); },
      onEstimate: (e) => process.stderr.write(`ionpath rank: ${describeEstimate(e)}; Ctrl-C cancels, a re-run resumes from the cache\n`),
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    // An empty ranking is a result, but usually of a wrong folder: say what was looked for.
    if (!files) process.stderr.write(`ionpath rank: warning: ${noStructureFilesWarning(folder)}\n`);
    const skipped = compressedFilesWarning(compressed, resolve(folder));
    if (skipped) process.stderr.write(`ionpath rank: warning: ${skipped}\n`);
    const seconds = (Date.now() - t0) / 1000;
    // An interrupted run never replaces a complete earlier output: its partial results go beside it, named so.
    const notes: string[] = [];
    if (out) notes.push((await writeRankOutput(out, rowsToCsv(rows), !cancelled)).note);
    if (jsonOut) notes.push((await writeRankOutput(jsonOut, rowsToJson(rows, { folder: resolve(folder), method: o.method, options: o, complete: !cancelled }), !cancelled)).note);
    if (!out && !jsonOut) process.stdout.write(rowsToCsv(rows));
    process.stderr.write(
      `ionpath rank: ${rows.length}/${files} files in ${seconds.toFixed(1)} s with ${pool.size} worker${pool.size === 1 ? '' : 's'}, ${rankOrderFor(o.method).caption}; ` +
        `${rows.filter((r) => r.error).length} failed with a reason; ${rows.filter((r) => r.fromCache).length} from cache` +
        `${cancelled ? '; CANCELLED (re-run to resume from the cache)' : ''}\n${notes.map((n) => `ionpath rank: ${n}\n`).join('')}`,
    );
    return cancelled ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    pool.dispose();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') { process.stdout.write(USAGE); return command ? 0 : 2; }
  // merge, slurm, and rank --shard K/N / rank @list.txt: their commands are in shardCommands.ts.
  const sharded = command === 'merge' || command === 'slurm' || (command === 'rank' && wantsShardedRank(rest));
  const spec = sharded ? SHARD_COMMANDS[command as keyof typeof SHARD_COMMANDS] : COMMANDS[command];
  if (!spec) { process.stderr.write(`ionpath: unknown command '${command}' (one of ${[...Object.keys(COMMANDS), 'merge', 'slurm'].join(', ')})\n${USAGE}`); return 2; }
  const parsed = parseCommandLine(command, rest, spec);
  if (parsed.help) { process.stdout.write(`${usageOf(command, spec)}\n${command === 'rank' && !sharded ? shardedRankHelp() : ''}`); return 0; }
  if (parsed.errors.length) {
    for (const e of parsed.errors) process.stderr.write(`${e.startsWith('ionpath') ? '' : `ionpath ${command}: `}${e}\n`);
    process.stderr.write(`(ionpath ${command} --help lists the options)\n`);
    return 2;
  }
  if (sharded) {
    try {
      return await (command === 'merge' ? mergeCommand(parsed) : command === 'slurm' ? slurmCommand(parsed) : rankShard(parsed));
    } catch (e) {
      process.stderr.write(`ionpath ${command}: ${e instanceof Error ? e.message : String(e)}\n`);
      return e instanceof UsageError ? 2 : 1;
    }
  }
  try {
    switch (command) {
      case 'info': return info(parsed.positional[0], parsed.values['--json'] === true, parsed.values['--block'] as string | undefined);
      case 'bvse': return await analyze(parsed, 'bvse');
      case 'analyze': return await analyze(parsed);
      case 'rank': return await rank(parsed);
    }
  } catch (e) {
    if (e instanceof UsageError) { process.stderr.write(`ionpath ${command}: ${e.message}\n`); return 2; }
    process.stderr.write(`ionpath: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  return 2;
}

// A reader that stops early (`ionpath info x.cif | head -1`) closes the pipe: stop quietly with the status of
// SIGPIPE, as other Unix tools do. Any other failure to write (a full disk) is said in one line, not a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') process.stderr.write(`ionpath: cannot write the standard output: ${e.code ?? e.message}${e.code === 'ENOSPC' ? ' (no space left on the device)' : ''}\n`);
  process.exit(e.code === 'EPIPE' ? 141 : 1);
});
process.stderr.on('error', () => process.exit(process.exitCode ?? 1));

void main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
