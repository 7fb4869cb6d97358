/**
 * Writes the GCN training set: for every structure labelled `ok` in models/gcn/labels-bvse.csv, its interstitial-
 * network graph (src/compute/network: buildInterstitialNetwork + networkFeatures — the same code the product's
 * inference runs) and its crystal graph (src/compute/gcn/crystalGraph.ts, the baseline), with the BVSE labels.
 *
 * Format: JSON lines, one structure per line (floats rounded to 6 significant digits):
 *   { id, formula, source, Ea_1D, Ea_2D, Ea_3D,                      labels in eV, null = no percolating path
 *     in: { n, f, x: [n·f row-major], ei: [2·E: sources then targets], featureNames, dimensionality,
 *           ef: [E·edgeFeatureNames.length row-major], edgeFeatureNames, g: [graph features], graphFeatureNames,
 *           networkBarriers: [1D, 2D, 3D] BVSE percolation barriers of the network, eV, not clipped (null: never),
 *           ms: wall time of the graph (network + features) } | null,
 *     in_error: string | null,
 *     cg: { n, x: [n·4: Z, χ, oxidation, occupancy], ei: [2·E], d: [E distances Å] } | null }
 * Resumable: ids already in the output are skipped.
 * Usage: nice -n 10 node out/scripts/export-graphs.js [--mp-dir /tmp/mp-li/mp-li] [--out /tmp/gcn-data/graphs.jsonl]
 *        [--limit N] [--max-sites N] [--until HH:MM] [--follow] [--energy-cap 5]
 * --energy-cap: the clip of the BVSE features in eV (recorded per graph as `in.energyCap`, carried into the model).
 * --max-sites leaves out larger cells (the training run used 60, for CPU time; the model card says so).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildStructure } from '../src/compute/structure/build';
import { crystalGraph } from '../src/compute/gcn/crystalGraph';
import { ENERGY_CAP, interstitialGraph } from '../src/compute/gcn/features';

const args = process.argv.slice(2);
const arg = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const SHARED = join(process.cwd(), '..', 'shared', 'data');
const mpDir = arg('--mp-dir') ?? '/tmp/mp-li/mp-li';
const out = arg('--out') ?? '/tmp/gcn-data/graphs.jsonl';
const labels = arg('--labels') ?? join(process.cwd(), 'models', 'gcn', 'labels-bvse.csv');
const limit = Number(arg('--limit') ?? Infinity);
const maxSites = Number(arg('--max-sites') ?? Infinity);
const until = arg('--until');
const energyCap = Number(arg('--energy-cap') ?? ENERGY_CAP);
const stopAt = until ? (() => { const [h, m] = until.split(':').map(Number); const d = new Date(); d.setUTCHours(h, m, 0, 0); return d.getTime(); })() : Infinity;

const r6 = (a: ArrayLike<number>) => Array.from(a, (v) => (Number.isInteger(v) ? v : Number(v.toPrecision(6))));
const val = (s: string) => (s === '' ? null : Number(s));

function cifPath(id: string, source: string): string {
  return source === 'obelix' ? join(SHARED, 'obelix', 'cifs', `${id.replace(/^obelix-/, '')}.cif`) : join(mpDir, `${id}.cif`);
}

async function main(): Promise<void> {
  mkdirSync(dirname(out), { recursive: true });
  const done = new Set<string>();
  if (existsSync(out)) for (const line of readFileSync(out, 'utf8').split('\n')) if (line) done.add((JSON.parse(line) as { id: string }).id);
  let written = 0, inFailed = 0;
  const t0 = performance.now();
  // --follow: after the last labelled row, wait for the labeller to append more (until --until).
  for (;;) {
  const before = written;
  const rows = readFileSync(labels, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  for (const c of rows) {
    const [id, formula, e1, e2, e3, , , source, nSites, status] = c;
    if (status !== 'ok' || done.has(id) || Number(nSites) > maxSites) continue;
    if (written >= limit || Date.now() > stopAt) break;
    const built = buildStructure(readFileSync(cifPath(id, source), 'utf8'));
    const s = built.structure;
    if (!s) continue;
    let inGraph: object | null = null, inError: string | null = null;
    const tg = performance.now();
    try {
      const g = interstitialGraph(s, { energyCap });
      inGraph = { n: g.nodeCount, f: g.featureNames.length, x: r6(g.nodeFeatures), ei: Array.from(g.edgeIndex), featureNames: g.featureNames, dimensionality: g.dimensionality,
        ef: r6(g.edgeFeatures), edgeFeatureNames: g.edgeFeatureNames, g: r6(g.graphFeatures), graphFeatureNames: g.graphFeatureNames,
        energyCap: g.energyCap, networkBarriers: g.networkBarriers.map((b) => (Number.isFinite(b) ? Number(b.toPrecision(6)) : null)), ms: Math.round(performance.now() - tg) };
    } catch (e) { inError = e instanceof Error ? e.message : String(e); inFailed++; }
    const cg = crystalGraph(s);
    const record = {
      id, formula, source, Ea_1D: val(e1), Ea_2D: val(e2), Ea_3D: val(e3),
      in: inGraph, in_error: inError,
      cg: { n: cg.nodeCount, x: r6(cg.nodeFeatures), ei: Array.from(cg.edgeIndex), d: r6(cg.edgeDistance) },
    };
    appendFileSync(out, JSON.stringify(record) + '\n');
    done.add(id);
    written++;
    if (written % 100 === 0) console.log(`${new Date().toISOString()} ${written} written (${inFailed} without a network), ${((performance.now() - t0) / written).toFixed(0)} ms each`);
  }
  if (!args.includes('--follow') || written >= limit || Date.now() > stopAt) break;
  if (written === before) await new Promise((r) => setTimeout(r, 30000));
  }
  console.log(`done: ${written} new graphs in ${out} (${inFailed} without an interstitial network)`);
}

void main();
