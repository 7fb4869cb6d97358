/**
 * What the GCN sees for a disordered CIF, measured (docs/VALIDATION.md). The GCN needs atoms at definite positions
 * (the interstitial network of the framework), so a CIF with partially occupied framework sites is given the
 * lowest-Ewald ordering of an approximant (analysis/pipeline.ts). Its BVSE inputs (the energy at every interstice and
 * bottleneck, and the network's percolation barrier) then come from that ordering too:
 *
 *   ordering         E(point) = BVSE of the ordering                  (what ships)
 *   mean-field BVSE  E(point) = BVSE of the CIF itself (the mean field, default wall rule) at the same Cartesian point
 *
 * The second keeps the ordering's geometry (the network and its radii) and gives the model the energies of the
 * number that replaces its preview in the editor (Ea(BVSE), the mean field). Ordered CIFs, and CIFs where only the
 * mobile ion's sites are partial, are the same in both.
 * Output: two ranking JSONs (ionpath.ranking/2 rows), scored with scripts/score-ranking.ts.
 * Usage: node out/scripts/explore-gcn-mean-field.js --out-dir /tmp/gcn-mf [--cifs ../shared/data/obelix/cifs]
 */
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildStructure } from '../src/compute/structure/build';
import { structuresToAnalyse } from '../src/compute/analysis/pipeline';
import { bvsePointEnergy } from '../src/compute/energy/bvse/bvse';
import { gcnModel } from '../src/compute/gcn/model';
import { fractionalMap } from '../src/compute/structure/geometry';
import { writeFileAtomicSync } from '../src/compute/util/atomicWrite';

const args = process.argv.slice(2);
const arg = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const CIFS = arg('--cifs') ?? join(process.cwd(), '..', 'shared', 'data', 'obelix', 'cifs');
const OUT_DIR = arg('--out-dir') ?? '/tmp/gcn-mf';

async function main(): Promise<void> {
  const shipped = gcnModel();
  const rows = { ordering: [] as object[], 'mean-field-bvse': [] as object[] };
  let worstMapping = 0;
  for (const file of readdirSync(CIFS).filter((x) => x.endsWith('.cif')).sort()) {
    try {
      const s = buildStructure(readFileSync(join(CIFS, file), 'utf8')).structure;
      if (!s) throw new Error('did not build');
      // The structure the pipeline hands the GCN: the CIF itself, or the lowest-Ewald ordering of its approximant.
      const [ordering] = structuresToAnalyse(s, { method: 'gcn' });
      if (ordering === s) {
        const p = await shipped.predict(s);
        for (const k of Object.keys(rows) as (keyof typeof rows)[]) rows[k].push({ file, Ea_1D_eV: p.Ea_1D_eV, disorder: null });
        continue;
      }
      const toCif = fractionalMap(ordering.lattice.matrix, s.lattice.matrix);
      // Every site of the ordering must land on a site of the CIF (mod 1): the frames agree.
      for (const site of ordering.sites) {
        const f = toCif(site.frac);
        const d = Math.min(...s.sites.map((t) => Math.max(...[0, 1, 2].map((j) => { const x = f[j] - t.frac[j]; return Math.abs(x - Math.round(x)); }))));
        worstMapping = Math.max(worstMapping, d);
      }
      const meanField = bvsePointEnergy(s);
      const withMeanField = gcnModel({ network: { energyAt: (f) => meanField.energyAt(toCif(f)) } });
      const a = await shipped.predict(ordering), b = await withMeanField.predict(ordering);
      rows.ordering.push({ file, Ea_1D_eV: a.Ea_1D_eV, disorder: 'lowest-Ewald ordering' });
      rows['mean-field-bvse'].push({ file, Ea_1D_eV: b.Ea_1D_eV, disorder: 'lowest-Ewald ordering, mean-field BVSE features' });
    } catch (e) {
      for (const k of Object.keys(rows) as (keyof typeof rows)[]) rows[k].push({ file, error: e instanceof Error ? e.message : String(e) });
    }
  }
  mkdirSync(OUT_DIR, { recursive: true });
  for (const [k, r] of Object.entries(rows)) writeFileAtomicSync(join(OUT_DIR, `gcn-${k}.json`), JSON.stringify({ schema: 'ionpath.ranking/2', method: 'gcn', options: { gcnInputs: k }, rows: r }, null, 1));
  process.stderr.write(`wrote ${OUT_DIR}/gcn-*.json; worst ordering→CIF site mapping error ${worstMapping.toExponential(2)} (fractional)\n`);
}

void main();
