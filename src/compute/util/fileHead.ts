/** The first bytes of a file as text: what recognising a file by its header needs, without reading a large one whole. */
import { closeSync, openSync, readSync } from 'node:fs';

export function headOf(path: string, bytes = 64 * 1024): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0)).toString('utf8');
  } finally { closeSync(fd); }
}
