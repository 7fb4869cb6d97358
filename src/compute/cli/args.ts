/**
 * The CLI's command table in one declarative form (option → kind, range, help), parsed by the one strict parser
 * (./options.ts): an unknown option (including a misspelt one), a bad value or a missing value is an error that
 * names the option and what is allowed.
 */
import { formatHelp, OptionError, parseOptions, type CommandSpec as ParserSpec, type OptionSpec as ParserOption } from './options';

export type OptionSpec =
  | { kind: 'flag'; help: string }
  | { kind: 'string'; help: string; pattern?: RegExp }
  | { kind: 'path'; help: string }
  | { kind: 'enum'; values: readonly string[]; help: string }
  | { kind: 'number'; min: number; max: number; help: string; unit?: string }
  | { kind: 'integer'; min: number; max: number; help: string };

export interface CommandSpec {
  summary: string;
  positional: string[];
  /** The last positional argument may be repeated (`merge <shard outputs…>`). */
  variadic?: boolean;
  options: Record<string, OptionSpec>;
}

export interface ParsedCommand {
  positional: string[];
  /** Values by option name with its dashes, e.g. values['--resolution']. */
  values: Record<string, string | number | true>;
  errors: string[];
  help: boolean;
}

function parserSpec(command: string, spec: CommandSpec): ParserSpec {
  const options: ParserOption[] = Object.entries(spec.options).map(([flag, o]): ParserOption => {
    const name = flag.replace(/^--/, '');
    switch (o.kind) {
      case 'flag': return { name, type: 'flag', description: o.help };
      case 'enum': return { name, type: 'enum', values: o.values, description: o.help };
      case 'number': return { name, type: 'number', min: o.min, max: o.max, unit: o.unit, description: o.help };
      case 'integer': return { name, type: 'number', integer: true, min: o.min, max: o.max, description: o.help };
      case 'path': return { name, type: 'path', description: o.help };
      case 'string': return { name, type: 'string', description: o.help };
    }
  });
  return { command: `ionpath ${command}`, options, positionals: { min: spec.positional.length, max: spec.variadic ? Infinity : spec.positional.length, names: spec.positional } };
}

export function parseCommandLine(command: string, argv: string[], spec: CommandSpec): ParsedCommand {
  const out: ParsedCommand = { positional: [], values: {}, errors: [], help: false };
  try {
    const r = parseOptions(argv, parserSpec(command, spec));
    out.positional = r.positionals;
    out.help = r.help;
    for (const [name, v] of Object.entries(r.values as Record<string, unknown>)) {
      if (v === undefined || v === false) continue;
      out.values[`--${name}`] = v as string | number | true;
    }
    for (const [flag, o] of Object.entries(spec.options)) {
      const v = out.values[flag];
      if (o.kind === 'string' && o.pattern && typeof v === 'string' && !o.pattern.test(v)) out.errors.push(`${flag} '${v}' is not valid (${o.help})`);
    }
  } catch (e) {
    if (!(e instanceof OptionError)) throw e;
    out.errors.push(e.message);
  }
  return out;
}

export function usageOf(command: string, spec: CommandSpec): string {
  return formatHelp(parserSpec(command, spec), spec.summary);
}
