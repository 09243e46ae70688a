import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DataSource } from 'typeorm';
import { PROBATION_RUN } from '@hivemind/contracts';
import { freePort } from '@hivemind/local-stack';
import {
  S3RVER_CREDENTIALS,
  createTestDatabase,
  startTestS3Server,
  stackInfo,
  waitFor,
  type TestS3Server,
} from '@hivemind/testing';
import { createNodePool, startNodePool } from '../src/app.factory';
import { parseNodePoolConfig } from '../src/config/node-pool.config';
import { BlobStore } from '../src/storage/blob-store';
import { S3BlobStore } from '../src/storage/s3-blob-store';
import { call, newUser } from './support/http';
import { SimWorker } from './support/sim-worker';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';
import { makeZip, readZip } from './support/zip';

const MiB = 1024 ** 2;
const sha256Of = (data: Buffer) => createHash('sha256').update(data).digest('hex');
/** `data` as a stream of 1 MiB chunks, as an upload arrives. */
const chunked = (data: Buffer) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += MiB) yield data.subarray(i, i + MiB);
    })(),
    { objectMode: false },
  );

describe('S3 object storage (STORAGE_BACKEND=s3, on a real S3 API server)', () => {
  let s3: TestS3Server;

  beforeAll(async () => {
    s3 = await startTestS3Server(['hivemind-test', 'hivemind-empty']);
  });
  afterAll(async () => {
    await s3?.close();
  });

  const storeOn = (overrides: Partial<ConstructorParameters<typeof S3BlobStore>[0]> = {}) =>
    new S3BlobStore({
      bucket: s3.bucket,
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { ...S3RVER_CREDENTIALS },
      ...overrides,
    });
  const keysIn = async (store: S3BlobStore, prefix = '') => {
    const page = await store.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
    return (page.Contents ?? []).map((o) => o.Key ?? '');
  };

  describe(S3BlobStore.name, () => {
    let store: S3BlobStore;
    const commands: string[] = [];

    beforeAll(async () => {
      store = storeOn();
      // observe (not change) what goes over the wire
      store.client.middlewareStack.add(
        (next, context) => (args) => {
          commands.push(String(context.commandName));
          return next(args);
        },
        { step: 'initialize', name: 'recordCommands' },
      );
      await store.init();
    });
    afterAll(() => store.client.destroy());
    beforeEach(() => commands.splice(0));

    it('streams a multi-MB file in as a multipart upload, reads it back whole and by range, and deletes it', async () => {
      const data = randomBytes(20 * MiB + 12_345);
      const sha256 = sha256Of(data);

      expect(await store.put(chunked(data), { maxBytes: 64 * MiB, expectedSha256: sha256 })).toEqual({
        sha256,
        size: data.length,
      });
      // 8 MiB parts: three of them, then a server-side copy to the blob's key
      expect(commands.filter((c) => c === 'UploadPartCommand')).toHaveLength(3);
      expect(commands).toEqual(
        expect.arrayContaining([
          'CreateMultipartUploadCommand',
          'CompleteMultipartUploadCommand',
          'CopyObjectCommand',
        ]),
      );
      expect(commands).not.toContain('PutObjectCommand');
      expect(await keysIn(store)).toEqual([`blobs/${sha256}`]);

      expect(await store.size(sha256)).toBe(data.length);
      expect(await store.exists(sha256)).toBe(true);
      expect((await buffer(store.open(sha256))).equals(data)).toBe(true);
      const from = 9 * MiB - 3;
      expect(
        (await buffer(store.open(sha256, from, MiB + 7))).equals(data.subarray(from, from + MiB + 7)),
      ).toBe(true);
      expect((await buffer(store.open(sha256, from))).equals(data.subarray(from))).toBe(true);
      // from the end (a resumed download that had everything), past it, or nothing: no bytes
      expect((await buffer(store.open(sha256, data.length))).length).toBe(0);
      expect((await buffer(store.open(sha256, data.length + 10, 5))).length).toBe(0);
      expect((await buffer(store.open(sha256, 0, 0))).length).toBe(0);

      // a reader gone before the first byte (a client that hung up) ends the request quietly
      const left = store.open(sha256);
      left.resume(); // the request is sent…
      await new Promise((resolve) => setImmediate(resolve));
      left.destroy(); // …and its reader gone before the answer
      await new Promise((resolve) => left.once('close', resolve));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const halfway = store.open(sha256);
      await new Promise((resolve) => halfway.once('data', resolve));
      halfway.destroy();

      await store.remove(sha256);
      expect(await store.exists(sha256)).toBe(false);
      await expect(store.size(sha256)).rejects.toMatchObject({ kind: 'not_found' });
      await expect(buffer(store.open(sha256))).rejects.toMatchObject({ kind: 'not_found' });
      await store.remove(sha256); // a missing blob is not an error
      expect(await keysIn(store)).toEqual([]);
    });

    it('stores small and empty content in one request, and the same content once', async () => {
      const small = Buffer.from('hello from s3');
      const first = await store.putBuffer(small, { maxBytes: 1024, expectedSize: small.length });
      const again = await store.put(chunked(small), { maxBytes: 1024 });
      expect(again).toEqual(first);
      expect(commands).not.toContain('CreateMultipartUploadCommand');
      const empty = await store.putBuffer(Buffer.alloc(0), { maxBytes: 1024 });
      expect(empty).toEqual({ sha256: sha256Of(Buffer.alloc(0)), size: 0 });
      expect((await buffer(store.open(empty.sha256))).length).toBe(0);
      expect((await keysIn(store)).sort()).toEqual([`blobs/${first.sha256}`, `blobs/${empty.sha256}`].sort());
      await store.remove(first.sha256);
      await store.remove(empty.sha256);
    });

    it('refuses too much, or content not as announced, and leaves nothing behind', async () => {
      const data = randomBytes(12 * MiB);
      await expect(store.put(chunked(data), { maxBytes: 10 * MiB })).rejects.toMatchObject({
        kind: 'too_large',
      });
      const wrong = 'f'.repeat(64);
      await expect(
        store.put(chunked(data), { maxBytes: 64 * MiB, expectedSha256: wrong }),
      ).rejects.toMatchObject({
        kind: 'invalid',
        message: expect.stringContaining('was announced'),
      });
      await expect(store.putBuffer(data, { maxBytes: 64 * MiB, expectedSize: 5 })).rejects.toMatchObject({
        kind: 'invalid',
        message: expect.stringContaining('cut short or altered'),
      });
      expect(await store.exists(wrong)).toBe(false);
      expect(await keysIn(store)).toEqual([]);
    });

    it.each([
      ['a path', '../../etc/passwd'],
      ['another prefix', `tmp/${'a'.repeat(60)}`],
      ['a bucket-relative trick', `${'a'.repeat(64)}/../../hivemind-empty/x`],
      ['upper case', 'A'.repeat(64)],
    ])('never lets %s name an object: only sha256 ids reach a key', async (_case, id) => {
      expect(() => store.open(id)).toThrow('sha256 must be 64 lower-case hex digits');
      await expect(store.size(id)).rejects.toMatchObject({ kind: 'invalid' });
      await expect(store.exists(id)).rejects.toMatchObject({ kind: 'invalid' });
      await expect(store.remove(id)).rejects.toMatchObject({ kind: 'invalid' });
      expect(commands).toEqual([]);
      // an announced sha256 is checked too (upper case is read as lower case, then does not match)
      await expect(
        store.putBuffer(Buffer.from('x'), { maxBytes: 10, expectedSha256: id }),
      ).rejects.toMatchObject({
        kind: 'invalid',
      });
      expect(await keysIn(store)).toEqual([]);
    });

    it('sweeps temp objects a crashed replica left, and only stale ones', async () => {
      const fresh = await store.putBuffer(Buffer.from('kept'), { maxBytes: 100 });
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      await store.client.send(
        new PutObjectCommand({
          Bucket: s3.bucket,
          Key: 'tmp/0f8fad5b-d9cb-469f-a165-70867728950e',
          Body: 'x',
        }),
      );
      expect(await store.init()).toBe(0); // an upload in progress is not touched
      expect(await store.init(Date.now() + 2 * 60 * 60 * 1000)).toBe(1);
      expect(await keysIn(store)).toEqual([`blobs/${fresh.sha256}`]);
      await store.remove(fresh.sha256);
    });
  });

  describe('at start', () => {
    it.each([
      [
        'an S3 that does not answer',
        async () => ({ endpoint: `http://127.0.0.1:${await freePort()}` }),
        /^S3_BUCKET "hivemind-test" at http:\/\/127\.0\.0\.1:\d+ cannot be reached \(.+\): check S3_ENDPOINT/,
      ],
      [
        'a bucket that does not exist',
        () => Promise.resolve({ bucket: 'hivemind-missing' }),
        /^S3_BUCKET "hivemind-missing" at .* does not exist: create it/,
      ],
      [
        'wrong credentials',
        () => Promise.resolve({ credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'S3RVER' } }),
        /refused access \(HTTP 403\): check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY$/,
      ],
    ])('fails with one line naming what to check: %s', async (_case, overrides, message) => {
      const store = storeOn(await overrides());
      const failure = await store.init().then(
        () => new Error('started'),
        (error: Error) => error,
      );
      store.client.destroy();
      expect(failure.message).toMatch(message);
      expect(failure.message).not.toContain('\n');
    });

    it('stops a node pool on an unreachable S3 before it serves anything', async () => {
      const database = await createTestDatabase('s3-dead');
      const config = parseNodePoolConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: database.url,
        REDIS_URL: stackInfo().redisUrl,
        QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
        JWT_SECRET: randomBytes(32).toString('hex'),
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(await freePort()),
        GRPC_SERVER_HOST: '127.0.0.1',
        GRPC_SERVER_PORT: String(await freePort()),
        ...s3.env,
        S3_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      });
      const app = await createNodePool(config);
      try {
        await expect(startNodePool(app, config)).rejects.toThrow(
          /^S3_BUCKET "hivemind-test" at .* cannot be reached/,
        );
      } finally {
        await app.close().catch(() => undefined);
        await database.drop();
      }
    });
  });

  describe('two node-pool replicas with separate storage folders on one bucket', () => {
    let poolA: TestNodePool;
    let poolB: TestNodePool;
    const workers: SimWorker[] = [];

    beforeAll(async () => {
      const shared = {
        ...s3.env,
        QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
        JWT_SECRET: randomBytes(32).toString('hex'),
        HEARTBEAT_TIMEOUT_S: '3600',
        SIGNUP_GRANT_CPT: '5000',
      };
      poolA = await startTestNodePool(shared);
      poolB = await startTestNodePool({ ...shared, DATABASE_URL: poolA.config.database.url });
    });
    afterAll(async () => {
      for (const w of workers) w.close();
      await poolB?.close();
      await poolA?.close();
    });

    it('a task submitted to one is downloaded from the other, and its result from the first', async () => {
      expect(poolA.app.get(BlobStore)).toBeInstanceOf(S3BlobStore);
      expect(poolA.config.storage.path).not.toBe(poolB.config.storage.path);
      const owner = await newUser(poolA, 'owner');
      const submitter = await newUser(poolA, 'submitter');

      // a worker that only ever talks to replica B
      const worker = new SimWorker(poolB.grpc, { name: `s3-node-${owner.id.slice(0, 6)}` });
      workers.push(worker);
      await worker.register(owner.token);
      const db = poolB.app.get(DataSource);
      await db.query(`UPDATE nodes SET valid_run = $2, credit_score = 120 WHERE id = $1`, [
        worker.nodeId,
        PROBATION_RUN,
      ]);
      worker.connect();
      await worker.heartbeat();

      // submitted through replica A, with an input larger than one upload part
      const input = await makeZip({
        'main.py': 'print("hi")',
        'data.bin': randomBytes(9 * MiB).toString('base64'),
      });
      const form = new FormData();
      form.set(
        'spec',
        JSON.stringify({ name: 's3', shards: 1, split: 'simulation', timeout_s: 600, validation: 'none' }),
      );
      form.set('input', new Blob([new Uint8Array(input)]), 'job.zip');
      const submitted = await fetch(`${poolA.http}/api/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${submitter.token}` },
        body: form,
      });
      const body = (await submitted.json()) as { task: { id: string } };
      expect({ status: submitted.status, body }).toMatchObject({ status: 201 });
      const taskId = body.task.id;

      await worker.until((w) => w.executes().length === 1);
      const [execute] = worker.executes();
      const report = worker.report(execute);
      const downloaded = await report.download();
      expect(downloaded.declared).toBe(sha256Of(input));
      expect(downloaded.data.equals(input)).toBe(true);

      // the output goes in through replica B
      const output = await makeZip({ 'result.txt': 'computed on a node of replica B' });
      const uploaded = await report.upload(output);
      expect(uploaded.success).toBe(true);
      expect((await report.completed({ exitCode: 0, outputSha256: uploaded.sha256 })).success).toBe(true);

      await waitFor('the task to complete', async () => {
        const res = await call(poolA, 'GET', `/api/tasks/${taskId}`, { token: submitter.token });
        return res.body.status === 'COMPLETED';
      });
      // and comes out of replica A
      const results = await fetch(`${poolA.http}/api/tasks/${taskId}/results`, {
        headers: { authorization: `Bearer ${submitter.token}` },
      });
      expect(results.status).toBe(200);
      expect(await readZip(Buffer.from(await results.arrayBuffer()))).toEqual({
        'shard-000/result.txt': 'computed on a node of replica B',
      });

      // nothing went to either replica's own folder: the bucket holds both blobs
      for (const pool of [poolA, poolB]) expect(await readdir(pool.config.storage.path)).toEqual([]);
      const store = poolA.app.get(BlobStore);
      if (!(store instanceof S3BlobStore)) throw new Error('replica A does not store in S3');
      expect(await keysIn(store, 'blobs/')).toEqual(
        expect.arrayContaining([`blobs/${sha256Of(input)}`, `blobs/${uploaded.sha256}`]),
      );
      expect(await keysIn(store, 'tmp/')).toEqual([]);
    });
  });
});
