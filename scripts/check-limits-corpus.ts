/**
 * Which real structures the structure limits (src/compute/structure/limits.ts) refuse: builds every CIF under a
 * folder and counts the errors by code. A limit that refuses real crystals is wrong. Usage:
 *   node out/scripts/check-limits-corpus.js <folder> [--max N]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildStructure } from '../src/compute/structure/build';

const [folder, ...rest] = process.argv.slice(2);
const max = rest[0] === '--max' ? Number(rest[1]) : Infinity;
const files: string[] = [];
const walk = (d: string) => { for (const e of readdirSync(d)) { const p = join(d, e); if (statSync(p).isDirectory()) walk(p); else if (e.endsWith('.cif')) files.push(p); } };
walk(folder);
files.sort();
const codes = new Map<string, string[]>();
let built = 0, n = 0;
const t0 = Date.now();
for (const f of files.slice(0, max)) {
  n++;
  const r = buildStructure(readFileSync(f, 'utf8'));
  if (r.structure) { built++; continue; }
  for (const m of r.messages.filter((x) => x.severity === 'error')) {
    const list = codes.get(m.code) ?? [];
    list.push(`${f}: ${m.message}`);
    codes.set(m.code, list);
  }
}
console.log(`${n} CIFs, ${built} built, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
for (const [c, list] of codes) { console.log(`${c}: ${list.length}`); for (const l of list.slice(0, 5)) console.log(`  ${l.slice(0, 300)}`); }
