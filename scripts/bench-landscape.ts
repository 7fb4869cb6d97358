/**
 * Landscape benchmark over the OBELiX training CIFs (../shared/data/obelix/cifs): time per structure for the BVSE
 * grid, percolation, level map/Ξ and path, one structure at a time on one thread, plus a side-by-side of Ea(1D/2D/3D)
 * with BVlain's reference numbers (../shared/data/reference/bvlain_obelix_train.csv) when run in 'bvlain' mode.
 *
 *   node out/scripts/bench-landscape.js [--mode spse|bvlain] [--resolution 0.2] [--limit N] [--only id,id] [--json out.json] [--with-bvlain]
 *
 * --with-bvlain times BVlain (scripts/bvlain-time.py, ../shared/tools/bvlain) on each structure right after ionpath
 * and prints the ratio of the medians per structure (wall clock, both sides at the same moment and load).
 *
 * Timings are wall clock and process CPU time (the CPU figure is what matters on a shared machine).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import { loadavg } from 'node:os';
import { buildStructure } from '../src/compute/structure/build';
import type { Structure } from '../src/compute/structure/types';
import { analyzeLandscapeSync, type PipelineOptions } from '../src/compute/analysis/pipeline';
import { LandscapeError } from '../src/compute/util/errors';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const mode = arg('mode', 'spse') as 'spse' | 'bvlain';
/** Run BVlain on the same structures in this run and print the ratio (needs Debian's python3-ase/pymatgen/scipy/joblib). */
const sameRun = process.argv.includes('--with-bvlain');
const resolution = Number(arg('resolution', '0.2'));
const limit = Number(arg('limit', 'Infinity'));
const only = arg('only', '').split(',').filter(Boolean);
const jsonOut = arg('json', '');
const shared = join(__dirname, '..', '..', '..', 'shared', 'data');
const sharedDir = existsSync(shared) ? shared : join(process.cwd(), '..', 'shared', 'data');
const cifDir = join(sharedDir, 'obelix', 'cifs');

/** BVlain's reference rows by id (only those it computed). */
function readReference(file: string): Map<string, { E1: number; E2: number; E3: number; oxi: string; t: number }> {
  const out = new Map<string, { E1: number; E2: number; E3: number; oxi: string; t: number }>();
  if (!existsSync(file)) return out;
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const header = splitCsv(lines[0]);
  for (const line of lines.slice(1)) {
    const cells = splitCsv(line);
    const row = Object.fromEntries(header.map((h, i) => [h, cells[i]]));
    if (row.status !== 'ok') continue;
    out.set(row.id, { E1: Number(row.E_1D), E2: Number(row.E_2D), E3: Number(row.E_3D), oxi: row.oxi_states, t: Number(row.t_bvse_plus_perc_s) });
  }
  return out;
}

function splitCsv(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      cells.push(cur);
      cur = '';
    } else cur += ch;
  }
  cells.push(cur);
  return cells;
}

/** Oxidation states as BVlain used them ("['Gd+3', 'Li+1', ...]"), one per element. */
function parseOxi(text: string): Map<string, number> | null {
  const map = new Map<string, number>();
  for (const m of text.matchAll(/'([A-Z][a-z]?)([+-]\d+)'/g)) {
    if (map.has(m[1]) && map.get(m[1]) !== Number(m[2])) return null; // mixed valence: not a per-element map
    map.set(m[1], Number(m[2]));
  }
  return map.size ? map : null;
}

