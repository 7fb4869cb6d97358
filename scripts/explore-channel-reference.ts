/**
 * An alternative convention for Ea, measured and not adopted (docs/VALIDATION.md): the barrier from the lowest point of
 * the percolating channel instead of from the global minimum.
 *
 *   Ea_kD(global)  = E_perc,k − E_min                       (the default; BVlain, softBV and the published labels)
 *   Ea_kD(channel) = E_perc,k − min{ E(v) : v in a component of {E ≤ E_perc,k} that percolates in k dimensions }
 *
 *   Ea_kD(Li in channel) = Ea_kD(channel) if a Li position of the CIF lies in that channel (its voxel or one of the 26
 *                          around it), else Ea_kD(global): the Li are where the CIF puts them; if none sits in the
 *                          channel, they all sit in traps and the global minimum is theirs.
 * They differ when the global minimum is a trap away from the channel (the report's "isolated pocket" warning).
 * For every OBELiX training CIF (default options, 0.2 Å), both conventions for Ea 1D and 3D; then ρ(Ea, log10 σ),
 * ρ(Ea, literature Ea) and ROC-AUC (σ ≥ 1e-4 S/cm) on all CIFs and with each family left out in turn (a rule whose
 * gain rests on one family shows there). "No percolation" counts as 5 eV, as in validate-disorder.ts.
 * Usage: node out/scripts/explore-channel-reference.js [--out docs/measurements/channel-reference.txt]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildStructure } from '../src/compute/structure/build';
import { analyzeLandscapeSync } from '../src/compute/analysis/pipeline';
import { percolationAtLevel } from '../src/compute/landscape/percolation';
import { writeFileAtomicSync } from '../src/compute/util/atomicWrite';
import { csv, rocAuc, spearman } from './lib/metrics';

const OUT = (() => { const i = process.argv.indexOf('--out'); return i >= 0 ? process.argv[i + 1] : ''; })();
const SHARED = join(__dirname, '..', '..', '..', 'shared', 'data', 'obelix');
const NONE = 5;
type Key = 'Ea1D' | 'Ea1Dchannel' | 'Ea1DliInChannel' | 'Ea3D' | 'Ea3Dchannel' | 'Ea3DliInChannel';
const rows: ({ id: string } & Record<Key, number>)[] = [];
let failed = 0;
for (const f of readdirSync(join(SHARED, 'cifs')).filter((x) => x.endsWith('.cif')).sort()) {
  try {
    const s = buildStructure(readFileSync(join(SHARED, 'cifs', f), 'utf8')).structure;
    if (!s) { failed++; continue; }
    const a = analyzeLandscapeSync(s, { resolution: 0.2 });
    const g = a.grid!;
    const row = { id: f.replace(/\.cif$/, '') } as { id: string } & Record<Key, number>;
    for (const [d, ea, key] of [[1, a.report.Ea_1D_eV, 'Ea1D'], [3, a.report.Ea_3D_eV, 'Ea3D']] as const) {
      row[key] = ea ?? NONE;
      if (ea === null) { row[`${key}channel`] = NONE; continue; }
      const p = percolationAtLevel(g, ea + 1e-6);
      let low = Infinity;
      for (let v = 0; v < p.mask.length; v++) if (p.mask[v] >= d && g.data[v] < low) low = g.data[v];
      row[`${key}channel`] = ea - (low - g.min);
      const [n0, n1, n2] = g.shape;
      const wrap = (i: number, n: number) => ((i % n) + n) % n;
      const inChannel = s.sites.some((site) => site.species.some((sp) => sp.element === 'Li') && [-1, 0, 1].some((a0) => [-1, 0, 1].some((a1) => [-1, 0, 1].some((a2) => {
        const v = (wrap(Math.round(site.frac[0] * n0) + a0, n0) * n1 + wrap(Math.round(site.frac[1] * n1) + a1, n1)) * n2 + wrap(Math.round(site.frac[2] * n2) + a2, n2);
        return p.mask[v] >= d;
      }))));
      row[`${key}liInChannel`] = inChannel ? row[`${key}channel`] : row[key];
    }
    rows.push(row);
  } catch { failed++; }
}
const labels = new Map(csv(join(SHARED, 'labels.csv')).map((l) => [l.id, l]));
const metrics = (key: Key, leftOut: string | null) => {
  const sig: [number, number][] = [], lit: [number, number][] = [], auc: [number, boolean][] = [];
  for (const r of rows) {
    const l = labels.get(r.id)!;
    if (l.family === leftOut) continue;
    const s = l.sigma_rt_S_per_cm;
    if (s && !s.startsWith('<') && Number(s) > 0) { sig.push([r[key], Math.log10(Number(s))]); auc.push([-r[key], Number(s) >= 1e-4]); }
    if (l.ea_literature_eV) lit.push([r[key], Number(l.ea_literature_eV)]);
  }
  const f = (x: number) => x.toFixed(3);
  return `ρ(log σ) ${f(spearman(sig.map((p) => p[0]), sig.map((p) => p[1])))} (n ${sig.length}), ρ(lit Ea) ${f(spearman(lit.map((p) => p[0]), lit.map((p) => p[1])))} (n ${lit.length}), AUC ${f(rocAuc(auc.map((p) => p[0]), auc.map((p) => p[1])))}`;
};
const lines = [`Ea from the global minimum vs from the channel's lowest point; OBELiX training CIFs, ${rows.length} analysed, ${failed} failed`];
for (const k of ['Ea1D', 'Ea3D'] as const) {
  const changed = rows.filter((r) => r[k] - r[`${k}channel`] > 1e-4);
  lines.push(`${k}: differs on ${changed.length} CIFs (${changed.filter((r) => r[k] - r[`${k}channel`] > 0.05).length} by > 0.05 eV)`);
  lines.push(`  global       : ${metrics(k, null)}`, `  channel      : ${metrics(`${k}channel`, null)}`, `  Li in channel: ${metrics(`${k}liInChannel`, null)}`);
}
const families = [...new Set(rows.map((r) => labels.get(r.id)!.family))].filter((fam) => rows.filter((r) => labels.get(r.id)!.family === fam).length >= 6).sort();
lines.push('Ea3D with one family left out (families with ≥ 6 CIFs):');
for (const fam of families) lines.push(`  without ${fam || '(none given)'}:`, `    global        ${metrics('Ea3D', fam)}`, `    channel       ${metrics('Ea3Dchannel', fam)}`, `    Li in channel ${metrics('Ea3DliInChannel', fam)}`);
lines.push('Largest differences (Ea3D global → channel → Li in channel, eV):');
for (const r of [...rows].sort((a, b) => (b.Ea3D - b.Ea3Dchannel) - (a.Ea3D - a.Ea3Dchannel)).slice(0, 12)) {
  const l = labels.get(r.id)!;
  lines.push(`  ${r.id} ${l.reduced_composition} (${l.family || '—'}; σ ${l.sigma_rt_S_per_cm}): ${r.Ea3D.toFixed(2)} → ${r.Ea3Dchannel.toFixed(2)} → ${r.Ea3DliInChannel.toFixed(2)}`);
}
const text = lines.join('\n') + '\n';
process.stdout.write(text);
if (OUT) writeFileAtomicSync(OUT, text);
