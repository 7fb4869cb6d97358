/**
 * Reading a structure file safely. A path named `x.cif` may be a FIFO (opening it blocks until a writer comes), a
 * link to /dev/zero (an endless read), a directory, or a 4 GB file; its bytes may be UTF-16, Latin-1, or use bare CR
 * line ends. Each case gives an `InputError` that says what the file is, or a warning that says what was done:
 *
 *   - regular files only: the type is checked with stat before opening and again with fstat after (no race);
 *     the file is opened O_NONBLOCK so that even a FIFO swapped in between cannot block the open;
 *   - at most MAX_INPUT_BYTES are read (one byte more is tried, to tell "exactly the limit" from "larger");
 *   - the asynchronous read gives up after READ_TIMEOUT_MS (a stalled network mount);
 *   - a compressed file (gzip, bzip2, xz, zstd, zip, by its magic bytes) is an error naming the tool that opens it;
 *   - UTF-8 BOM stripped; UTF-16/32 (BOM, or the NUL pattern of BOM-less UTF-16) and other NUL bytes are errors
 *     naming the encoding; invalid UTF-8 is read as Windows-1252 (the usual encoding of CIF 1.1 files written on
 *     Windows) with a warning naming the first bad byte; CR-only line ends are normalised with a warning, CRLF silently.
 */
import { constants, fstatSync, openSync, closeSync, readSync, statSync, lstatSync, readlinkSync, promises as fsp, type Stats } from 'node:fs';

/** Largest structure file read (bytes): the largest CIFs in the ICSD/COD/OBELiX sets are a few MB. */
export const MAX_INPUT_BYTES = 50 * 1024 * 1024;

/** The asynchronous read is abandoned after this long (ms). */
export const READ_TIMEOUT_MS = 15_000;

export type InputErrorCode = 'not-found' | 'not-a-file' | 'too-large' | 'unreadable' | 'timeout' | 'encoding';

export class InputError extends Error {
  override name = 'InputError';
  constructor(readonly code: InputErrorCode, message: string, readonly path: string) {
    super(message);
  }
}

export interface InputWarning { code: 'cr-line-endings' | 'not-utf8'; message: string }

export interface InputText {
  path: string;
  text: string;
  bytes: number;
  /** The bytes as read (before decoding): what a content hash is taken of. */
  raw: Uint8Array;
  /** What the bytes were read as. */
  encoding: 'utf-8' | 'windows-1252';
  warnings: InputWarning[];
}

