/**
 * Structure text + options → analysis result, as one serialisable job for the host, the CLI and the ranking.
 * Bad input is an answer (`ok: false` with located messages and a failure that keeps its code and location),
 * never an exception; only cancellation (CancelledError) is thrown.
 *
 * The cache key is the one key of a job everywhere (editor, ranking cache, host): sha256 over the schema, RESULTS_VERSION, the
 * normalised options (only those the method reads), the input's format (given, or recognised from the text) and
 * data block, the source's identity (method, model file hash) and the text.
 */
import { createHash } from 'node:crypto';
import { formatOfText, readStructure } from '../structure/read';
import type { Structure, StructureMessage } from '../structure/types';
import { analyzeLandscape, analyzeLandscapeSync, guessedOxidationWarning, noIonWarning, type LandscapeAnalysis } from './pipeline';
import type { LandscapeReport } from './report';
import { REPORT_SCHEMA } from './report';
import { normaliseOptions, optionProblems, type AnalysisOptions } from './options';
import { stableStringify } from '../energy/source';
import { isAbortError, LandscapeError, type LandscapeErrorLocation } from '../util/errors';
import type { WorkHooks } from '../util/work';
import { modelFingerprint } from '../energy/models';
import { implausibleGeometryMessages } from '../structure/bondValence';
import { reducedCellOf } from '../structure/reduce';
import { chargeImbalanceSentence, COMMON_OXIDATION_STATES, unbalancedNetCharge } from '../structure/elements';

/** Why a job gave no numbers: a stable code, the sentence, and where in the input (1-based line). */
export interface JobFailure {
  code: string;
  message: string;
  at?: LandscapeErrorLocation;
  /** 'input': the file or options (the editor already shows these as diagnostics); 'method': the computation. */
  stage?: 'input' | 'method';
}

export interface LandscapeJobResult {
  ok: boolean;
  /** The cache key (see the module comment). */
  key: string;
  formula: string | null;
  report: LandscapeReport | null;
  /** Structure messages (warnings about the CIF) and, when !ok, the reason. */
  messages: StructureMessage[];
  /**
   * The part of `messages` that the computation adds, not the reader: what an ordering decided, the sites the mean
   * field opened, a probe charge that differs from the file's. The editor shows these at their rows (the reader's
   * own it finds itself, from the document).
   */
  computedMessages?: StructureMessage[];
  /** The reason in one sentence (null when ok); `failure` has its code and location. */
  error: string | null;
  failure: JobFailure | null;
}

/** Kept for callers that name the options by their job. */
export type LandscapeJobOptions = AnalysisOptions;

/**
 * Bumped whenever a change alters what a job returns for the same input and options (a number, a warning, a report
 * field), so that a ranking cache or shard journal written by an older ionpath is not served as today's result.
 * 2: the bond-valence geometry check and the 'mobile-ion-removed' disorder treatment.
 * 3: the GCN's BVSE inputs on a partially occupied CIF come from the CIF's mean field (gcn/model.ts).
 * 4: warnings said once (no Li, the mean field's opened sites), partial-occupancy messages true for every method.
 * 5: no number from a file read with errors; an unbalanced framework's missing oxidation state says why; a warning
 *    where the file gives the mobile ion another charge than the probe's.
 * 6: a cell given in a skewed basis is analysed in its reduced cell; POSCAR/XYZ cells meet the CIF's limits; a grid
 *    coarser than 0.3 Å is said; guessed or given oxidation states that leave the cell charged say by how much; an
 *    unknown space group, a contradicted multiplicity or a POSCAR position beyond its counts is an error.
 * 7: symmetry operations that do not keep the cell's lengths and angles are an error (another lattice) or a warning;
 *    a stated formula the sites contradict is warned about; an occupancy 1.02(1) is a full site, not an error; a
 *    vacancy row ('Va') is skipped instead of read as vanadium.
 */
export const RESULTS_VERSION = 7;

