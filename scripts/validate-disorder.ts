/**
 * Mean field vs ordered approximants (SCIENCE.md §7, issue 9) on the OBELiX training CIFs (CC BY 4.0).
 *
 * For every CIF: Ea(BVSE, 1D/3D) of the CIF as is (mean field: every species weighted by its occupancy) and, for a
 * CIF with partial or mixed occupancy, of each ordering of `orderedApproximants` (COUNT lowest-Ewald + RANDOM random,
 * seed 1) through the one pipeline (analyzeLandscapeSync, resolution 0.2 Å, no path). An ordered CIF's approximant is
 * the CIF itself. Candidate rules for one ensemble number: median, min, mean, lowest-Ewald ordering, median of the
 * low-energy orderings only. "No percolation" counts as 5 eV (as scripts/validate-obelix.ts does).
 * Metrics: Spearman ρ with log10 σ(RT) and with the literature Ea, ROC-AUC for σ ≥ 1e-4 S/cm (score −Ea), per-family
 * medians; and leave-one-family-out: the rule is chosen on all other families (by ρ(Ea 1D, log σ)) and scored on the
 * held-out one, the held-out predictions pooled. The families come from labels.csv (the dataset's own column) and are
 * used only for reporting and for the leave-one-family-out split, never inside a computation.
 *
 * Usage (resumable: finished CIFs are kept in the cache file):
 *   nice -n 10 node out/scripts/validate-disorder.js --shard 0/2 --cache /tmp/disorder-cache.jsonl   (and 1/2 beside it)
 *   nice -n 10 node out/scripts/validate-disorder.js --mean-field-rules --cache /tmp/disorder-cache.jsonl --rules-out /tmp/rules.jsonl
 *     (the mean field under every bvse.ts WallRule that can change the CIF; the orderings are kept from the cache)
 *   node out/scripts/validate-disorder.js --report --cache /tmp/rules.jsonl --out docs/disorder-validation.json
 */
import { appendFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildStructure } from '../src/compute/structure/build';
import { frameworkKey, orderedApproximants } from '../src/compute/structure/approximants/approximants';
import { analyzeLandscapeSync } from '../src/compute/analysis/pipeline';
import type { Structure } from '../src/compute/structure/types';
import { DEFAULT_WALL_RULE, WALL_MIN_OCCUPANCY, WALL_RULES, type WallRule } from '../src/compute/energy/bvse/bvse';
import { mostlyEmptyCationSites } from '../src/compute/structure/vacancies';
import { writeFileAtomic } from '../src/compute/util/atomicWrite';
import { median, ranks, rocAuc, spearman } from './lib/metrics';
import { readLabels } from './lib/labels';

const SHARED = join(process.cwd(), '..', 'shared', 'data');
const args = process.argv.slice(2);
const arg = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const cache = arg('--cache') ?? '/tmp/disorder-cache.jsonl';
export const COUNT = Number(arg('--count') ?? 4), RANDOM = Number(arg('--random') ?? 2), RESOLUTION = 0.2, NONE = 5;

interface OrderingRow { kind: string; ewald_eV: number; Ea1D: number | null; Ea3D: number | null; seconds: number; atoms: number }
export interface CifRow {
  id: string; partial: boolean; error?: string; ensemble?: { count: number; randomCount: number };
  meanField?: { Ea1D: number | null; Ea3D: number | null; seconds: number };
  /** The mean field under each hard-wall rule for partial sites (bvse.ts WallRule); absent: same as meanField's run. */
  meanFieldRules?: Partial<Record<WallRule, { Ea1D: number | null; Ea3D: number | null; seconds: number } | { error: string }>>;
  approximant?: { cells: number; supercell: number[][]; seconds: number; warnings: string[]; orderings: OrderingRow[] };
}

function landscape(s: Structure, wallRule?: WallRule) {
  const t0 = performance.now();
  const a = analyzeLandscapeSync(s, { resolution: RESOLUTION, path: false, bvse: wallRule ? { wallRule } : undefined });
  return { Ea1D: a.report.Ea_1D_eV, Ea3D: a.report.Ea_3D_eV, seconds: (performance.now() - t0) / 1000 };
}

