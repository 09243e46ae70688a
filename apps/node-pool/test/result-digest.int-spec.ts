// The pool's own result digest (storage/result-digest.ts) from outputs stored as a worker uploads
// them: StorageModule on a real PostgreSQL and blob store, zips written by yazl (or forged).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable } from 'node:stream';
import { type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ZipFile as ZipWriter } from 'yazl';
import { canonicalResultText } from '@hivemind/contracts';
import { createTestDatabase, stackInfo, type TestDatabase } from '@hivemind/testing';
import { ConfigModule } from '../src/config/config.module';
import { parseNodePoolConfig } from '../src/config/node-pool.config';
import { DatabaseModule } from '../src/database/database.module';
import { BlobStore } from '../src/storage/blob-store';
import { FilesRepository } from '../src/storage/files.repository';
import { StorageModule } from '../src/storage/storage.module';
import { StorageService } from '../src/storage/storage.service';

interface Item {
  name: string;
  /** Absent: a folder. */
  data?: string | Buffer;
  mtime?: Date;
  compress?: boolean;
  mode?: number;
}

/** A zip of `items` in this order, as yazl writes it. */
async function zipOf(items: Item[]): Promise<Buffer> {
  const zip = new ZipWriter();
  for (const item of items) {
    const options = { mtime: item.mtime ?? new Date(), ...(item.mode ? { mode: item.mode } : {}) };
    if (item.data === undefined) zip.addEmptyDirectory(item.name, options);
    else zip.addBuffer(Buffer.from(item.data), item.name, { ...options, compress: item.compress ?? true });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Renames entries in a zip's bytes (yazl refuses to write unsafe names; a hostile worker would). */
function rename(zip: Buffer, from: string, to: string): Buffer {
  expect(to).toHaveLength(from.length);
  const copy = Buffer.from(zip);
  for (let at = copy.indexOf(from); at !== -1; at = copy.indexOf(from, at + 1)) copy.write(to, at);
  return copy;
}

/**
 * A zip of `count` empty files (zip64: more than 65 535 entries), written byte by byte: yazl takes
 * half a minute for 100 000 entries.
 */
function emptyFiles(count: number): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const name = Buffer.from(`f${i}`);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 45, 4); // made by Unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name);
    centrals.push(central, name);
    offset += local.length + name.length;
  }
  const directory = Buffer.concat(centrals);
  const zip64End = Buffer.alloc(56);
  zip64End.writeUInt32LE(0x06064b50, 0);
  zip64End.writeBigUInt64LE(44n, 4);
  zip64End.writeUInt16LE((3 << 8) | 45, 12);
  zip64End.writeUInt16LE(45, 14);
  zip64End.writeBigUInt64LE(BigInt(count), 24);
  zip64End.writeBigUInt64LE(BigInt(count), 32);
  zip64End.writeBigUInt64LE(BigInt(directory.length), 40);
  zip64End.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
  locator.writeUInt32LE(1, 16);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0xffff, 8);
  end.writeUInt16LE(0xffff, 10);
  end.writeUInt32LE(0xffffffff, 12);
  end.writeUInt32LE(0xffffffff, 16);
  return Buffer.concat([...locals, directory, zip64End, locator, end]);
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const BIG = randomBytes(3 * 1024 * 1024); // several read chunks

const HONEST: Item[] = [
  { name: 'result.txt', data: 'done\n' },
  { name: 'sub/', mtime: new Date('2020-01-01T00:00:00Z') },
  { name: 'sub/big.bin', data: BIG },
  { name: 'données/é 1.txt', data: 'accents' },
  { name: 'sub/deeper/run.sh', data: '#!/bin/sh\n', mode: 0o100755 },
];
/** What the worker hashes for HONEST: every file, folders left out. */
const HONEST_TEXT = (exitCode: number) =>
  canonicalResultText(exitCode, [
    { path: 'result.txt', sha256: sha256('done\n') },
    { path: 'sub/big.bin', sha256: sha256(BIG) },
    { path: 'données/é 1.txt', sha256: sha256('accents') },
    { path: 'sub/deeper/run.sh', sha256: sha256('#!/bin/sh\n') },
  ]);

