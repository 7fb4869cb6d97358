/**
 * Benchmark of CIF → Structure: parse time and parse+build time (median of N runs after warm-up) for
 * the largest example CIF and for synthetic ~500–1000-atom cells, then one build of each of the 254
 * OBELiX CIFs (../shared/data/obelix/cifs) with total, median and slowest.
 *
 *   node esbuild.mjs && node out/scripts/bench-structure.js [runs=9] [--no-obelix]
 *
 */
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, basename } from 'node:path';
import { cpus } from 'node:os';
import { parseCif } from '../src/compute/cif/parser';
import { buildStructure, MAX_SITES_FOR_DETECTION } from '../src/compute/structure/build';
import { ensureMoyo } from '../src/compute/structure/symmetry';
import type { Structure } from '../src/compute/structure/types';

const RUNS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 9);
const WARMUP = 2;
const root = process.cwd();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

interface Row { name: string; chars: number; atoms: number | string; parseMs: number; buildMs: number; minMs: number; maxMs: number; symmetryMs: number | null }

/** Time of the symmetry detection alone (moyo's analyze_cell, as build.ts calls it) on a built structure. */
function symmetryTime(s: Structure): number | null {
  if (s.sites.length > MAX_SITES_FOR_DETECTION) return null; // build.ts skips it there too
  const kinds = new Map<string, number>();
  const numbers = s.sites.map((x) => {
    const k = x.species.map((sp) => `${sp.element}:${sp.occupancy.toFixed(3)}`).sort().join('|');
    if (!kinds.has(k)) kinds.set(k, kinds.size + 1);
    return kinds.get(k)!;
  });
  const cell = JSON.stringify({ lattice: { basis: s.lattice.matrix.flat() }, positions: s.sites.map((x) => x.frac), numbers });
  return time(() => ensureMoyo().analyze_cell(cell, 1e-2, 'Standard'));
}

function bench(name: string, text: string): Row {
  // A slow input (over 2 s a build) gets 3 runs and its trial build as the only warm-up.
  const trial = time(() => buildStructure(text));
  const runs = trial > 2000 ? 3 : RUNS;
  for (let i = 1; i < (trial > 2000 ? 0 : WARMUP); i++) buildStructure(text);
  const parse: number[] = [], build: number[] = [];
  let atoms: number | string = '-';
  let structure: Structure | null = null;
  for (let i = 0; i < runs; i++) {
    parse.push(time(() => parseCif(text)));
    build.push(time(() => {
      const r = buildStructure(text);
      structure = r.structure;
      atoms = r.structure ? r.structure.sites.length : `failed: ${r.messages.find((m) => m.severity === 'error')?.code}`;
    }));
  }
  const symmetryMs = structure ? symmetryTime(structure) : null;
  return { name: runs === RUNS ? name : `${name} [${runs} runs]`, chars: text.length, atoms, parseMs: median(parse), buildMs: median(build), minMs: Math.min(...build), maxMs: Math.max(...build), symmetryMs };
}

const CELL = (a: number, b: number, c: number, al = 90, be = 90, ga = 90) =>
  `_cell_length_a ${a}\n_cell_length_b ${b}\n_cell_length_c ${c}\n_cell_angle_alpha ${al}\n_cell_angle_beta ${be}\n_cell_angle_gamma ${ga}\n`;
const SITES = 'loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n_atom_site_occupancy\n';

/** Rock salt (a = 5.6402 Å) as an n×n×n supercell of the conventional cell, written atom by atom in P1. */
function rockSaltSupercell(n: number): string {
  const basis: [string, number[]][] = [
    ['Na', [0, 0, 0]], ['Na', [0, 0.5, 0.5]], ['Na', [0.5, 0, 0.5]], ['Na', [0.5, 0.5, 0]],
    ['Cl', [0.5, 0.5, 0.5]], ['Cl', [0.5, 0, 0]], ['Cl', [0, 0.5, 0]], ['Cl', [0, 0, 0.5]],
  ];
  const rows: string[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) {
    for (const [el, f] of basis) rows.push(`${el}${rows.length + 1} ${el} ${((f[0] + i) / n).toFixed(6)} ${((f[1] + j) / n).toFixed(6)} ${((f[2] + k) / n).toFixed(6)} 1`);
  }
  const a = 5.6402 * n;
  return `data_NaCl_${n}x${n}x${n}\n${CELL(a, a, a)}_symmetry_space_group_name_H-M 'P 1'\nloop_\n_symmetry_equiv_pos_as_xyz\n'x, y, z'\n${SITES}${rows.join('\n')}\n`;
}

/**
 * A low-symmetry (P-1, triclinic) cell of `n` atoms: n/2 atoms on a jittered grid in the asymmetric half,
 * Li/P/O/S mixed, some partial occupancies, no oxidation states (so the guess runs too).
 */