export function landscapeJobKey(text: string, options: AnalysisOptions): string {
  const o = normaliseOptions(options);
  // The same text read as another format is another input.
  const read = { ...o, format: o.format ?? formatOfText(text) };
  return createHash('sha256')
    .update(REPORT_SCHEMA).update('\0')
    .update(`results ${RESULTS_VERSION}`).update('\0')
    .update(stableStringify(read)).update('\0')
    .update(modelFingerprint(o)).update('\0')
    .update(text)
    .digest('hex');
}

type JobOutcome = LandscapeJobResult & { analysis: LandscapeAnalysis | null };

/** Apply caller-given oxidation states (elements left out keep the CIF's or the guessed ones, said in a message). */
function applyOxidationStates(structure: Structure, given: Record<string, number>, messages: StructureMessage[]): string | null {
  const missing = Object.keys(structure.composition).filter((e) => given[e] === undefined);
  const absent = Object.keys(given).filter((e) => structure.composition[e] === undefined);
  if (absent.length) messages.push({ severity: 'info', code: 'oxidation-given', message: `oxidation state${absent.length > 1 ? 's' : ''} given for ${absent.join(', ')}, which this structure does not contain` });
  const unknown = missing.filter((e) => structure.sites.some((s) => s.species.some((sp) => sp.element === e && sp.oxidation === null)));
  if (unknown.length) return `oxidation states given for ${Object.keys(given).join(', ')} but not for ${unknown.join(', ')}, and the CIF gives none for ${unknown.length > 1 ? 'them' : 'it'}`;
  // The cell's sites are what the analysis reads; the CIF rows (asymmetricSites) are what summaries and hovers show.
  for (const site of [...structure.sites, ...structure.asymmetricSites]) for (const sp of site.species) if (given[sp.element] !== undefined) { sp.oxidation = given[sp.element]; sp.oxidationSource = 'cif'; }
  if (missing.length) {
    const kept = missing.map((e) => { const sp = structure.sites.flatMap((s) => s.species).find((x) => x.element === e)!; return `${e}${sp.oxidation! > 0 ? '+' : ''}${sp.oxidation}${sp.oxidationSource === 'guessed' ? ' (guessed)' : ''}`; });
    messages.push({ severity: 'warning', code: 'oxidation-partly-given', message: `oxidation states were given for ${Object.keys(given).join(', ')} only; kept ${kept.join(', ')}` });
  }
  structure.oxidationSource = structure.sites.every((s) => s.species.every((sp) => sp.oxidationSource === 'cif')) ? 'cif' : 'mixed';
  // Bond-valence sums depend on the states: judge the geometry again with the given ones. The reader's sentences
  // about states it could not find, or guessed, no longer hold: its guess named states now replaced (U+4 where U+5
  // was given), and what is kept of it is said above ("kept O-2 (guessed)").
  const stale = new Set(['implausible-geometry', 'oxidation-unassigned', 'charge-imbalance', 'oxidation-guessed']);
  for (const list of [messages, structure.messages]) {
    const kept = list.filter((m) => !stale.has(m.code));
    list.splice(0, list.length, ...kept);
  }
  // The balance is judged again too, as the reader judges the file's states.
  const net = unbalancedNetCharge(structure.sites.flatMap((s) => s.species));
  if (net !== null) {
    const imbalance: StructureMessage = { severity: 'warning', code: 'charge-imbalance', message: chargeImbalanceSentence(structure.sites.flatMap((s) => s.species), 'the oxidation states') };
    messages.push(imbalance);
    structure.messages.push(imbalance);
  }
  const geometry = implausibleGeometryMessages(structure);
  messages.push(...geometry);
  structure.messages.push(...geometry);
  messages.push({ severity: 'info', code: 'oxidation-given', message: `oxidation states set by the caller: ${Object.entries(given).map(([e, q]) => `${e}${q > 0 ? '+' : ''}${q}`).join(', ')}` });
  return null;
}

/**
 * The probe carries the ion's charge from the options (its usual one by default), never the file's: where the file
 * gives the mobile ion another state (Li+9, Mg+1 probed as Mg+2) the landscape is not of the ion the file describes.
 */
