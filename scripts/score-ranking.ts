/**
 * Scores a ranking (`ionpath rank <folder> --json-out A.json`) against measured labels, with the figures of issue 9
 * and docs/VALIDATION.md:
 *
 *   ρ(·, log σ)   Spearman (average ranks) with log10 σ(RT); σ given as an upper bound is left out. Negative is good.
 *   ρ(·, lit Ea)  Spearman with the literature activation energy. Positive is good.
 *   AUC           ROC-AUC of the score for σ ≥ 1e-4 S/cm (ties ½); the score is −Ea (low barrier first), +Ξ.
 *   top 10 %      share of σ ≥ 1e-4 S/cm among the 10 % best-scored structures.
 *
 * Each figure comes with a 95 % bootstrap interval (the labelled structures resampled with replacement, B = 2000,
 * seed 1, percentile interval), so that a figure and its target are read against the sampling noise of ~200
 * structures. A barrier that does not percolate (null) counts as NONE = 5 eV, as in every validation script; a row
 * with an error is left out and counted. With `--compare B.json` both rankings are scored on the structures both
 * analysed, and each paired difference (B − A) gets its own interval from the same resamples; and how closely B
 * reproduces A value by value (ρ(A, B), |B − A|), by B's disorder treatment (a preview against its replacement),
 * and both rankings' ρ(log σ), ρ(lit Ea) and AUC with each family left out in turn (does a gain rest on one family?).
 *
 * Last, the reference a perfect barrier could reach: the measured Ea itself scored against log σ.
 *
 * One derived figure is scored beside the reported ones and is not shipped: "Ea, highest D < 5 eV", the barrier
 * of the highest dimensionality that percolates below NONE (3D, else 2D, else 1D), so that a layered conductor is
 * ranked by its 2D barrier rather than as "no 3D path".
 *
 * Any labels file with OBELiX's columns works (id, sigma_rt_S_per_cm, ea_literature_eV, family), e.g. a test split;
 * a structure's id is its file name without the extension.
 * Usage: node out/scripts/score-ranking.js A.json [--compare B.json] [--labels ../shared/data/obelix/labels.csv]
 *          [--out FILE]
 */
import { readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { writeFileAtomicSync } from '../src/compute/util/atomicWrite';
import { mulberry32 } from '../src/compute/util/random';
import { median, quantile, rocAuc, spearman } from './lib/metrics';
import { readLabels, type Label } from './lib/labels';

const args = process.argv.slice(2);
const arg = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const NONE = 5, BOOTSTRAP = 2000, SUPERIONIC_LOG10 = -4;

interface RankingRow { file: string; error?: string | null; disorder?: string | null; Ea_1D_eV?: number | null; Ea_2D_eV?: number | null; Ea_3D_eV?: number | null; Xi?: number | null }
interface Ranking { method?: string; options?: Record<string, unknown>; rows: RankingRow[] }

/** A scored quantity: how to read it off a row, and which direction is good. */
interface Figure { label: string; value: (r: RankingRow) => number | null; higherIsBetter: boolean; requires: (keyof RankingRow)[]; pairedWith?: string }
const ea = (key: 'Ea_1D_eV' | 'Ea_2D_eV' | 'Ea_3D_eV') => (r: RankingRow) => (r[key] === undefined ? null : r[key] ?? NONE);
const highestDimensionBelowNone = (r: RankingRow) => {
  for (const key of ['Ea_3D_eV', 'Ea_2D_eV', 'Ea_1D_eV'] as const) { const v = r[key]; if (v !== null && v !== undefined && v < NONE) return v; }
  return r.Ea_1D_eV === undefined ? null : NONE;
};
const FIGURES: Figure[] = [
  { label: 'Ea 1D', value: ea('Ea_1D_eV'), higherIsBetter: false, requires: ['Ea_1D_eV'] },
  { label: 'Ea 2D', value: ea('Ea_2D_eV'), higherIsBetter: false, requires: ['Ea_2D_eV'] },
  { label: 'Ea 3D', value: ea('Ea_3D_eV'), higherIsBetter: false, requires: ['Ea_3D_eV'], pairedWith: 'Ea 1D' },
  { label: 'Ea, highest D < 5 eV (derived)', value: highestDimensionBelowNone, higherIsBetter: false, requires: ['Ea_3D_eV'], pairedWith: 'Ea 3D' },
  { label: 'Ξ', value: (r) => r.Xi ?? null, higherIsBetter: true, requires: ['Xi'] },
];

interface Item { id: string; label: Label; value: number }
interface Scores { rhoSigma: number; rhoLit: number; auc: number; top10: number }

function score(items: Item[], higherIsBetter: boolean): Scores {
  const sig = items.filter((i) => i.label.log10Sigma !== null), lit = items.filter((i) => i.label.literatureEa !== null);
  const good = (i: Item) => i.label.log10Sigma! >= SUPERIONIC_LOG10;
  const badness = (i: Item) => (higherIsBetter ? -i.value : i.value);
  const best = [...sig].sort((a, b) => badness(a) - badness(b)).slice(0, Math.max(1, Math.round(sig.length / 10)));
  const positives = sig.filter(good).length;
  return {
    rhoSigma: sig.length > 3 ? spearman(sig.map((i) => i.value), sig.map((i) => i.label.log10Sigma!)) : NaN,
    rhoLit: lit.length > 3 ? spearman(lit.map((i) => i.value), lit.map((i) => i.label.literatureEa!)) : NaN,
    auc: positives && positives < sig.length ? rocAuc(sig.map((i) => -badness(i)), sig.map(good)) : NaN,
    top10: best.filter(good).length / best.length,
  };
}

const KEYS: (keyof Scores)[] = ['rhoSigma', 'rhoLit', 'auc', 'top10'];
const HEAD = ['ρ(·, log σ)', 'ρ(·, lit Ea)', 'AUC σ≥1e-4', 'top 10 %'];

/** Percentile bootstrap of `stat` over resamples of the item indices (the same resamples for every call with one seed). */
function bootstrap(n: number, stat: (idx: number[]) => Scores): Record<keyof Scores, [number, number]> {
  const rnd = mulberry32(1);
  const draws: Scores[] = [];
  for (let b = 0; b < BOOTSTRAP; b++) draws.push(stat(Array.from({ length: n }, () => Math.floor(rnd() * n))));
  const out = {} as Record<keyof Scores, [number, number]>;
  for (const k of KEYS) { const xs = draws.map((d) => d[k]).filter(Number.isFinite); out[k] = [quantile(xs, 0.025), quantile(xs, 0.975)]; }
  return out;
}

/** "LGPS 0.50 (12), NASICON 0.76 (34), …": the median per family (eV) and how many structures it has. */
function familyMedians(items: Item[]): string {
  const families = [...new Set(items.map((i) => i.label.family))].sort();
  return families.map((f) => { const xs = items.filter((i) => i.label.family === f).map((i) => i.value); return `${f} ${median(xs).toFixed(2)} (${xs.length})`; }).join(', ');
}

/**
 * What a perfect barrier could reach: the measured (literature) Ea itself scored against log σ, on the structures
 * that have both labels, beside A's Ea 3D on the same structures. Conductivity also depends on carrier density and
 * prefactor, so even the measured Ea does not rank σ perfectly; the gap between the two rows is what a better
 * barrier could still win.
 */
function measuredEaReference(ids: string[], labels: Map<string, Label>, rows: Map<string, RankingRow>): string[] {
  const both = ids.filter((id) => labels.get(id)!.log10Sigma !== null && labels.get(id)!.literatureEa !== null);
  if (both.length < 10) return [];
  const measured: Item[] = both.map((id) => ({ id, label: labels.get(id)!, value: labels.get(id)!.literatureEa! }));
  const out = [`Reference: the measured Ea as the score, on the ${both.length} structures with both σ and a literature Ea`];
  out.push(`  ${''.padEnd(14)}${['ρ(·, log σ)', 'AUC σ≥1e-4'].map((h) => h.padEnd(26)).join('')}`);
  const row = (name: string, items: Item[]) => {
    const sc = score(items, false), ci = bootstrap(items.length, (idx) => score(idx.map((k) => items[k]), false));
    out.push(`  ${name.padEnd(14)}${(['rhoSigma', 'auc'] as const).map((k) => `${f3(sc[k])} ${interval(ci[k])}`.padEnd(26)).join('')}`);
  };
  row('literature Ea', measured);
  if ([...rows.values()].some((r) => r.Ea_3D_eV !== null && r.Ea_3D_eV !== undefined)) {
    const ea3D = (id: string): Item => ({ id, label: labels.get(id)!, value: ea('Ea_3D_eV')(rows.get(id)!)! });
    row('A, Ea 3D', both.map(ea3D));
    // The rest of the σ figures' structures: σ measured, no literature Ea.
    const rest = ids.filter((id) => labels.get(id)!.log10Sigma !== null && labels.get(id)!.literatureEa === null);
    if (rest.length >= 10) {
      out.push(`  and on the other ${rest.length} structures with σ (no literature Ea):`);
      row('A, Ea 3D', rest.map(ea3D));
    }
    // Within one family (no bootstrap: a few dozen structures each), with and without a literature Ea.
    const within = (subset: string[]) => {
      const items = subset.map(ea3D);
      return items.length > 3 ? `${f3(spearman(items.map((i) => i.value), items.map((i) => i.label.log10Sigma!))).trim()} (${items.length})` : '—';
    };
    out.push('  ρ(Ea 3D, log σ) within each family, with / without a literature Ea (n):');
    for (const f of [...new Set([...both, ...rest].map((id) => labels.get(id)!.family))].sort()) {
      const inF = (xs: string[]) => xs.filter((id) => labels.get(id)!.family === f);
      out.push(`    ${f}: ${within(inF(both))} / ${within(inF(rest))}`);
    }
  }
  out.push('');
  return out;
}

function readRanking(path: string): Ranking {
  const r = JSON.parse(readFileSync(path, 'utf8')) as Ranking;
  if (!Array.isArray(r.rows)) throw new Error(`${path}: not an ionpath ranking (no "rows"); write one with ionpath rank <folder> --json-out FILE`);
  return r;
}
const idOf = (file: string) => basename(file, extname(file));
const f3 = (x: number) => (Number.isFinite(x) ? (x >= 0 ? ' ' : '') + x.toFixed(3) : '   —  ');
const interval = ([lo, hi]: [number, number]) => `[${f3(lo).trim()}, ${f3(hi).trim()}]`;

function main(): void {
  const files = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
  if (!files.length) { process.stderr.write('usage: node out/scripts/score-ranking.js A.json [--compare B.json] [--labels labels.csv] [--out FILE]\n'); process.exit(2); }
  const labels = readLabels(arg('--labels') ?? join(process.cwd(), '..', 'shared', 'data', 'obelix', 'labels.csv'));
  const a = readRanking(files[0]);
  const comparePath = arg('--compare');
  const b = comparePath ? readRanking(comparePath) : undefined;
  const usable = (r: Ranking) => new Map(r.rows.filter((row) => !row.error && labels.has(idOf(row.file))).map((row) => [idOf(row.file), row]));
  const rowsA = usable(a), rowsB = b ? usable(b) : undefined;
  const ids = [...rowsA.keys()].filter((id) => !rowsB || rowsB.has(id)).sort();
  const describe = (r: Ranking, path: string) => `${path}: method ${r.method ?? '?'}, options ${JSON.stringify(r.options ?? {})}; ${r.rows.length} rows, ${r.rows.filter((x) => x.error).length} with an error`;
  const lines = [`score-ranking: ${describe(a, files[0])}`];
  if (b) lines.push(`  compared with ${describe(b, comparePath!)}`);
  lines.push(`  ${ids.length} structures scored (labelled, analysed${b ? ' in both' : ''}); no percolation = ${NONE} eV; 95 % bootstrap intervals, B = ${BOOTSTRAP}, seed 1`, '');

  for (const fig of FIGURES) {
    const itemsOf = (rows: Map<string, RankingRow>) => ids.map((id) => ({ id, label: labels.get(id)!, value: fig.value(rows.get(id)!) }));
    // A ranking carries a figure if some row has it: a barrier model (GCN) predicts Ea 1D only, and a null there is
    // "not predicted", not "no percolation".
    const carries = (rows: Map<string, RankingRow>) => fig.requires.every((key) => [...rows.values()].some((r) => r[key] !== null && r[key] !== undefined));
    if (!carries(rowsA)) continue;
    const itemsA = itemsOf(rowsA);
    if (itemsA.some((i) => i.value === null)) continue;
    const A = itemsA as Item[];
    const sA = score(A, fig.higherIsBetter);
    const ciA = bootstrap(A.length, (idx) => score(idx.map((k) => A[k]), fig.higherIsBetter));
    const nSig = A.filter((i) => i.label.log10Sigma !== null).length, nLit = A.filter((i) => i.label.literatureEa !== null).length;
    lines.push(`${fig.label}  (n = ${nSig} with σ, ${A.filter((i) => i.label.log10Sigma! >= SUPERIONIC_LOG10 && i.label.log10Sigma !== null).length} superionic; ${nLit} with a literature Ea)`);
    lines.push(`  ${''.padEnd(10)}${HEAD.map((h) => h.padEnd(26)).join('')}`);
    lines.push(`  ${'A'.padEnd(10)}${KEYS.map((k) => `${f3(sA[k])} ${interval(ciA[k])}`.padEnd(26)).join('')}`);
    if (fig.pairedWith && !rowsB) {
      // A derived figure against the reported one it replaces, on the same resamples of the same ranking.
      const base = FIGURES.find((x) => x.label === fig.pairedWith)!;
      const P = ids.map((id) => ({ id, label: labels.get(id)!, value: base.value(rowsA.get(id)!)! }));
      const sP = score(P, base.higherIsBetter);
      const ciD = bootstrap(A.length, (idx) => {
        const x = score(idx.map((k) => P[k]), base.higherIsBetter), y = score(idx.map((k) => A[k]), fig.higherIsBetter);
        return { rhoSigma: y.rhoSigma - x.rhoSigma, rhoLit: y.rhoLit - x.rhoLit, auc: y.auc - x.auc, top10: y.top10 - x.top10 };
      });
      lines.push(`  ${`− ${base.label}`.padEnd(10)}${KEYS.map((k) => `${f3(sA[k] - sP[k])} ${interval(ciD[k])}`.padEnd(26)).join('')}`);
      lines.push(`  ${A.filter((i, k) => Math.abs(i.value - P[k].value) > 1e-6).length} of ${A.length} structures differ from ${base.label}`);
    }
    if (rowsB && carries(rowsB)) {
      const itemsB = itemsOf(rowsB);
      if (itemsB.every((i) => i.value !== null)) {
        const B = itemsB as Item[];
        const sB = score(B, fig.higherIsBetter);
        const ciB = bootstrap(B.length, (idx) => score(idx.map((k) => B[k]), fig.higherIsBetter));
        const ciD = bootstrap(A.length, (idx) => {
          const x = score(idx.map((k) => A[k]), fig.higherIsBetter), y = score(idx.map((k) => B[k]), fig.higherIsBetter);
          return { rhoSigma: y.rhoSigma - x.rhoSigma, rhoLit: y.rhoLit - x.rhoLit, auc: y.auc - x.auc, top10: y.top10 - x.top10 };
        });
        lines.push(`  ${'B'.padEnd(10)}${KEYS.map((k) => `${f3(sB[k])} ${interval(ciB[k])}`.padEnd(26)).join('')}`);
        lines.push(`  ${'B − A'.padEnd(10)}${KEYS.map((k) => `${f3(sB[k] - sA[k])} ${interval(ciD[k])}`.padEnd(26)).join('')}`);
        const changed = A.filter((i, k) => Math.abs(i.value - B[k].value) > 1e-6).length;
        lines.push(`  ${changed} of ${A.length} structures have a different value in B`);
        if (!fig.higherIsBetter) lines.push(`  B medians (eV): ${familyMedians(B)}`);
        // Does the difference rest on one family? The same figures with each family left out in turn.
        for (const f of [...new Set(A.map((i) => i.label.family))].sort()) {
          const keep = A.map((i, k) => (i.label.family === f ? -1 : k)).filter((k) => k >= 0);
          const x = score(keep.map((k) => A[k]), fig.higherIsBetter), y = score(keep.map((k) => B[k]), fig.higherIsBetter);
          lines.push(`  without ${f} (n = ${keep.length}): A → B ${KEYS.slice(0, 3).map((k) => `${f3(x[k]).trim()} → ${f3(y[k]).trim()}`).join(', ')}`);
        }
        // How closely B reproduces A value by value (a preview against the number that replaces it), by B's
        // disorder treatment; structures where either is "none" (≥ NONE) are left out.
        const groups = new Map<string, number[]>([['all', []]]);
        ids.forEach((id, k) => {
          if (A[k].value >= NONE || B[k].value >= NONE) return;
          const treatment = String(rowsB.get(id)!.disorder ?? 'ordered').replace(/\d+ cells?/g, 'N cells');
          if (!groups.has(treatment)) groups.set(treatment, []);
          groups.get('all')!.push(k); groups.get(treatment)!.push(k);
        });
        for (const [treatment, ks] of groups) {
          if (ks.length < 4) continue;
          const d = ks.map((k) => Math.abs(B[k].value - A[k].value));
          lines.push(`  agreement, ${treatment} (n = ${ks.length}): ρ(A, B) ${f3(spearman(ks.map((k) => A[k].value), ks.map((k) => B[k].value))).trim()}, |B − A| median ${median(d).toFixed(3)}, mean ${(d.reduce((x, y) => x + y, 0) / d.length).toFixed(3)}`);
        }
      }
    }
    if (!fig.higherIsBetter) lines.push(`  ${rowsB && carries(rowsB) ? 'A ' : ''}medians (eV): ${familyMedians(A)}`);
    lines.push('');
  }
  lines.push(...measuredEaReference(ids, labels, rowsA));
  const text = lines.join('\n');
  process.stdout.write(text + '\n');
  const out = arg('--out');
  if (out) writeFileAtomicSync(out, text + '\n');
}

main();
