// Compare two `ionpath rank --json-out` files row by row: Ea 1D/2D/3D, MPE, Xi, FV. Prints the largest differences
// and exits 1 when any exceeds the tolerance (default 1e-6 eV / 1e-6 in Ξ). Used to check that a refactor leaves
// every number as it was: node scripts/compare-rankings.mjs before.json after.json [--tol 1e-6]
import { readFileSync } from 'node:fs';
const [a, b] = process.argv.slice(2).filter((x) => !x.startsWith('--'));
const ti = process.argv.indexOf('--tol');
const tol = ti > 0 ? Number(process.argv[ti + 1]) : 1e-6;
const load = (f) => new Map(JSON.parse(readFileSync(f, 'utf8')).rows.map((r) => [r.file, r]));
const A = load(a), B = load(b);
const keys = ['Ea_1D_eV', 'Ea_2D_eV', 'Ea_3D_eV', 'MPE_eV', 'Xi', 'FV_connected', 'FV_disconnected'];
let compared = 0, worst = { d: 0 }, bad = [], okBoth = 0, missing = 0;
for (const [file, ra] of A) {
  const rb = B.get(file);
  if (!rb) { missing++; continue; }
  if (!!ra.error !== !!rb.error) { bad.push(`${file}: error before=${ra.error} after=${rb.error}`); continue; }
  if (ra.error) continue;
  okBoth++;
  for (const k of keys) {
    compared++;
    const x = ra[k], y = rb[k];
    if (x === null || y === null) { if (x !== y) bad.push(`${file} ${k}: ${x} vs ${y}`); continue; }
    const d = Math.abs(x - y);
    if (d > worst.d) worst = { d, file, k, x, y };
    if (d > tol) bad.push(`${file} ${k}: ${x} vs ${y} (Δ ${d.toExponential(2)})`);
  }
}
console.log(`compared ${okBoth} structures with numbers in both (${compared} values: ${keys.join(', ')}); ${missing} missing; tolerance ${tol}`);
console.log(`largest difference: ${worst.d.toExponential(2)}${worst.file ? ` (${worst.file} ${worst.k}: ${worst.x} vs ${worst.y})` : ''}`);
for (const l of bad.slice(0, 20)) console.log(`  DIFFERS ${l}`);
console.log(bad.length ? `${bad.length} values differ` : 'all values agree');
process.exit(bad.length ? 1 : 0);
