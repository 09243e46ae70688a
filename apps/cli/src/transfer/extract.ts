import { createWriteStream } from 'node:fs';
import { lstat, mkdir, realpath, unlink } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as yauzl from 'yauzl';
import { CliError } from '../exit-codes';

/**
 * Where zip entry `name` goes under `root`, or a CliError when it would land outside (an absolute
 * path, a drive letter, `..`, a backslash, a NUL): the entries of a downloaded zip are not trusted.
 */
export function safeEntryPath(root: string, name: string): string {
  const refuse = () => new CliError(`the zip holds an unsafe path "${name}": nothing was extracted`);
  if (!name || name.includes('\0') || name.includes('\\') || isAbsolute(name) || /^[a-zA-Z]:/.test(name))
    throw refuse();
  const parts = name.split('/');
  if (parts.some((p) => p === '..')) throw refuse();
  const base = resolve(root);
  const target = resolve(base, ...parts.filter((p) => p && p !== '.'));
  if (target !== base && !target.startsWith(base + sep)) throw refuse();
  return target;
}

export interface Extracted {
  files: number;
  bytes: number;
  /** Entries left out: symbolic links. */
  skipped: string[];
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Extracts the zip at `zipPath` into `root`, every entry checked with `safeEntryPath` first. */
export async function extractZip(zipPath: string, root: string): Promise<Extracted> {
  const zip = await new Promise<yauzl.ZipFile>((ok, fail) =>
    yauzl.open(zipPath, { lazyEntries: true, autoClose: false }, (error, z) =>
      error || !z ? fail(new CliError(`the download is not a zip: ${error?.message ?? 'empty'}`)) : ok(z),
    ),
  );
  try {
    const entries = await new Promise<yauzl.Entry[]>((ok, fail) => {
      const all: yauzl.Entry[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        all.push(entry);
        zip.readEntry();
      });
      zip.on('end', () => ok(all));
      zip.on('error', (error: Error) => {
        // yauzl checks names too: its refusal reads like ours
        const unsafe = /^(?:invalid relative path|absolute path|invalid characters in fileName): (.*)$/.exec(
          error.message,
        );
        fail(
          new CliError(
            unsafe
              ? `the zip holds an unsafe path "${unsafe[1]}": nothing was extracted`
              : `the download is a damaged zip: ${error.message}`,
          ),
        );
      });
      zip.readEntry();
    });
    await mkdir(root, { recursive: true });
    const realRoot = await realpath(root);
    const planned = entries.map((entry) => ({ entry, target: safeEntryPath(realRoot, entry.fileName) }));
    const result: Extracted = { files: 0, bytes: 0, skipped: [] };
    for (const { entry, target } of planned) {
      if (entry.fileName.endsWith('/')) {
        await mkdir(target, { recursive: true });
        continue;
      }
      if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
        result.skipped.push(entry.fileName);
        continue;
      }
      const dir = resolve(target, '..');
      await mkdir(dir, { recursive: true });
      // a folder that was a symbolic link before we came must not lead outside
      const realDir = await realpath(dir);
      if (realDir !== realRoot && !realDir.startsWith(realRoot + sep))
        throw new CliError(`${dir} leads outside ${root}: nothing more was extracted`);
      const existing = await lstat(target).catch(() => undefined);
      if (existing?.isSymbolicLink()) await unlink(target);
      const stream = await new Promise<Readable>((ok, fail) =>
        zip.openReadStream(entry, (error, s) =>
          error || !s ? fail(error ?? new Error('no stream')) : ok(s),
        ),
      );
      await pipeline(stream, createWriteStream(join(realDir, target.slice(dir.length + 1))));
      result.files++;
      result.bytes += entry.uncompressedSize;
    }
    return result;
  } finally {
    zip.close();
  }
}