export function processCif(id: string, text: string): CifRow {
  const built = buildStructure(text).structure;
  if (!built) return { id, partial: false, error: 'did not build' };
  const row: CifRow = { id, partial: built.hasPartialOccupancy };
  try { row.meanField = landscape(built); } catch (e) { row.error = `mean field: ${e instanceof Error ? e.message : String(e)}`; }
  if (!built.hasPartialOccupancy) return row;
  try {
    const t0 = performance.now();
    const r = orderedApproximants(built, { count: COUNT, randomCount: RANDOM, seed: 1 });
    row.ensemble = { count: COUNT, randomCount: RANDOM };
    const orderingSeconds = (performance.now() - t0) / 1000;
    const orderings: OrderingRow[] = [];
    // BVSE removes Li: orderings that differ only in where Li sits share one landscape (computed once, timed once).
    const byFramework = new Map<string, ReturnType<typeof landscape>>();
    // Only Li disordered: every ordering has the CIF's framework, so its landscape is the mean field's (up to the
    // rounding of the Li count in the charge scaling s), reused instead of recomputed on the supercell.
    const frameworkOrdered = built.sites.every((site) => site.species.every((sp) => sp.element === 'Li' || sp.occupancy >= 0.999));
    if (frameworkOrdered && row.meanField) for (const o of r.orderings) byFramework.set(frameworkKey(o.structure), { ...row.meanField, seconds: 0 });
    for (const o of r.orderings) {
      try {
        const key = frameworkKey(o.structure);
        const known = byFramework.get(key);
        const l = known ? { ...known, seconds: 0 } : landscape(o.structure);
        if (!known) byFramework.set(key, l); orderings.push({ kind: o.kind, ewald_eV: o.ewald_eV, Ea1D: l.Ea1D, Ea3D: l.Ea3D, seconds: l.seconds, atoms: o.structure.sites.length }); }
      catch (e) { orderings.push({ kind: o.kind, ewald_eV: o.ewald_eV, Ea1D: null, Ea3D: null, seconds: 0, atoms: o.structure.sites.length }); row.error = `ordering: ${e instanceof Error ? e.message : String(e)}`; }
    }
    row.approximant = { cells: r.cells, supercell: r.supercell, seconds: orderingSeconds, warnings: r.warnings.filter((w) => w.severity !== 'info').map((w) => `${w.code}: ${w.message}`), orderings };
  } catch (e) { row.error = `approximant: ${e instanceof Error ? e.message : String(e)}`; }
  return row;
}

/**
 * Which wall rules can change a CIF's mean field: 'shared-*' only where a mobile-ion site holds another cation;
 * 'weighted' and 'half' where some cation site is partially occupied. Elsewhere every rule gives the same grid.
 */
export function rulesThatMatter(s: Structure, ion = 'Li'): WallRule[] {
  const cationOcc = (site: Structure['sites'][number]) => site.species.filter((sp) => sp.element !== ion && (sp.oxidation ?? 0) > 0).reduce((a, sp) => a + sp.occupancy, 0);
  const shared = s.sites.some((site) => site.species.some((sp) => sp.element === ion && sp.occupancy > 0) && cationOcc(site) > 0);
  const partialCation = s.sites.some((site) => { const c = cationOcc(site); return c > 1e-9 && c < 1 - 1e-9; });
  const mostlyEmpty = mostlyEmptyCationSites(s, ion, WALL_MIN_OCCUPANCY).size > 0;
  return WALL_RULES.filter((r) => (r === 'vacant-excluded' ? mostlyEmpty : r === 'shared-open' || r === 'shared-excluded' ? shared : partialCation));
}

/** --mean-field-rules: the mean field of every CIF under every wall rule that can change it (cache rows keep orderings). */
export function meanFieldRules(row: CifRow, text: string): CifRow {
  const built = buildStructure(text).structure;
  if (!built) return row;
  const out: NonNullable<CifRow['meanFieldRules']> = { ...row.meanFieldRules };
  const only = arg('--rules')?.split(',') as WallRule[] | undefined;
  for (const rule of rulesThatMatter(built).filter((r) => !only || only.includes(r))) {
    try { out[rule] = landscape(built, rule); } catch (e) { out[rule] = { error: e instanceof Error ? e.message : String(e) }; }
  }
  return { ...row, meanFieldRules: out };
}

