import { randomUUID } from 'node:crypto';
import { Readable, pipeline } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Logger, type OnModuleInit } from '@nestjs/common';
import { type S3StorageConfig } from '../config/node-pool.config';
import { DomainError } from '../common/domain-error';
import { BlobStore, type PutOptions, type PutResult } from './blob-store';
import { STALE_TEMP_MS } from './local-blob-store';
import { PutMeter } from './put-meter';
import {
  MAX_COPY_OBJECT_BYTES,
  TMP_PREFIX,
  blobKey,
  byteRange,
  copyPartRanges,
  tmpKey,
  uploadPartSize,
} from './s3-layout';

/** Parts of one upload in flight at once: memory per upload is this many parts (16 MiB at 8 MiB). */
const UPLOAD_QUEUE_SIZE = 2;

/**
 * A BlobStore in an S3-compatible bucket (STORAGE_BACKEND=s3), shared by every node-pool replica
 * whatever its host (docs/adr/0011-object-storage.md):
 *
 * - `tmp/<uuid>`: an upload in progress, streamed with lib-storage's `Upload` (a multipart upload
 *   of 8 MiB parts, two in flight, once the content is larger than a part) while `PutMeter` counts
 *   and hashes it;
 * - `blobs/<sha256>`: the verified blob, made by a server-side copy of the temp object (its name is
 *   only known at the last byte), then the temp object is deleted. S3 writes are atomic, so a reader
 *   never sees half a blob, and two replicas storing the same content both succeed.
 *
 * At start the bucket must exist and answer (HeadBucket): the pool never creates one, so a mistyped
 * S3_BUCKET stops it with one line instead of scattering blobs in a bucket the other replicas do not read.
 */
export class S3BlobStore extends BlobStore implements OnModuleInit {
  private readonly logger = new Logger(S3BlobStore.name);
  readonly client: S3Client;
  private readonly bucket: string;