/** The structure with BVlain's oxidation states, so that 'bvlain' mode compares like with like. */
function withOxidationStates(structure: Structure, oxi: Map<string, number>): Structure {
  return {
    ...structure,
    sites: structure.sites.map((site) => ({
      ...site,
      species: site.species.map((sp) => (oxi.has(sp.element) ? { ...sp, oxidation: oxi.get(sp.element)!, oxidationSource: 'cif' as const } : sp)),
    })),
    oxidationSource: 'cif',
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

function spearman(x: number[], y: number[]): number {
  const rank = (v: number[]) => {
    const idx = v.map((_, i) => i).sort((a, b) => v[a] - v[b]);
    const r = new Array<number>(v.length);
    for (let i = 0; i < idx.length; ) {
      let j = i;
      while (j + 1 < idx.length && v[idx[j + 1]] === v[idx[i]]) j++;
      for (let k = i; k <= j; k++) r[idx[k]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const rx = rank(x), ry = rank(y);
  const mx = rx.reduce((a, b) => a + b, 0) / rx.length, my = ry.reduce((a, b) => a + b, 0) / ry.length;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) ** 2;
    syy += (ry[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

type BvlainRow = { file: string; seconds?: number; E_1D?: number | null; error?: string };

/**
 * BVlain (scripts/bvlain-time.py) on one structure, run right after ionpath's analysis of it, so that both sides of
 * each pair see the same machine at nearly the same moment (one Python process per file; the import is not timed).
 */
function runBvlain(file: string): BvlainRow[] | string {
  const r = spawnSync('/usr/bin/python3', [join(__dirname, '..', '..', 'scripts', 'bvlain-time.py'), '--resolution', String(resolution), join(cifDir, file)], {
    encoding: 'utf8', env: { ...process.env, PYTHONPATH: join(sharedDir, '..', 'tools', 'bvlain') }, maxBuffer: 1 << 26,
  });
  if (r.status !== 0 && !r.stdout) return `BVlain could not run: ${(r.stderr || r.error?.message || '').slice(-400)}`;
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as BvlainRow);
}

/** The same-run comparison: BVlain's and ionpath's medians per structure over the structures both computed. */
function bvlainSameRun(rows: { id: string; cpu: number; wall: number; E: (number | null)[] }[], theirs: BvlainRow[], seconds: number): void {
  const ours = new Map(rows.map((r) => [r.id, r]));
  const ok = theirs.filter((x) => x.seconds !== undefined);
  const pairs = ok.map((x) => ({ t: x.seconds! * 1000, o: ours.get(basename(x.file, '.cif'))!, e1: x.E_1D ?? null }));
  console.log(`  BVlain in the same run, each structure right after ionpath's: ${ok.length}/${theirs.length} structures computed (${theirs.length - ok.length} failed in BVlain), ${seconds.toFixed(0)} s`);
  if (!pairs.length) return;
  const mb = median(pairs.map((p) => p.t)), mo = median(pairs.map((p) => p.o.wall)), mc = median(pairs.map((p) => p.o.cpu));
  console.log(`  median per structure: BVlain ${mb.toFixed(0)} ms, ionpath ${mo.toFixed(0)} ms wall (${mc.toFixed(0)} ms CPU) → ratio of medians ${(mb / mo).toFixed(1)}× (wall)`);
  console.log(`  per structure, BVlain ÷ ionpath (wall): median ${median(pairs.map((p) => p.t / p.o.wall)).toFixed(1)}×, lowest ${Math.min(...pairs.map((p) => p.t / p.o.wall)).toFixed(1)}×`);
  const d = pairs.filter((p) => p.e1 !== null && p.o.E[0] !== null).map((p) => Math.abs((p.o.E[0] as number) - (p.e1 as number)));
  if (d.length) console.log(`  |Ea_1D ionpath − BVlain| on those: median ${median(d).toFixed(3)} eV, ≤ 0.0098 eV (BVlain's bisection step): ${d.filter((x) => x <= 0.0098 + 1e-9).length}/${d.length}`);
}

function main(): void {
  if (!existsSync(cifDir)) {
    console.error(`no OBELiX CIFs at ${cifDir}`);
    process.exit(1);
  }
  const loadAtStart = loadavg();
  const reference = readReference(join(sharedDir, 'reference', 'bvlain_obelix_train.csv'));
  let files = readdirSync(cifDir).filter((f) => f.endsWith('.cif')).sort();
  if (only.length) files = files.filter((f) => only.includes(basename(f, '.cif')));
  if (mode === 'bvlain') files = files.filter((f) => reference.has(basename(f, '.cif')));
  files = files.slice(0, limit);
  const options: PipelineOptions = { mode, resolution, maxBarrier: mode === 'bvlain' ? 5 : undefined };

  type Row = { id: string; atoms: number; points: number; wall: number; cpu: number; bvse: number; perc: number; lm: number; path: number; E: (number | null)[]; ref?: number[] };
  const rows: Row[] = [];
  const failures: { id: string; error: string }[] = [];
  // Warm the JIT on one structure so the first timing is not a compile.
  let warmed = false;
  const bvlainRows: BvlainRow[] = [];
  let bvlainSeconds = 0;
  let bvlainProblem = '';
  for (const file of files) {
    const id = basename(file, '.cif');
    const built = buildStructure(readFileSync(join(cifDir, file), 'utf8'));
    if (!built.structure) {
      failures.push({ id, error: built.messages.find((m) => m.severity === 'error')?.message ?? 'not built' });
      continue;
    }
    let structure = built.structure as Structure;
    const ref = reference.get(id);
    if (mode === 'bvlain' && ref) {
      const oxi = parseOxi(ref.oxi);
      if (oxi) structure = withOxidationStates(structure, oxi);
    }
    try {
      if (!warmed) {
        analyzeLandscapeSync(structure, options);
        warmed = true;
      }
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const a = analyzeLandscapeSync(structure, options);
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const t = a.report.timings_ms;
      rows.push({
        id,
        atoms: structure.sites.length,
        points: a.grid!.data.length,
        wall,
        cpu: (cpu.user + cpu.system) / 1000,
        bvse: t.bvse,
        perc: t.percolation,
        lm: t.levelMap,
        path: t.path,
        E: [a.report.Ea_1D_eV, a.report.Ea_2D_eV, a.report.Ea_3D_eV],
        ref: ref ? [ref.E1, ref.E2, ref.E3] : undefined,
      });
      if (sameRun && !bvlainProblem) {
        const b0 = performance.now();
        const theirs = runBvlain(file);
        bvlainSeconds += (performance.now() - b0) / 1000;
        if (typeof theirs === 'string') bvlainProblem = theirs;
        else bvlainRows.push(...theirs);
      }
    } catch (e) {
      failures.push({ id, error: e instanceof LandscapeError ? `${e.code}: ${e.message}` : String(e) });
    }
  }

  const fmt = (x: number) => x.toFixed(0).padStart(6);
  console.log(`load average (1, 5, 15 min) at the start ${loadAtStart.map((x) => x.toFixed(2)).join(', ')}, at the end ${loadavg().map((x) => x.toFixed(2)).join(', ')}`);
  console.log(`mode ${mode}, resolution ${resolution} Å, ${rows.length} structures analysed, ${failures.length} failed`);
  console.log(`                    median    p90    worst   (ms)`);
  for (const [name, key] of [['total (wall)', 'wall'], ['total (CPU)', 'cpu'], ['BVSE grid', 'bvse'], ['percolation', 'perc'], ['level map/FV/Ξ', 'lm'], ['path', 'path']] as const) {
    const xs = rows.map((r) => r[key]).sort((a, b) => a - b);
    console.log(`  ${name.padEnd(16)} ${fmt(median(xs))} ${fmt(xs[Math.floor(0.9 * (xs.length - 1))])} ${fmt(xs[xs.length - 1])}`);
  }
  const worst = [...rows].sort((a, b) => b.cpu - a.cpu)[0];
  if (worst) console.log(`  worst: ${worst.id} (${worst.atoms} sites, ${worst.points} grid points)`);
  console.log(`  median sites ${median(rows.map((r) => r.atoms))}, median grid points ${median(rows.map((r) => r.points))}`);
  if (sameRun && bvlainProblem) console.log(`  ${bvlainProblem}`);
  else if (sameRun) bvlainSameRun(rows, bvlainRows, bvlainSeconds);
  const withRef = rows.filter((r) => r.ref);
  if (withRef.length && !sameRun) {
    const refTimes = withRef.map((r) => reference.get(r.id)!.t * 1000);
    console.log(`  BVlain times recorded in another run (../shared reference CSV; not a same-run ratio, for that use --with-bvlain): median ${median(refTimes).toFixed(0)} ms vs ionpath CPU ${median(withRef.map((r) => r.cpu)).toFixed(0)} ms`);
    for (let d = 0; d < 3; d++) {
      const pairs = withRef.filter((r) => r.E[d] !== null && Number.isFinite(r.ref![d]) && r.ref![d] <= 5);
      const diffs = pairs.map((r) => (r.E[d] as number) - r.ref![d]);
      const within = diffs.filter((x) => Math.abs(x) <= 0.05).length;
      const agreeInf = withRef.filter((r) => (r.E[d] === null) === !Number.isFinite(r.ref![d])).length;
      console.log(
        `  Ea_${d + 1}D vs BVlain: n=${pairs.length}, median diff ${median(diffs).toFixed(3)} eV, median |diff| ${median(diffs.map(Math.abs)).toFixed(3)} eV, |diff| ≤ 0.05 eV: ${within}/${pairs.length}, ` +
          `Spearman ${pairs.length > 2 ? spearman(pairs.map((r) => r.E[d] as number), pairs.map((r) => r.ref![d])).toFixed(3) : 'n/a'}, percolates-or-not agree ${agreeInf}/${withRef.length}`,
      );
    }
  }
  for (const f of failures.slice(0, 20)) console.log(`  failed ${f.id}: ${f.error}`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ mode, resolution, rows, failures }, null, 1));
}

main();
