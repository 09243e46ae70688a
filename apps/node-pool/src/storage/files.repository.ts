import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { type FileKind, StoredFile } from './stored-file.entity';
import { isUuid } from '../common/ids';

/** The values of a new `files` row; the blob (`sha256`, `sizeBytes`) must already be stored. */
export interface NewStoredFile {
  ownerId: string;
  taskId?: string | null;
  shardId?: string | null;
  attemptId?: string | null;
  kind: FileKind;
  /** The uploaded file's name, or an output's path relative to /workspace/output. */
  name: string;
  sha256: string;
  sizeBytes: number;
  contentType?: string | null;
}

/** The only code that reads and writes `files` (metadata of the blobs in the BlobStore). */
@Injectable()
export class FilesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private files(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(StoredFile);
  }

  /**
   * Inserts a row, inside the caller's transaction when given one (e.g. with the task that uses
   * the file), or on its own (an attempt's output, stored as the worker uploads it).
   */
  insert(values: NewStoredFile, manager?: EntityManager): Promise<StoredFile> {
    const repository = this.files(manager);
    return repository.save(
      repository.create({
        ownerId: values.ownerId,
        taskId: values.taskId ?? null,
        shardId: values.shardId ?? null,
        attemptId: values.attemptId ?? null,
        kind: values.kind,
        name: values.name,
        sha256: values.sha256,
        sizeBytes: values.sizeBytes,
        contentType: values.contentType ?? null,
      }),
    );
  }

  /** The row with this id, or null (also for a malformed id). */
  findById(id: string, manager?: EntityManager): Promise<StoredFile | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.files(manager).findOneBy({ id });
  }

  /**
   * Up to `limit` of an owner's files, newest first, optionally of some kinds. Keyset pagination:
   * `afterId` is the id of the last row of the previous page (a malformed one is refused as
   * 'invalid' on the `cursor` field; one that is not the owner's gives an empty page).
   * `shard` carries only its id, index and output (the canonical result's file).
   */
  pageByOwner(
    ownerId: string,
    options: { limit: number; afterId?: string; kinds?: FileKind[] },
  ): Promise<StoredFile[]> {
    const query = this.files()
      .createQueryBuilder('f')
      .leftJoin('f.shard', 's')
      .addSelect(['s.id', 's.shardIndex', 's.outputFileId'])
      .where('f.ownerId = :ownerId', { ownerId })
      .orderBy('f.createdAt', 'DESC')
      .addOrderBy('f.id', 'DESC')
      .limit(options.limit);
    if (options.kinds?.length) query.andWhere('f.kind IN (:...kinds)', { kinds: options.kinds });
    if (options.afterId !== undefined) {
      if (!isUuid(options.afterId)) {
        throw new DomainError('invalid', 'cursor must be the next_cursor of an earlier page', {
          field: 'cursor',
        });
      }
      query.andWhere(
        '(f.createdAt, f.id) < (SELECT c.created_at, c.id FROM files c WHERE c.id = :afterId AND c.owner_id = :ownerId)',
        { afterId: options.afterId },
      );
    }
    return query.getMany();
  }

  /**
   * A task's files (inputs, outputs, results, logs), optionally of some kinds, oldest first;
   * `shard` carries only its id, index and output (the canonical result's file).
   */
  listByTask(
    taskId: string,
    options: { kinds?: FileKind[] } = {},
    manager?: EntityManager,
  ): Promise<StoredFile[]> {
    return this.files(manager).find({
      where: { taskId, ...(options.kinds?.length ? { kind: In(options.kinds) } : {}) },
      relations: { shard: true },
      select: { shard: { id: true, shardIndex: true, outputFileId: true } },
      order: { createdAt: 'ASC', name: 'ASC', id: 'ASC' },
    });
  }

  /** Whether the attempt uploaded an output with this content. */
  hasOutput(attemptId: string, sha256: string): Promise<boolean> {
    return this.files().existsBy({ attemptId, kind: 'output', sha256 });
  }

  /**
   * The attempt's newest output, the one a completed shard keeps (ShardsRepository.settle picks it
   * the same way), or null when it uploaded none.
   */
  newestOutputOf(attemptId: string, manager?: EntityManager): Promise<StoredFile | null> {
    if (!isUuid(attemptId)) return Promise.resolve(null);
    return this.files(manager).findOne({
      where: { attemptId, kind: 'output' },
      order: { createdAt: 'DESC' },
    });
  }

  /** How many rows name this blob: a blob may only be removed from the store when none does. */
  countBySha256(sha256: string, manager?: EntityManager): Promise<number> {
    return this.files(manager).countBy({ sha256 });
  }
}
