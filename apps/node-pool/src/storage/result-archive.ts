import { posix } from 'node:path';
import { type Readable, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import * as yauzl from 'yauzl';
import { ZipFile as ZipWriter } from 'yazl';
import { DomainError } from '../common/domain-error';
import { type BlobStore } from './blob-store';
import { formatBytes } from '@hivemind/contracts';

/** One zip in the BlobStore to merge, and the folder its entries go under (`shard-000`). */
export interface ArchivePart {
  /** A relative folder such as `shard-000` or `aggregate`; '' puts the entries at the root. */
  prefix: string;
  sha256: string;
}

/** Limits that keep a merge from being abused (a "zip bomb" output, millions of entries). */
export interface MergeLimits {
  /** The most entries in the merged zip; default 100 000. */
  maxEntries?: number;
  /** The most uncompressed bytes in the merged zip, as the parts declare them; default no limit. */
  maxTotalBytes?: number;
}

/** What a merge put in and what it left out (with the reason), for logs and the caller. */
export interface MergeSummary {
  entries: number;
  totalBytes: number;
  skipped: { prefix: string; name: string; reason: string }[];
}

/** A merge whose parts have been read and checked, ready to be written by `writeMergePlan`. */
export interface MergePlan {
  readonly summary: MergeSummary;
  readonly parts: readonly PlannedPart[];
}

interface PlannedPart {
  zip: yauzl.ZipFile;
  entries: { entry: yauzl.Entry; name: string; directory: boolean }[];
}

const DEFAULT_MAX_ENTRIES = 100_000;
export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
const UNIX_HOST = 3;

/**
 * Merges zips stored in `store` into one zip written to `out`: every entry of every part under
 * `<prefix>/` (e.g. `shard-000/result.txt`), streamed entry by entry with backpressure. Entries
 * whose names escape (absolute, `..`), symbolic links and other special files, encrypted or
 * undecodable entries and duplicate names are left out and listed in the summary.
 *
 * Every part is read and checked (`planMergedZip`) before the first byte is written, so a
 * refusal (a part that is not a zip → 'invalid', over the limits → 'too_large') leaves `out`
 * untouched. A failure while writing destroys `out` (a truncated download must not look complete).
 */
export async function writeMergedZip(
  store: BlobStore,
  parts: readonly ArchivePart[],
  out: Writable,
  limits: MergeLimits = {},
): Promise<MergeSummary> {
  const plan = await planMergedZip(store, parts, limits);
  await writeMergePlan(plan, out);
  return plan.summary;
}

/**
 * Reads the central directory of every part and decides what the merged zip will hold, without
 * writing anything. The plan holds the parts open: pass it to `writeMergePlan` (which closes
 * them) or to `closeMergePlan`.
 */
export async function planMergedZip(
  store: BlobStore,
  parts: readonly ArchivePart[],
  limits: MergeLimits = {},
): Promise<MergePlan> {
  const maxEntries = limits.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const maxTotalBytes = limits.maxTotalBytes ?? Number.MAX_SAFE_INTEGER;
  const summary: MergeSummary = { entries: 0, totalBytes: 0, skipped: [] };
  const planned: PlannedPart[] = [];
  const names = new Set<string>();
  try {
    for (const part of parts) {
      const prefix = checkedPrefix(part.prefix);
      const zip = await openZip(store, part.sha256, part.prefix);
      const current: PlannedPart = { zip, entries: [] };
      planned.push(current);
      for await (const entry of readEntries(zip, part.prefix)) {
        const raw = entryName(entry);
        const skip = (reason: string) => summary.skipped.push({ prefix: part.prefix, name: raw, reason });
        const relative = safeRelativeName(raw);
        if (relative === undefined) {
          skip('the name is absolute or leaves its folder');
          continue;
        }
        const type = unixMode(entry) & S_IFMT;
        const directory = raw.endsWith('/') || type === S_IFDIR;
        if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
          skip('a symbolic link or special file');
          continue;
        }
        if (!directory && !entry.canDecodeFileData()) {
          skip('encrypted or compressed with an unsupported method');
          continue;
        }
        const name = posix.join(prefix, relative) + (directory ? '/' : '');
        if (names.has(name)) {
          skip('a duplicate name');
          continue;
        }
        names.add(name);
        summary.entries++;
        summary.totalBytes += directory ? 0 : entry.uncompressedSize;
        if (summary.entries > maxEntries) {
          throw new DomainError('too_large', `the result has more than ${maxEntries} files to merge`);
        }
        if (summary.totalBytes > maxTotalBytes) {
          throw new DomainError(
            'too_large',
            `the merged result would be larger than ${formatBytes(maxTotalBytes)}: download the outputs one by one`,
          );
        }
        current.entries.push({ entry, name, directory });
      }
    }
  } catch (error) {
    closeMergePlan({ summary, parts: planned });
    throw error;
  }
  return { summary, parts: planned };
}

