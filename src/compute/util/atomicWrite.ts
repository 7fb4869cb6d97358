/**
 * Write a file atomically: a temporary file beside it, then rename, so no reader sees half a file.
 *
 * The rename replaces whatever entry has the target's name, so the target is checked first. A symbolic link is
 * written through (its file is replaced; the link stays a link). An existing target that is not a regular file (a
 * device, a FIFO, a socket, a folder) is refused: renaming over /dev/null would replace the device with a file.
 */
import { promises as fs, writeFileSync, renameSync, unlinkSync, lstatSync, statSync, realpathSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { kindOf } from './readInput';

const tmpName = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);

/** A target that results may not be written to (the message says why). */
export class UnwritableTargetError extends Error {}

/** Where a write to `path` goes (the file a link points to), or an UnwritableTargetError saying why it may not. */
export function writeTarget(path: string): string {
  let link;
  try { link = lstatSync(path); } catch { return path; } // a new file
  let real = path;
  if (link.isSymbolicLink()) {
    try { real = realpathSync(path); } catch { throw new UnwritableTargetError(`${path} is a symbolic link to a missing file; give the file itself`); }
  }
  const st = statSync(real);
  if (!st.isFile()) throw new UnwritableTargetError(`${path} is ${kindOf(st)}${real !== path ? ' (through a symbolic link)' : ''}, not a regular file: results are written only to regular files`);
  return real;
}

/**
 * Refuses a target that is one of the inputs (the same file by device and inode, links followed): ionpath never
 * writes over a file it reads. Costs one stat unless the target already exists.
 */
export function assertNotAnInput(target: string, inputs: readonly string[], what = 'an input file'): void {
  let t;
  try { t = statSync(target); } catch { return; } // a new file is no input
  for (const input of inputs) {
    let i;
    try { i = statSync(input); } catch { continue; }
    if (i.dev === t.dev && i.ino === t.ino) throw new UnwritableTargetError(`${target} is ${what} (${input}); ionpath never writes over its inputs: give another name`);
  }
}

/** Both checks before any work: `path` may be written (writeTarget) and is none of `inputs` (assertNotAnInput). */
export function checkOutputTarget(path: string, inputs: readonly string[] = [], what?: string): void {
  writeTarget(path);
  assertNotAnInput(path, inputs, what);
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const target = writeTarget(path);
  const tmp = tmpName(target);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const target = writeTarget(path);
  const tmp = tmpName(target);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, target);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
}
