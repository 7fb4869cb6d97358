// Real scenes for the webview tests and benchmark: the CIF goes to the compute host (dist/worker.js)
// through HostClient (src/compute/host/client.ts), exactly as the extension asks for it
// (`scene` request, ion Li, 0.2 Å grid). Returns { structure, landscape, path, result, messages, ms }.
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { root } from './server.mjs';

const require = createRequire(import.meta.url);

/** Bundle HostClient for Node (CJS, into .test-output) and require it. */
async function loadHostClient() {
  const outDir = join(root, '.test-output', 'webview');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'hostClient.cjs');
  await esbuild.build({ entryPoints: [join(root, 'src/compute/host/client.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'warning' });
  return require(outfile).HostClient;
}

/**
 * Compute the scenes of the given example CIFs (names under examples/) on one compute host,
 * one after the other. Resolves to a Map name → scene.
 */
export async function computeScenes(names, { resolution = 0.2, ion = 'Li' } = {}) {
  const workerPath = join(root, 'dist', 'worker.js');
  if (!existsSync(workerPath)) throw new Error(`${workerPath} missing: run node esbuild.mjs`);
  const HostClient = await loadHostClient();
  const problems = [];
  const host = new HostClient(workerPath, { onProblem: (m) => { problems.push(m); console.error(`compute host: ${m}`); } }, 170_000);
  const out = new Map();
  try {
    for (const name of names) {
      const text = readFileSync(join(root, 'examples', name), 'utf8');
      const t0 = performance.now();
      const r = await host.request('scene', { text, options: { ion, resolution } });
      const ms = performance.now() - t0;
      if (!r.structure || !r.landscape || !r.result?.ok) {
        throw new Error(`scene for ${name} failed: ${r.result?.error ?? r.messages.map((m) => m.message).join('; ')}`);
      }
      out.set(name, { ...r, ms });
    }
  } finally {
    host.dispose();
  }
  if (problems.length) throw new Error(`compute host problems: ${problems.join('; ')}`);
  return out;
}

/**
 * Scenes of arbitrary texts and options on one compute host, e.g. an ordered-approximant ensemble or the MLIP
 * scan: [{ key, text, options }] → Map key → scene (with `ms`). A scene without a structure throws.
 */
export async function computeSceneRequests(list) {
  const workerPath = join(root, 'dist', 'worker.js');
  if (!existsSync(workerPath)) throw new Error(`${workerPath} missing: run node esbuild.mjs`);
  const HostClient = await loadHostClient();
  const host = new HostClient(workerPath, { onProblem: (m) => console.error(`compute host: ${m}`) }, 170_000);
  const out = new Map();
  try {
    for (const { key, text, options } of list) {
      const t0 = performance.now();
      const r = await host.request('scene', { text, options });
      if (!r.structure || !r.result?.ok) throw new Error(`scene ${key} failed: ${r.result?.error ?? r.messages.map((m) => m.message).join('; ')}`);
      out.set(key, { ...r, ms: performance.now() - t0 });
    }
  } finally {
    host.dispose();
  }
  return out;
}