/** Writes a planned merge to `out` and closes the plan's parts; `out` is ended, or destroyed on error. */
export async function writeMergePlan(plan: MergePlan, out: Writable): Promise<void> {
  const zip = new ZipWriter();
  const output = zip.outputStream as Readable;
  zip.on('error', (error: Error) => output.destroy(error));
  const written = pipeline(output, out);
  written.catch(() => undefined); // awaited below; this only marks it handled meanwhile
  let source: Readable | undefined;
  try {
    for (const part of plan.parts) {
      for (const { entry, name, directory } of part.entries) {
        const mtime = entry.getLastModDate();
        const permissions = unixMode(entry) & 0o7777;
        if (directory) {
          zip.addEmptyDirectory(name, { mtime, ...(permissions ? { mode: S_IFDIR | permissions } : {}) });
          continue;
        }
        source = await part.zip.openReadStreamPromise(entry);
        const consumed = finished(source);
        zip.addReadStream(source, name, {
          mtime,
          size: entry.uncompressedSize,
          compress: entry.compressionMethod !== 0,
          ...(permissions ? { mode: S_IFREG | permissions } : {}),
        });
        // one entry at a time: memory stays bounded whatever the parts hold
        await Promise.race([consumed, written.then(ended)]);
      }
    }
    zip.end();
  } catch (error) {
    source?.destroy();
    output.destroy(error instanceof Error ? error : new Error(String(error)));
    await written.catch(() => undefined);
    throw error;
  } finally {
    closeMergePlan(plan);
  }
  await written;
}

/** Closes the parts a plan holds open (for a plan that will not be written). */
export function closeMergePlan(plan: MergePlan): void {
  for (const part of plan.parts) part.zip.close();
}

function ended(): never {
  throw new Error('the archive output ended before every entry was written');
}

/** The prefix as a folder path: relative, no `..`, no empty or `.` segments; '' for none. */
function checkedPrefix(prefix: string): string {
  if (prefix === '') return '';
  const safe = safeRelativeName(prefix.endsWith('/') ? prefix : `${prefix}/`);
  if (safe === undefined || safe === '' || safe.split('/').some((s) => s === '' || s === '.')) {
    throw new DomainError('invalid', `archive prefix "${prefix}" must be a relative folder name`);
  }
  return safe;
}

/**
 * A zip entry name made safe to extract: backslashes read as separators, `.` and empty segments
 * dropped; undefined for an absolute path, a drive letter, a `..` segment, a NUL or nothing left.
 */
export function safeRelativeName(raw: string): string | undefined {
  const name = raw.replace(/\\/g, '/');
  if (name.includes('\0') || yauzl.validateFileName(name) !== null) return undefined;
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.includes('..')) return undefined;
  return segments.join('/');
}

/** The entry's name, decoded here (UTF-8 when flagged or given in an extra field, else CP437). */
export function entryName(entry: yauzl.Entry): string {
  // decodeStrings is off (yauzl would refuse the whole zip for one bad name): decode it here
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
}

/** The entry's Unix mode (type and permissions) when a Unix host made it, else 0. */
export function unixMode(entry: yauzl.Entry): number {
  return entry.versionMadeBy >> 8 === UNIX_HOST ? (entry.externalFileAttributes >>> 16) & 0xffff : 0;
}

/** A stored zip opened for random access (its central directory read); yauzl's errors as they come. */
export async function openBlobZip(store: BlobStore, sha256: string): Promise<yauzl.ZipFile> {
  const size = await store.size(sha256);
  return yauzl.fromRandomAccessReaderPromise(new BlobReader(store, sha256), size, {
    autoClose: false,
    decodeStrings: false,
    validateEntrySizes: true,
  });
}

async function openZip(store: BlobStore, sha256: string, prefix: string): Promise<yauzl.ZipFile> {
  try {
    return await openBlobZip(store, sha256);
  } catch (error) {
    throw notAZip(error, prefix);
  }
}

/** The zip's entries; a damaged central directory is refused as 'invalid'. */
async function* readEntries(zip: yauzl.ZipFile, prefix: string): AsyncGenerator<yauzl.Entry> {
  try {
    yield* zip.eachEntry();
  } catch (error) {
    throw notAZip(error, prefix);
  }
}

/** yauzl's complaint about a part as a refusal; a storage (system) error stays what it is. */
function notAZip(error: unknown, prefix: string): unknown {
  if (error instanceof DomainError || (error instanceof Error && 'syscall' in error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new DomainError('invalid', `the output for "${prefix}" is not a readable zip: ${reason}`);
}

/**
 * Reads a zip's bytes from the BlobStore by range, with read-ahead windows for its headers: two,
 * because reading the entries alternates between the central directory (the next entry's record)
 * and the entry's local header; with one window, each would push the other out, one read of the
 * store per header.
 */
export class BlobReader extends yauzl.RandomAccessReader {
  private static readonly WINDOW = 64 * 1024;
  /** The most recently used last. */
  private windows: { start: number; data: Buffer }[] = [];

  constructor(
    private readonly store: BlobStore,
    private readonly sha256: string,
  ) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return this.store.open(this.sha256, start, end - start);
  }

  /** yauzl reads headers (tens of bytes each) through here: serve them from the windows. */
  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null) => void,
  ): void {
    const hit = (): boolean => {
      const at = this.windows.findIndex(
        (w) => position >= w.start && position + length <= w.start + w.data.length,
      );
      if (at === -1) return false;
      const [w] = this.windows.splice(at, 1);
      this.windows.push(w);
      w.data.copy(buffer, offset, position - w.start, position - w.start + length);
      return true;
    };
    if (hit()) return callback(null);
    if (length > BlobReader.WINDOW) return super.read(buffer, offset, length, position, callback);
    const chunks: Buffer[] = [];
    const stream = this.store.open(this.sha256, position, BlobReader.WINDOW);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('error', (error) => callback(error));
    stream.once('end', () => {
      this.windows = [...this.windows.slice(-1), { start: position, data: Buffer.concat(chunks) }];
      callback(hit() ? null : new Error('unexpected end of the zip'));
    });
  }
}
