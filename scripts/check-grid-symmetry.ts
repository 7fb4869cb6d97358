/**
 * The symmetric BVSE evaluation (one sum per orbit of grid points, landscape/gridSymmetry.ts) against the full sum at
 * every point, on every OBELiX training CIF (../shared/data/obelix/cifs), in the product's default options (SPSE,
 * 0.2 Å, mean field with its wall rule). Prints the largest |ΔE| over the grid points below the wall, the share of
 * points summed, and exits 1 if any structure differs by more than 1e-6 eV (the tolerance of issue 7; the grids are
 * float32, and an operation can change the order in which a point's terms are added).
 *   node out/scripts/check-grid-symmetry.js [--limit N] [--resolution 0.2]
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildStructure } from '../src/compute/structure/build';
import { computeBvse, WALL_ENERGY } from '../src/compute/energy/bvse/bvse';

const args = process.argv.slice(2);
const arg = (n: string, d: string) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1] : d);
const limit = Number(arg('limit', 'Infinity'));
const resolution = Number(arg('resolution', '0.2'));
const dir = join(process.cwd(), '..', 'shared', 'data', 'obelix', 'cifs');
if (!existsSync(dir)) { console.error(`no OBELiX CIFs at ${dir}`); process.exit(1); }
let checked = 0, failed = 0, worst = 0, worstId = '', reduced = 0, total = 0, bad = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.cif')).sort().slice(0, limit)) {
  const built = buildStructure(readFileSync(join(dir, file), 'utf8'));
  if (!built.structure) { failed++; continue; }
  let a, b;
  try {
    a = computeBvse(built.structure, { resolution });
    b = computeBvse(built.structure, { resolution, gridSymmetry: false });
  } catch { failed++; continue; }
  let d = 0;
  for (let i = 0; i < a.grid.data.length; i++) {
    const x = a.grid.data[i], y = b.grid.data[i];
    if (x >= WALL_ENERGY && y >= WALL_ENERGY) continue;
    d = Math.max(d, Math.abs(x - y));
  }
  checked++;
  reduced += a.gridSymmetry.evaluatedPoints; total += a.grid.data.length;
  if (d > worst) { worst = d; worstId = file; }
  if (d > 1e-9) console.log(`  ${d > 1e-6 ? 'DIFFERS' : 'above 1e-9 eV'} ${file}: ${d.toExponential(2)} eV`);
  if (d > 1e-6) bad++;
}
console.log(`${checked} structures compared (symmetric vs full BVSE sum, ${resolution} Å), ${failed} not computable; largest |ΔE| ${worst.toExponential(2)} eV${worstId ? ` (${worstId})` : ''}; points summed ${(100 * reduced / total).toFixed(1)} % of all`);
process.exit(bad ? 1 : 0);
