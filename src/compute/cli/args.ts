/**
 * Strict command-line parsing: every option is declared with its kind and range; an unknown option (including a
 * misspelt one), a bad value or a missing value is an error that names the option and what is allowed.
 */
export type OptionSpec =
  | { kind: 'flag'; help: string }
  | { kind: 'string'; help: string; pattern?: RegExp }
  | { kind: 'path'; help: string }
  | { kind: 'enum'; values: readonly string[]; help: string }
  | { kind: 'number'; min: number; max: number; help: string }
  | { kind: 'integer'; min: number; max: number; help: string };

export interface CommandSpec {
  summary: string;
  positional: string[];
  options: Record<string, OptionSpec>;
}

export interface ParsedCommand {
  positional: string[];
  values: Record<string, string | number | true>;
  errors: string[];
  help: boolean;
}

/** Closest declared option to a misspelt one (edit distance ≤ 3), for "did you mean". */
function closest(name: string, names: string[]): string | null {
  const d = (a: string, b: string) => {
    const m = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) m[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) m[i][j] = Math.min(m[i - 1][j] + 1, m[i][j - 1] + 1, m[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return m[a.length][b.length];
  };
  let best: string | null = null, bestD = 4;
  for (const n of names) { const x = d(name, n); if (x < bestD) { bestD = x; best = n; } }
  return best;
}

function parseValue(name: string, spec: OptionSpec, raw: string): { value?: string | number; error?: string } {
  switch (spec.kind) {
    case 'enum':
      return spec.values.includes(raw) ? { value: raw } : { error: `${name} '${raw}' is not one of ${spec.values.join(', ')}` };
    case 'number':
    case 'integer': {
      const x = raw.trim() === '' ? NaN : Number(raw);
      if (!Number.isFinite(x) || (spec.kind === 'integer' && !Number.isInteger(x))) return { error: `${name} '${raw}' is not ${spec.kind === 'integer' ? 'a whole number' : 'a number'}` };
      if (x < spec.min || x > spec.max) return { error: `${name} ${raw} is outside ${spec.min}–${spec.max}` };
      return { value: x };
    }
    case 'string':
      return spec.pattern && !spec.pattern.test(raw) ? { error: `${name} '${raw}' is not valid (${spec.help})` } : { value: raw };
    case 'path':
      return raw === '' ? { error: `${name} needs a file name` } : { value: raw };
    case 'flag':
      return { error: `${name} takes no value` };
  }
}

export function parseCommandLine(command: string, argv: string[], spec: CommandSpec): ParsedCommand {
  const out: ParsedCommand = { positional: [], values: {}, errors: [], help: false };
  const names = Object.keys(spec.options);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') { out.help = true; continue; }
    if (a === '--') { out.positional.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('-') || a === '-') { out.positional.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const o = spec.options[name];
    if (!o) {
      const near = closest(name, names);
      out.errors.push(`unknown option ${name}${near ? ` (did you mean ${near}?)` : ''}; valid options: ${names.join(', ')}`);
      if (eq < 0 && argv[i + 1] !== undefined && !argv[i + 1].startsWith('-')) i++; // skip its likely value
      continue;
    }
    if (name in out.values) { out.errors.push(`${name} is given twice`); }
    if (o.kind === 'flag') {
      if (eq > 0) out.errors.push(`${name} takes no value`);
      else out.values[name] = true;
      continue;
    }
    let raw: string | undefined;
    if (eq > 0) raw = a.slice(eq + 1);
    else if (argv[i + 1] !== undefined && !(argv[i + 1].startsWith('--'))) raw = argv[++i];
    if (raw === undefined) { out.errors.push(`${name} needs a value (${o.kind === 'enum' ? o.values.join(', ') : o.help})`); continue; }
    const v = parseValue(name, o, raw);
    if (v.error) out.errors.push(v.error);
    else out.values[name] = v.value!;
  }
  if (!out.help && out.positional.length !== spec.positional.length) {
    out.errors.push(out.positional.length < spec.positional.length
      ? `missing ${spec.positional.slice(out.positional.length).map((p) => `<${p}>`).join(' ')}`
      : `unexpected argument${out.positional.length - spec.positional.length > 1 ? 's' : ''} ${out.positional.slice(spec.positional.length).join(' ')}`);
  }
  void command;
  return out;
}

export function usageOf(command: string, spec: CommandSpec): string {
  const lines = [`usage: ionpath ${command} ${spec.positional.map((p) => `<${p}>`).join(' ')} [options]`, '', `  ${spec.summary}`, '', 'options:'];
  for (const [name, o] of Object.entries(spec.options)) {
    const arg = o.kind === 'flag' ? '' : o.kind === 'enum' ? ` ${o.values.join('|')}` : o.kind === 'path' ? ' FILE' : o.kind === 'string' ? ' TEXT' : ' N';
    lines.push(`  ${`${name}${arg}`.padEnd(34)} ${o.help}`);
  }
  return lines.join('\n') + '\n';
}
