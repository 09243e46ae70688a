import { DomainError } from '../common/domain-error';
import { assertSha256 } from './blob-store';

// Where S3BlobStore keeps what, and how it cuts requests: pure, so the rules are tested without S3.

/** Verified blobs: `blobs/<sha256>`, written once by a server-side copy from `tmp/`. */
export const BLOB_PREFIX = 'blobs/';
/** Uploads in progress (and leftovers of a crashed replica, swept at start): `tmp/<uuid>`. */
export const TMP_PREFIX = 'tmp/';

/** S3 allows at most this many parts in one multipart upload. */
export const MAX_PARTS = 10_000;
/** The smallest part S3 accepts (but the last). */
export const MIN_PART_BYTES = 5 * 1024 ** 2;
/** Parts of this size by default: memory per upload is `UPLOAD_QUEUE_SIZE` of them. */
export const DEFAULT_PART_BYTES = 8 * 1024 ** 2;
/** The largest object one CopyObject may copy; larger ones are copied part by part. */
export const MAX_COPY_OBJECT_BYTES = 5 * 1024 ** 3;
/** The largest part UploadPartCopy may copy. */
export const MAX_COPY_PART_BYTES = 5 * 1024 ** 3;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The key of a blob. Only a lower-case hex sha256 is accepted (DomainError('invalid') otherwise),
 * so no caller-supplied text ever reaches a key: nothing can name an object outside `blobs/`.
 */
export function blobKey(sha256: string): string {
  assertSha256(sha256);
  return `${BLOB_PREFIX}${sha256}`;
}

/** The key of an upload in progress; `id` is a random UUID made by the store. */
export function tmpKey(id: string): string {
  if (!UUID.test(id)) throw new DomainError('invalid', 'an upload id must be a lower-case UUID');
  return `${TMP_PREFIX}${id}`;
}

/**
 * The `Range` header for `offset` and at most `length` bytes (HTTP ranges are inclusive), or
 * undefined for the whole object. `length` 0 is the caller's to answer (no request at all).
 */
export function byteRange(offset: number, length?: number): string | undefined {
  if (offset === 0 && length === undefined) return undefined;
  return `bytes=${offset}-${length === undefined ? '' : offset + length - 1}`;
}

/**
 * The part size for an upload of at most `maxBytes`: DEFAULT_PART_BYTES, or larger when
 * MAX_PARTS of those would not hold `maxBytes` (rounded up to a whole MiB).
 */
export function uploadPartSize(maxBytes: number): number {
  const needed = Math.ceil(maxBytes / MAX_PARTS);
  if (needed <= DEFAULT_PART_BYTES) return DEFAULT_PART_BYTES;
  return Math.ceil(needed / 1024 ** 2) * 1024 ** 2;
}

/**
 * The `CopySourceRange`s of a multipart copy of `size` bytes (for objects over
 * MAX_COPY_OBJECT_BYTES): as few parts as MAX_COPY_PART_BYTES allows, all but the last the same size
 * and none under MIN_PART_BYTES but the last.
 */
export function copyPartRanges(size: number, maxPartBytes = MAX_COPY_PART_BYTES): string[] {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError('size must be a whole number ≥ 1');
  const parts = Math.ceil(size / maxPartBytes);
  if (parts > MAX_PARTS) throw new RangeError(`${size} bytes need more than ${MAX_PARTS} parts`);
  const partBytes = Math.max(MIN_PART_BYTES, Math.ceil(size / parts));
  const ranges: string[] = [];
  for (let start = 0; start < size; start += partBytes) {
    ranges.push(`bytes=${start}-${Math.min(start + partBytes, size) - 1}`);
  }
  return ranges;
}
