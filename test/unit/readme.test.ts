/**
 * The README's command-line examples work from a clone alone (no ../shared): each `node dist/cli.js …` line of its
 * "Command line" block is run as written, in a scratch folder that sees the clone's examples/, test/ and dist/, and
 * must exit 0 and write what it says it writes. A README example that breaks fails here, not in a user's hands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = process.cwd();

/** The `node dist/cli.js …` lines of the README's "## Command line" bash block, comments removed. */
function cliExamples(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## Command line$/m)[1];
  assert.ok(section, 'the README has a "Command line" section');
  const block = /```bash\n([\s\S]*?)```/.exec(section)![1];
  return block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l.startsWith('node dist/cli.js '));
}

test('every command-line example of the README runs from a clone alone', { timeout: 600_000 }, () => {
  const lines = cliExamples();
  assert.ok(lines.length >= 10, `the examples were found (${lines.length})`);
  const dir = mkdtempSync(join(tmpdir(), 'ionpath-readme-'));
  try {
    for (const d of ['examples', 'test', 'dist']) symlinkSync(join(ROOT, d), join(dir, d));
    for (const line of lines) {
      // Plain words only (no quoting in the README's examples), so splitting on spaces is the shell's reading.
      assert.doesNotMatch(line, /["'`$|;&<>]/, `an example the test can run as written: ${line}`);
      const [, ...args] = line.split(/\s+/);
      const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') }, timeout: 300_000 });
      assert.equal(r.status, 0, `${line}\n${r.stderr}`);
      for (let i = 0; i < args.length - 1; i++) {
        if (['--cube', '--out', '--profile-csv', '--ordered-poscar', '--neb'].includes(args[i])) assert.ok(existsSync(join(dir, args[i + 1])), `${line}: wrote ${args[i + 1]}`);
      }
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
