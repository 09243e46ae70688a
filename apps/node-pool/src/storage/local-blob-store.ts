import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Logger, type OnModuleInit } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { assertSha256, BlobStore, type PutOptions, type PutResult } from './blob-store';
import { PutMeter } from './put-meter';

/** Temp files older than this are leftovers of a crashed process and are swept at start. */
export const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * A BlobStore in a local directory (STORAGE_PATH), safe to share between node-pool replicas:
 *
 * - `tmp/<uuid>.part`: uploads in progress, renamed into place when complete and verified;
 * - `blobs/ab/cd/<sha256>`: the blobs, written once (rename is atomic, so a reader never sees a
 *   half-written blob, and two replicas storing the same content at once both succeed).
 */
export class LocalBlobStore extends BlobStore implements OnModuleInit {
  private readonly logger = new Logger(LocalBlobStore.name);
  private readonly blobsDir: string;
  private readonly tmpDir: string;

  /** @param root the storage directory (config.storage.path); created on module init. */
  constructor(readonly root: string) {
    super();
    this.blobsDir = join(root, 'blobs');
    this.tmpDir = join(root, 'tmp');
  }

  /** Creates the directories and sweeps stale temp files (see `init`). */
  async onModuleInit(): Promise<void> {
    await this.init();
  }

  /**
   * Creates `blobs/` and `tmp/` and deletes temp files untouched for STALE_TEMP_MS (an upload in
   * progress on another replica writes to its temp file, so its modification time stays fresh).
   * Returns how many stale temp files were deleted.
   */
  async init(now = Date.now()): Promise<number> {
    await mkdir(this.blobsDir, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
    let swept = 0;
    for (const name of await readdir(this.tmpDir)) {
      const path = join(this.tmpDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && now - info.mtimeMs > STALE_TEMP_MS) {
        await rm(path, { force: true, recursive: true });
        swept++;
      }
    }
    if (swept > 0) this.logger.log(`swept ${swept} stale temp file(s) from ${this.tmpDir}`);
    return swept;
  }

  /** The blob's path: `blobs/ab/cd/<sha256>`. */
  pathOf(sha256: string): string {
    assertSha256(sha256);
    return join(this.blobsDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(source: Readable, opts: PutOptions): Promise<PutResult> {
    let meter: PutMeter;
    try {
      meter = new PutMeter(opts);
    } catch (error) {
      source.destroy();
      throw error;
    }
    const tmp = join(this.tmpDir, `${randomUUID()}.part`);
    try {
      await pipeline(source, meter, createWriteStream(tmp, { flags: 'wx', flush: true }));
      const result = meter.result();
      await this.commit(tmp, result.sha256);
      return result;
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  open(sha256: string, offset = 0, length?: number): Readable {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new DomainError('invalid', 'offset must be a whole number of bytes, 0 or more');
    }
    if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
      throw new DomainError('invalid', 'length must be a whole number of bytes, 0 or more');
    }
    const path = this.pathOf(sha256);
    if (length === 0) return Readable.from([]);
    // createReadStream's end is inclusive
    return createReadStream(path, {
      start: offset,
      end: length === undefined ? undefined : offset + length - 1,
    });
  }

  async size(sha256: string): Promise<number> {
    const info = await stat(this.pathOf(sha256)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new DomainError('not_found', `no stored content ${sha256}`);
      throw error;
    });
    return info.size;
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathOf(sha256));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  /** Moves a verified temp file into place, or drops it when the content is already stored. */
  private async commit(tmp: string, sha256: string): Promise<void> {
    const target = this.pathOf(sha256);
    if (await this.exists(sha256)) {
      await rm(tmp, { force: true });
      // fresh modification time: a future orphan sweep must not take a blob just uploaded again
      const now = new Date();
      await utimes(target, now, now).catch(() => undefined);
      return;
    }
    await mkdir(dirname(target), { recursive: true });
    await rename(tmp, target);
  }
}
