/**
 * Which real structures the structure limits and reading checks refuse or warn about: builds every CIF under a
 * folder and counts the errors by code, and the warnings of the codes named with --warnings. A limit or check that
 * fires on real crystals is wrong. Usage:
 *   node out/scripts/check-limits-corpus.js <folder> [--max N] [--warnings code,code]
 * e.g. `--warnings cell-symmetry-mismatch,formula-mismatch,element-guessed` for the checks of docs/VALIDATION.md,
 * "Reading real CIFs".
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildStructure } from '../src/compute/structure/build';

const [folder, ...rest] = process.argv.slice(2);
const flag = (name: string) => { const i = rest.indexOf(name); return i >= 0 ? rest[i + 1] : undefined; };
const max = flag('--max') !== undefined ? Number(flag('--max')) : Infinity;
const warningCodes = new Set((flag('--warnings') ?? '').split(',').filter(Boolean));
const files: string[] = [];
const walk = (d: string) => { for (const e of readdirSync(d)) { const p = join(d, e); if (statSync(p).isDirectory()) walk(p); else if (e.endsWith('.cif')) files.push(p); } };
walk(folder);
files.sort();
const codes = new Map<string, string[]>();
const warned = new Map<string, string[]>([...warningCodes].map((c) => [c, []]));
let built = 0, n = 0;
const t0 = Date.now();
for (const f of files.slice(0, max)) {
  n++;
  const r = buildStructure(readFileSync(f, 'utf8'));
  for (const m of r.messages) if (m.severity === 'warning' && warningCodes.has(m.code)) warned.get(m.code)!.push(`${f}: ${m.message}`);
  if (r.structure) { built++; continue; }
  for (const m of r.messages.filter((x) => x.severity === 'error')) {
    const list = codes.get(m.code) ?? [];
    list.push(`${f}: ${m.message}`);
    codes.set(m.code, list);
  }
}
console.log(`${n} CIFs, ${built} built, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
for (const [c, list] of codes) { console.log(`error ${c}: ${list.length}`); for (const l of list.slice(0, 5)) console.log(`  ${l.slice(0, 300)}`); }
for (const [c, list] of warned) { console.log(`warning ${c}: ${list.length}`); for (const l of list.slice(0, 5)) console.log(`  ${l.slice(0, 300)}`); }
