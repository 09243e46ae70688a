import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, lstat, open, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline as pipeStreams, Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { types } from 'node:util';
import { ZipFile as ZipWriter } from 'yazl';
import { formatBytes, type ResultEntry } from '@hivemind/contracts';
import { ByteLimit, lstatIfAny, O_NOFOLLOW, S_IFREG, UnsafeArchiveError, isErrno, shown } from './workspace';

// The output direction of the workspace (workspace.ts): what the task left in its output folder,
// walked without following anything and zipped for upload.

/** The task's output is over a limit; the message gives the limit. */
export class OutputTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputTooLargeError';
  }
}

export interface OutputArchive {
  path: string;
  size: number;
  sha256: string;
  files: number;
  /** Each file that went into the zip, with the sha256 of the bytes that went in, in zip order. */
  entries: ResultEntry[];
  /** `name (reason)` for each entry left out: links, special files, names a zip cannot carry. */
  skipped: string[];
}

const DEFAULT_MAX_OUTPUT_ENTRIES = 100_000;
// O_NONBLOCK is undefined on Windows, where the worker does not run tasks
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

/**
 * Zips every regular file under `srcDir` into `zipPath` (names relative to `srcDir`, '/'
 * separators), streaming through a SHA-256 as it writes, and each file through one of its own (the
 * result digest's entries: result-digest.ts). Nothing is followed: symbolic links,
 * special files and names a zip cannot carry faithfully are left out and listed in `skipped`.
 * Undefined when `srcDir` is missing or holds no regular file. Over `maxBytes` (the files' total)
 * or `maxEntries` (files, folders and skipped entries; default 100 000) it fails with
 * OutputTooLargeError before writing anything; a failure while writing removes `zipPath`.
 *
 * Call it once the task's container has stopped: the walk checks each file before reading it,
 * but a process still running could swap a folder on the path between the check and the read.
 */
export async function zipOutputs(
  srcDir: string,
  zipPath: string,
  opts: { maxBytes: number; maxEntries?: number },
): Promise<OutputArchive | undefined> {
  const root = resolve(srcDir);
  const stats = await lstatIfAny(root);
  if (stats === undefined) return undefined;
  if (!stats.isDirectory()) {
    throw new UnsafeArchiveError(
      `the output folder ${root} was replaced by a link or a file; nothing was collected`,
    );
  }
  const { files, skipped } = await listOutputs(root, opts.maxEntries ?? DEFAULT_MAX_OUTPUT_ENTRIES);
  if (files.length === 0) return undefined;
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (total > opts.maxBytes) {
    throw new OutputTooLargeError(
      `the task's output (${formatBytes(total)} in ${files.length} files) is over the ${formatBytes(opts.maxBytes)} limit`,
    );
  }
  const written = await writeOutputZip(files, zipPath);
  return { path: zipPath, ...written, files: files.length, skipped };
}

interface OutputFile {
  name: string;
  path: string;
  size: number;
  mode: number;
  mtime: Date;
  dev: number;
  ino: number;
}

async function listOutputs(
  root: string,
  maxEntries: number,
): Promise<{ files: OutputFile[]; skipped: string[] }> {
  const files: OutputFile[] = [];
  const skipped: string[] = [];
  const folders = [''];
  let seen = 0;
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    let names: Buffer[];
    try {
      names = await readdir(join(root, folder), { encoding: 'buffer' });
    } catch (error) {
      if (folder === '' || !isErrno(error, 'EACCES')) throw error;
      skipped.push(`${folder}/ (the worker may not read this folder)`);
      continue;
    }
    for (const rawName of names) {
      if (++seen > maxEntries) {
        throw new OutputTooLargeError(`the task's output holds more than ${maxEntries} files and folders`);
      }
      const name = folder === '' ? rawName.toString() : `${folder}/${rawName.toString()}`;
      const unfit = !isUtf8(rawName) ? 'the name is not valid UTF-8' : unzippableName(name);
      if (unfit) {
        skipped.push(`${name} (${unfit})`);
        continue;
      }
      const path = join(root, name);
      const stats = await lstat(path);
      if (stats.isSymbolicLink()) skipped.push(`${name} (a symbolic link; links are not followed)`);
      else if (stats.isDirectory()) folders.push(name);
      else if (!stats.isFile()) skipped.push(`${name} (a special file: pipe, socket or device)`);
      else if (!(await readable(path))) {
        skipped.push(`${name} (the worker may not read this file)`);
      } else {
        const { size, mode, mtime, dev, ino } = stats;
        files.push({ name, path, size, mode, mtime, dev, ino });
      }
    }
  }
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { files, skipped };
}

