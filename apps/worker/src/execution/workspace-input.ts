import { constants } from 'node:fs';
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as yauzl from 'yauzl';
import { formatBytes } from '@hivemind/contracts';
import {
  ByteLimit,
  lstatIfAny,
  O_NOFOLLOW,
  S_IFREG,
  UnsafeArchiveError,
  errnoCode,
  reason,
  shown,
} from './workspace';

// The input direction of the workspace (workspace.ts): the task's zip, checked entry by entry from
// its central directory, then written under folders this code made.

export interface ExtractLimits {
  /** The most files and folders (counting the folders that entry names imply). */
  maxFiles: number;
  /** The most bytes the files may hold, both as the zip declares them and as actually written. */
  maxBytes: number;
  /** The highest uncompressed/compressed ratio of one entry (a zip bomb's is ~1000); default 200. */
  maxRatio?: number;
  /**
   * Entries up to this size skip the ratio check, default 1 MiB: a small file of zeros is
   * legitimate and cannot be a bomb (maxBytes bounds it); the check is there to refuse a bomb
   * before inflating it.
   */
  ratioExemptBytes?: number;
}

const DEFAULT_MAX_RATIO = 200;
const DEFAULT_RATIO_EXEMPT_BYTES = 1024 * 1024;
const MAX_NAME_BYTES = 4096; // PATH_MAX on Linux
const MAX_SEGMENT_BYTES = 255; // NAME_MAX
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const ENTRY_ERRNOS = new Set(['EEXIST', 'ELOOP', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG', 'EILSEQ', 'EINVAL']);
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW;

interface PlannedFile {
  entry: yauzl.Entry;
  raw: string;
  name: string;
  mode: number;
}

interface ExtractionPlan {
  /** Every folder to create, each after its parent. */
  dirs: string[];
  files: PlannedFile[];
}

/**
 * Extracts `zipPath` into `destDir` (created; it must be absent or empty). Every entry is checked
 * from the central directory before anything is written; the bytes are counted again as they
 * are written, since the sizes a zip declares can lie. Files are created with O_EXCL|O_NOFOLLOW
 * under folders this call made, so nothing is written through a link. On any failure `destDir`
 * is left as it was found (absent or empty).
 */
export async function extractZipSafely(
  zipPath: string,
  destDir: string,
  limits: ExtractLimits,
): Promise<{ files: number; bytes: number }> {
  const root = resolve(destDir);
  const zip = await openZip(zipPath);
  try {
    const plan = await planExtraction(zip, root, limits);
    const createdRoot = await prepareDestination(root);
    try {
      return await writePlan(zip, root, plan, limits.maxBytes);
    } catch (error) {
      await emptyDestination(root, createdRoot);
      throw error;
    }
  } finally {
    zip.close();
  }
}

async function openZip(zipPath: string): Promise<yauzl.ZipFile> {
  try {
    // decodeStrings off: yauzl would reject the whole zip for one bad name with a terse message
    return await yauzl.openPromise(zipPath, {
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: true,
    });
  } catch (error) {
    throw notAZip(error);
  }
}

async function planExtraction(
  zip: yauzl.ZipFile,
  root: string,
  limits: ExtractLimits,
): Promise<ExtractionPlan> {
  const maxRatio = limits.maxRatio ?? DEFAULT_MAX_RATIO;
  const exempt = limits.ratioExemptBytes ?? DEFAULT_RATIO_EXEMPT_BYTES;
  const tooMany = () =>
    new UnsafeArchiveError(`input zip has more than ${limits.maxFiles} files and folders`);
  if (zip.entryCount > limits.maxFiles) throw tooMany();

  const dirs = new Set<string>();
  const files = new Map<string, PlannedFile>();
  let declaredBytes = 0;
  for await (const entry of readEntries(zip)) {
    const raw = yauzl.getFileNameLowLevel(
      entry.generalPurposeBitFlag,
      entry.fileNameRaw,
      entry.extraFields,
      false,
    );
    const name = safeEntryName(raw, root);
    const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
    const type = mode & S_IFMT;
    if (type === S_IFLNK) throw unsafe(raw, 'is a symbolic link; links are not extracted');
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
      throw unsafe(raw, 'is a special file (device, pipe or socket), not a regular file or folder');
    }
    const directory = type === S_IFDIR || /[/\\]$/.test(raw);
    if (name === '' && !directory) throw unsafe(raw, 'has an empty name');
    addFolders(dirs, directory ? name : parentOf(name));
    if (files.size + dirs.size > limits.maxFiles) throw tooMany();
    if (directory) continue;

    if (files.has(name)) throw unsafe(raw, 'appears twice in the zip');
    if (!entry.canDecodeFileData()) {
      throw unsafe(raw, `is encrypted or compressed with an unsupported method (${entry.compressionMethod})`);
    }
    const size = entry.uncompressedSize;
    const ratio = entry.compressedSize === 0 ? (size === 0 ? 0 : Infinity) : size / entry.compressedSize;
    if (size > exempt && ratio > maxRatio) {
      const from = formatBytes(entry.compressedSize);
      throw unsafe(
        raw,
        `inflates ${from} to ${formatBytes(size)}, over ${maxRatio} times: it looks like a zip bomb`,
      );
    }
    declaredBytes += size;
    if (declaredBytes > limits.maxBytes) {
      throw new UnsafeArchiveError(
        `input zip would extract to more than ${formatBytes(limits.maxBytes)}, the limit for this task`,
      );
    }
    files.set(name, { entry, raw, name, mode: mode & 0o111 ? 0o755 : 0o644 });
  }
  if (files.size + dirs.size > limits.maxFiles) throw tooMany();
  for (const file of files.values()) {
    if (dirs.has(file.name)) throw unsafe(file.raw, 'is both a file and a folder in the zip');
  }
  return { dirs: [...dirs], files: [...files.values()] };
}

/**
 * The entry's path relative to the destination, with '/' separators, '.' and empty segments
 * dropped ('' for the root itself, as in a `./` entry); refused when absolute, with a `..`
 * segment, too long for a file system, or resolving outside `root`. Backslashes count as
 * separators: Windows tools write them.
 */
function safeEntryName(raw: string, root: string): string {
  if (raw.includes('\0')) throw unsafe(raw, 'has a NUL character in its name');
  if (/^([/\\]|[a-zA-Z]:)/.test(raw)) {
    throw unsafe(raw, "is an absolute path; entries must be relative to the zip's root");
  }
  const segments = raw.split(/[/\\]/).filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw unsafe(raw, 'escapes the workspace');
  const name = segments.join('/');
  if (name === '') return name;
  if (Buffer.byteLength(name) > MAX_NAME_BYTES)
    throw unsafe(raw, `has a name longer than ${MAX_NAME_BYTES} bytes`);
  if (segments.some((s) => Buffer.byteLength(s) > MAX_SEGMENT_BYTES)) {
    throw unsafe(raw, `has a file or folder name longer than ${MAX_SEGMENT_BYTES} bytes`);
  }
  if (!resolve(root, name).startsWith(root + sep)) throw unsafe(raw, 'escapes the workspace');
  return name;
}

/** Adds `dir` and its missing ancestors to `dirs`, parents first; stops at the first one known. */
function addFolders(dirs: Set<string>, dir: string): void {
  const missing: string[] = [];
  for (let d = dir; d !== '' && !dirs.has(d); d = parentOf(d)) missing.push(d);
  for (let i = missing.length - 1; i >= 0; i--) dirs.add(missing[i]);
}

function parentOf(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash === -1 ? '' : name.slice(0, slash);
}

/** Creates `root` if absent (true when it did); refuses one that is not an empty real folder. */
async function prepareDestination(root: string): Promise<boolean> {
  const stats = await lstatIfAny(root);
  if (stats === undefined) {
    await mkdir(root, { recursive: true, mode: 0o755 });
    return true;
  }
  if (!stats.isDirectory()) throw new Error(`cannot extract into ${root}: it is not a folder`);
  if ((await readdir(root)).length > 0) throw new Error(`cannot extract into ${root}: it is not empty`);
  return false;
}

async function emptyDestination(root: string, createdRoot: boolean): Promise<void> {
  if (createdRoot) return rm(root, { recursive: true, force: true });
  // rm never follows links: it removes them, not what they point to
  const names = await readdir(root).catch(() => []);
  await Promise.all(names.map((name) => rm(join(root, name), { recursive: true, force: true })));
}

async function writePlan(
  zip: yauzl.ZipFile,
  root: string,
  plan: ExtractionPlan,
  maxBytes: number,
): Promise<{ files: number; bytes: number }> {
  for (const dir of plan.dirs) {
    // not recursive and parents first: every folder on a file's path is one this call made
    try {
      await mkdir(join(root, dir), { mode: 0o755 });
      await chmodExact(join(root, dir), 0o755);
    } catch (error) {
      throw unwritable(dir, error);
    }
  }
  let bytes = 0;
  for (const file of plan.files) bytes += await writeFile(zip, root, file, { written: bytes, maxBytes });
  return { files: plan.files.length, bytes };
}

/** Streams one entry to a new file; returns the bytes written. */
async function writeFile(
  zip: yauzl.ZipFile,
  root: string,
  file: PlannedFile,
  total: { written: number; maxBytes: number },
): Promise<number> {
  const declared = file.entry.uncompressedSize;
  let source: Readable;
  try {
    source = await zip.openReadStreamPromise(file.entry);
  } catch (error) {
    throw damaged(file.raw, error);
  }
  let sourceError: unknown;
  source.once('error', (error) => (sourceError = error));
  let handle: FileHandle | undefined;
  try {
    handle = await open(join(root, file.name), CREATE_NEW, file.mode);
    await handle.chmod(file.mode); // the umask must not decide what the task can read or execute
  } catch (error) {
    source.destroy();
    await handle?.close();
    throw unwritable(file.raw, error);
  }
  const limit = new ByteLimit(Math.min(declared, total.maxBytes - total.written), (seen) =>
    seen > declared
      ? unsafe(file.raw, `holds more data than the ${declared} bytes it declares`)
      : new UnsafeArchiveError(
          `input zip extracts to more than ${formatBytes(total.maxBytes)}, the limit for this task`,
        ),
  );
  try {
    await pipeline(source, limit, handle.createWriteStream());
  } catch (error) {
    if (error instanceof UnsafeArchiveError) throw error;
    // a system error (ENOSPC, EIO) is the disk's, not the zip's, even when the pipeline handed it
    // to the source too: the caller decides whose fault a full disk is
    if (errnoCode(error) !== undefined) throw error;
    throw error === sourceError ? damaged(file.raw, error) : error;
  }
  return limit.bytes;
}

async function* readEntries(zip: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  try {
    yield* zip.eachEntry();
  } catch (error) {
    throw notAZip(error);
  }
}

/** yauzl's complaint as a refusal of the zip; a system error (a missing file, EIO) stays as it is. */
function notAZip(error: unknown): unknown {
  if (error instanceof UnsafeArchiveError || errnoCode(error) !== undefined) return error;
  return new UnsafeArchiveError(`input zip is damaged or not a zip file: ${reason(error)}`);
}

/** A file system refusal the zip's names caused (a case-insensitive clash, a name the disk rejects). */
function unwritable(raw: string, error: unknown): unknown {
  const code = errnoCode(error);
  if (code === undefined || !ENTRY_ERRNOS.has(code)) return error;
  return unsafe(
    raw,
    `cannot be written to the workspace (${code}): it clashes with another entry or the disk refuses its name`,
  );
}

function damaged(raw: string, error: unknown): UnsafeArchiveError {
  return unsafe(raw, `is damaged: ${reason(error)}`);
}

function unsafe(raw: string, what: string): UnsafeArchiveError {
  return new UnsafeArchiveError(`input zip entry ${shown(raw)} ${what}`);
}

async function chmodExact(path: string, mode: number): Promise<void> {
  const handle = await open(path, constants.O_RDONLY | O_NOFOLLOW);
  try {
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}
