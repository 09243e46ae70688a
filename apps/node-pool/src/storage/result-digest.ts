import { createHash } from 'node:crypto';
import { type Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import {
  canonicalResultText,
  formatBytes,
  normalizedResultPath,
  type ResultEntry,
} from '@hivemind/contracts';
import { DomainError } from '../common/domain-error';
import { type BlobStore } from './blob-store';
import { openBlobZip, entryName, S_IFDIR, S_IFMT, S_IFREG, unixMode } from './result-archive';

// The pool's own result digest (docs/worker.md "Result digest"): recomputed from the output zip a
// node uploaded, so that a node's reported digest is a claim the pool can check, never a fact.

/** Bounds on the zip a digest is computed from: a hostile node chose it. */
export interface DigestLimits {
  /** The most entries (files and folders) in the zip; default 100 000, as the worker zips. */
  maxEntries?: number;
  /** The longest entry path, in characters; default 4096. */
  maxPathLength?: number;
  /** The most uncompressed bytes read, as the entries go through sha256; default no limit. */
  maxTotalBytes?: number;
  /**
   * One file to keep as text while it is hashed (a validating attempt's `groups.json`), up to
   * `maxBytes`; `capture.text` is set when the zip holds it and it is no longer.
   */
  capture?: { path: string; maxBytes: number; text?: string };
}

export const DEFAULT_DIGEST_LIMITS = { maxEntries: 100_000, maxPathLength: 4096 } as const;

/** The sha256 (hex) of the result's canonical text (`canonicalResultText`). */
export function resultDigest(exitCode: number, entries: readonly ResultEntry[]): string {
  return createHash('sha256').update(canonicalResultText(exitCode, entries)).digest('hex');
}

/**
 * The result digest of the output zip stored as `zipSha256`, with `exitCode`: every file entry
 * streamed through sha256 (one at a time, never held whole), folders left out. The zip is refused
 * with DomainError('invalid') when an entry's path is absolute, leaves its folder (`..`), is
 * longer than `maxPathLength` or comes twice, when an entry is a link or special file, encrypted or
 * compressed in a way the pool cannot read, or when it is not a zip; with DomainError('too_large')
 * over `maxEntries` (checked before any entry is read) or `maxTotalBytes`.
 */
export async function zipResultDigest(
  store: BlobStore,
  zipSha256: string,
  exitCode: number,
  limits: DigestLimits = {},
): Promise<string> {
  const maxEntries = limits.maxEntries ?? DEFAULT_DIGEST_LIMITS.maxEntries;
  const maxPathLength = limits.maxPathLength ?? DEFAULT_DIGEST_LIMITS.maxPathLength;
  const maxTotalBytes = limits.maxTotalBytes ?? Number.MAX_SAFE_INTEGER;
  const zip = await openStoredZip(store, zipSha256);
  try {
    if (zip.entryCount > maxEntries) {
      throw new DomainError(
        'too_large',
        `the output zip holds ${zip.entryCount} entries; a result digest reads at most ${maxEntries}`,
      );
    }
    const entries: ResultEntry[] = [];
    const paths = new Set<string>();
    let totalBytes = 0;
    for await (const entry of readEntries(zip)) {
      const raw = entryName(entry);
      if (raw.length > maxPathLength) {
        throw refused(`an entry's path is longer than ${maxPathLength} characters`);
      }
      const type = unixMode(entry) & S_IFMT;
      if (type === S_IFDIR || /[/\\]$/.test(raw)) continue; // folders are not part of a result
      if (type !== 0 && type !== S_IFREG) throw refused(`${shown(raw)} is a link or a special file`);
      if (raw.includes('\0')) throw refused(`${shown(raw)} has a NUL in its name`);
      const path = normalized(raw);
      if (paths.has(path)) throw refused(`${shown(path)} is in the zip twice`);
      paths.add(path);
      if (!entry.canDecodeFileData()) {
        throw refused(`${shown(raw)} is encrypted or compressed with a method the pool cannot read`);
      }
      totalBytes += entry.uncompressedSize;
      if (totalBytes > maxTotalBytes) {
        throw new DomainError(
          'too_large',
          `the output zip holds more than ${formatBytes(maxTotalBytes)} once uncompressed; a result digest reads at most that`,
        );
      }
      const keep = limits.capture?.path === path && entry.uncompressedSize <= limits.capture.maxBytes;
      const read = await sha256Of(zip, entry, keep);
      if (keep && limits.capture) limits.capture.text = read.bytes?.toString('utf8');
      entries.push({ path, sha256: read.sha256 });
    }
    return resultDigest(exitCode, entries);
  } finally {
    zip.close();
  }
}

async function openStoredZip(store: BlobStore, sha256: string): Promise<yauzl.ZipFile> {
  try {
    return await openBlobZip(store, sha256);
  } catch (error) {
    throw notAZip(error);
  }
}

async function* readEntries(zip: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  try {
    yield* zip.eachEntry();
  } catch (error) {
    throw notAZip(error);
  }
}

/**
 * The sha256 of the entry's uncompressed bytes, streamed (yauzl checks them against its size); with
 * `keep`, the bytes too (the caller has bounded the entry's size).
 */
async function sha256Of(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  keep = false,
): Promise<{ sha256: string; bytes?: Buffer }> {
  const hash = createHash('sha256');
  const kept: Buffer[] = [];
  let stream: Readable | undefined;
  try {
    stream = await zip.openReadStreamPromise(entry);
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      if (keep) kept.push(chunk as Buffer);
    }
  } catch (error) {
    stream?.destroy();
    throw notAZip(error);
  }
  return { sha256: hash.digest('hex'), bytes: keep ? Buffer.concat(kept) : undefined };
}

/** The path as the canonical text writes it; empty and absolute paths and `..` are refused. */
function normalized(raw: string): string {
  try {
    return normalizedResultPath(raw);
  } catch (error) {
    if (error instanceof RangeError) throw refused(error.message);
    throw error;
  }
}

function refused(why: string): DomainError {
  return new DomainError('invalid', `the output zip is refused for a result digest: ${why}`);
}

/** yauzl's complaint as a refusal; a storage (system) error and a refusal stay what they are. */
function notAZip(error: unknown): unknown {
  if (error instanceof DomainError || (error instanceof Error && 'syscall' in error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new DomainError('invalid', `the output is not a readable zip: ${reason}`);
}

/** A name as it may safely appear in a message: quoted, control characters escaped, shortened. */
function shown(name: string): string {
  const quoted = JSON.stringify(name);
  return quoted.length > 200 ? `${quoted.slice(0, 197)}..."` : quoted;
}