function triclinic(n: number): string {
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const half = n / 2;
  const m = Math.ceil(Math.cbrt(half * 2));
  const rows: string[] = [];
  const els = ['Li', 'Li', 'Li', 'P', 'O', 'O', 'O', 'O', 'S'];
  for (let i = 0; rows.length < half; i++) {
    const g = [i % m, Math.floor(i / m) % m, Math.floor(i / (m * m))];
    if (g[2] >= m / 2) break;
    const f = g.map((v) => ((v + 0.25 + 0.3 * rnd()) / m).toFixed(5));
    const el = els[rows.length % els.length];
    const occ = el === 'Li' && rows.length % 4 === 0 ? '0.75' : '1';
    rows.push(`${el}${rows.length + 1} ${el} ${f.join(' ')} ${occ}`);
  }
  const a = 2.6 * m;
  return `data_triclinic_${n}\n${CELL(a, a * 1.07, a * 0.95, 84.3, 97.1, 101.8)}_symmetry_space_group_name_H-M 'P -1'\n${SITES}${rows.join('\n')}\n`;
}

function fmt(rows: Row[]): string {
  const head = ['input', 'chars', 'atoms', 'parse ms', 'parse+build ms (median)', 'min', 'max', 'of which symmetry detection (skipped above ' + MAX_SITES_FOR_DETECTION + ' atoms)'];
  const body = rows.map((r) => [r.name, String(r.chars), String(r.atoms), r.parseMs.toFixed(2), r.buildMs.toFixed(1), r.minMs.toFixed(1), r.maxMs.toFixed(1), r.symmetryMs === null ? '-' : `~${r.symmetryMs.toFixed(0)}`]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n');
}

function main(): void {
  console.log(`ionpath structure benchmark: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}; median of ${RUNS} runs after ${WARMUP} warm-up runs`);
  // First call pays for the WebAssembly instantiation and the space-group table: shown on its own.
  const first = time(() => buildStructure(rockSaltSupercell(1)));
  console.log(`first build (WebAssembly + space-group tables): ${first.toFixed(0)} ms\n`);

  const rows: Row[] = [];
  const exDir = join(root, 'examples');
  const examples = existsSync(exDir) ? readdirSync(exDir).filter((f) => f.endsWith('.cif')).map((f) => join(exDir, f)) : [];
  if (examples.length) {
    const largest = examples.sort((a, b) => statSync(b).size - statSync(a).size)[0];
    rows.push(bench(`examples/${basename(largest)} (largest file)`, readFileSync(largest, 'utf8')));
    // The example with the most atoms in the cell, when that is another one.
    const atoms = (f: string) => buildStructure(readFileSync(f, 'utf8')).structure?.sites.length ?? 0;
    const most = examples.map((f) => [f, atoms(f)] as const).sort((a, b) => b[1] - a[1])[0][0];
    if (most !== largest) rows.push(bench(`examples/${basename(most)} (most atoms)`, readFileSync(most, 'utf8')));
  } else {
    console.log('(no examples/*.cif yet)');
  }
  rows.push(bench('rock salt 3×3×3 in P1', rockSaltSupercell(3)));
  rows.push(bench('rock salt 4×4×4 in P1', rockSaltSupercell(4)));
  rows.push(bench('rock salt 5×5×5 in P1', rockSaltSupercell(5)));
  rows.push(bench('triclinic P-1, ~500 atoms', triclinic(500)));
  console.log(fmt(rows));

  if (process.argv.includes('--no-obelix')) return;
  const obelix = join(root, '..', 'shared', 'data', 'obelix', 'cifs');
  if (!existsSync(obelix)) { console.log(`\n(no OBELiX CIFs at ${obelix})`); return; }
  const files = readdirSync(obelix).filter((f) => f.endsWith('.cif')).sort();
  const texts = files.map((f) => readFileSync(join(obelix, f), 'utf8'));
  const times: { file: string; ms: number; atoms: number }[] = [];
  let failed = 0;
  const total = time(() => {
    texts.forEach((t, i) => {
      const t0 = performance.now();
      const r = buildStructure(t);
      times.push({ file: files[i], ms: performance.now() - t0, atoms: r.structure?.sites.length ?? 0 });
      if (!r.structure) failed++;
    });
  });
  const ms = times.map((x) => x.ms);
  const slow = [...times].sort((a, b) => b.ms - a.ms).slice(0, 5);
  console.log(`\nOBELiX: ${files.length} CIFs (one build each, parse included): total ${(total / 1000).toFixed(2)} s, median ${median(ms).toFixed(1)} ms, ` +
    `p90 ${[...ms].sort((a, b) => a - b)[Math.floor(ms.length * 0.9)].toFixed(1)} ms, max ${Math.max(...ms).toFixed(0)} ms; ${failed} did not build`);
  console.log(`slowest: ${slow.map((x) => `${x.file} ${x.ms.toFixed(0)} ms (${x.atoms} atoms)`).join(', ')}`);
}

main();