export interface ReadInputOptions {
  maxBytes?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What a file system entry is, in words ("a character device"), for messages that refuse it. */
export function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/**
 * For the other files ionpath reads whole (a file list, a shard output, a ranking cache): why `path` is not a regular
 * file ("… is a named pipe (FIFO), not a regular file"), or null (a regular file, or none: the caller says "missing").
 * A FIFO would block fs.readFile until a writer came.
 */
export function notRegularFile(path: string): string | null {
  let st;
  try { st = statSync(path); } catch { return null; }
  return st.isFile() ? null : `${path} is ${kindOf(st)}${linkNote(path)}, not a regular file`;
}

function linkNote(path: string): string {
  try {
    return lstatSync(path).isSymbolicLink() ? ' (through a symbolic link)' : '';
  } catch {
    return '';
  }
}

/** "a symbolic link to /x, which does not exist" for a dangling link (the name is listed, its target is gone). */
function danglingLink(path: string): string | null {
  try {
    return lstatSync(path).isSymbolicLink() ? `a symbolic link to ${readlinkSync(path)}, which does not exist` : null;
  } catch {
    return null;
  }
}

function checkStats(path: string, st: Stats, maxBytes: number): void {
  if (!st.isFile()) throw new InputError('not-a-file', `${path} is ${kindOf(st)}${linkNote(path)}, not a regular file: only regular files are read`, path);
  if (st.size > maxBytes) throw new InputError('too-large', `${path} is ${(st.size / 1e6).toFixed(1)} MB, larger than the ${(maxBytes / 1e6).toFixed(0)} MB limit (MAX_INPUT_BYTES)`, path);
}

function systemError(path: string, e: unknown): InputError {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return new InputError('not-found', `${path}: ${danglingLink(path) ?? 'no such file'}`, path);
  if (err?.code === 'EISDIR') return new InputError('not-a-file', `${path} is a directory, not a regular file`, path);
  if (err?.code === 'EACCES' || err?.code === 'EPERM') return new InputError('unreadable', `${path}: permission denied`, path);
  if (e instanceof InputError) return e;
  return new InputError('unreadable', `${path}: cannot read (${err?.message ?? String(e)})`, path);
}

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Synchronous read (tests, the editor's open documents are text already). No timeout: regular files do not block. */
export function readInputFileSync(path: string, options: ReadInputOptions = {}): InputText {
  const maxBytes = options.maxBytes ?? MAX_INPUT_BYTES;
  let fd: number | undefined;
  try {
    checkStats(path, statSync(path), maxBytes);
    fd = openSync(path, OPEN_FLAGS);
    const st = fstatSync(fd);
    checkStats(path, st, maxBytes);
    const buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(st.size + 1, 1)));
    let n = 0;
    for (;;) {
      if (n === buf.length) break;
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
    }
    if (n > maxBytes) throw new InputError('too-large', `${path} grew past the ${(maxBytes / 1e6).toFixed(0)} MB limit (MAX_INPUT_BYTES) while it was read`, path);
    return { path, bytes: n, raw: buf.subarray(0, n), ...decodeInput(buf.subarray(0, n), path) };
  } catch (e) {
    throw systemError(path, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Asynchronous read with a time limit and an optional AbortSignal (the CLI, rank). */
export async function readInputFile(path: string, options: ReadInputOptions = {}): Promise<InputText> {
  const maxBytes = options.maxBytes ?? MAX_INPUT_BYTES;
  const timeoutMs = options.timeoutMs ?? READ_TIMEOUT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const limits = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new InputError('timeout', `${path}: reading took longer than ${timeoutMs / 1000} s and was abandoned (READ_TIMEOUT_MS)`, path)), timeoutMs);
    if (options.signal) {
      onAbort = () => { const e = new Error('reading cancelled'); e.name = 'AbortError'; reject(e); };
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  const work = (async () => {
    let handle: fsp.FileHandle | undefined;
    try {
      checkStats(path, await fsp.stat(path), maxBytes);
      handle = await fsp.open(path, OPEN_FLAGS);
      const st = await handle.stat();
      checkStats(path, st, maxBytes);
      const buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(st.size + 1, 1)));
      let n = 0;
      while (n < buf.length) {
        const { bytesRead } = await handle.read(buf, n, buf.length - n, null);
        if (bytesRead === 0) break;
        n += bytesRead;
      }
      if (n > maxBytes) throw new InputError('too-large', `${path} grew past the ${(maxBytes / 1e6).toFixed(0)} MB limit (MAX_INPUT_BYTES) while it was read`, path);
      return { path, bytes: n, raw: buf.subarray(0, n), ...decodeInput(buf.subarray(0, n), path) };
    } catch (e) {
      throw systemError(path, e);
    } finally {
      await handle?.close().catch(() => undefined);
    }
  })();
  work.catch(() => undefined); // if the limits win, the read's own failure is of no interest
  try {
    return await Promise.race([work, limits]);
  } finally {
    if (timer) clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence (structure only: enough for a message). */
function firstInvalidUtf8(b: Uint8Array, start: number): number {
  let i = start;
  while (i < b.length) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k] & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return start;
}

/** Line and column (1-based) of a byte offset, for messages. */
function lineOf(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** A compressed file, by its magic bytes (gzip, bzip2, xz, zstd, zip), with the tool that opens it; else null. */
function compressionOf(b: Uint8Array): { name: string; tool: string } | null {
  const starts = (...bytes: number[]) => b.length >= bytes.length && bytes.every((x, i) => b[i] === x);
  if (starts(0x1f, 0x8b)) return { name: 'gzip', tool: 'gunzip -k' };
  if (starts(0x42, 0x5a, 0x68) && b.length > 3 && b[3] >= 0x31 && b[3] <= 0x39) return { name: 'bzip2', tool: 'bunzip2 -k' };
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return { name: 'xz', tool: 'unxz -k' };
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return { name: 'zstd', tool: 'unzstd' };
  if (starts(0x50, 0x4b, 0x03, 0x04)) return { name: 'zip', tool: 'unzip' };
  return null;
}

/**
 * Bytes → text, with the encoding named: throws InputError('encoding') for UTF-16/UTF-32 and binary data, returns
 * warnings for what was converted. Pure; also used for documents that arrive as bytes.
 */
export function decodeInput(bytes: Uint8Array, path = 'input'): { text: string; encoding: InputText['encoding']; warnings: InputWarning[] } {
  const warnings: InputWarning[] = [];
  const b = bytes;
  if (b.length >= 4 && ((b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) || (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff))) {
    throw new InputError('encoding', `${path} is UTF-32 text (byte-order mark); CIF files must be ASCII or UTF-8: convert it, e.g. iconv -f UTF-32 -t UTF-8`, path);
  }
  if (b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) {
    const endian = b[0] === 0xff ? 'little-endian' : 'big-endian';
    throw new InputError('encoding', `${path} is UTF-16 (${endian}) text (byte-order mark); CIF files must be ASCII or UTF-8: convert it, e.g. iconv -f UTF-16 -t UTF-8`, path);
  }
  const compression = compressionOf(b);
  if (compression) {
    throw new InputError('encoding', `${path} is ${compression.name}-compressed: ionpath reads plain text; decompress it first (${compression.tool} ${path})`, path);
  }
  const nul = b.indexOf(0);
  if (nul >= 0) {
    // BOM-less UTF-16: every other byte of ASCII text is NUL.
    const sample = b.subarray(0, Math.min(b.length, 4096));
    let even = 0, odd = 0;
    for (let i = 0; i < sample.length; i++) if (sample[i] === 0) { if (i % 2) odd++; else even++; }
    const half = sample.length / 2;
    if (odd > 0.4 * half && even < 0.05 * half) throw new InputError('encoding', `${path} looks like UTF-16 (little-endian) text without a byte-order mark (NUL bytes at odd offsets); CIF files must be ASCII or UTF-8: convert it, e.g. iconv -f UTF-16LE -t UTF-8`, path);
    if (even > 0.4 * half && odd < 0.05 * half) throw new InputError('encoding', `${path} looks like UTF-16 (big-endian) text without a byte-order mark (NUL bytes at even offsets); CIF files must be ASCII or UTF-8: convert it, e.g. iconv -f UTF-16BE -t UTF-8`, path);
    throw new InputError('encoding', `${path} contains a NUL byte at offset ${nul} (line ${lineOf(b, nul)}): a binary file, not a CIF text`, path);
  }
  let start = 0;
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) start = 3;
  let text: string;
  let encoding: InputText['encoding'] = 'utf-8';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(start));
  } catch {
    const bad = firstInvalidUtf8(b, start);
    text = new TextDecoder('windows-1252').decode(b.subarray(start));
    encoding = 'windows-1252';
    warnings.push({ code: 'not-utf8', message: `${path} is not valid UTF-8 (byte 0x${b[bad]?.toString(16).padStart(2, '0')} at offset ${bad}, line ${lineOf(b, bad)}); read as Windows-1252 (Latin-1): check accented names and symbols such as ° and Å` });
  }
  if (text.includes('\r')) {
    const crlf = (text.match(/\r\n/g) ?? []).length;
    const cr = (text.match(/\r/g) ?? []).length;
    if (cr > crlf) warnings.push({ code: 'cr-line-endings', message: `${path} has ${cr - crlf} bare carriage-return line end${cr - crlf > 1 ? 's' : ''} (classic Mac OS); read as line feeds` });
    text = text.replace(/\r\n?/g, '\n');
  }
  return { text, encoding, warnings };
}
