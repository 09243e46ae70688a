import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { createTestDatabase, stackInfo, type TestDatabase } from '@hivemind/testing';
import { ConfigModule } from '../src/config/config.module';
import { type NodePoolConfig, parseNodePoolConfig } from '../src/config/node-pool.config';
import { DatabaseModule } from '../src/database/database.module';
import { BlobStore } from '../src/storage/blob-store';
import { FilesRepository } from '../src/storage/files.repository';
import { LocalBlobStore } from '../src/storage/local-blob-store';
import { StorageModule } from '../src/storage/storage.module';
import { StorageService } from '../src/storage/storage.service';

// StorageModule on its own (with the configuration and the database it needs) on a real PostgreSQL
describe('file storage (StorageModule, FilesRepository)', () => {
  let database: TestDatabase;
  let storagePath: string;
  let config: NodePoolConfig;
  let app: INestApplicationContext;
  let files: FilesRepository;
  let blobs: BlobStore;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('storage');
    storagePath = join(await mkdtemp(join(tmpdir(), 'hivemind-storage-')), 'nested', 'storage');
    config = parseNodePoolConfig({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REDIS_URL: stackInfo().redisUrl,
      JWT_SECRET: randomBytes(32).toString('hex'),
      HTTP_HOST: '127.0.0.1',
      GRPC_SERVER_HOST: '127.0.0.1',
      STORAGE_PATH: storagePath,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), DatabaseModule, StorageModule],
    }).compile();
    app = await moduleRef.init();
    files = app.get(FilesRepository);
    blobs = app.get(BlobStore);
    db = app.get(DataSource);
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
    await rm(join(storagePath, '..', '..'), { recursive: true, force: true });
  });

  const newUserId = async (): Promise<string> => {
    const rows = await db.query<{ id: string }[]>(
      `INSERT INTO users (username, password_hash) VALUES ($1, 'x') RETURNING id`,
      [`u-${randomBytes(4).toString('hex')}`],
    );
    return rows[0].id;
  };

  it('provides a LocalBlobStore in STORAGE_PATH, its directories made at start', async () => {
    expect(blobs).toBeInstanceOf(LocalBlobStore);
    expect(app.get(StorageService)).toBeInstanceOf(StorageService);
    expect((await stat(join(storagePath, 'blobs'))).isDirectory()).toBe(true);
    expect((await stat(join(storagePath, 'tmp'))).isDirectory()).toBe(true);
  });

  it('records files inside the caller’s transaction, and pages them newest first', async () => {
    const [alice, bob] = [await newUserId(), await newUserId()];
    const blob = await blobs.putBuffer(Buffer.from('hello'), { maxBytes: 1024 });
    const insert = (name: string, kind: 'input' | 'output' = 'input', ownerId = alice) =>
      db.transaction((manager) =>
        files.insert({ ownerId, kind, name, sha256: blob.sha256, sizeBytes: blob.size }, manager),
      );

    const first = await insert('a.zip');
    const second = await insert('b.zip', 'output');
    const third = await insert('c.zip');
    await insert('theirs.zip', 'input', bob);
    await db
      .transaction(async (manager) => {
        await files.insert(
          { ownerId: alice, kind: 'input', name: 'gone', sha256: blob.sha256, sizeBytes: 5 },
          manager,
        );
        throw new Error('rolled back');
      })
      .catch(() => undefined);

    expect(await files.findById(first.id)).toMatchObject({
      ownerId: alice,
      taskId: null,
      kind: 'input',
      name: 'a.zip',
      sha256: blob.sha256,
      sizeBytes: 5,
      contentType: null,
    });
    expect(await files.findById('not-a-uuid')).toBeNull();

    const page1 = await files.pageByOwner(alice, { limit: 2 });
    expect(page1.map((f) => f.name)).toEqual(['c.zip', 'b.zip']);
    const page2 = await files.pageByOwner(alice, { limit: 2, afterId: page1[1]?.id });
    expect(page2.map((f) => f.name)).toEqual(['a.zip']);
    const outputs = await files.pageByOwner(alice, { limit: 10, kinds: ['output'] });
    expect(outputs.map((f) => f.id)).toEqual([second.id]);
    // another owner's cursor gives nothing; a malformed one is refused
    expect(await files.pageByOwner(bob, { limit: 10, afterId: third.id })).toEqual([]);
    expect(() => files.pageByOwner(alice, { limit: 10, afterId: 'x' })).toThrow(/cursor/);
    expect(await files.countBySha256(blob.sha256)).toBe(4);
  });

  it('pages rows made in one transaction (same created_at) without losing any', async () => {
    const owner = await newUserId();
    const blob = await blobs.putBuffer(Buffer.from('same time'), { maxBytes: 1024 });
    await db.transaction(async (manager) => {
      for (const name of ['1', '2', '3', '4', '5']) {
        await files.insert(
          { ownerId: owner, kind: 'output', name, sha256: blob.sha256, sizeBytes: blob.size },
          manager,
        );
      }
    });
    const seen: string[] = [];
    let afterId: string | undefined;
    for (;;) {
      const page = await files.pageByOwner(owner, { limit: 2, afterId });
      seen.push(...page.map((f) => f.name));
      if (page.length < 2) break;
      afterId = page[page.length - 1]?.id;
    }
    expect(seen.sort()).toEqual(['1', '2', '3', '4', '5']);
  });
});
