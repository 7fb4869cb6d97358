/**
 * The compute host's request handlers: the one place that maps protocol methods onto compute
 * functions. Transport-agnostic: `worker.ts` serves it over worker_threads; tests can serve it
 * over an in-process channel.
 */
import { threadId } from 'node:worker_threads';
import type { Endpoint } from '../../protocol/endpoint';
import type { ExtensionMethods, HostMethods } from '../../protocol/messages';
import { analyzeDocument } from '../language/analyze';
import { readStructure } from '../structure/read';
import { summarise } from '../structure/summary';
import { landscapeJobKey, runLandscapeJob, type LandscapeJobOptions } from '../analysis/job';
import type { WorkHooks } from '../util/work';
import { writeCube, writeGrd } from '../landscape/volumetric';
import { sceneEnsemble, sceneLandscape, sceneNetwork, scenePath, sceneStructure } from './scene';
import { ExportError, exportFiles } from '../analysis/exports';
import { sourceCaption } from '../analysis/format';
import { structuresToAnalyse, type LandscapeAnalysis } from '../analysis/pipeline';
import { estimateFrozenFrameworkScan } from '../energy/mlip/scan';
import { mlipScanOptionsOf } from '../energy/registry';
import { normaliseOptions } from '../analysis/options';
import { frozenGraphsSha256, resolveModelPath } from '../energy/mlip/session';
import { availableParallelism } from 'node:os';

/** First line of exported grid files: the formula and exactly what made the numbers. */
const gridTitle = (a: LandscapeAnalysis) => `${a.report.structure.formula} | ${sourceCaption(a.report)}`;

/** The last few full analyses, so that the viewer and exports of one file do not recompute. */
const recent = new Map<string, Awaited<ReturnType<typeof runLandscapeJob>>>();
async function landscapeOf(text: string, options: LandscapeJobOptions, hooks: WorkHooks) {
  const key = landscapeJobKey(text, options);
  const hit = recent.get(key);
  if (hit) return hit;
  const r = await runLandscapeJob(text, options, hooks);
  recent.set(key, r);
  while (recent.size > 2) recent.delete(recent.keys().next().value!);
  return r;
}

/** The network of the framework the scene shows: the reported ordering's for an ensemble. */
function networkOf(a: LandscapeAnalysis, ion: string) {
  const of = a.ensemble?.length ? ' of the reported ordering' : a.structure.hasPartialOccupancy ? ', mean field' : '';
  return sceneNetwork(a.structure, ion, `Voronoi, ${ion}-free framework${of}`);
}

