import { Readable } from 'node:stream';
import { DomainError } from '../common/domain-error';

/** Limits and announced facts for one `BlobStore.put`. */
export interface PutOptions {
  /** The most bytes accepted; one more aborts the upload with DomainError('too_large'). */
  maxBytes: number;
  /** The sha256 (hex) the sender announced; a different content is refused as 'invalid'. */
  expectedSha256?: string;
  /** The size the sender announced; a different size is refused as 'invalid'. */
  expectedSize?: number;
}

/** What `BlobStore.put` stored: the content's address and its size in bytes. */
export interface PutResult {
  sha256: string;
  size: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** True when `value` is a lower-case hex sha256, the only form blob addresses take. */
export function isSha256(value: string): boolean {
  return SHA256_HEX.test(value);
}

/** Throws DomainError('invalid') unless `value` is a lower-case hex sha256. */
export function assertSha256(value: string, what = 'sha256'): void {
  if (!isSha256(value)) throw new DomainError('invalid', `${what} must be 64 lower-case hex digits`);
}

/**
 * Content-addressed file storage (docs/design.md "What is kept where"): every blob is named by the
 * sha256 of its bytes, written once, streamed in and out, never held whole in memory. The same
 * content uploaded twice is stored once. Blobs carry no owner: the `files` table
 * (`FilesRepository`) says who a blob belongs to, so a blob must never be removed while a `files`
 * row names it.
 *
 * This abstract class is also the injection token, with two implementations chosen by
 * STORAGE_BACKEND: `LocalBlobStore` (a directory on disk) and `S3BlobStore` (an S3-compatible
 * bucket, shared by replicas on different hosts).
 */
export abstract class BlobStore {
  /**
   * Streams `source` into the store while hashing it. Refuses with DomainError('too_large') as
   * soon as more than `maxBytes` arrive, and with DomainError('invalid') when the announced
   * size or sha256 do not match. Nothing is left behind by a refused or failed upload; on failure
   * `source` is destroyed.
   */
  abstract put(source: Readable, opts: PutOptions): Promise<PutResult>;

  /**
   * A readable stream of the blob's bytes from `offset` (for resumed downloads), at most `length`
   * bytes when given. A missing blob fails the stream; check with `exists` or `size` first.
   */
  abstract open(sha256: string, offset?: number, length?: number): Readable;

  /** The blob's size in bytes; DomainError('not_found') when it is not stored. */
  abstract size(sha256: string): Promise<number>;

  /** Whether the blob is stored. */
  abstract exists(sha256: string): Promise<boolean>;

  /** Deletes the blob; a missing blob is not an error. Only for blobs no `files` row names. */
  abstract remove(sha256: string): Promise<void>;

  /** `put` for content already in memory (the gRPC seed rpcs carry `bytes task_zip`). */
  putBuffer(buf: Uint8Array, opts: PutOptions): Promise<PutResult> {
    return this.put(Readable.from([buf], { objectMode: false }), opts);
  }
}
