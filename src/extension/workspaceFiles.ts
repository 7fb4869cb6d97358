/**
 * The extension's file I/O, through `vscode.workspace.fs` (so it works on any file system provider VS Code
 * has, not only the local disk). Results are written atomically: a temporary file beside the target, then a
 * rename over it, so no reader (or a crash half-way) ever sees half a CSV.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { decodeInput, MAX_INPUT_BYTES } from '../compute/util/readInput';

const encoder = new TextEncoder();

/**
 * Writes `data` to `target` through a temporary sibling and a rename; the temporary file never stays behind. An
 * existing target that is not a regular file (a FIFO, a device, a folder) is refused: the rename would replace it.
 */
export async function writeFileAtomically(target: vscode.Uri, data: string | Uint8Array): Promise<void> {
  const existing = await Promise.resolve(vscode.workspace.fs.stat(target)).catch(() => null);
  if (existing && !(existing.type & vscode.FileType.File)) throw new Error(`${target.fsPath} is not a regular file: results are written only to regular files`);
  const name = target.path.split('/').pop() ?? 'file';
  const tmp = vscode.Uri.joinPath(target, '..', `.${name}.${randomBytes(4).toString('hex')}.tmp`);
  await vscode.workspace.fs.writeFile(tmp, typeof data === 'string' ? encoder.encode(data) : data);
  try {
    await vscode.workspace.fs.rename(tmp, target, { overwrite: true });
  } catch (e) {
    await Promise.resolve(vscode.workspace.fs.delete(tmp)).catch(() => undefined);
    throw e;
  }
}

/**
 * A structure file's text: regular files only (a FIFO or a device behind a `.cif` name is refused by its type
 * before it is opened), at most `maxBytes`, decoded as util/readInput decodes (BOM, UTF-16 refused, Latin-1).
 */
export async function readStructureText(uri: vscode.Uri, maxBytes = MAX_INPUT_BYTES): Promise<string> {
  const st = await vscode.workspace.fs.stat(uri);
  if (st.type & vscode.FileType.Directory) throw new Error(`${uri.fsPath} is a directory`);
  if (!(st.type & vscode.FileType.File)) throw new Error(`${uri.fsPath} is not a regular file`);
  if (st.size > maxBytes) throw new Error(`${uri.fsPath} is ${(st.size / 1048576).toFixed(1)} MB, more than the ${(maxBytes / 1048576).toFixed(0)} MB read for a structure`);
  return decodeInput(await vscode.workspace.fs.readFile(uri), uri.fsPath).text;
}
