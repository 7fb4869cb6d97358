/**
 * `ionpath` command line: the compute core without VS Code, for batch work and benchmarks.
 *   ionpath info <file.cif> [--json]
 */
import { readFileSync } from 'node:fs';
import { buildStructure } from '../structure/build';
import { summarise, summaryText } from '../structure/summary';

const USAGE = `usage: ionpath <command> [options]

commands:
  info <file.cif> [--json]   structure summary: formula, cell, space group, sites with occupancies and
                             oxidation states, and every warning with its line
`;

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  const flags = new Set(rest.filter((a) => a.startsWith('--')));
  const args = rest.filter((a) => !a.startsWith('--'));
  if (!command || command === '--help' || command === '-h') { process.stdout.write(USAGE); return command ? 0 : 2; }
  if (command === 'info') {
    if (args.length !== 1) { process.stderr.write(USAGE); return 2; }
    return info(args[0], flags.has('--json'));
  }
  process.stderr.write(`ionpath: unknown command '${command}'\n${USAGE}`);
  return 2;
}

function info(path: string, json: boolean): number {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    process.stderr.write(`ionpath: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? e}\n`);
    return 1;
  }
  const r = buildStructure(text);
  const errors = r.messages.filter((m) => m.severity === 'error');
  if (!r.structure) {
    if (json) process.stdout.write(JSON.stringify({ file: path, ok: false, messages: r.messages }, null, 2) + '\n');
    else for (const m of errors) process.stderr.write(`${path}:${m.at ? `${m.at.line + 1}:${m.at.column + 1}` : ''} error: ${m.message} [${m.code}]\n`);
    return 1;
  }
  const sum = summarise(r.structure, r.messages);
  process.stdout.write(json ? JSON.stringify({ file: path, ok: true, ...sum }, null, 2) + '\n' : summaryText(sum) + '\n');
  return 0;
}

process.exitCode = main(process.argv.slice(2));
