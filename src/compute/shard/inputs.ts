/**
 * What a ranking ranks: every CIF under a folder, or the files named in a list ("@list.txt": one path per line,
 * '#' comments and blank lines ignored, relative paths taken from the list's folder). Each file carries the
 * relative path that the ranking shows and the partition hashes (from the folder, or from the list's folder).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { listStructureFolder } from '../host/rankFolder';
import { notRegularFile } from '../util/readInput';
import { partitionKey } from './partition';

export interface InputFile { path: string; rel: string }

/**
 * Which files an input held when it was read: their number and the sha256 of their relative paths, sorted, one per
 * line. Shards of one ranking must have seen the same list, since the list decides which files are ranked at all (a
 * file deleted after one shard ran would still be ranked; one added would be missing from the shards that ran
 * before it). Contents are not part of it: each row is computed from the content its own shard read (recorded in
 * the shard's inputs[].sha256), and hashing every file in every shard would read the whole input N times.
 */
export interface InputListing { files: number; sha256: string }

export function listingOf(files: readonly { rel: string }[]): InputListing {
  const keys = files.map((f) => partitionKey(f.rel)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { files: keys.length, sha256: createHash('sha256').update(keys.join('\n'), 'utf8').digest('hex') };
}

export interface RankInput {
  /** 'folder:/abs/dir' or 'list:/abs/list.txt': the same input gives the same string on every machine that mounts it alike. */
  id: string;
  /** The folder that relative paths are taken from. */
  root: string;
  files: InputFile[];
  listing: InputListing;
  /** A folder's compressed structure files, which are not ranked (host/rankFolder.ts); none for a list. */
  compressed: string[];
}

export async function readRankInput(arg: string): Promise<RankInput> {
  if (arg.startsWith('@')) {
    const list = resolve(arg.slice(1));
    let text: string;
    const special = notRegularFile(list);
    if (special) throw new Error(`cannot read the file list: ${special}`);
    try { text = await fs.readFile(list, 'utf8'); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file (@list.txt names a text file with one structure path per line)' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder (rank a folder without the @)' : code ?? String(e);
      throw new Error(`cannot read the file list ${list}: ${why}`);
    }
    const root = dirname(list);
    const seen = new Set<string>();
    const files: InputFile[] = [];
    text.split(/\r?\n/).forEach((raw) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const path = isAbsolute(line) ? line : resolve(root, line);
      if (seen.has(path)) return;
      seen.add(path);
      files.push({ path, rel: relative(root, path) });
    });
    if (!files.length) throw new Error(`the file list ${list} names no files`);
    files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
    return { id: `list:${list}`, root, files, listing: listingOf(files), compressed: [] };
  }
  const root = resolve(arg);
  const st = await fs.stat(root).catch(() => null);
  if (!st) throw new Error(`${root} does not exist`);
  if (!st.isDirectory()) throw new Error(`${root} is not a folder (give a folder of CIFs, or @list.txt with one path per line)`);
  const folder = await listStructureFolder(root);
  const files = folder.files.map((path) => ({ path, rel: relative(root, path) }));
  return { id: `folder:${root}`, root, files, listing: listingOf(files), compressed: folder.compressed };
}
