/**
 * CIF text → landscape result, as one serialisable job for the host, the CLI and the ranking.
 * Bad input is an answer (`ok: false` with located messages), never an exception.
 */
import { createHash } from 'node:crypto';
import { buildStructure } from '../structure/build';
import type { StructureMessage } from '../structure/types';
import { analyzeLandscape, analyzeLandscapeSync, type AnalyzeOptions, type LandscapeAnalysis } from './pipeline';
import type { LandscapeReport } from './report';
import { isAbortError, LandscapeError } from '../util/errors';
import type { WorkHooks } from '../util/work';

/** The options a user can set; everything else is fixed by the method. */
export interface LandscapeJobOptions {
  ion?: string;
  ionCharge?: number;
  resolution?: number;
  mode?: 'spse' | 'bvlain';
  /** Oxidation states by element that replace the CIF's or the guessed ones (e.g. to match another tool). */
  oxidationStates?: Record<string, number>;
  /** Barriers above this are reported as none (eV); default none. BVlain searches up to 5 eV. */
  maxBarrier?: number;
}

export interface LandscapeJobResult {
  ok: boolean;
  /** sha256 of the CIF text and the options: the cache key. */
  key: string;
  formula: string | null;
  report: LandscapeReport | null;
  /** Structure messages (warnings about the CIF) and, when !ok, the reason. */
  messages: StructureMessage[];
  error: string | null;
}

export function landscapeJobKey(text: string, options: LandscapeJobOptions): string {
  return createHash('sha256').update(JSON.stringify(normaliseOptions(options))).update('\0').update(text).digest('hex');
}

export function normaliseOptions(o: LandscapeJobOptions): LandscapeJobOptions & Required<Pick<LandscapeJobOptions, 'ion' | 'ionCharge' | 'resolution' | 'mode'>> {
  const n: LandscapeJobOptions & Required<Pick<LandscapeJobOptions, 'ion' | 'ionCharge' | 'resolution' | 'mode'>> = { ion: o.ion ?? 'Li', ionCharge: o.ionCharge ?? 1, resolution: o.resolution ?? 0.2, mode: o.mode ?? 'spse' };
  if (o.oxidationStates) n.oxidationStates = o.oxidationStates;
  if (o.maxBarrier !== undefined) n.maxBarrier = o.maxBarrier;
  return n;
}

type JobOutcome = LandscapeJobResult & { analysis: LandscapeAnalysis | null };
type Built = NonNullable<ReturnType<typeof buildStructure>['structure']>;

/** Build the structure; a CIF that cannot be built is already the final answer. */
function prepare(text: string, options: LandscapeJobOptions) {
  const key = landscapeJobKey(text, options);
  const built = buildStructure(text);
  const failed = (error: string): JobOutcome => ({ ok: false, key, formula: built.structure?.formula ?? null, report: null, messages: built.messages, error, analysis: null });
  const done = (analysis: LandscapeAnalysis): JobOutcome => ({ ok: true, key, formula: analysis.report.structure.formula, report: analysis.report, messages: built.messages, error: null, analysis });
  const onError = (e: unknown): JobOutcome => {
    if (isAbortError(e)) throw e; // cancellation is not a result
    return failed(e instanceof LandscapeError || e instanceof Error ? e.message : String(e));
  };
  if (!built.structure) {
    const first = built.messages.find((m) => m.severity === 'error');
    return { early: failed(first ? `${first.message}${first.at ? ` (line ${first.at.line + 1})` : ''}` : 'the structure could not be built') };
  }
  const structure = built.structure as Built;
  if (options.oxidationStates) {
    const given = options.oxidationStates;
    // Elements the caller left out keep the CIF's (or the guessed) states, said in a message; an element
    // with no state at all is an error naming it.
    const missing = Object.keys(structure.composition).filter((e) => given[e] === undefined);
    const unknown = missing.filter((e) => structure.sites.some((s) => s.species.some((sp) => sp.element === e && sp.oxidation === null)));
    if (unknown.length) return { early: failed(`oxidation states given for ${Object.keys(given).join(', ')} but not for ${unknown.join(', ')}, and the CIF gives none for ${unknown.length > 1 ? 'them' : 'it'}`) };
    for (const site of structure.sites) for (const sp of site.species) if (given[sp.element] !== undefined) { sp.oxidation = given[sp.element]; sp.oxidationSource = 'cif'; }
    if (missing.length) {
      const kept = missing.map((e) => { const sp = structure.sites.flatMap((s) => s.species).find((x) => x.element === e)!; return `${e}${sp.oxidation! > 0 ? '+' : ''}${sp.oxidation}${sp.oxidationSource === 'guessed' ? ' (guessed)' : ''}`; });
      built.messages.push({ severity: 'warning', code: 'oxidation-partly-given', message: `oxidation states were given for ${Object.keys(given).join(', ')} only; kept ${kept.join(', ')}` });
    }
    structure.oxidationSource = structure.sites.every((s) => s.species.every((sp) => sp.oxidationSource === 'cif')) ? 'cif' : 'mixed';
    built.messages.push({ severity: 'info', code: 'oxidation-given', message: `oxidation states set by the caller: ${Object.entries(given).map(([e, q]) => `${e}${q > 0 ? '+' : ''}${q}`).join(', ')}` });
  }
  return { structure, options: normaliseOptions(options) as AnalyzeOptions, done, onError };
}

/** Build and analyse, yielding to the event loop so a cancel can get through (worker thread). */
export async function runLandscapeJob(text: string, options: LandscapeJobOptions, hooks: WorkHooks = {}): Promise<JobOutcome> {
  const p = prepare(text, options);
  if (p.early) return p.early;
  try { return p.done(await analyzeLandscape(p.structure, p.options, hooks)); } catch (e) { return p.onError(e); }
}

/** The same on the calling thread (CLI, tests, benchmarks). */
export function runLandscapeJobSync(text: string, options: LandscapeJobOptions, hooks: WorkHooks = {}): JobOutcome {
  const p = prepare(text, options);
  if (p.early) return p.early;
  try { return p.done(analyzeLandscapeSync(p.structure, p.options, hooks)); } catch (e) { return p.onError(e); }
}
