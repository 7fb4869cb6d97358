/**
 * The options of one analysis, their defaults and their checks: the one place the CLI, the host, the ranking and the
 * extension's typed configuration take them from. Only options that change the numbers belong here (they are part of
 * the cache key); `normaliseOptions` keeps exactly those that the chosen method reads, so a BVSE result is not
 * invalidated by a potential-scan setting.
 */
import type { MethodId } from '../energy/source';
import type { StructureFormat } from '../structure/read';
import { METHOD_IDS } from '../energy/source';
import { notRegularFile } from '../util/readInput';
import { atomicNumber } from '../structure/elements';

export type BvseConvention = 'spse' | 'bvlain';
export type DisorderTreatment = 'mean-field' | 'approximants';
export type ScanCell = 'primitive-standardized' | 'as-given';
export type ScanVariant = 'other-li-kept' | 'empty-framework';

export interface AnalysisOptions {
  /** The input's format (from its file name); absent: recognised by content (structure/read.ts). */
  format?: StructureFormat;
  /** CIF data block to analyse; absent: the first block with atom sites. */
  block?: string;
  /** Which energy source: 'bvse' (default), 'mlip' (TensorNet-MatPES scan), 'gcn' (interstitial-network GCN). */
  method?: MethodId;
  /** Mobile element, default 'Li'. */
  ion?: string;
  /** Its charge; default its usual one (MOBILE_ION_CHARGES), e.g. Mg 2, Al 3. */
  ionCharge?: number;
  /** BVSE grid spacing (Å), default 0.2. */
  resolution?: number;
  /** BVSE convention: 'spse' (default) or 'bvlain' (for side-by-side comparison). */
  mode?: BvseConvention;
  /** Oxidation states by element that replace the CIF's or the guessed ones. */
  oxidationStates?: Record<string, number>;
  /** Barriers above this are reported as none (eV); default none. */
  maxBarrier?: number;
  /** Partially occupied crystals: mean field (default) or ordered approximants. */
  disorder?: DisorderTreatment;
  /** Potential scan: which cell and which variant (SCIENCE.md §6), and the model file. */
  cell?: ScanCell;
  variant?: ScanVariant;
  modelPath?: string;
  /**
   * Previews: a partially occupied structure that this method would first have to order (a method without a mean
   * field) is answered at once with a located 'disordered-structure' error instead. The ordering search costs more
   * than BVSE's mean field, which is then the first number shown.
   */
  orderedOnly?: boolean;
  /** Test source only: the analytic landscape's barriers along a, b, c (eV). */
  analyticBarriers?: [number, number, number];
}

export type NormalisedOptions = AnalysisOptions & Required<Pick<AnalysisOptions, 'method' | 'ion' | 'ionCharge'>>;

export const DEFAULT_METHOD: MethodId = 'bvse';
export const DEFAULT_ION = 'Li';
export const DEFAULT_RESOLUTION_A = 0.2;
export const MIN_RESOLUTION_A = 0.05;
export const MAX_RESOLUTION_A = 2;

/** The usual charge of each mobile ion softBV has parameters for; anything else must be given explicitly. */
export const MOBILE_ION_CHARGES: Readonly<Record<string, number>> = {
  Li: 1, Na: 1, K: 1, Rb: 1, Cs: 1, Ag: 1, Cu: 1, H: 1,
  Mg: 2, Ca: 2, Zn: 2, Sr: 2, Ba: 2,
  Al: 3, Y: 3, Sc: 3,
};

/** Time limits per method (ms): a request that runs longer has its host restarted. */
export const METHOD_TIME_LIMIT_MS: Readonly<Record<MethodId, number>> = {
  bvse: 120_000,
  analytic: 60_000,
  gcn: 60_000,
  mlip: 3_600_000,
};

export function mobileIonCharge(ion: string, given?: number): number {
  return given ?? MOBILE_ION_CHARGES[ion] ?? 1;
}

/** Defaults filled in, and only the options the method reads kept (stable cache keys). */
export function normaliseOptions(o: AnalysisOptions): NormalisedOptions {
  const method = o.method ?? DEFAULT_METHOD;
  const ion = o.ion ?? DEFAULT_ION;
  const n: NormalisedOptions = { method, ion, ionCharge: mobileIonCharge(ion, o.ionCharge) };
  // What is read is part of every method's input (job.ts resolves an absent format from the text for the key).
  if (o.format) n.format = o.format;
  if (o.block) n.block = o.block;
  if (o.oxidationStates && Object.keys(o.oxidationStates).length) n.oxidationStates = o.oxidationStates;
  if (o.disorder && o.disorder !== 'mean-field') n.disorder = o.disorder;
  if (o.orderedOnly) n.orderedOnly = true;
  if (method === 'bvse' || method === 'gcn') {
    // The GCN's node features include the BVSE energy at each interstice, so it reads the BVSE settings too.
    n.resolution = o.resolution ?? DEFAULT_RESOLUTION_A;
    n.mode = o.mode ?? 'spse';
    if (o.maxBarrier !== undefined && Number.isFinite(o.maxBarrier)) n.maxBarrier = o.maxBarrier;
  }
  if (method === 'mlip') {
    n.cell = o.cell ?? 'primitive-standardized';
    n.variant = o.variant ?? 'other-li-kept';
    if (o.modelPath) n.modelPath = o.modelPath;
  }
  if (method === 'gcn' && o.modelPath) n.modelPath = o.modelPath;
  if (method === 'analytic') n.analyticBarriers = o.analyticBarriers ?? [0.3, 0.8, 1.5];
  return n;
}

