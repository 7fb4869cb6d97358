/**
 * A convention for Ea measured against the default (docs/VALIDATION.md): the barrier from the level the mobile ions
 * fill, instead of from the global minimum.
 *
 *   Ea_kD(global) = E_perc,k − E_min                       (the default; BVlain, softBV and the published labels)
 *   Ea_kD(filled) = max(0, E_perc,k − E_F)
 *
 * E_F is the energy of the highest site the cell's N mobile ions occupy when they fill the landscape's local minima
 * lowest first, one ion per minimum and no two closer than D_EXCL (the shortest Li–Li distances in ordered crystals
 * are ≈ 2.1–2.3 Å: Li3N 2.11 Å, Li2O 2.31 Å; D_EXCL = 2.0 Å was fixed before the measurement; 1.6 and 2.4 Å show the
 * sensitivity). In an ordered crystal whose Li fill one set of equivalent sites, E_F = E_min and nothing changes. In a
 * garnet the 24d sites fill first and the rest of the Li go to 96h, so the ions that move start from there; in LGPS
 * the traps beside the channel fill, and the channel's Li start from the channel. N counts the Li on sites where Li is
 * the majority species (a Li on a Ti-majority octahedral site of Li4Ti5O12 is part of the framework); "all-li" counts
 * every Li. Li–Li interaction beyond the exclusion distance is ignored (single-particle landscape, as BVSE is).
 * Output: one ranking JSON per variant (ionpath.ranking/2 rows: file, Ea_1D/2D/3D_eV), scored with
 * scripts/score-ranking.ts --compare against `ionpath rank … --json-out` of the default.
 * Usage: node out/scripts/explore-site-filling.js --out-dir /tmp/filling [--cifs ../shared/data/obelix/cifs]
 */
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildStructure } from '../src/compute/structure/build';
import { analyzeLandscapeSync } from '../src/compute/analysis/pipeline';
import type { EnergyGrid } from '../src/compute/landscape/grid';
import type { Structure, Vec3 } from '../src/compute/structure/types';
import { periodicNeighbourFinder } from '../src/compute/structure/neighbours';
import { writeFileAtomicSync } from '../src/compute/util/atomicWrite';

const args = process.argv.slice(2);
const arg = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const CIFS = arg('--cifs') ?? join(process.cwd(), '..', 'shared', 'data', 'obelix', 'cifs');
const OUT_DIR = arg('--out-dir') ?? '/tmp/filling';
const EXCLUSIONS = [1.6, 2.0, 2.4];
const COUNTS = ['majority', 'all-li'] as const;

/** Local minima of the periodic grid (26 neighbours, ≤ all of them), lowest first, below E_min + `window`. */
function localMinima(g: EnergyGrid, window: number): { v: number; e: number }[] {
  const [n0, n1, n2] = g.shape, d = g.data, out: { v: number; e: number }[] = [];
  for (let i = 0; i < n0; i++) for (let j = 0; j < n1; j++) for (let k = 0; k < n2; k++) {
    const v = (i * n1 + j) * n2 + k, e = d[v];
    if (e > g.min + window) continue;
    let isMin = true;
    for (let a = -1; a <= 1 && isMin; a++) for (let b = -1; b <= 1 && isMin; b++) for (let c = -1; c <= 1; c++) {
      if (!a && !b && !c) continue;
      const w = ((((i + a) % n0) + n0) % n0 * n1 + ((((j + b) % n1) + n1) % n1)) * n2 + ((((k + c) % n2) + n2) % n2);
      if (d[w] < e) { isMin = false; break; }
    }
    if (isMin) out.push({ v, e });
  }
  return out.sort((x, y) => x.e - y.e);
}

/** The energy of the n-th ion placed lowest-first with exclusion distance `dExcl` (Å); E of the last one if fewer fit. */
function fillingLevel(g: EnergyGrid, minima: { v: number; e: number }[], n: number, dExcl: number): number {
  const [n0, n1, n2] = g.shape;
  const fracs = minima.map(({ v }): Vec3 => [Math.floor(v / (n1 * n2)) / n0, (Math.floor(v / n2) % n1) / n1, (v % n2) / n2]);
  const finder = periodicNeighbourFinder(g.lattice, fracs, dExcl);
  const placed = new Set<number>();
  let level = g.min;
  for (let i = 0; i < minima.length && placed.size < n; i++) {
    let clash = false;
    finder.around(i, (j) => { if (j !== i && placed.has(j)) clash = true; });
    if (clash) continue;
    placed.add(i); level = minima[i].e;
  }
  return level;
}

function mobileCount(s: Structure, rule: (typeof COUNTS)[number]): number {
  let n = 0;
  for (const site of s.sites) {
    const li = site.species.filter((sp) => sp.element === 'Li').reduce((a, sp) => a + sp.occupancy, 0);
    if (!li) continue;
    const other = Math.max(0, ...site.species.filter((sp) => sp.element !== 'Li').map((sp) => sp.occupancy));
    if (rule === 'all-li' || li >= other) n += li;
  }
  return Math.max(1, Math.round(n));
}

type Row = { file: string; error?: string; Ea_1D_eV?: number | null; Ea_2D_eV?: number | null; Ea_3D_eV?: number | null; lift_eV?: number; mobile?: number };
const variants = new Map<string, Row[]>();
for (const c of COUNTS) for (const d of EXCLUSIONS) variants.set(`${c}-${d}`, []);
const files = readdirSync(CIFS).filter((x) => x.endsWith('.cif')).sort();
let done = 0;
for (const file of files) {
  let rowsFor: Map<string, Row>;
  try {
    const s = buildStructure(readFileSync(join(CIFS, file), 'utf8')).structure;
    if (!s) throw new Error('did not build');
    const a = analyzeLandscapeSync(s, { resolution: 0.2, path: false });
    const g = a.grid!, r = a.report;
    const minima = localMinima(g, 10);
    rowsFor = new Map();
    for (const c of COUNTS) {
      const n = mobileCount(s, c);
      for (const d of EXCLUSIONS) {
        const eF = fillingLevel(g, minima, n, d), lift = eF - g.min;
        const filled = (ea: number | null) => (ea === null ? null : Math.max(0, ea - lift));
        rowsFor.set(`${c}-${d}`, { file, Ea_1D_eV: filled(r.Ea_1D_eV), Ea_2D_eV: filled(r.Ea_2D_eV), Ea_3D_eV: filled(r.Ea_3D_eV), lift_eV: +lift.toFixed(4), mobile: n });
      }
    }
  } catch (e) {
    rowsFor = new Map([...variants.keys()].map((k) => [k, { file, error: e instanceof Error ? e.message : String(e) }]));
  }
  for (const [k, row] of rowsFor) variants.get(k)!.push(row);
  if (++done % 25 === 0) process.stderr.write(`  ${done}/${files.length}\n`);
}
mkdirSync(OUT_DIR, { recursive: true });
for (const [k, rows] of variants) {
  writeFileAtomicSync(join(OUT_DIR, `filled-${k}.json`), JSON.stringify({ schema: 'ionpath.ranking/2', method: 'bvse', options: { convention: `filled ${k}`, resolution: 0.2 }, rows }, null, 1));
}
process.stderr.write(`wrote ${variants.size} rankings to ${OUT_DIR}\n`);