type Rule = `mean-field ${WallRule}` | 'mean-field any-occupancy wall' | 'median' | 'min' | 'mean' | 'lowest-ewald' | 'median-low-energy';
const RULES: Rule[] = [...WALL_RULES.map((r) => `mean-field ${r}` as const), 'mean-field any-occupancy wall', 'median', 'min', 'mean', 'lowest-ewald', 'median-low-energy'];
const MEAN_FIELD_DEFAULT: Rule = 'mean-field half';
/** The shipped default (bvse.ts DEFAULT_WALL_RULE), whose misses the report lists. */
const DEFAULT_RULE: Rule = `mean-field ${DEFAULT_WALL_RULE}`;
const val = (x: number | null | undefined) => (x === null || x === undefined ? NONE : x);

function ruleValue(row: CifRow, rule: Rule, dim: 'Ea1D' | 'Ea3D'): number | null {
  if (!row.meanField) return null;
  const ords = row.approximant?.orderings ?? [];
  if (rule.startsWith('mean-field')) {
    // meanField: the run of the first pass, with a wall at any occupancy (the rule before WALL_MIN_OCCUPANCY).
    if (rule === 'mean-field any-occupancy wall' || !row.partial) return val(row.meanField[dim]);
    const wall = rule.slice('mean-field '.length) as WallRule;
    if (!row.meanFieldRules) return null; // not measured
    // A rule not run here does not change this CIF's grid (rulesThatMatter): 'shared-*' equal 'half', which (with no
    // partially occupied cation site) equals the any-occupancy wall of the first pass.
    const r = row.meanFieldRules[wall] ?? (wall === 'vacant-excluded' ? row.meanFieldRules['shared-excluded'] ?? row.meanFieldRules.half : wall.startsWith('shared') ? row.meanFieldRules.half : undefined);
    if (r === undefined) return val(row.meanField[dim]);
    return 'error' in r ? null : val(r[dim]);
  }
  if (!row.partial || !ords.length) return val(row.meanField[dim]);
  const xs = ords.map((o) => val(o[dim]));
  const low = ords.filter((o) => o.kind === 'low-energy');
  switch (rule) {
    case 'median': return median(xs);
    case 'min': return Math.min(...xs);
    case 'mean': return xs.reduce((a, b) => a + b, 0) / xs.length;
    case 'lowest-ewald': return val([...low].sort((a, b) => a.ewald_eV - b.ewald_eV)[0]?.[dim] ?? xs[0]);
    case 'median-low-energy': return low.length ? median(low.map((o) => val(o[dim]))) : median(xs);
    default: return null;
  }
}

interface Labelled { row: CifRow; family: string; logSigma: number | null; litEa: number | null }

function metrics(items: Labelled[], pick: (l: Labelled) => number | null) {
  const s: [number, number][] = [], e: [number, number][] = [], auc: [number, boolean][] = [];
  for (const it of items) {
    const x = pick(it);
    if (x === null) continue;
    if (it.logSigma !== null) { s.push([x, it.logSigma]); auc.push([-x, it.logSigma >= -4]); }
    if (it.litEa !== null) e.push([x, it.litEa]);
  }
  const r3 = (x: number) => (Number.isFinite(x) ? +x.toFixed(3) : null);
  const pos = auc.filter((a) => a[1]).length;
  return {
    spearman_log10sigma: { rho: s.length > 3 ? r3(spearman(s.map((p) => p[0]), s.map((p) => p[1]))) : null, n: s.length },
    spearman_literatureEa: { rho: e.length > 3 ? r3(spearman(e.map((p) => p[0]), e.map((p) => p[1]))) : null, n: e.length },
    rocAuc_superionic: { auc: pos && pos < auc.length ? r3(rocAuc(auc.map((a) => a[0]), auc.map((a) => a[1]))) : null, positives: pos, n: auc.length },
  };
}

