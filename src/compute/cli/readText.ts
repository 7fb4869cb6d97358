/**
 * Reading a structure file for the CLI: regular files only (a FIFO would block forever, /dev/zero never ends),
 * under a size cap, decoded as UTF-8 with encodings we cannot read named in the error.
 */
import { closeSync, fstatSync, openSync, readSync, constants } from 'node:fs';

export const MAX_INPUT_BYTES = 50 * 1024 * 1024;

export function readTextFile(path: string, maxBytes = MAX_INPUT_BYTES): { ok: true; text: string } | { ok: false; error: string } {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not block; it is refused below as not a regular file.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, error: `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : code ?? String(e)}` };
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { ok: false, error: `cannot read ${path}: it is a folder` };
    if (!st.isFile()) return { ok: false, error: `cannot read ${path}: not a regular file (a FIFO, socket or device)` };
    if (st.size > maxBytes) return { ok: false, error: `cannot read ${path}: ${(st.size / 1e6).toFixed(1)} MB is more than the ${maxBytes / 1e6} MB limit for a structure file` };
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < st.size) { const k = readSync(fd, buf, n, st.size - n, n); if (k <= 0) break; n += k; }
    const bytes = buf.subarray(0, n);
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return { ok: false, error: `cannot read ${path}: it is UTF-16 encoded; save it as UTF-8` };
    if (bytes.includes(0)) return { ok: false, error: `cannot read ${path}: it contains NUL bytes (binary, or UTF-16 without a byte-order mark)` };
    let text = bytes.toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (!text.includes('\n') && text.includes('\r')) text = text.replace(/\r/g, '\n');
    return { ok: true, text };
  } finally {
    closeSync(fd);
  }
}
