/**
 * How often the bond-valence check (structure/bondValence.ts) flags a structure, and which: the OBELiX training CIFs
 * (experimental refinements, most of them disordered) and a deterministic sample of the Materials Project Li
 * compounds (DFT-relaxed, many of them hypothetical substitutions): every k-th CIF by name of
 * ../shared/data/mp-li/structures.tar.xz. Prints, per set, the structures checked, those flagged (over- and
 * under-bonded), the quantiles of the worst judged site's ratio BVS/|z|, the median GII, and the flagged OBELiX CIFs
 * with their family, σ and literature Ea.
 * Usage: node out/scripts/check-bond-valence.js [--mp 3000] [--out docs/measurements/bond-valence.txt]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { withMpSample } from './lib/mpSample';
import { readLabels } from './lib/labels';
import { buildStructure } from '../src/compute/structure/build';
import { bondValenceSums, implausibleGeometryMessages, IMPLAUSIBLE_FACTOR, JUDGED_MIN_OCCUPANCY } from '../src/compute/structure/bondValence';
import { writeFileAtomicSync } from '../src/compute/util/atomicWrite';
import { median } from './lib/metrics';

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : dflt; };
const MP = Number(arg('--mp', '3000'));
const OUT = arg('--out', '');
const root = join(__dirname, '..', '..');
const shared = join(root, '..', 'shared', 'data');

interface Row { id: string; ratio: number; label: string; gii: number; over: number; under: number }

function check(dir: string, files: string[]): { rows: Row[]; unbuilt: number; unchecked: number; partly: number } {
  const rows: Row[] = [];
  let unbuilt = 0, unchecked = 0, partly = 0;
  for (const f of files) {
    const s = buildStructure(readFileSync(join(dir, f), 'utf8')).structure;
    if (!s) { unbuilt++; continue; }
    const c = bondValenceSums(s);
    if (c.gii === null) { unchecked++; continue; }
    if (c.unparameterised.length) partly++;
    let worst = 1, label = '';
    for (const v of c.sites) {
      if (v.occupancy < JUDGED_MIN_OCCUPANCY) continue;
      const r = v.sum / Math.abs(v.oxidation);
      if (Math.abs(Math.log(r)) > Math.abs(Math.log(worst))) { worst = r; label = `${v.label} ${v.element}${v.oxidation > 0 ? '+' : ''}${v.oxidation}`; }
    }
    const ms = implausibleGeometryMessages(s, c);
    rows.push({ id: f.replace(/\.cif$/, ''), ratio: worst, label, gii: c.gii, over: ms.filter((m) => /closer/.test(m.message)).length, under: ms.filter((m) => /farther/.test(m.message)).length });
  }
  return { rows, unbuilt, unchecked, partly };
}

function summary(name: string, r: ReturnType<typeof check>): string[] {
  const n = r.rows.length;
  const over = r.rows.filter((x) => x.over).length, under = r.rows.filter((x) => x.under).length;
  const flagged = r.rows.filter((x) => x.over || x.under).length;
  const ratios = r.rows.map((x) => x.ratio).sort((a, b) => a - b);
  const q = (p: number) => ratios[Math.min(n - 1, Math.floor(p * n))].toFixed(2);
  return [
    `${name}: ${n} checked, ${r.partly} of them in part (a species with a counter-ion softBV does not parameterise is skipped); ${r.unbuilt} not built, ${r.unchecked} with no site softBV parameterises`,
    `  flagged (BVS/|z| > ${IMPLAUSIBLE_FACTOR} or < 1/${IMPLAUSIBLE_FACTOR} at a site held ≥ ${JUDGED_MIN_OCCUPANCY}): ${flagged} (${(100 * flagged / n).toFixed(1)} %; over-bonded ${over}, under-bonded ${under})`,
    `  worst site's BVS/|z|: p1 ${q(0.01)}, p5 ${q(0.05)}, median ${q(0.5)}, p95 ${q(0.95)}, p99 ${q(0.99)}; median GII ${median(r.rows.map((x) => x.gii)).toFixed(2)} v.u.`,
  ];
}

const lines: string[] = [`bond-valence check (softBV parameters), ${new Date().toISOString()}`];
const obelixDir = join(shared, 'obelix', 'cifs');
const obelix = check(obelixDir, readdirSync(obelixDir).filter((f) => f.endsWith('.cif')).sort());
lines.push(...summary('OBELiX training CIFs', obelix));
const labels = readLabels(join(shared, 'obelix', 'labels.csv'));
for (const x of obelix.rows.filter((r) => r.over || r.under).sort((a, b) => Math.abs(Math.log(b.ratio)) - Math.abs(Math.log(a.ratio)))) {
  const l = labels.get(x.id);
  lines.push(`  ${x.id} ${l?.composition ?? ''} (${l?.familyName ?? ''}; σ ${l?.sigmaText || '—'} S/cm; lit. Ea ${l?.literatureEa ?? '—'} eV): ${x.label} BVS/|z| ${x.ratio.toFixed(2)}`);
}
withMpSample(MP, 'check-bond-valence-', ({ dir, names, step, total }) => {
  lines.push(...summary(`Materials Project, every ${step}th of ${total}`, check(dir, names)));
});
const text = lines.join('\n') + '\n';
process.stdout.write(text);
if (OUT) writeFileAtomicSync(OUT, text);