  constructor(private readonly config: S3StorageConfig) {
    super();
    this.bucket = config.bucket;
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      ...(config.credentials ? { credentials: config.credentials } : {}),
      // checksums only where S3 requires them: the SDK's default (CRC32 trailers on every upload)
      // is not understood by every S3-compatible server, and PutMeter hashes every byte anyway
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 5_000 },
    });
  }

  /** Checks the bucket and sweeps stale temp objects (see `init`). */
  async onModuleInit(): Promise<void> {
    await this.init();
  }

  /**
   * Fails with one line naming the setting to fix unless the bucket exists and answers; then deletes
   * `tmp/` objects older than STALE_TEMP_MS (uploads a crashed replica left). Returns how many.
   */
  async init(now = Date.now()): Promise<number> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      throw new Error(this.unusable(error), { cause: error });
    }
    let swept = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: TMP_PREFIX, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key && object.LastModified && now - object.LastModified.getTime() > STALE_TEMP_MS) {
          await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: object.Key }));
          swept++;
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    if (swept > 0)
      this.logger.log(`swept ${swept} stale temp object(s) from s3://${this.bucket}/${TMP_PREFIX}`);
    return swept;
  }

  async put(source: Readable, opts: PutOptions): Promise<PutResult> {
    let meter: PutMeter;
    try {
      meter = new PutMeter(opts);
    } catch (error) {
      source.destroy();
      throw error;
    }
    const tmp = tmpKey(randomUUID());
    // the meter's refusal (too large) or the sender's failure is the answer, not what the Upload
    // makes of it afterwards (aborting the multipart upload can fail too)
    let refusal: unknown;
    meter.once('error', (error) => (refusal ??= error));
    // pipeline (not pipe): an error on either side destroys the other, and reaches the Upload
    const body = pipeline(source, meter, () => undefined);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: tmp, Body: body },
      partSize: uploadPartSize(opts.maxBytes),
      queueSize: UPLOAD_QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
      const result = meter.result();
      await this.commit(tmp, result.size, blobKey(result.sha256));
      return result;
    } catch (error) {
      source.destroy();
      meter.destroy();
      await this.client
        .send(new DeleteObjectCommand({ Bucket: this.bucket, Key: tmp }))
        .catch((e: unknown) => this.logger.warn(`could not delete ${tmp}: ${reasonOf(e)}`));
      throw refusal ?? error;
    }
  }

  open(sha256: string, offset = 0, length?: number): Readable {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new DomainError('invalid', 'offset must be a whole number of bytes, 0 or more');
    }
    if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
      throw new DomainError('invalid', 'length must be a whole number of bytes, 0 or more');
    }
    const key = blobKey(sha256);
    if (length === 0) return Readable.from([]);
    const abort = new AbortController();
    const { client, bucket } = this;
    async function* bytes(): AsyncGenerator<Buffer> {
      let body: Readable;
      try {
        const answer = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, Range: byteRange(offset, length) }),
          { abortSignal: abort.signal },
        );
        body = answer.Body as Readable;
      } catch (error) {
        // from the end or past it: nothing to read, as a file read from its end gives nothing
        if (statusOf(error) === 416) return;
        if (isNotFound(error)) throw new DomainError('not_found', `no stored content ${sha256}`);
        throw error;
      }
      for await (const chunk of body) yield chunk as Buffer;
    }
    const stream = Readable.from(bytes(), { objectMode: false });
    // a reader that stops early (a client gone) ends the request too
    stream.once('close', () => abort.abort());
    return stream;
  }

  async size(sha256: string): Promise<number> {
    const key = blobKey(sha256);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isNotFound(error)) throw new DomainError('not_found', `no stored content ${sha256}`);
      throw error;
    }
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await this.size(sha256);
      return true;
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'not_found') return false;
      throw error;
    }
  }

  async remove(sha256: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: blobKey(sha256) }));
  }

  /**
   * Copies a verified temp object to its blob key on the server (no byte passes through the pool),
   * then deletes it. Overwriting a blob already stored rewrites the same bytes and refreshes its
   * modification time, as LocalBlobStore does, so a future orphan sweep keeps a blob just uploaded again.
   */
  private async commit(tmp: string, size: number, target: string): Promise<void> {
    const source = `${this.bucket}/${tmp}`;
    if (size <= MAX_COPY_OBJECT_BYTES) {
      await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: target, CopySource: source }));
    } else {
      await this.copyInParts(source, target, size);
    }
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: tmp }));
  }

  /** CopyObject stops at 5 GiB: larger blobs are copied part by part (UploadPartCopy). */
  private async copyInParts(source: string, target: string, size: number): Promise<void> {
    const { UploadId } = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: target }),
    );
    try {
      const parts = [];
      for (const [index, range] of copyPartRanges(size).entries()) {
        const answer = await this.client.send(
          new UploadPartCopyCommand({
            Bucket: this.bucket,
            Key: target,
            UploadId,
            PartNumber: index + 1,
            CopySource: source,
            CopySourceRange: range,
          }),
        );
        parts.push({ PartNumber: index + 1, ETag: answer.CopyPartResult?.ETag });
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: target,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (error) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: target, UploadId }))
        .catch(() => undefined);
      throw error;
    }
  }

  /** Why the bucket cannot be used, in one line naming what to check. */
  private unusable(error: unknown): string {
    const where = this.config.endpoint ?? `AWS S3 (${this.config.region})`;
    const bucket = `S3_BUCKET "${this.bucket}" at ${where}`;
    const status = statusOf(error);
    if (status === undefined) {
      return `${bucket} cannot be reached (${reasonOf(error)}): check S3_ENDPOINT and that the service is running`;
    }
    if (status === 404) return `${bucket} does not exist: create it (the node pool does not create buckets)`;
    if (status === 401 || status === 403) {
      return `${bucket} refused access (HTTP ${status}): check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY`;
    }
    if (status === 301 || status === 307)
      return `${bucket} is in another region (HTTP ${status}): check S3_REGION`;
    return `${bucket} answered HTTP ${status} (${reasonOf(error)})`;
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return statusOf(error) === 404 || name === 'NoSuchKey' || name === 'NotFound';
}

/** An error's message on one line; its code or name when it has none (a refused connection). */
function reasonOf(error: unknown): string {
  const e = error as { message?: string; code?: string; name?: string; errors?: { message?: string }[] };
  const text = e?.message || e?.errors?.map((inner) => inner.message).join('; ') || e?.code || e?.name;
  return (text || String(error)).replace(/\s+/g, ' ').trim();
}
