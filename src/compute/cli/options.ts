/**
 * Strict command-line parsing. Every option is declared with its type; anything else is an error that names the
 * option and lists the valid ones: an unknown or misspelt option (`--reslution=0.05`), a bad value (`--jobs abc`,
 * `--mode foo`), a missing value (`--cube` at the end, `--json --cube`), an option given twice, a value given to a
 * flag, too few or too many positional arguments. Nothing is silently ignored or defaulted on a typo.
 *
 *   const spec = { options: [{ name: 'jobs', type: 'number', integer: true, min: 1 }, { name: 'json', type: 'flag' }],
 *                  positionals: { min: 1, max: 1, names: ['folder'] } } as const satisfies CommandSpec;
 *   const { values, positionals, help } = parseOptions(process.argv.slice(3), spec); // throws OptionError
 */

export interface NumberOption { name: string; type: 'number'; min?: number; max?: number; integer?: boolean; unit?: string; default?: number; description?: string }
export interface EnumOption { name: string; type: 'enum'; values: readonly string[]; default?: string; description?: string }
export interface StringOption { name: string; type: 'string'; default?: string; description?: string }
/** A file or folder path: any non-empty text that is not itself an option (`--cube --json` is a missing value). */
export interface PathOption { name: string; type: 'path'; default?: string; description?: string }
export interface FlagOption { name: string; type: 'flag'; description?: string }
export type OptionSpec = NumberOption | EnumOption | StringOption | PathOption | FlagOption;

export interface CommandSpec {
  /** For messages: `ionpath rank`. */
  command?: string;
  options: readonly OptionSpec[];
  /** Positional arguments: a count, or a range with names for the help text. */
  positionals?: number | { min: number; max: number; names?: readonly string[] };
}

type ValueOf<O extends OptionSpec> =
  O extends FlagOption ? boolean
  : O extends NumberOption ? (O extends { default: number } ? number : number | undefined)
  : O extends EnumOption ? (O extends { default: string } ? O['values'][number] : O['values'][number] | undefined)
  : O extends { default: string } ? string : string | undefined;

export type OptionValues<S extends CommandSpec> = { -readonly [O in S['options'][number] as O['name']]: ValueOf<O> };

export interface ParsedOptions<S extends CommandSpec> {
  values: OptionValues<S>;
  positionals: string[];
  /** `--help` or `-h` was given: print `formatHelp(spec)` and exit 0 (values are not validated then). */
  help: boolean;
}