function mobileIonChargeMessages(structure: Structure, o: { ion: string; ionCharge: number }, givenByCaller: boolean): StructureMessage[] {
  const out: StructureMessage[] = [];
  const said = new Set<number>();
  // The cell's sites carry the states the analysis reads (the caller's included); each CIF row is said once.
  for (const cellSite of structure.sites) {
    const stated = cellSite.species.find((sp) => sp.element === o.ion && sp.oxidationSource === 'cif' && sp.oxidation !== null && sp.oxidation !== o.ionCharge);
    if (!stated || said.has(cellSite.asymmetricIndex)) continue;
    said.add(cellSite.asymmetricIndex);
    const site = structure.asymmetricSites[cellSite.asymmetricIndex] ?? { label: stated.label, line: -1, column: 0 };
    const q = (x: number) => `${o.ion}${x > 0 ? '+' : ''}${x}`;
    out.push({
      severity: 'warning', code: 'mobile-ion-charge',
      message: `site ${site.label}: ${givenByCaller ? 'the oxidation states given say' : 'the file gives'} ${q(stated.oxidation!)}, but the landscape is that of a ${q(o.ionCharge)} probe (--ion-charge, or the ion's usual charge)`,
      at: site.line >= 0 ? { line: site.line, column: site.column, length: Math.max(1, site.label.length) } : undefined,
    });
  }
  return out;
}

/**
 * Why a site has no oxidation state when the file gives none: no charge-balanced assignment of common states exists
 * (an intermetallic, an unusual valence), which the site's error alone does not say; and how to give them.
 */
function missingOxidationReason(e: LandscapeError, messages: StructureMessage[], structure: Structure): string {
  if (e.code !== 'missing-oxidation' || !messages.some((m) => m.code === 'oxidation-unassigned')) return '';
  // No element that is commonly an anion (Mg, Pd, Au…): an alloy, where bond valence has nothing to describe.
  const elements = new Set(structure.sites.flatMap((s) => s.species.map((sp) => sp.element)));
  const intermetallic = ![...elements].some((el) => (COMMON_OXIDATION_STATES[el] ?? []).some((q) => q < 0));
  const why = intermetallic
    ? ` The file gives no oxidation states, and ${structure.formula} has no element that is commonly an anion: it looks like an intermetallic or an alloy, and BVSE, a model of ionic crystals, has no landscape for it. If it is ionic, state the oxidation states`
    : ` The file gives no oxidation states and ${structure.formula} has no charge-balanced assignment of common ones; state them`;
  return `${why} in a CIF's _atom_type loop (_atom_type_oxidation_number) or with the command line's --oxidation-states (e.g. Li=1,Fe=2,P=5,O=-2).`;
}

/**
 * Facts that both the report (pipeline.ts, every method) and the structure's messages state: one sentence each beside
 * the number (CLI, ranking rows, hover). Guessed oxidation states: the report takes the structure's sentence, which
 * names the states. No mobile ion: the report's sentence says what is computed instead. The editor's diagnostics come
 * from the language service's own reading of the file, so they keep both at their rows.
 */
function sayOnce(report: LandscapeReport, messages: StructureMessage[], ion: string): void {
  const oxidation = messages.findIndex((m) => m.code === 'oxidation-guessed');
  const generic = report.warnings.findIndex((w) => w === guessedOxidationWarning(false) || w === guessedOxidationWarning(true));
  if (oxidation >= 0 && generic >= 0) {
    const m = messages[oxidation].message;
    report.warnings[generic] = `${m[0].toUpperCase()}${m.slice(1)}${m.endsWith('.') ? '' : '.'} Barriers depend on them.`;
    messages.splice(oxidation, 1);
  }
  const noIon = messages.findIndex((m) => m.code === 'no-li');
  if (noIon >= 0 && report.warnings.includes(noIonWarning(ion))) messages.splice(noIon, 1);
}

