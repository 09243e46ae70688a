import { Global, Module } from '@nestjs/common';
import { NodePoolConfig } from '../config/node-pool.config';
import { BlobStore } from './blob-store';
import { FilesRepository } from './files.repository';
import { LocalBlobStore } from './local-blob-store';
import { S3BlobStore } from './s3-blob-store';
import { StorageService } from './storage.service';

/**
 * File storage for every feature: `BlobStore` (content by sha256: in STORAGE_PATH, or in an
 * S3-compatible bucket with STORAGE_BACKEND=s3),
 * `FilesRepository` (the `files` metadata) and `StorageService` (multipart uploads, downloads).
 */
@Global()
@Module({
  providers: [
    {
      provide: BlobStore,
      useFactory: (config: NodePoolConfig): BlobStore =>
        config.storage.s3 ? new S3BlobStore(config.storage.s3) : new LocalBlobStore(config.storage.path),
      inject: [NodePoolConfig],
    },
    FilesRepository,
    StorageService,
  ],
  exports: [BlobStore, FilesRepository, StorageService],
})
export class StorageModule {}
