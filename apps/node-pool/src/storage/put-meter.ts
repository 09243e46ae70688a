import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { formatBytes } from '@hivemind/contracts';
import { DomainError } from '../common/domain-error';
import { assertSha256, type PutOptions, type PutResult } from './blob-store';

/**
 * What every `BlobStore.put` does to the bytes on their way to the store, whatever the store:
 * counts and hashes them, fails the stream with DomainError('too_large') as soon as more than
 * `maxBytes` pass, and once they have all passed, `result()` checks the announced size and sha256.
 * The constructor refuses a malformed announced sha256, or an announced size over the limit.
 */
export class PutMeter extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private readonly expectedSha256?: string;
  // a JS private field: lib-storage's Upload reads a body's `size` or `length` as its total length
  #received = 0;

  constructor(private readonly opts: PutOptions) {
    super();
    this.expectedSha256 = opts.expectedSha256?.toLowerCase();
    if (this.expectedSha256 !== undefined) assertSha256(this.expectedSha256, 'the announced sha256');
    if (opts.expectedSize !== undefined && opts.expectedSize > opts.maxBytes) throw tooLarge(opts.maxBytes);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#received += chunk.length;
    if (this.#received > this.opts.maxBytes) return callback(tooLarge(this.opts.maxBytes));
    this.hash.update(chunk);
    callback(null, chunk);
  }

  /** The content's address and size, after the last byte; DomainError('invalid') when not as announced. */
  result(): PutResult {
    const sha256 = this.hash.digest('hex');
    const size = this.#received;
    if (this.opts.expectedSize !== undefined && size !== this.opts.expectedSize) {
      throw new DomainError(
        'invalid',
        `the upload has ${size} bytes but ${this.opts.expectedSize} were announced: it was cut short or altered`,
      );
    }
    if (this.expectedSha256 !== undefined && sha256 !== this.expectedSha256) {
      throw new DomainError(
        'invalid',
        `the upload's sha256 is ${sha256} but ${this.expectedSha256} was announced: it was damaged or altered`,
      );
    }
    return { sha256, size };
  }
}

function tooLarge(maxBytes: number): DomainError {
  return new DomainError('too_large', `the file is larger than the limit of ${formatBytes(maxBytes)}`);
}
