/**
 * The options that change the numbers, as every CLI command that computes takes them (analyze, rank, a sharded
 * rank, slurm): declared once for the strict parser, read into `AnalysisOptions` once, and checked by the analysis's
 * own `optionProblems`, so a value refused in the editor's settings is refused here in the same words.
 */
import { resolve } from 'node:path';
import { optionProblems, parseOxidationStates, type AnalysisOptions } from '../analysis/options';
import type { MethodId } from '../energy/source';
import type { CommandSpec, ParsedCommand } from './args';

/** A bad option value found after parsing (exit status 2, like the parser's own errors). */
export class UsageError extends Error {}

export const ANALYSIS_OPTIONS: CommandSpec['options'] = {
  '--method': { kind: 'enum', values: ['bvse', 'mlip', 'gcn', 'analytic'], help: 'energy source (default bvse)' },
  '--ion': { kind: 'string', help: 'mobile element (default Li)' }, // checked by optionProblems, as the setting is
  '--ion-charge': { kind: 'integer', min: 1, max: 4, help: 'its charge (default its usual one: Li 1, Mg 2, Al 3)' },
  '--resolution': { kind: 'number', min: 0.05, max: 2, help: 'BVSE grid spacing in Å (default 0.2)' },
  '--mode': { kind: 'enum', values: ['spse', 'bvlain'], help: 'BVSE convention (default spse)' },
  '--disorder': { kind: 'enum', values: ['mean-field', 'approximants'], help: 'partial occupancy treatment (default mean-field)' },
  '--cell': { kind: 'enum', values: ['primitive-standardized', 'as-given'], help: 'potential scan: cell (default primitive-standardized)' },
  '--variant': { kind: 'enum', values: ['other-li-kept', 'empty-framework'], help: 'potential scan: other Li (default other-li-kept)' },
  '--model': { kind: 'string', help: 'model file (.onnx) instead of the bundled one' },
  '--max-barrier': { kind: 'number', min: 0.01, max: 1000, help: 'report barriers above this (eV) as none' },
  '--oxidation-states': { kind: 'string', help: "oxidation states by element, replacing the file's or the guessed ones (e.g. Li=1,Fe=2,P=5,O=-2, or Li+1,Fe+2,P+5,O-2)" },
};

/** The analysis options of a parsed command line; throws UsageError naming every bad value. */
export function analysisOptionsOf(p: ParsedCommand, method?: MethodId): AnalysisOptions {
  const v = p.values;
  const o: AnalysisOptions = { method: method ?? (v['--method'] as MethodId | undefined) };
  if (v['--ion'] !== undefined) o.ion = v['--ion'] as string;
  if (v['--ion-charge'] !== undefined) o.ionCharge = v['--ion-charge'] as number;
  if (v['--resolution'] !== undefined) o.resolution = v['--resolution'] as number;
  if (v['--mode'] !== undefined) o.mode = v['--mode'] as AnalysisOptions['mode'];
  if (v['--disorder'] !== undefined) o.disorder = v['--disorder'] as AnalysisOptions['disorder'];
  if (v['--cell'] !== undefined) o.cell = v['--cell'] as AnalysisOptions['cell'];
  if (v['--variant'] !== undefined) o.variant = v['--variant'] as AnalysisOptions['variant'];
  if (v['--model'] !== undefined) o.modelPath = resolve(v['--model'] as string);
  if (v['--max-barrier'] !== undefined) o.maxBarrier = v['--max-barrier'] as number;
  if (v['--oxidation-states'] !== undefined) {
    const parsed = parseOxidationStates(v['--oxidation-states'] as string);
    if (parsed.problem !== null) throw new UsageError(parsed.problem);
    o.oxidationStates = parsed.states;
  }
  const problems = optionProblems(o);
  if (problems.length) throw new UsageError(problems.join('; '));
  return o;
}

/** The methods that read each method-specific flag (energy/registry.ts); every other flag is read by all. */
const READ_BY: Partial<Record<keyof typeof ANALYSIS_OPTIONS & string, readonly MethodId[]>> = {
  '--resolution': ['bvse', 'analytic'], // the potential scan lays its own grid (energy/mlip/scan.ts); the GCN has none
  '--mode': ['bvse'],
  '--cell': ['mlip'],
  '--variant': ['mlip'],
  '--model': ['mlip', 'gcn'],
  '--max-barrier': ['bvse', 'mlip', 'analytic'], // a grid's percolation; the GCN predicts its barriers
};

/** A warning for each flag given that the method does not read: it changes nothing, and should not seem to. */
export function unreadFlagWarnings(p: ParsedCommand, method: MethodId): string[] {
  return Object.entries(READ_BY)
    .filter(([flag, methods]) => p.values[flag] !== undefined && !methods!.includes(method))
    .map(([flag, methods]) => `warning: ${flag} does not apply to --method ${method} (only to ${methods!.join(', ')}); ignored`);
}

/**
 * The analysis flags as given, for a command line written elsewhere (the Slurm script's shards): every one but
 * `--method`, which the script writes itself, with a model path made absolute.
 */
export function analysisFlagsAsGiven(p: ParsedCommand): string[] {
  return Object.keys(ANALYSIS_OPTIONS).filter((k) => k !== '--method' && p.values[k] !== undefined)
    .flatMap((k) => [k, k === '--model' ? resolve(String(p.values[k])) : String(p.values[k])]);
}