/** Every problem with a set of options, as sentences naming the option and what is allowed (empty: fine). */
export function optionProblems(o: AnalysisOptions): string[] {
  const problems: string[] = [];
  if (o.format !== undefined && o.format !== 'cif' && o.format !== 'poscar' && o.format !== 'xyz') problems.push(`format '${o.format}' is not one of cif, poscar, xyz`);
  if (o.block !== undefined && (typeof o.block !== 'string' || !o.block.trim() || /\s/.test(o.block))) problems.push(`data block name '${o.block}' must be one word (the text after data_)`);
  if (o.method !== undefined && !METHOD_IDS.includes(o.method)) problems.push(`method '${o.method}' is not one of ${METHOD_IDS.filter((m) => m !== 'analytic').join(', ')}`);
  if (o.ion !== undefined && !(typeof o.ion === 'string' && /^[A-Z][a-z]?$/.test(o.ion) && atomicNumber(o.ion) > 0)) {
    // 'li', 'LI': the symbol in another case, named rather than guessed.
    const cased = typeof o.ion === 'string' && /^[a-z]{1,2}$/i.test(o.ion) ? o.ion[0].toUpperCase() + o.ion.slice(1).toLowerCase() : null;
    problems.push(`ion '${o.ion}' is not an element symbol (e.g. Li, Na, Mg)${cased && atomicNumber(cased) > 0 ? `; did you mean ${cased}?` : ''}`);
  }
  if (o.ionCharge !== undefined && !(Number.isInteger(o.ionCharge) && o.ionCharge > 0 && o.ionCharge <= 4)) problems.push(`ion charge ${o.ionCharge} must be an integer from 1 to 4`);
  // Types too: options arrive from settings files and messages, where "0.2" (a string) would pass a range check.
  if (o.resolution !== undefined && !(typeof o.resolution === 'number' && o.resolution >= MIN_RESOLUTION_A && o.resolution <= MAX_RESOLUTION_A)) {
    problems.push(`resolution ${o.resolution} Å is outside ${MIN_RESOLUTION_A}–${MAX_RESOLUTION_A} Å`);
  }
  if (o.mode !== undefined && o.mode !== 'spse' && o.mode !== 'bvlain') problems.push(`mode '${o.mode}' is not one of spse, bvlain`);
  if (o.disorder !== undefined && o.disorder !== 'mean-field' && o.disorder !== 'approximants') problems.push(`disorder '${o.disorder}' is not one of mean-field, approximants`);
  if (o.cell !== undefined && o.cell !== 'primitive-standardized' && o.cell !== 'as-given') problems.push(`cell '${o.cell}' is not one of primitive-standardized, as-given`);
  if (o.variant !== undefined && o.variant !== 'other-li-kept' && o.variant !== 'empty-framework') problems.push(`variant '${o.variant}' is not one of other-li-kept, empty-framework`);
  if (o.maxBarrier !== undefined && !(typeof o.maxBarrier === 'number' && o.maxBarrier > 0)) problems.push(`max barrier ${o.maxBarrier} eV must be a positive number`);
  if (o.modelPath !== undefined && typeof o.modelPath !== 'string') problems.push(`model path ${JSON.stringify(o.modelPath)} must be a file path`);
  if (o.oxidationStates !== undefined && (typeof o.oxidationStates !== 'object' || o.oxidationStates === null || Array.isArray(o.oxidationStates))) problems.push('oxidation states must be given by element, e.g. { Li: 1, O: -2 }');
  for (const [element, q] of Object.entries(typeof o.oxidationStates === 'object' && o.oxidationStates ? o.oxidationStates : {})) {
    if (!(atomicNumber(element) > 0)) problems.push(`oxidation state given for '${element}', which is not an element symbol`);
    else if (!(Number.isInteger(q) && q !== 0 && q >= -4 && q <= 8)) problems.push(`oxidation state ${q} of ${element} must be a nonzero integer from -4 to 8`);
  }
  // A model path that names a FIFO or a device would block the read that hashes it (a missing file is said later).
  const special = typeof o.modelPath === 'string' ? notRegularFile(o.modelPath) : null;
  if (special) problems.push(`model file ${special}`);
  if (o.analyticBarriers !== undefined && !(o.analyticBarriers.length === 3 && o.analyticBarriers.every((b) => b > 0 && Number.isFinite(b)))) problems.push('analytic barriers must be three positive numbers (eV)');
  return problems;
}

/**
 * Oxidation states as the command line gives them, `Li=1,Fe=2,P=5,O=-2` (a `+` sign is allowed; `Li+1,O-2` and
 * `Li+,O2-` are read too, the forms ionpath prints and CIF type symbols use), checked by
 * `optionProblems` afterwards; a malformed entry is a problem naming it.
 */
export function parseOxidationStates(text: string): { states: Record<string, number>; problem: null } | { states: null; problem: string } {
  const states: Record<string, number> = {};
  for (const entry of text.split(',').map((x) => x.trim())) {
    // Element=charge, or a charged symbol as ionpath prints it (Li+1, O-2) or as a CIF type symbol writes it (O2-).
    const m = /^([A-Za-z]{1,2})\s*=\s*([+-]?\d+)$/.exec(entry) ?? /^([A-Za-z]{1,2})([+-]\d+)$/.exec(entry);
    const typed = m ? null : /^([A-Za-z]{1,2})(\d*)([+-])$/.exec(entry);
    if (!m && !typed) return { states: null, problem: `oxidation states '${text}': '${entry}' is not Element=charge (e.g. Li=1,Fe=2,P=5,O=-2; Li+1 and O2- are read too)` };
    const element = (m ?? typed)![1];
    if (states[element] !== undefined) return { states: null, problem: `oxidation states '${text}': ${element} is given twice` };
    states[element] = m ? Number(m[2]) : (typed![3] === '-' ? -1 : 1) * Number(typed![2] || 1);
  }
  return { states, problem: null };
}
