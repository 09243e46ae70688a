// The attempt's workspace on the host. Before the container starts, the task's input zip is
// extracted into a folder that gets bind-mounted (extractZipSafely); after it has stopped, its
// output folder is zipped for upload (zipOutputs). The task's author wrote the zip and the task
// itself wrote the output, so both directions treat the data as hostile: nothing may be written
// outside the workspace, and nothing outside it (a symlink to /etc/shadow) may be read into a zip.

import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, lstat, mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { pipeline as pipeStreams, Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { types } from 'node:util';
import * as yauzl from 'yauzl';
import { ZipFile as ZipWriter } from 'yazl';
import { formatBytes } from '@hivemind/contracts';

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

/** An input zip (or output folder) refused for what it holds; the message says which entry and why. */
export class UnsafeArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeArchiveError';
  }
}

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
  /** `name (reason)` for each entry left out: links, special files, names a zip cannot carry. */
  skipped: string[];
}

const DEFAULT_MAX_RATIO = 200;
const DEFAULT_RATIO_EXEMPT_BYTES = 1024 * 1024;
const DEFAULT_MAX_OUTPUT_ENTRIES = 100_000;
const MAX_NAME_BYTES = 4096; // PATH_MAX on Linux
const MAX_SEGMENT_BYTES = 255; // NAME_MAX
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
// O_NOFOLLOW and O_NONBLOCK are undefined on Windows, where the worker does not run tasks
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
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
  const stats = await lstat(root).catch((error: unknown) => {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  });
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

/** Passes at most `limit` bytes through; more fails the stream with `tooMany(bytesSeen)`. */
class ByteLimit extends Transform {
  bytes = 0;

  constructor(
    private readonly limit: number,
    private readonly tooMany: (bytes: number) => Error,
    private readonly tooFew?: (bytes: number) => Error,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) callback(this.tooMany(this.bytes));
    else callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.tooFew && this.bytes < this.limit ? this.tooFew(this.bytes) : null);
  }
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

/**
 * Zips every regular file under `srcDir` into `zipPath` (names relative to `srcDir`, '/'
 * separators), streaming through a SHA-256 as it writes. Nothing is followed: symbolic links,
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
  const stats = await lstat(root).catch((error: unknown) => {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  });
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
): Promise<{ size: number; sha256: string }> {
  // O_NOFOLLOW: if zipPath sits where the task could write, a planted link must not redirect it
  const out = await open(
    zipPath,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | O_NOFOLLOW,
    0o644,
  );
  const zip = new ZipWriter();
  const output = zip.outputStream as Readable;
  zip.on('error', (error: Error) => output.destroy(error));
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const written = pipeline(output, tap, out.createWriteStream());
  let current: Readable | undefined;
  try {
    for (const file of files) {
      const mode = S_IFREG | (file.mode & 0o111 ? 0o755 : 0o644);
      // lazy: yazl opens each file when it gets to it, so one descriptor is open at a time
      zip.addReadStreamLazy(file.name, { size: file.size, mtime: file.mtime, mode }, (callback) => {
        readOutput(file).then(
          (stream) => {
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
  return { size, sha256: hash.digest('hex') };
}

/** The file's bytes, provided it is still the regular file the walk saw and keeps its size. */
async function readOutput(file: OutputFile): Promise<Readable> {
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
  pipeStreams(handle.createReadStream(), limit, () => undefined); // errors reach `limit`, which yazl reads
  return limit;
}

/** False for a file the task made unreadable to the worker (a container running as another user). */
async function readable(path: string): Promise<boolean> {
  return access(path, constants.R_OK).then(
    () => true,
    () => false,
  );
}

async function chmodExact(path: string, mode: number): Promise<void> {
  const handle = await open(path, constants.O_RDONLY | O_NOFOLLOW);
  try {
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}

function isErrno(error: unknown, code: string): boolean {
  return errnoCode(error) === code;
}

// isNativeError, not instanceof: errors from Node's internals come from another realm under Jest
function errnoCode(error: unknown): string | undefined {
  return types.isNativeError(error) && 'syscall' in error ? (error as NodeJS.ErrnoException).code : undefined;
}

function reason(error: unknown): string {
  return types.isNativeError(error) ? error.message : String(error);
}

/** A name as it may safely appear in a message: quoted, control characters escaped, shortened. */
function shown(name: string): string {
  const quoted = JSON.stringify(name);
  return quoted.length > 200 ? `${quoted.slice(0, 197)}..."` : quoted;
}