export function registerHostMethods(endpoint: Endpoint<ExtensionMethods, HostMethods>): void {
  const startedAt = Date.now();
  endpoint.handle('ping', () => ({ pid: process.pid, threadId, startedAt }));
  endpoint.handle('analyzeDocument', ({ text, format, block }) => analyzeDocument(text, format, block));
  endpoint.handle('info', ({ text, format, block }) => {
    const r = readStructure(text, { format, block });
    return { ok: r.structure !== null, summary: r.structure ? summarise(r.structure, r.messages) : null, messages: r.messages };
  });
  endpoint.handle('landscape', async ({ text, options, withGrid }, ctx) => {
    const { analysis, ...result } = await landscapeOf(text, options, { signal: ctx.signal, onProgress: (f) => ctx.progress(f) });
    if (!withGrid || !analysis) return { result, grid: null };
    const g = analysis.grid;
    if (!g) return { result, grid: null };
    const data = new Float32Array(g.data.length);
    for (let i = 0; i < data.length; i++) data[i] = g.data[i] - g.min;
    ctx.transfer([data.buffer as ArrayBuffer]);
    return { result, grid: { shape: g.shape, data, lattice: g.lattice, source: g.source } };
  });
  endpoint.handle('exportLandscape', async ({ text, options, format }, ctx) => {
    const { analysis, ...result } = await landscapeOf(text, options, { signal: ctx.signal, onProgress: (f) => ctx.progress(f) });
    if (!analysis) return { ok: false, content: null, error: result.error };
    if (format === 'json') return { ok: true, content: JSON.stringify(result.report, null, 2), error: null };
    if (!analysis.grid) return { ok: false, content: null, error: `${analysis.report.source.label} gives barriers, not an energy grid: there is no volumetric file to write` };
    const content = format === 'cube' ? writeCube(analysis.grid, analysis.structure, { title: gridTitle(analysis) }) : writeGrd(analysis.grid, { title: gridTitle(analysis) });
    return { ok: true, content, error: null };
  });
  endpoint.handle('scene', async ({ text, options, network: withNetwork }, ctx) => {
    const ion = options.ion ?? 'Li';
    const { analysis, ...result } = await landscapeOf(text, options, { signal: ctx.signal, onProgress: (f) => ctx.progress(f) });
    if (analysis) {
      // The level map is kept for the next request of this scene: sent as a copy, not transferred.
      const landscape = sceneLandscape(analysis);
      if (landscape) ctx.transfer([landscape.data.buffer as ArrayBuffer]);
      const ensemble = sceneEnsemble(analysis, ion);
      const network = withNetwork === false ? undefined : networkOf(analysis, ion);
      return { structure: sceneStructure(analysis.structure, ion), landscape, path: scenePath(analysis), source: { method: analysis.report.source.method, label: analysis.report.source.label }, result, messages: result.messages, network, ensemble };
    }
    // No landscape (bad input, missing parameters): still show the structure when it builds.
    const built = readStructure(text, { format: options.format, block: options.block, mobileIon: options.ion });
    if (!built.structure) return { structure: null, landscape: null, path: null, source: null, result: null, messages: built.messages };
    return { structure: sceneStructure(built.structure, ion), landscape: null, path: null, source: null, result, messages: built.messages };
  });
  endpoint.handle('sceneNetwork', async ({ text, options }, ctx) => {
    const { analysis } = await landscapeOf(text, options, { signal: ctx.signal, onProgress: (f) => ctx.progress(f) });
    return { network: analysis ? networkOf(analysis, options.ion ?? 'Li') : null };
  });
  endpoint.handle('exportAnalysis', async ({ text, options, kind, ordering, images }, ctx) => {
    const { analysis, ...result } = await landscapeOf(text, options, { signal: ctx.signal, onProgress: (f) => ctx.progress(f) });
    if (!analysis) return { ok: false, files: [], error: result.error };
    try {
      return { ok: true, files: exportFiles(analysis, kind, { ordering, images, extra: { structureMessages: result.messages } }), error: null };
    } catch (e) {
      if (e instanceof ExportError) return { ok: false, files: [], error: e.message };
      throw e;
    }
  });
  endpoint.handle('estimateScan', ({ text, options }) => {
    const none = { ok: false, structures: 0, evaluations: 0, atoms: 0, seconds: 0 };
    const built = readStructure(text, { format: options.format, block: options.block, mobileIon: options.ion });
    if (!built.structure) return { ...none, error: built.messages.find((m) => m.severity === 'error')?.message ?? 'the structure could not be read' };
    try {
      // A disordered structure with `disorder: approximants` is scanned once per distinct framework of its orderings;
      // a user's model without the frozen-framework pair beside it goes the slower whole-cell way.
      const scan = mlipScanOptionsOf(normaliseOptions({ ...options, method: 'mlip' }));
      const wholeCell = frozenGraphsSha256(resolveModelPath(scan.session?.modelPath)) === null;
      const scans = structuresToAnalyse(built.structure, options).map((s) => estimateFrozenFrameworkScan(s, scan, availableParallelism(), wholeCell));
      return {
        ok: true, structures: scans.length, evaluations: scans.reduce((a, e) => a + e.evaluations, 0),
        atoms: Math.max(...scans.map((e) => e.atoms)), seconds: scans.reduce((a, e) => a + e.seconds, 0), error: null,
      };
    } catch (e) {
      return { ...none, error: e instanceof Error ? e.message : String(e) };
    }
  });
  endpoint.handle('spin', ({ ms }) => {
    const until = Date.now() + ms;
    while (Date.now() < until) { /* deliberately blocking */ }
    return null;
  });
}
