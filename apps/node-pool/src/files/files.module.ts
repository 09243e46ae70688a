import { Module } from '@nestjs/common';
import { FilesController } from './files.controller';

/**
 * The REST view of stored files (`/api/files`). The files themselves (blobs and their `files`
 * rows) belong to the global StorageModule; this module only lists them for their owners.
 */
@Module({ controllers: [FilesController] })
export class FilesModule {}
