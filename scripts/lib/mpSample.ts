/**
 * A deterministic sample of the Materials Project Li compounds (../shared/data/mp-li/structures.tar.xz, CC BY 4.0),
 * as the measurement scripts take it: every k-th CIF by name, k = max(1, ⌊total / n⌋), at most n of them, extracted
 * into a temporary folder that exists only while `use` runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';

/** The archive, from a script bundle in out/scripts/ (the repository's ../shared beside it). */
export const MP_ARCHIVE = join(__dirname, '..', '..', '..', 'shared', 'data', 'mp-li', 'structures.tar.xz');

export interface MpSample {
  /** The temporary folder the sample is extracted into. */
  dir: string;
  /** The sampled names inside the archive, sorted. */
  names: string[];
  /** Their paths under `dir`. */
  paths: string[];
  /** Every `step`-th CIF of `total` in the archive. */
  step: number;
  total: number;
}

export function withMpSample<T>(n: number, prefix: string, use: (sample: MpSample) => T, archive = MP_ARCHIVE): T {
  const all = execFileSync('tar', ['-tJf', archive], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n').filter((x) => x.endsWith('.cif')).sort();
  const step = Math.max(1, Math.floor(all.length / n));
  const names = all.filter((_, i) => i % step === 0).slice(0, n);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    execFileSync('tar', ['-xJf', archive, '-C', dir, ...names], { maxBuffer: 1 << 28 });
    return use({ dir, names, paths: names.map((x) => join(dir, x)), step, total: all.length });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