function report(rows: CifRow[]) {
  const labels = readLabels(join(SHARED, 'obelix', 'labels.csv'));
  const items: Labelled[] = rows.filter((r) => r.meanField).map((row) => {
    const l = labels.get(row.id);
    return { row, family: l?.family ?? 'other', logSigma: l?.log10Sigma ?? null, litEa: l?.literatureEa ?? null };
  });
  const families = [...new Set(items.map((i) => i.family))].sort();
  const out: Record<string, unknown> = {
    method: `Ea(BVSE, SPSE mode, ${RESOLUTION} Å grid, sqrt3 stencil); approximants: orderedApproximants(count ${rows.find((r) => r.approximant)?.approximant?.orderings.filter((o) => o.kind === 'low-energy').length ?? COUNT} low-energy + random, seed 1, maxAtoms 400); no percolation = ${NONE} eV`,
    cifs: rows.length, analysed: items.length, partial: items.filter((i) => i.row.partial).length,
    errors: rows.filter((r) => r.error).map((r) => `${r.id}: ${r.error}`),
  };
  const byRule: Record<string, unknown> = {};
  for (const rule of RULES) {
    const perDim: Record<string, unknown> = {};
    for (const dim of ['Ea1D', 'Ea3D'] as const) {
      const pick = (l: Labelled) => ruleValue(l.row, rule, dim);
      const familyMedians: Record<string, { median: number; n: number }> = {};
      for (const f of families) { const xs = items.filter((i) => i.family === f).map(pick).filter((x): x is number => x !== null); familyMedians[f] = { median: +median(xs).toFixed(3), n: xs.length }; }
      perDim[dim] = { ...metrics(items, pick), familyMedians };
    }
    byRule[rule] = perDim;
  }
  out.byRule = byRule;
  // Leave-one-family-out: choose the rule on the other families, score it on the held-out one; pool the held-out values.
  const lofo: Record<string, unknown> = {};
  for (const dim of ['Ea1D', 'Ea3D'] as const) {
    const pooled = new Map<Labelled, number | null>();
    const perFamily: Record<string, unknown> = {};
    for (const f of families) {
      const train = items.filter((i) => i.family !== f), test = items.filter((i) => i.family === f);
      let best: Rule = MEAN_FIELD_DEFAULT, bestRho = Infinity;
      for (const rule of RULES) {
        const rho = metrics(train, (l) => ruleValue(l.row, rule, dim)).spearman_log10sigma.rho ?? Infinity;
        if (rho < bestRho) { bestRho = rho; best = rule; }
      }
      for (const t of test) pooled.set(t, ruleValue(t.row, best, dim));
      perFamily[f] = { chosenRule: best, trainRho_log10sigma: bestRho, heldOut: metrics(test, (l) => ruleValue(l.row, best, dim)), heldOutMedian: +median(test.map((t) => ruleValue(t.row, best, dim)).filter((x): x is number => x !== null)).toFixed(3) };
    }
    lofo[dim] = { pooled: metrics(items, (l) => pooled.get(l) ?? null), perFamily };
  }
  out.leaveOneFamilyOut = lofo;
  // The default's largest misses: rank by Ea 3D minus rank by −log σ (positive: Ea too high for its σ).
  const withSigma = items.filter((i) => i.logSigma !== null && ruleValue(i.row, DEFAULT_RULE, 'Ea3D') !== null);
  const rEa = ranks(withSigma.map((i) => ruleValue(i.row, DEFAULT_RULE, 'Ea3D')!)), rSigma = ranks(withSigma.map((i) => -i.logSigma!));
  const residuals = withSigma.map((i, k) => ({ id: i.row.id, family: i.family, Ea3D: +ruleValue(i.row, DEFAULT_RULE, 'Ea3D')!.toFixed(3), log10sigma: +i.logSigma!.toFixed(2), rankResidual: rEa[k] - rSigma[k] }))
    .sort((a, b) => b.rankResidual - a.rankResidual);
  out.defaultRankResiduals = { rule: DEFAULT_RULE, tooHigh: residuals.slice(0, 15), tooLow: residuals.slice(-15).reverse() };
  // Spread and timings of the ensembles.
  const ens = items.filter((i) => i.row.approximant?.orderings.length);
  const spread = ens.map((i) => { const xs = i.row.approximant!.orderings.map((o) => val(o.Ea1D)); return Math.max(...xs) - Math.min(...xs); });
  const times = ens.map((i) => i.row.approximant!.seconds + i.row.approximant!.orderings.reduce((a, o) => a + o.seconds, 0));
  const orderingTimes = ens.map((i) => i.row.approximant!.seconds);
  out.ensembles = {
    n: ens.length,
    cells: { median: median(ens.map((i) => i.row.approximant!.cells)), max: Math.max(...ens.map((i) => i.row.approximant!.cells)) },
    Ea1D_spread_eV: { median: +median(spread).toFixed(3), max: +Math.max(...spread).toFixed(3) },
    seconds_per_cif_single_thread: { median: +median(times).toFixed(2), worst: +Math.max(...times).toFixed(2), orderingSearchMedian: +median(orderingTimes).toFixed(2), orderingSearchWorst: +Math.max(...orderingTimes).toFixed(2) },
    slowest: ens.map((e, k) => [e.row.id, times[k]] as const).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([id, t]) => `${id} ${t.toFixed(1)} s`),
  };
  const show = ['gas', 'cy2', '72f', 'z2s', 'ym6', 'lap', 'kab', '9s4'];
  out.examples = Object.fromEntries(items.filter((i) => show.includes(i.row.id)).map((i) => [i.row.id, {
    meanField_Ea1D_anyOccupancyWall: i.row.meanField?.Ea1D,
    meanField_Ea1D: Object.fromEntries(WALL_RULES.map((w) => [w, ruleValue(i.row, `mean-field ${w}`, 'Ea1D')])),
    supercellCells: i.row.approximant?.cells,
    orderings_Ea1D: i.row.approximant?.orderings.map((o) => `${o.kind} ${o.ewald_eV.toFixed(2)} eV: ${o.Ea1D?.toFixed(3) ?? 'none'}`),
    median_Ea1D: ruleValue(i.row, 'median', 'Ea1D'),
  }]));
  return out;
}

