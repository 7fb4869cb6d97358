/**
 * Ξ from the TensorNet-MatPES frozen-framework scan against BVSE on the same Materials Project structures (issue 12,
 * "Ξ over a sample of ≥ 200 MP structures against their BVSE Ξ and Ea").
 *
 * Inputs are two `ionpath rank --json-out` files over one folder, one per method:
 *   node out/scripts/compare-xi-mp.js bvse.json mlip.json [--json out.json] [--against earlier-mlip.json]
 * Prints how many structures each method computed (and why the others failed, by error code), Spearman's ρ of
 * Ξ(TensorNet-MatPES) against Ξ(BVSE grid) and against −Ea(BVSE, 1D/3D) (positive ρ = both call the same
 * structures open; no-percolation Ea counts as +∞, i.e. the lowest rank), the share of structures each calls
 * "likely superionic" (Ξ ≥ 0.5, the seed's reading), and their overlap. `--against` compares the TensorNet-MatPES rows
 * with an earlier run's (another version of the scan code) on the structures both have: largest |ΔΞ| and |ΔMPE|.
 *
 * How the sample was drawn is the caller's: docs/VALIDATION.md records it (a seeded random sample of MP structures
 * with ≤ 10 sites, no H, ≥ 2 elements — small cells, because the scan costs minutes per structure on a CPU).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { spearman, median } from './lib/metrics';

type Row = { file: string; formula: string; Xi: number | null; MPE_eV?: number | null; Ea_1D_eV: number | null; Ea_3D_eV: number | null; error: string | null };
const args = process.argv.slice(2);
const [bvseFile, mlipFile] = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--json' && args[i - 1] !== '--against');
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : '';
const againstFile = args.includes('--against') ? args[args.indexOf('--against') + 1] : '';
if (!bvseFile || !mlipFile) {
  console.error('usage: compare-xi-mp <bvse rank.json> <mlip rank.json> [--json out.json]');
  process.exit(2);
}
const load = (f: string): Map<string, Row> => new Map((JSON.parse(readFileSync(f, 'utf8')).rows as Row[]).map((r) => [r.file, r]));
const bvse = load(bvseFile);
const mlip = load(mlipFile);

const reasonCounts = (rows: Iterable<Row>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of rows) if (r.error) {
    const code = /^([a-z-]+):/.exec(r.error)?.[1]
      ?? (/has no oxidation state/.test(r.error) ? 'missing-oxidation (metallic or unbalanced: no charges to guess)'
        : /no BVSE parameters for the pair/.test(r.error) ? 'missing-bvse-pair'
          : /has no radius/.test(r.error) ? 'missing-radius' : r.error.slice(0, 60));
    out[code] = (out[code] ?? 0) + 1;
  }
  return out;
};
const ok = (r: Row | undefined): r is Row => !!r && !r.error && r.Xi !== null;
const both = [...mlip.values()].filter((m) => ok(m) && ok(bvse.get(m.file))).map((m) => ({ m, b: bvse.get(m.file) as Row }));
const negEa = (x: number | null) => (x === null ? -Infinity : -x); // no percolation = least open

const rhoXi = spearman(both.map((p) => p.m.Xi as number), both.map((p) => p.b.Xi as number));
const rhoEa1 = spearman(both.map((p) => p.m.Xi as number), both.map((p) => negEa(p.b.Ea_1D_eV)));
const rhoEa3 = spearman(both.map((p) => p.m.Xi as number), both.map((p) => negEa(p.b.Ea_3D_eV)));
const openM = both.filter((p) => (p.m.Xi as number) >= 0.5);
const openB = both.filter((p) => (p.b.Xi as number) >= 0.5);
const openBoth = both.filter((p) => (p.m.Xi as number) >= 0.5 && (p.b.Xi as number) >= 0.5);
const mlipOk = [...mlip.values()].filter(ok).length;
const bvseOk = [...bvse.values()].filter(ok).length;

const lines = [
  `structures: ${mlip.size} ranked by TensorNet-MatPES (${mlipOk} with Ξ), ${bvse.size} by BVSE (${bvseOk} with Ξ); ${both.length} with numbers from both`,
  `  TensorNet-MatPES failures: ${JSON.stringify(reasonCounts(mlip.values()))}`,
  `  BVSE failures: ${JSON.stringify(reasonCounts(bvse.values()))}`,
  `Spearman ρ over the ${both.length}: Ξ(TensorNet-MatPES) vs Ξ(BVSE grid) ${rhoXi.toFixed(3)}; vs −Ea(BVSE, 1D) ${rhoEa1.toFixed(3)}; vs −Ea(BVSE, 3D) ${rhoEa3.toFixed(3)}`,
  `Ξ ≥ 0.5 ("likely superionic"): TensorNet-MatPES ${openM.length}, BVSE grid ${openB.length}, both ${openBoth.length}`,
  `median Ξ: TensorNet-MatPES ${median(both.map((p) => p.m.Xi as number)).toFixed(3)}, BVSE grid ${median(both.map((p) => p.b.Xi as number)).toFixed(3)}`,
];
if (againstFile) {
  const earlier = load(againstFile);
  const common = [...mlip.values()].filter((m) => ok(m) && ok(earlier.get(m.file)));
  let dXi = 0, dMpe = 0, over = 0;
  for (const m of common) {
    const e = earlier.get(m.file)!;
    dXi = Math.max(dXi, Math.abs((m.Xi as number) - (e.Xi as number)));
    const d = m.MPE_eV != null && e.MPE_eV != null ? Math.abs(m.MPE_eV - e.MPE_eV) : 0;
    dMpe = Math.max(dMpe, d);
    if (d > 1e-3) over++;
  }
  lines.push(`against ${againstFile}: ${common.length} structures in both runs; largest |ΔΞ| ${dXi.toExponential(1)}, largest |ΔMPE| ${dMpe.toExponential(1)} eV; ${over} with |ΔMPE| > 1e-3 eV`);
}
for (const l of lines) console.log(l);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({
  n: { mlip: mlip.size, mlipOk, bvse: bvse.size, bvseOk, both: both.length },
  spearman: { xiMlip_vs_xiBvse: rhoXi, xiMlip_vs_negEa1D: rhoEa1, xiMlip_vs_negEa3D: rhoEa3 },
  superionic: { mlip: openM.length, bvse: openB.length, both: openBoth.length },
  rows: both.map((p) => ({ file: p.m.file, formula: p.m.formula, xi_mlip: p.m.Xi, xi_bvse: p.b.Xi, ea1d_bvse: p.b.Ea_1D_eV, ea3d_bvse: p.b.Ea_3D_eV })),
}, null, 1) + '\n');
