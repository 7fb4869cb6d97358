/**
 * BVSE labels for the GCN: ionpath's own percolation barriers Ea(BVSE, 1D/2D/3D) in eV, computed with
 * `runLandscapeJobSync(cif, { resolution })` (SPSE mode, Li⁺, default oxidation states) for
 *   1. the ordered OBELiX training CIFs (../shared/data/obelix/cifs, no partial occupancy; CC BY 4.0), then
 *   2. the Materials Project Li structures (../shared/data/mp-li, CC BY 4.0) in a deterministic shuffled order
 *      (mulberry32, seed 20261201), skipping cells above --max-atoms sites.
 * Every `--compare-every`-th MP structure is also computed at 0.1 Å (until --compare-count are done) into a side
 * table, so the 0.1-vs-0.2 Å difference is measured on a sample spread over the run.
 *
 * Output (append-only, resumable: ids already present are skipped):
 *   models/gcn/labels-bvse.csv     id,formula,Ea_1D,Ea_2D,Ea_3D,resolution_A,ionpath_version,source,n_sites,status,ms
 *     status: ok | skipped: <why> | error: <message> | timeout (>--timeout s). Empty Ea = no percolating path.
 *   models/gcn/labels-bvse-res0.1.csv   the same columns at 0.1 Å for the comparison sample.
 *
 * Usage: nice -n 10 node out/scripts/label-bvse.js --mp-dir /tmp/mp-li/mp-li [--until 12:15] [--max-atoms 200]
 *        [--timeout 120] [--compare-every 15] [--compare-count 100]
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLandscapeJobSync } from '../src/compute/analysis/job';
import { buildStructure } from '../src/compute/structure/build';
import { mulberry32 } from '../src/compute/util/random';

const args = process.argv.slice(2);
const arg = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const SHARED = join(process.cwd(), '..', 'shared', 'data');
const mpDir = arg('--mp-dir') ?? '/tmp/mp-li/mp-li';
const until = arg('--until'); // HH:MM UTC
const maxAtoms = Number(arg('--max-atoms') ?? 200);
const timeoutS = Number(arg('--timeout') ?? 120);
const compareEvery = Number(arg('--compare-every') ?? 15);
const compareCount = Number(arg('--compare-count') ?? 100);
const outDir = arg('--out-dir') ?? join(process.cwd(), 'models', 'gcn');
const VERSION = (JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string }).version;
const HEADER = 'id,formula,Ea_1D,Ea_2D,Ea_3D,resolution_A,ionpath_version,source,n_sites,status,ms\n';

function deadline(): number {
  if (!until) return Infinity;
  const [h, m] = until.split(':').map(Number);
  const d = new Date();
  d.setUTCHours(h, m, 0, 0);
  // A time already past today is that time tomorrow (a run started at 22:00 with --until 00:30).
  return d.getTime() <= Date.now() ? d.getTime() + 24 * 3600 * 1000 : d.getTime();
}
const stopAt = deadline();

function shuffled<T>(xs: T[], seed: number): T[] {
  const out = xs.slice(), rnd = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [out[i], out[j]] = [out[j], out[i]]; }
  return out;
}

function done(path: string): Set<string> {
  if (!existsSync(path)) { writeFileSync(path, HEADER); return new Set(); }
  return new Set(readFileSync(path, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]));
}
const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""').replace(/\n/g, ' ')}"` : s);
const num = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '' : x.toFixed(4));

interface Item { id: string; source: 'obelix' | 'mp'; path: string; nSites: number | null }

function nSitesOf(item: Item, text: string): number | null {
  return item.nSites ?? buildStructure(text).structure?.sites.length ?? null;
}

function label(item: Item, text: string, resolution: number, nSites: number | null): string {
  const t0 = performance.now();
  const controller = new AbortController();
  let status = 'ok', formula = '', ea: (number | null)[] = [null, null, null];
  try {
    const r = runLandscapeJobSync(text, { resolution }, {
      signal: controller.signal,
      onProgress: () => { if (performance.now() - t0 > timeoutS * 1000) controller.abort(); },
    });
    formula = r.formula ?? '';
    if (r.ok && r.report) ea = [r.report.Ea_1D_eV, r.report.Ea_2D_eV, r.report.Ea_3D_eV];
    else status = `error: ${r.error ?? 'unknown'}`;
  } catch (e) {
    status = controller.signal.aborted ? `timeout (>${timeoutS} s)` : `error: ${e instanceof Error ? e.message : String(e)}`;
  }
  const ms = Math.round(performance.now() - t0);
  return [item.id, formula, num(ea[0]), num(ea[1]), num(ea[2]), resolution.toFixed(2), VERSION, item.source, nSites ?? '', csvCell(status), ms].join(',') + '\n';
}

function items(): Item[] {
  const out: Item[] = [];
  const obelixDir = join(SHARED, 'obelix', 'cifs');
  for (const f of readdirSync(obelixDir).filter((f) => f.endsWith('.cif')).sort()) {
    out.push({ id: `obelix-${f.replace(/\.cif$/, '')}`, source: 'obelix', path: join(obelixDir, f), nSites: null });
  }
  const manifest = readFileSync(join(SHARED, 'mp-li', 'manifest.csv'), 'utf8').trim().split('\n').slice(1);
  const mp = manifest.map((l) => { const c = l.split(','); return { id: c[0], source: 'mp' as const, path: join(mpDir, `${c[0]}.cif`), nSites: Number(c[2]) }; });
  return out.concat(shuffled(mp.sort((a, b) => (a.id < b.id ? -1 : 1)), 20261201));
}

function main(): void {
  mkdirSync(outDir, { recursive: true });
  const mainPath = join(outDir, 'labels-bvse.csv'), cmpPath = join(outDir, 'labels-bvse-res0.1.csv');
  const have = done(mainPath), haveCmp = done(cmpPath);
  let mpSeen = 0, labelled = 0;
  for (const item of items()) {
    if (Date.now() > stopAt) { console.log(`stopping at --until ${until}`); break; }
    const isCompare = item.source === 'mp' && mpSeen++ % compareEvery === 0 && haveCmp.size < compareCount;
    const needMain = !have.has(item.id), needCmp = isCompare && !haveCmp.has(item.id);
    if (!needMain && !needCmp) continue;
    if (item.nSites !== null && item.nSites > maxAtoms) {
      if (needMain) appendFileSync(mainPath, [item.id, '', '', '', '', '0.20', VERSION, item.source, item.nSites, `skipped: ${item.nSites} sites > ${maxAtoms}`, 0].join(',') + '\n');
      have.add(item.id);
      continue;
    }
    const text = readFileSync(item.path, 'utf8');
    if (item.source === 'obelix') {
      // Ordered crystals only: a site with more than one species or an occupancy below 1 is disordered.
      const built = buildStructure(text);
      const s = built.structure;
      const disordered = !s || s.sites.some((site) => site.species.length > 1 || site.species.some((sp) => sp.occupancy < 0.999));
      if (disordered) {
        if (needMain) appendFileSync(mainPath, [item.id, csvCell(s?.formula ?? ''), '', '', '', '0.20', VERSION, item.source, s?.sites.length ?? '', s ? 'skipped: partial occupancy' : 'error: structure not built', 0].join(',') + '\n');
        have.add(item.id);
        continue;
      }
    }
    if (needMain) { appendFileSync(mainPath, label(item, text, 0.2, nSitesOf(item, text))); have.add(item.id); labelled++; }
    if (needCmp) { appendFileSync(cmpPath, label(item, text, 0.1, item.nSites)); haveCmp.add(item.id); }
    if (labelled % 50 === 0) console.log(`${new Date().toISOString()} ${have.size} rows, ${haveCmp.size} at 0.1 Å`);
  }
  console.log(`done: ${have.size} rows in ${mainPath}, ${haveCmp.size} in ${cmpPath}`);
}

main();
