import { createReadStream, type Stats } from 'node:fs';
import { lstat, open, readdir, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { type Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { CliError, UsageError } from '../exit-codes';

/** A task's input as it is uploaded: a zip read from disk, or a folder zipped as it is sent. */
export interface InputSource {
  /** The part's file name. */
  filename: string;
  /** Exact bytes of the zip. */
  size: number;
  /** A fresh stream of the zip's bytes (again for a retried request). */
  open(): Readable;
  /** What the user gave, for messages. */
  describe: string;
}

interface FolderEntry {
  path: string;
  name: string;
  stats: Stats;
}

/**
 * `--input`: a .zip file is sent as it is; a folder is zipped on the fly (yazl), one file at a
 * time, never whole in memory. Its files are stored, not deflated, so the zip's exact size is
 * known before it is made: the request's Content-Length and an upload bar with an ETA.
 */
export async function inputSource(path: string): Promise<InputSource> {
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch {
    throw new UsageError(`--input ${path}: no such file or folder`);
  }
  if (stats.isDirectory()) return folderSource(path);
  if (!stats.isFile()) throw new UsageError(`--input ${path}: not a file or a folder`);
  if (!(await looksLikeZip(path)))
    throw new UsageError(`--input ${path}: not a zip file (give a .zip or a folder)`);
  return {
    filename: basename(path),
    size: stats.size,
    describe: path,
    open: () => createReadStream(path),
  };
}

async function looksLikeZip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    // local file header, or the end record of an empty zip
    return (
      bytesRead === 4 && buffer[0] === 0x50 && buffer[1] === 0x4b && (buffer[2] === 3 || buffer[2] === 5)
    );
  } finally {
    await handle.close();
  }
}

async function folderSource(root: string): Promise<InputSource> {
  const entries = await walk(root);
  if (!entries.length) throw new UsageError(`--input ${root}: the folder has no files`);
  const size = await new Promise<number>((resolve) => {
    const probe = zipOf(entries, () => null);
    probe.end(undefined, ((total: number) => resolve(total)) as () => void);
  });
  if (size < 0) throw new CliError(`cannot size the zip of ${root}`);
  const name = basename(root.replace(/[/\\]+$/, '')) || 'input';
  return {
    filename: `${name}.zip`,
    size,
    describe: root,
    open: () => {
      const fail = (path: string) => (error: Error) =>
        (zip.outputStream as Readable).destroy(new CliError(`cannot read ${path}: ${error.message}`));
      const zip = zipOf(entries, (entry) => createReadStream(entry.path).on('error', fail(entry.path)));
      zip.on('error', fail(root));
      zip.end();
      return zip.outputStream as Readable;
    },
  };
}

/** A zip of `entries`; `read` gives each file's stream when yazl gets to it (null: size only). */
function zipOf(entries: FolderEntry[], read: (entry: FolderEntry) => Readable | null): ZipFile {
  const zip = new ZipFile();
  for (const entry of entries) {
    if (entry.stats.isDirectory()) {
      zip.addEmptyDirectory(entry.name, { mtime: entry.stats.mtime });
      continue;
    }
    zip.addReadStreamLazy(
      entry.name,
      { mtime: entry.stats.mtime, mode: entry.stats.mode, size: entry.stats.size, compress: false },
      (cb: (error: Error | null, stream: Readable) => void) => {
        const stream = read(entry);
        if (stream) cb(null, stream);
      },
    );
  }
  return zip;
}

/** Files and empty folders under `root` (symbolic links are left out: they would leak outside). */
async function walk(root: string): Promise<FolderEntry[]> {
  const found: FolderEntry[] = [];
  const visit = async (dir: string) => {
    const names = (await readdir(dir)).sort();
    if (dir !== root && !names.length) {
      found.push({ path: dir, name: relative(root, dir).split(sep).join('/'), stats: await lstat(dir) });
    }
    for (const name of names) {
      const path = join(dir, name);
      const stats = await lstat(path);
      if (stats.isDirectory()) await visit(path);
      else if (stats.isFile()) found.push({ path, name: relative(root, path).split(sep).join('/'), stats });
    }
  };
  await visit(root);
  return found;
}
