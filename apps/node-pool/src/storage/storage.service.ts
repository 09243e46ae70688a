import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { Injectable, Logger, StreamableFile } from '@nestjs/common';
import { NodePoolConfig } from '../config/node-pool.config';
import { BlobStore } from './blob-store';
import { FilesRepository } from './files.repository';
import { type MultipartLimits, type MultipartTask, parseMultipartTask } from './multipart-upload';
import { type ArchivePart, type MergeLimits, planMergedZip, writeMergePlan } from './result-archive';
import { resultDigest, zipResultDigest } from './result-digest';

/**
 * How much larger than the parts' total a merged result may be once uncompressed: a guard
 * against "zip bomb" outputs that would keep the pool busy inflating and deflating.
 */
export const MAX_MERGE_EXPANSION = 100;

/**
 * What the task and file controllers (REST) need from storage, on top of `BlobStore` and
 * `FilesRepository`: multipart uploads with MAX_FILE_SIZE applied, downloads of one blob or of a
 * task's merged result as a Nest `StreamableFile`, and the pool's own result digest of an attempt.
 */
@Injectable()
export class StorageService {
  private readonly logger = new Logger(StorageService.name);

  constructor(
    private readonly blobs: BlobStore,
    private readonly config: NodePoolConfig,
    private readonly files: FilesRepository,
  ) {}

  /**
   * Parses a multipart task submission (see `parseMultipartTask`), storing its `input` file as
   * it arrives, with `maxFileSize` = MAX_FILE_SIZE unless given.
   */
  parseMultipartTask(req: IncomingMessage, limits: Partial<MultipartLimits> = {}): Promise<MultipartTask> {
    return parseMultipartTask(req, this.blobs, { maxFileSize: this.config.storage.maxFileSize, ...limits });
  }

  /**
   * One blob as a download (`Content-Disposition: attachment` with `filename`).
   * DomainError('not_found') when the content is not in the store.
   */
  async blobDownload(
    sha256: string,
    options: { filename: string; contentType?: string | null },
  ): Promise<StreamableFile> {
    const length = await this.blobs.size(sha256);
    return new StreamableFile(this.blobs.open(sha256), {
      type: options.contentType || 'application/octet-stream',
      disposition: attachment(options.filename),
      length,
    });
  }

  /**
   * The merged zip of `parts` (see `writeMergedZip`) as a download named `filename`. The parts
   * are read and checked first, so a refusal ('invalid', 'not_found', 'too_large') is thrown
   * here, before any header is sent; by default the uncompressed result may be at most
   * MAX_MERGE_EXPANSION times the parts' stored size. Entries left out are logged.
   */
  async mergedZipDownload(
    parts: readonly ArchivePart[],
    filename: string,
    limits: MergeLimits = {},
  ): Promise<StreamableFile> {
    let stored = 0;
    for (const part of parts) stored += await this.blobs.size(part.sha256);
    const plan = await planMergedZip(this.blobs, parts, {
      maxTotalBytes: Math.max(stored, this.config.storage.maxFileSize) * MAX_MERGE_EXPANSION,
      ...limits,
    });
    for (const skipped of plan.summary.skipped) {
      this.logger.warn(`left "${skipped.name}" of "${skipped.prefix}" out of ${filename}: ${skipped.reason}`);
    }
    const out = new PassThrough();
    writeMergePlan(plan, out).catch((error: unknown) => {
      this.logger.warn(
        `${filename} was not completed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    return new StreamableFile(out, { type: 'application/zip', disposition: attachment(filename) });
  }

  /**
   * The pool's own result digest of an attempt (docs/worker.md "Result digest"), to check the one
   * its node reported: computed with `exitCode` over the attempt's newest output zip (the one a
   * completed shard keeps), or over no entries when the attempt uploaded none. A zip the digest
   * cannot be computed from is refused ('invalid', 'too_large': see `zipResultDigest`); like a
   * merged download, it may be at most MAX_MERGE_EXPANSION times its stored size uncompressed.
   */
  async resultDigestOf(
    attemptId: string,
    exitCode: number,
    capture?: { path: string; maxBytes: number; text?: string },
  ): Promise<string> {
    const output = await this.files.newestOutputOf(attemptId);
    if (!output) return resultDigest(exitCode, []);
    return zipResultDigest(this.blobs, output.sha256, exitCode, {
      maxTotalBytes: Math.max(output.sizeBytes, this.config.storage.maxFileSize) * MAX_MERGE_EXPANSION,
      capture,
    });
  }
}

/** `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` (RFC 6266). */
export function attachment(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