/** Build the structure; a file that cannot be built, or bad options, is already the final answer. */
function prepare(text: string, options: AnalysisOptions) {
  const key = landscapeJobKey(text, options);
  const messages: StructureMessage[] = [];
  // `failure` is the located form (its message with `at` beside it); `error` stands alone, as in a ranking's reason
  // column, so it names the line itself.
  const failed = (failure: JobFailure, formula: string | null = null, error = failure.message): JobOutcome =>
    ({ ok: false, key, formula, report: null, messages, error, failure, analysis: null });
  const problems = optionProblems(options);
  if (problems.length) return { early: failed({ code: 'bad-option', message: problems.join('; ') }) };
  const built = readStructure(text, { format: options.format, block: options.block, mobileIon: options.ion });
  messages.push(...built.messages);
  // An error in the file stops the computation even when a structure could be recovered (a loop row cut short is
  // dropped, a broken symmetry operation replaced by the symbol's): a number from a file read with errors would be
  // presented as the file's. Warnings accompany the number instead.
  const errors = built.messages.filter((m) => m.severity === 'error');
  if (!built.structure || errors.length) {
    const first = errors[0];
    const at = first?.at ? { line: first.at.line + 1 } : undefined;
    const more = errors.length > 1 ? `, and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''}` : '';
    const refused = built.structure ? '; no barrier is computed from a file with errors' : '';
    const sentence = (line: string) => (first ? `${first.message}${line}${more}${refused}` : 'the structure could not be built');
    return { early: failed({ stage: 'input', code: first?.code ?? 'bad-structure', message: sentence(''), at }, built.structure?.formula ?? null, sentence(at ? ` (line ${at.line})` : '')) };
  }
  let structure = built.structure;
  if (options.oxidationStates) {
    const problem = applyOxidationStates(structure, options.oxidationStates, messages);
    if (problem) return { early: failed({ code: 'missing-oxidation', message: problem }, structure.formula) };
  }
  // A cell given in a skewed basis is analysed in its reduced cell (the same crystal, far fewer grid points).
  const reduced = reducedCellOf(structure);
  if (reduced) structure = reduced.structure;
  const reductionNote = reduced ? `${reduced.message.message[0].toUpperCase()}${reduced.message.message.slice(1)}.` : null;
  const probeCharge = mobileIonChargeMessages(structure, normaliseOptions(options), options.oxidationStates?.[normaliseOptions(options).ion] !== undefined);
  messages.push(...probeCharge);
  const done = (analysis: LandscapeAnalysis): JobOutcome => {
    sayOnce(analysis.report, messages, normaliseOptions(options).ion);
    // The report says it too: its positions, path and grids are in the reduced cell, not the file's.
    if (reductionNote && !analysis.report.warnings.includes(reductionNote)) analysis.report.warnings.unshift(reductionNote);
    const computedMessages = [...probeCharge, ...(analysis.messages ?? [])];
    return { ok: true, key, formula: analysis.report.structure.formula, report: analysis.report, messages: [...messages, ...(analysis.messages ?? [])], computedMessages, error: null, failure: null, analysis };
  };
  const onError = (e: unknown): JobOutcome => {
    if (isAbortError(e)) throw e; // cancellation is not a result
    if (e instanceof LandscapeError) return failed({ code: e.code, message: e.message + missingOxidationReason(e, messages, structure), at: e.at, stage: 'method' }, structure.formula);
    return failed({ code: 'failed', message: e instanceof Error ? e.message : String(e), stage: 'method' }, structure.formula);
  };
  return { structure, options, done, onError };
}

/** Build and analyse, yielding to the event loop so a cancel can get through (worker thread). */
export async function runLandscapeJob(text: string, options: AnalysisOptions, hooks: WorkHooks = {}): Promise<JobOutcome> {
  const p = prepare(text, options);
  if (p.early) return p.early;
  try { return p.done(await analyzeLandscape(p.structure, p.options, hooks)); } catch (e) { return p.onError(e); }
}

/** The same on the calling thread, for methods that can run synchronously (BVSE, analytic): scripts and tests. */
export function runLandscapeJobSync(text: string, options: AnalysisOptions, hooks: WorkHooks = {}): JobOutcome {
  const p = prepare(text, options);
  if (p.early) return p.early;
  try { return p.done(analyzeLandscapeSync(p.structure, p.options, hooks)); } catch (e) { return p.onError(e); }
}
