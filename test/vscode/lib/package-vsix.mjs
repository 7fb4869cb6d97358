#!/usr/bin/env node
// Package the extension as a .vsix with vsce (no build here; run `node esbuild.mjs --production`
// first). Used by `npm run package`, test/ui/run-vsix-ui.mjs and scripts/start.sh. The .vsix is for one
// platform (default: this machine's) because it carries onnxruntime-node's native binaries.
//   node test/vscode/lib/package-vsix.mjs <out.vsix>
// Non-interactive: --allow-missing-repository, --skip-license when there is no LICENSE file, and,
// while the repository has no .vscodeignore (nor a "files" list in package.json), a fallback
// ignore list so that .tools/ (code-server), node_modules/, sources and tests stay out.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const FALLBACK_IGNORE = [
  '.tools/**', '.test-output/**', '.git/**', '.github/**', '.ci/**', '.vscode/**', '.vscode-test/**', '.gl/**', '.whl/**',
  'node_modules/**', 'src/**', 'test/**', 'out/**', 'scripts/**', 'docs/**',
  '**/*.map', '**/*.ts', 'tsconfig.json', 'esbuild.mjs', '*.vsix', 'package-lock.json', '.npmrc', '.gitignore',
];

/** The VS Code platform target of this machine (vsce's --target names), e.g. linux-x64. */
export function hostTarget() {
  return `${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch}`;
}

/**
 * onnxruntime-node is a native addon that the bundles `require` at run time (esbuild keeps it external). A .vsix
 * built with --no-dependencies would carry none of it, and the GCN and the potential would answer "could not be
 * loaded". So the runtime part of it (its dist/, this platform's bin/napi-v6/<platform>/<arch>/, and
 * onnxruntime-common) is staged under dist/node_modules/, where Node's resolution from dist/*.js finds it, and the
 * .vsix is platform-specific (--target). Its install scripts (adm-zip, global-agent: the GPU download) are not needed.
 * Returns the staged bytes.
 */
export function stageOnnxRuntime(platform = process.platform, arch = process.arch) {
  const from = path.join(repoRoot, 'node_modules');
  const to = path.join(repoRoot, 'dist', 'node_modules');
  fs.rmSync(to, { recursive: true, force: true });
  let bytes = 0;
  const copy = (rel) => {
    const src = path.join(from, rel);
    if (!fs.existsSync(src)) throw new Error(`package-vsix: ${rel} is missing (run npm ci)`);
    fs.cpSync(src, path.join(to, rel), { recursive: true, dereference: true, filter: (f) => !f.endsWith('.map') && !f.endsWith('.d.ts') });
  };
  for (const rel of ['onnxruntime-node/package.json', 'onnxruntime-node/dist', `onnxruntime-node/bin/napi-v6/${platform}/${arch}`, 'onnxruntime-common/package.json', 'onnxruntime-common/dist']) copy(rel);
  for (const f of fs.readdirSync(to, { recursive: true, withFileTypes: true })) if (f.isFile()) bytes += fs.statSync(path.join(f.parentPath ?? f.path, f.name)).size;
  return bytes;
}

/** Returns { ok, vsix, size, log, notes[] }. */
export function packageVsix(vsix, target = hostTarget()) {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  fs.mkdirSync(path.dirname(vsix), { recursive: true });
  fs.rmSync(vsix, { force: true });
  const [platform, arch] = target.split('-');
  const runtimeBytes = stageOnnxRuntime(platform, arch);
  const args = ['--no-install', 'vsce', 'package', '--no-dependencies', '--target', target, '-o', vsix, '--allow-missing-repository', '--no-rewrite-relative-links'];
  const notes = [`${target}, onnxruntime-node ${(runtimeBytes / 1048576).toFixed(0)} MiB`];
  if (!fs.readdirSync(repoRoot).some((f) => /^licen[sc]e(\.|$)/i.test(f))) {
    args.push('--skip-license');
    notes.push('no LICENSE file (--skip-license)');
  }
  let tmpIgnore;
  if (!fs.existsSync(path.join(repoRoot, '.vscodeignore')) && !pkg.files) {
    tmpIgnore = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ionpath-vsce-')), 'vscodeignore');
    fs.writeFileSync(tmpIgnore, FALLBACK_IGNORE.join('\n') + '\n');
    args.push('--ignoreFile', tmpIgnore);
    notes.push('no .vscodeignore in the repo: used a fallback ignore list');
  }
  const r = spawnSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', args, {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'], // never wait on a y/N prompt
    timeout: 300_000,
  });
  if (tmpIgnore) fs.rmSync(path.dirname(tmpIgnore), { recursive: true, force: true });
  const log = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`
    .split('\n')
    .filter((l) => !/^npm warn Unknown (user|project|env) config/.test(l))
    .join('\n');
  const size = fs.existsSync(vsix) ? fs.statSync(vsix).size : 0;
  return { ok: r.status === 0 && size > 0, vsix, size, log, notes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = path.resolve(process.argv[2] ?? path.join(repoRoot, '.test-output', 'ionpath.vsix'));
  const r = packageVsix(out, process.argv[3] ?? hostTarget());
  for (const n of r.notes) console.error(`package-vsix: note: ${n}`);
  if (!r.ok) {
    console.error(r.log);
    console.error('package-vsix: vsce package failed');
    process.exit(1);
  }
  console.log(`package-vsix: ${path.relative(process.cwd(), out)} (${(r.size / 1024).toFixed(0)} KiB)`);
}