async function main(): Promise<void> {
  if (args.includes('--report')) {
    const rows = new Map<string, CifRow>();
    for (const line of readFileSync(cache, 'utf8').split('\n')) if (line.trim()) { const r = JSON.parse(line) as CifRow; rows.set(r.id, r); }
    const summary = report([...rows.values()]);
    console.log(JSON.stringify(summary, null, 2));
    const out = arg('--out');
    if (out) await writeFileAtomic(out, JSON.stringify(summary, null, 2) + '\n');
    return;
  }
  if (args.includes('--mean-field-rules')) {
    // Reads the cache (rows with orderings), writes every row with meanFieldRules to --rules-out (resumable).
    const outFile = arg('--rules-out') ?? cache.replace(/\.jsonl$/, '') + '-rules.jsonl';
    const done = new Set(existsSync(outFile) ? readFileSync(outFile, 'utf8').split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as CifRow).id) : []);
    const only = arg('--ids')?.split(',');
    const rows = readFileSync(cache, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as CifRow)
      .filter((r) => !done.has(r.id) && (!only || only.includes(r.id)));
    const unique = [...new Map(rows.map((r) => [r.id, r])).values()];
    for (const row of unique) {
      const t0 = performance.now();
      const out = row.partial && row.meanField ? meanFieldRules(row, readFileSync(join(SHARED, 'obelix', 'cifs', `${row.id}.cif`), 'utf8')) : { ...row, meanFieldRules: {} };
      appendFileSync(outFile, JSON.stringify(out) + '\n');
      process.stderr.write(`${row.id} ${Object.entries(out.meanFieldRules ?? {}).map(([k, v]) => `${k} ${'error' in v ? 'error' : v.Ea1D?.toFixed(2)}`).join(' ')} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
    }
    return;
  }
  const [k, n] = (arg('--shard') ?? '0/1').split('/').map(Number);
  const done = new Set(existsSync(cache) ? readFileSync(cache, 'utf8').split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as CifRow).id) : []);
  const only = arg('--ids')?.split(',');
  // --first FILE: comma-separated ids to do first (e.g. the CIFs with a disordered framework, where the rules differ).
  const first = new Set(arg('--first') ? readFileSync(arg('--first')!, 'utf8').split(',').map((x) => x.trim()) : []);
  const ids = readdirSync(join(SHARED, 'obelix', 'cifs')).filter((f) => f.endsWith('.cif')).map((f) => f.slice(0, -4)).sort()
    .sort((a, b) => Number(first.has(b)) - Number(first.has(a)))
    .filter((id, i) => (only ? only.includes(id) : i % n === k) && !done.has(id));
  if (args.includes('--reverse')) ids.reverse(); // a helper lane working from the other end
  for (const id of ids) {
    const row = processCif(id, readFileSync(join(SHARED, 'obelix', 'cifs', `${id}.cif`), 'utf8'));
    appendFileSync(cache, JSON.stringify(row) + '\n');
    process.stderr.write(`${id} ${row.partial ? `${row.approximant?.cells ?? '?'} cells ${row.approximant?.orderings.map((o) => o.Ea1D?.toFixed(2)).join(' ')}` : 'ordered'} mf ${row.meanField?.Ea1D?.toFixed(2)} ${row.error ?? ''}\n`);
  }
}

void main();
