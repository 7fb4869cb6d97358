/**
 * Model files of the machine-learned methods: where they are, and their content hash (the model's identity in
 * reports and cache keys). The hash is read once per file version (path, size, mtime).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { NormalisedOptions } from '../analysis/options';

/** Default model files, relative to the package root. */
export const DEFAULT_MODEL_FILES: Readonly<Record<string, string>> = {
  mlip: 'models/tensornet/tensornet-matpes-pbe-v2025.1.onnx',
  gcn: 'models/gcn/gcn-in.onnx',
};

/** The package root (the folder holding ionpath's package.json), found from this bundle's location. */
export function packageRoot(): string {
  let dir = typeof __dirname === 'string' ? __dirname : process.cwd();
  for (let i = 0; i < 8; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try { if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'ionpath') return dir; } catch { /* keep looking */ }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return process.cwd();
}

export function modelPathFor(method: string, override?: string): string | null {
  if (override) return resolve(override);
  const rel = DEFAULT_MODEL_FILES[method];
  return rel ? join(packageRoot(), rel) : null;
}

const hashes = new Map<string, string>();

/** sha256 of a file's bytes, cached per (path, size, mtime); null if it cannot be read. */
export function fileSha256(path: string): string | null {
  try {
    const st = statSync(path);
    if (!st.isFile()) return null;
    const k = `${path}\0${st.size}\0${st.mtimeMs}`;
    let h = hashes.get(k);
    if (!h) { h = createHash('sha256').update(readFileSync(path)).digest('hex'); hashes.set(k, h); }
    return h;
  } catch {
    return null;
  }
}

/** The model part of a job's cache key: '' for methods without a model, else the file's hash (or 'missing'). */
export function modelFingerprint(o: NormalisedOptions): string {
  const path = modelPathFor(o.method, o.modelPath);
  if (!path) return '';
  return fileSha256(path) ?? `missing:${path}`;
}
