// Mocha entry point inside a real VS Code extension host (code-server or VS Code desktop).
// VS Code calls `run()` when the workbench was opened with `extensionTestsPath` pointing at the
// bundled copy of this file (out/test/vscode/suite/index.js). Every `*.test.js` next to it runs
// with the TDD interface (`suite`, `test`, `suiteSetup`, ... as globals).
//
// Results go three ways, so the runner can always recover them:
//   - mocha's spec reporter, every line prefixed `[ionpath-mocha] `, on the extension host's
//     console (the workbench forwards it to the browser's console; VS Code desktop to stdout);
//   - one line per test, `[ionpath-test] {json}`, on the console (easy to grep);
//   - a JSON file at $IONPATH_TEST_RESULTS (set on the code-server / VS Code process), written
//     when the run ends: { passed, failed, pending, tests: [{ title, state, durationMs, error }] }.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';

interface TestRecord {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}
export interface SuiteResults {
  passed: number;
  failed: number;
  pending: number;
  tests: TestRecord[];
  finished: boolean;
  error?: string;
}

/** The repository root: out/test/vscode/suite -> 4 levels up. */
const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

// mocha is external to the bundle. Resolve it from the repository's node_modules explicitly, so it
// works whatever the extension host's module paths are. Mocha >= 12 is an ES module whose CJS
// implementation lives in lib/mocha.cjs; older versions are plain CommonJS.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function loadMocha(): any {
  const dir = path.join(repoRoot, 'node_modules', 'mocha');
  const candidates = [path.join(dir, 'lib', 'mocha.cjs'), dir];
  let lastError: unknown;
  for (const c of candidates) {
    try {
      if (c !== dir && !fs.existsSync(c)) continue;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const m = require(c);
      return m.default ?? m;
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

function writeResults(results: SuiteResults): void {
  const file = process.env.IONPATH_TEST_RESULTS;
  if (!file) return;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file + '.tmp', JSON.stringify(results, null, 2));
    fs.renameSync(file + '.tmp', file);
  } catch (e) {
    console.error(`[ionpath-test] cannot write ${file}: ${String(e)}`);
  }
}

export function run(): Promise<void> {
  const results: SuiteResults = { passed: 0, failed: 0, pending: 0, tests: [], finished: false };
  return new Promise<void>((resolve, reject) => {
    let Mocha;
    try {
      Mocha = loadMocha();
    } catch (e) {
      results.error = `cannot load mocha: ${String(e)}`;
      results.finished = true;
      writeResults(results);
      reject(e);
      return;
    }
    // Route the spec reporter through console.log with a marker, so runners can pick mocha's own
    // lines out of everything else the extension host logs.
    const Base = Mocha.reporters?.Base;
    const originalConsoleLog = Base?.consoleLog;
    if (Base) {
      Base.useColors = false;
      Base.consoleLog = (...args: unknown[]) => {
        console.log(`[ionpath-mocha] ${format(...args)}`);
      };
    }
    const restore = () => {
      if (Base && originalConsoleLog) Base.consoleLog = originalConsoleLog;
    };
    const mocha = new Mocha({
      ui: 'tdd',
      color: false,
      timeout: Number(process.env.IONPATH_TEST_TIMEOUT_MS ?? 60_000),
      reporter: 'spec',
      grep: process.env.IONPATH_TEST_GREP || undefined,
    });

    const files = fs
      .readdirSync(__dirname)
      .filter((f) => f.endsWith('.test.js'))
      .sort()
      .map((f) => path.join(__dirname, f));
    for (const f of files) mocha.addFile(f);
    console.log(`[ionpath-test] running ${files.length} file(s): ${files.map((f) => path.basename(f)).join(', ')}`);

    try {
      const runner = mocha.run((failures: number) => {
        restore();
        results.finished = true;
        writeResults(results);
        console.log(`[ionpath-test] done ${JSON.stringify({ passed: results.passed, failed: results.failed, pending: results.pending })}`);
        if (failures > 0 || results.failed > 0) reject(new Error(`${failures} test(s) failed.`));
        else resolve();
      });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const record = (t: any, state: TestRecord['state'], err?: any) => {
        const rec: TestRecord = { title: t.fullTitle(), state };
        if (typeof t.duration === 'number') rec.durationMs = t.duration;
        if (err) rec.error = String(err.stack ?? err.message ?? err);
        results.tests.push(rec);
        results[state]++;
        console.log(`[ionpath-test] ${JSON.stringify(rec)}`);
        writeResults(results); // partial results survive a crash or a hang
      };
      runner.on('pass', (t: unknown) => record(t, 'passed'));
      runner.on('fail', (t: unknown, err: unknown) => record(t, 'failed', err));
      runner.on('pending', (t: unknown) => record(t, 'pending'));
    } catch (e) {
      restore();
      results.error = String((e as Error)?.stack ?? e);
      results.finished = true;
      writeResults(results);
      reject(e);
    }
  });
}