describe('the result digest of a stored output (StorageService.resultDigestOf)', () => {
  let database: TestDatabase;
  let storagePath: string;
  let app: INestApplicationContext;
  let storage: StorageService;
  let files: FilesRepository;
  let blobs: BlobStore;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('digest');
    storagePath = await mkdtemp(join(tmpdir(), 'hivemind-digest-'));
    const config = parseNodePoolConfig({
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
    storage = app.get(StorageService);
    files = app.get(FilesRepository);
    blobs = app.get(BlobStore);
    db = app.get(DataSource);
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
    await rm(storagePath, { recursive: true, force: true });
  });

  /** A new attempt (with its user, node, task and shard); its id and owner. */
  const newAttempt = async (): Promise<{ attemptId: string; ownerId: string }> => {
    const [row] = await db.query<{ attempt_id: string; owner_id: string }[]>(
      `WITH u AS (INSERT INTO users (username, password_hash) VALUES ($1, 'x') RETURNING id),
            n AS (INSERT INTO nodes (name, owner_id) SELECT $1, id FROM u RETURNING id),
            t AS (INSERT INTO tasks (user_id) SELECT id FROM u RETURNING id),
            s AS (INSERT INTO shards (task_id, shard_index) SELECT id, 0 FROM t RETURNING id, task_id)
       INSERT INTO attempts (shard_id, task_id, node_id, attempt_number, fencing_token)
         SELECT s.id, s.task_id, n.id, 1, nextval('attempt_fencing_tokens') FROM s, n
       RETURNING id AS attempt_id, (SELECT id FROM u) AS owner_id`,
      [`d-${randomBytes(6).toString('hex')}`],
    );
    return { attemptId: row.attempt_id, ownerId: row.owner_id };
  };

  /** Stores `zip` as the attempt's output, as the worker's upload does. */
  const storeOutput = async (attempt: { attemptId: string; ownerId: string }, zip: Buffer) => {
    const stored = await blobs.putBuffer(zip, { maxBytes: 64 * 1024 * 1024 });
    await files.insert({
      ownerId: attempt.ownerId,
      attemptId: attempt.attemptId,
      kind: 'output',
      name: 'output.zip',
      sha256: stored.sha256,
      sizeBytes: stored.size,
      contentType: 'application/zip',
    });
    return stored.sha256;
  };

  /** The digest of `zip` stored as a new attempt's output, with `exitCode`. */
  const digestOf = async (zip: Buffer, exitCode = 0) => {
    const attempt = await newAttempt();
    await storeOutput(attempt, zip);
    return storage.resultDigestOf(attempt.attemptId, exitCode);
  };

  it('hashes the exit code and every file of the zip, folders left out', async () => {
    expect(await digestOf(await zipOf(HONEST), 0)).toBe(sha256(HONEST_TEXT(0)));
  });

  it('is the same for the same files in another entry order, with other timestamps, compression and folders', async () => {
    const reordered = [...HONEST]
      .filter((item) => item.data !== undefined)
      .reverse()
      .map((item) => ({ ...item, mtime: new Date('1999-12-31T23:59:58Z'), compress: false }));
    const withFolders = [{ name: 'données/' }, { name: 'sub/deeper/' }, ...reordered];

    const digests = [await digestOf(await zipOf(HONEST)), await digestOf(await zipOf(withFolders))];

    expect(digests[1]).toBe(digests[0]);
  });

  it.each<[string, Item[], number]>([
    ['another content', HONEST.map((i) => (i.name === 'result.txt' ? { ...i, data: 'done!' } : i)), 0],
    ['a renamed file', HONEST.map((i) => (i.name === 'result.txt' ? { ...i, name: 'result.txf' } : i)), 0],
    ['a file less', HONEST.filter((i) => i.name !== 'result.txt'), 0],
    ['an empty file more', [...HONEST, { name: 'empty', data: '' }], 0],
    ['another exit code', HONEST, 1],
  ])('differs for %s', async (_case, items, exitCode) => {
    expect(await digestOf(await zipOf(items), exitCode)).not.toBe(sha256(HONEST_TEXT(0)));
  });

  it("reads the attempt's newest output, as its shard keeps it", async () => {
    const attempt = await newAttempt();
    await storeOutput(attempt, await zipOf([{ name: 'old.txt', data: 'old' }]));
    await storeOutput(attempt, await zipOf(HONEST));

    expect(await storage.resultDigestOf(attempt.attemptId, 0)).toBe(sha256(HONEST_TEXT(0)));
  });

  it('gives an attempt without output the digest of no entries, with its exit code', async () => {
    const attempt = await newAttempt();

    expect(await storage.resultDigestOf(attempt.attemptId, 0)).toBe(sha256('hivemind-result v1\nexit 0\n'));
    expect(await storage.resultDigestOf(attempt.attemptId, 3)).toBe(sha256('hivemind-result v1\nexit 3\n'));
  });

  it.each<[string, () => Promise<Buffer>, RegExp]>([
    [
      'a path that leaves the output folder',
      async () =>
        rename(
          await zipOf([
            { name: 'ok.txt', data: 'ok' },
            { name: 'xx/evil.txt', data: 'x' },
          ]),
          'xx/',
          '../',
        ),
      /refused for a result digest: the output path "..\/evil.txt" leaves the output folder/,
    ],
    [
      'a path that leaves it through backslashes',
      async () => rename(await zipOf([{ name: 'xx/evil.txt', data: 'x' }]), 'xx/', '..\\'),
      // yauzl reads a backslash as a separator
      /"..\/evil.txt" leaves the output folder/,
    ],
    [
      'an absolute path',
      async () => rename(await zipOf([{ name: 'xetc/passwd', data: 'x' }]), 'xetc/', '/etc/'),
      /the output path "\/etc\/passwd" is absolute/,
    ],
    [
      'a path longer than 4096 characters',
      () => zipOf([{ name: `${'d/'.repeat(2048)}x`, data: 'deep' }]),
      /an entry's path is longer than 4096 characters/,
    ],
    [
      'a symbolic link',
      () => zipOf([{ name: 'link', data: '/etc/passwd', mode: 0o120777 }]),
      /"link" is a link or a special file/,
    ],
    [
      'the same path twice',
      async () =>
        rename(
          await zipOf([
            { name: 'a.txt', data: 'a' },
            { name: 'b.txt', data: 'b' },
          ]),
          'b.txt',
          'a.txt',
        ),
      /"a.txt" is in the zip twice/,
    ],
    [
      'bytes that are not a zip',
      () => Promise.resolve(Buffer.from('plain text')),
      /the output is not a readable zip/,
    ],
  ])('refuses %s, naming why', async (_case, make, message) => {
    await expect(digestOf(await make())).rejects.toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(message),
    });
  });

  it('reads a forged zip64 of 100 000 entries: the bound is not below what the worker zips', async () => {
    expect(await digestOf(emptyFiles(100_000))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a zip of more than 100 000 entries before reading one', async () => {
    await expect(digestOf(emptyFiles(100_001))).rejects.toMatchObject({
      kind: 'too_large',
      message: 'the output zip holds 100001 entries; a result digest reads at most 100000',
    });
  });
});
