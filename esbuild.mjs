// One build script for every bundle: extension (CJS, vscode external), compute worker, CLI,
// webview (browser), and the test/benchmark entry points. `--watch` rebuilds, `--production` minifies.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  target: 'es2022',
};
// onnxruntime-node is a native addon: it stays a runtime require (the packaged .vsix carries its binaries).
const nodeCommon = { ...common, platform: 'node', format: 'cjs', target: 'node20', external: ['onnxruntime-node'] };

/** Files under `dir` (recursively) whose name ends with `suffix`. */
function entries(dir, suffix) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...entries(p, suffix));
    else if (e.name.endsWith(suffix)) out.push(p);
  }
  return out;
}

const builds = [
  // The extension: thin glue, loaded by VS Code's extension host.
  { ...nodeCommon, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', external: ['vscode', 'onnxruntime-node'] },
  // The compute host: runs in a worker_threads Worker, never on the extension host thread.
  { ...nodeCommon, entryPoints: { worker: 'src/compute/host/worker.ts' }, outdir: 'dist' },
  // The CLI, for batch work and benchmarks.
  { ...nodeCommon, entryPoints: { cli: 'src/compute/cli/cli.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
];
if (existsSync('webview/main.ts')) {
  builds.push({ ...common, platform: 'browser', format: 'iife', entryPoints: { webview: 'webview/main.ts' }, outdir: 'dist' });
}
builds.push({ ...common, platform: 'browser', format: 'iife', entryPoints: { rankTable: 'webview/rankTable.ts' }, outdir: 'dist' });
if (existsSync('webview/isosurface.worker.ts')) {
  builds.push({ ...common, platform: 'browser', format: 'iife', entryPoints: { 'isosurface.worker': 'webview/isosurface.worker.ts' }, outdir: 'dist' });
}
if (!production) {
  // Tests and benchmarks: each file is its own bundle so node's test runner can pick them up.
  const unit = entries('test/unit', '.test.ts');
  if (unit.length) builds.push({ ...nodeCommon, entryPoints: unit, outdir: 'out/test/unit', outbase: 'test/unit' });
  const suites = entries('test/vscode/suite', '.ts');
  if (suites.length) builds.push({ ...nodeCommon, entryPoints: suites, outdir: 'out/test/vscode/suite', outbase: 'test/vscode/suite', external: ['vscode', 'mocha', 'onnxruntime-node'] });
  const scripts = entries('scripts', '.ts');
  if (scripts.length) builds.push({ ...nodeCommon, entryPoints: scripts, outdir: 'out/scripts', outbase: 'scripts' });
}

/** The symmetry library ships WebAssembly; bundles load it from next to themselves. */
function copyAssets() {
  for (const dir of ['dist', 'out/test/unit', 'out/scripts', 'out/test/vscode/suite']) {
    mkdirSync(dir, { recursive: true });
    copyFileSync('node_modules/@spglib/moyo-wasm/moyo_wasm_bg.wasm', join(dir, 'moyo_wasm_bg.wasm'));
  }
}

copyAssets();
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('esbuild: watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