/** Why a zip could not carry this name faithfully (yazl turns '\' into '/'), or '' when it can. */
function unzippableName(name: string): string {
  if (name.includes('\\')) return 'the name has a backslash, which zip tools read as a folder separator';
  if (/^[a-zA-Z]:/.test(name)) return 'the name reads as a Windows drive path';
  return '';
}

async function writeOutputZip(
  files: OutputFile[],
  zipPath: string,
): Promise<{ size: number; sha256: string; entries: ResultEntry[] }> {
  // O_NOFOLLOW: if zipPath sits where the task could write, a planted link must not redirect it
  const out = await open(
    zipPath,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | O_NOFOLLOW,
    0o644,
  );
  const zip = new ZipWriter();
  const output = zip.outputStream as Readable;
  zip.on('error', (error: Error) => output.destroy(error));
  const tap = new Sha256Tap();
  const written = pipeline(output, tap, out.createWriteStream());
  // each file's bytes as they go in (what the file holds now, not what the walk saw)
  const fileTaps = new Map<OutputFile, Sha256Tap>();
  let current: Readable | undefined;
  try {
    for (const file of files) {
      const mode = S_IFREG | (file.mode & 0o111 ? 0o755 : 0o644);
      // lazy: yazl opens each file when it gets to it, so one descriptor is open at a time
      zip.addReadStreamLazy(file.name, { size: file.size, mtime: file.mtime, mode }, (callback) => {
        readOutput(file).then(
          (stream) => {
            fileTaps.set(file, stream);
            current = stream;
            stream.once('error', (error) => zip.emit('error', error));
            callback(null, stream);
          },
          (error: unknown) => zip.emit('error', error),
        );
      });
    }
    zip.end();
    await written;
  } catch (error) {
    output.destroy(types.isNativeError(error) ? error : new Error(String(error)));
    current?.destroy();
    await written.catch(() => undefined);
    await rm(zipPath, { force: true });
    throw error;
  }
  const entries = files.map((file) => {
    const sha256 = fileTaps.get(file)?.sha256;
    if (sha256 === undefined) throw new Error(`output file ${shown(file.name)} was not read to its end`);
    return { path: file.name, sha256 };
  });
  return { size: tap.bytes, sha256: tap.sha256!, entries };
}

/** Passes bytes on unchanged while hashing them: `sha256` (hex) is set once they have all passed. */
class Sha256Tap extends Transform {
  bytes = 0;
  sha256?: string;
  private readonly hash = createHash('sha256');

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.sha256 = this.hash.digest('hex');
    callback();
  }
}

/** The file's bytes (hashed), provided it is still the regular file the walk saw and keeps its size. */
async function readOutput(file: OutputFile): Promise<Sha256Tap> {
  const changed = () => new Error(`output file ${shown(file.name)} changed while it was being collected`);
  // O_NONBLOCK: a fifo swapped in since the walk must not hang the open
  const handle = await open(file.path, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.dev !== file.dev || stats.ino !== file.ino) throw changed();
  } catch (error) {
    await handle.close();
    throw error;
  }
  const limit = new ByteLimit(file.size, changed, changed);
  const tap = new Sha256Tap();
  pipeStreams(handle.createReadStream(), limit, tap, () => undefined); // errors reach `tap`, which yazl reads
  return tap;
}

/** False for a file the task made unreadable to the worker (a container running as another user). */
async function readable(path: string): Promise<boolean> {
  return access(path, constants.R_OK).then(
    () => true,
    () => false,
  );
}