export class OptionError extends Error {
  override name = 'OptionError';
  /** Exit status for a usage error (as in BSD sysexits' EX_USAGE convention of many CLIs: 2). */
  readonly exitCode = 2;
  constructor(message: string, readonly option?: string) {
    super(message);
  }
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function describe(o: OptionSpec): string {
  switch (o.type) {
    case 'flag': return `--${o.name}`;
    case 'enum': return `--${o.name} ${o.values.join('|')}`;
    case 'number': {
      const range = o.min !== undefined && o.max !== undefined ? ` (${o.min}–${o.max}${o.unit ? ` ${o.unit}` : ''})` : o.min !== undefined ? ` (≥ ${o.min}${o.unit ? ` ${o.unit}` : ''})` : o.max !== undefined ? ` (≤ ${o.max}${o.unit ? ` ${o.unit}` : ''})` : '';
      return `--${o.name} <${o.integer ? 'integer' : 'number'}>${range}`;
    }
    case 'path': return `--${o.name} <path>`;
    default: return `--${o.name} <text>`;
  }
}

function validList(spec: CommandSpec): string {
  return [...spec.options.map((o) => `--${o.name}`), '--help'].join(', ');
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) {
    d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

function positionalRange(spec: CommandSpec): { min: number; max: number; names: readonly string[] } {
  const p = spec.positionals ?? 0;
  return typeof p === 'number' ? { min: p, max: p, names: [] } : { min: p.min, max: p.max, names: p.names ?? [] };
}

function convert(o: Exclude<OptionSpec, FlagOption>, raw: string, cmd: string): string | number {
  const name = `--${o.name}`;
  switch (o.type) {
    case 'number': {
      const t = raw.trim();
      if (!NUMBER_RE.test(t)) throw new OptionError(`${cmd}${name} needs ${o.integer ? 'an integer' : 'a number'}, got '${raw}' (${describe(o)})`, o.name);
      const v = Number(t);
      if (!Number.isFinite(v)) throw new OptionError(`${cmd}${name} needs a finite number, got '${raw}'`, o.name);
      if (o.integer && !Number.isInteger(v)) throw new OptionError(`${cmd}${name} needs an integer, got '${raw}'`, o.name);
      const unit = o.unit ? ` ${o.unit}` : '';
      if (o.min !== undefined && v < o.min) throw new OptionError(`${cmd}${name} must be at least ${o.min}${unit}, got ${raw}${unit}`, o.name);
      if (o.max !== undefined && v > o.max) throw new OptionError(`${cmd}${name} must be at most ${o.max}${unit}, got ${raw}${unit}`, o.name);
      return v;
    }
    case 'enum': {
      if (!o.values.includes(raw)) {
        const close = o.values.filter((v) => distance(v.toLowerCase(), raw.toLowerCase()) <= 2);
        throw new OptionError(`${cmd}${name} must be one of ${o.values.join(', ')}; got '${raw}'${close.length ? ` (did you mean ${close[0]}?)` : ''}`, o.name);
      }
      return raw;
    }
    case 'path':
    case 'string':
      if (!raw.length) throw new OptionError(`${cmd}${name} needs a non-empty ${o.type === 'path' ? 'path' : 'value'}`, o.name);
      return raw;
  }
}

/**
 * Parse `argv` (the arguments after the command) against `spec`. Accepts `--name value`, `--name=value`, flags,
 * `--` (everything after it is positional), `-h`/`--help`. Throws OptionError with a message for the user.
 * Negative numbers are values (`--shift -0.5`); any other word starting with `-` is an option.
 */
export function parseOptions<const S extends CommandSpec>(argv: readonly string[], spec: S): ParsedOptions<S> {
  const cmd = spec.command ? `${spec.command}: ` : '';
  const byName = new Map(spec.options.map((o) => [o.name, o] as const));
  const values: Record<string, unknown> = {};
  const seen = new Set<string>();
  const positionals: string[] = [];
  let help = false;
  let onlyPositionals = false;
  const isOptionLike = (w: string) => w.startsWith('-') && w !== '-' && !NUMBER_RE.test(w);

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositionals || !isOptionLike(arg)) { positionals.push(arg); continue; }
    if (arg === '--') { onlyPositionals = true; continue; }
    if (arg === '--help' || arg === '-h') { help = true; continue; }
    if (!arg.startsWith('--')) throw new OptionError(`${cmd}unknown option '${arg}' (options are written --name; valid: ${validList(spec)})`, arg);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const o = byName.get(name);
    if (!o) {
      const close = spec.options.map((x) => x.name).filter((n) => distance(n, name) <= Math.max(2, Math.floor(name.length / 4))).sort((a, b) => distance(a, name) - distance(b, name));
      throw new OptionError(`${cmd}unknown option '--${name}'${close.length ? ` (did you mean --${close[0]}?)` : ''}; valid options: ${validList(spec)}`, name);
    }
    if (seen.has(name)) throw new OptionError(`${cmd}--${name} is given twice`, name);
    seen.add(name);
    if (o.type === 'flag') {
      if (eq >= 0) throw new OptionError(`${cmd}--${name} is a flag and takes no value (got '${arg.slice(eq + 1)}')`, name);
      values[name] = true;
      continue;
    }
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || next === '--' || (isOptionLike(next) && (o.type !== 'string' || next.startsWith('--')))) {
        throw new OptionError(`${cmd}--${name} needs a value (${describe(o)})${next !== undefined ? `, but is followed by '${next}'` : ', but the arguments end there'}`, name);
      }
      raw = next;
      i++;
    }
    values[name] = convert(o, raw, cmd);
  }

  for (const o of spec.options) {
    if (o.type === 'flag') { if (values[o.name] === undefined) values[o.name] = false; }
    else if (values[o.name] === undefined && o.default !== undefined) values[o.name] = o.default;
  }
  if (!help) {
    const p = positionalRange(spec);
    if (positionals.length < p.min || positionals.length > p.max) {
      const want = p.min === p.max ? `${p.min}` : p.max === Infinity ? `at least ${p.min}` : `${p.min}–${p.max}`;
      const named = p.names.length ? ` (${p.names.join(', ')})` : '';
      throw new OptionError(`${cmd}expected ${want} argument${p.max === 1 && p.min === 1 ? '' : 's'}${named}, got ${positionals.length}${positionals.length ? `: ${positionals.map((x) => `'${x}'`).join(' ')}` : ''}`);
    }
  }
  return { values: values as OptionValues<S>, positionals, help };
}

/** Usage text for `--help`. */
export function formatHelp(spec: CommandSpec, summary = ''): string {
  const p = positionalRange(spec);
  const names = p.names.length ? p.names.map((n, i) => (i < p.min ? `<${n}>` : `[${n}]`)).join(' ') : '';
  const lines = [`usage: ${spec.command ?? 'ionpath'} ${names} [options]`.replace(/\s+/g, ' ').trim()];
  if (summary) lines.push('', summary);
  lines.push('', 'options:');
  const rows = spec.options.map((o) => [describe(o), `${o.description ?? ''}${'default' in o && o.default !== undefined ? ` (default ${o.default})` : ''}`]);
  rows.push(['--help, -h', 'show this help']);
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [a, b] of rows) lines.push(`  ${a.padEnd(w)}  ${b}`.trimEnd());
  return lines.join('\n');
}
