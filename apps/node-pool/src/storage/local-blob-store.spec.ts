import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DomainError } from '../common/domain-error';
import { formatBytes } from '@hivemind/contracts';
import { LocalBlobStore, STALE_TEMP_MS } from './local-blob-store';

const HELLO_SHA256 = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
const MiB = 1024 * 1024;

/** Every file under `dir`, relative paths. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe(LocalBlobStore.name, () => {
  let root: string;
  let store: LocalBlobStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hivemind-blobs-'));
    store = new LocalBlobStore(root);
    await store.init();
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('stores by sha256 under blobs/ab/cd/ and reads it back', async () => {
    const stored = await store.putBuffer(Buffer.from('hello'), { maxBytes: 1024 });
    expect(stored).toEqual({ sha256: HELLO_SHA256, size: 5 });
    expect(await filesUnder(root)).toEqual([`blobs/2c/f2/${HELLO_SHA256}`]);
    expect((await readAll(store.open(HELLO_SHA256))).toString()).toBe('hello');
    expect(await store.size(HELLO_SHA256)).toBe(5);
    expect(await store.exists(HELLO_SHA256)).toBe(true);
  });

  it('streams a 48 MiB upload through with bounded memory and the right sha256', async () => {
    // the source re-uses slices of one buffer, so any copy that accumulates shows as growth
    const pattern = randomBytes(MiB);
    const total = 48 * MiB;
    const expected = createHash('sha256');
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = 0;
    function* source(): Generator<Buffer> {
      for (let sent = 0, i = 0; sent < total; i++) {
        const start = (i * 7919) % (MiB / 2);
        const chunk = pattern.subarray(start, start + Math.min(64 * 1024, total - sent));
        expected.update(chunk);
        sent += chunk.length;
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
        yield chunk;
      }
    }

    const sample = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
    }, 1);
    const stored = await store.put(Readable.from(source()), { maxBytes: total });
    clearInterval(sample);
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);

    const sha256 = expected.digest('hex');
    expect(stored).toEqual({ sha256, size: total });
    expect(peak).toBeLessThan(8 * MiB);
    const reread = createHash('sha256');
    for await (const chunk of store.open(sha256)) reread.update(chunk as Buffer);
    expect(reread.digest('hex')).toBe(sha256);
    expect(await filesUnder(join(root, 'tmp'))).toEqual([]);
  });

  it('stores the same content once', async () => {
    const first = await store.putBuffer(Buffer.from('hello'), { maxBytes: 1024 });
    const second = await store.put(Readable.from([Buffer.from('hel'), Buffer.from('lo')]), {
      maxBytes: 1024,
    });
    expect(second).toEqual(first);
    expect(await filesUnder(root)).toEqual([`blobs/2c/f2/${HELLO_SHA256}`]);
  });

  it('aborts as soon as maxBytes is exceeded and leaves nothing behind', async () => {
    let pulled = 0;
    const endless = Readable.from(
      (function* () {
        for (;;) {
          pulled += 1024;
          yield Buffer.alloc(1024, 1);
        }
      })(),
    );

    const refusal = await store.put(endless, { maxBytes: 10_000 }).catch((e: unknown) => e);

    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ kind: 'too_large', message: expect.stringContaining('10000 bytes') });
    expect(pulled).toBeLessThan(200 * 1024);
    expect(endless.destroyed).toBe(true);
    expect(await filesUnder(root)).toEqual([]);
  });

  it('refuses an announced size over the limit before reading anything', async () => {
    const source = Readable.from([Buffer.from('hello')]);
    await expect(store.put(source, { maxBytes: 4, expectedSize: 5 })).rejects.toMatchObject({
      kind: 'too_large',
    });
    expect(source.destroyed).toBe(true);
  });

  it('refuses content whose sha256 or size differs from the announced one', async () => {
    const wrongSha = 'a'.repeat(64);
    await expect(
      store.putBuffer(Buffer.from('hello'), { maxBytes: 1024, expectedSha256: wrongSha }),
    ).rejects.toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(new RegExp(`sha256 is ${HELLO_SHA256} but ${wrongSha} was announced`)),
    });
    await expect(
      store.putBuffer(Buffer.from('hello'), { maxBytes: 1024, expectedSize: 6 }),
    ).rejects.toMatchObject({ kind: 'invalid', message: expect.stringContaining('5 bytes but 6') });
    await expect(
      store.putBuffer(Buffer.from('hello'), { maxBytes: 1024, expectedSha256: 'not-a-sha' }),
    ).rejects.toMatchObject({ kind: 'invalid' });
    expect(await filesUnder(root)).toEqual([]);
  });

  it('accepts the announced sha256 and size when they match (any hex case)', async () => {
    await expect(
      store.putBuffer(Buffer.from('hello'), {
        maxBytes: 1024,
        expectedSha256: HELLO_SHA256.toUpperCase(),
        expectedSize: 5,
      }),
    ).resolves.toEqual({ sha256: HELLO_SHA256, size: 5 });
  });

  it('cleans the temp file when the source fails mid-way', async () => {
    const failing = Readable.from(
      (function* () {
        yield Buffer.from('partial');
        throw new Error('connection reset');
      })(),
    );
    await expect(store.put(failing, { maxBytes: 1024 })).rejects.toThrow('connection reset');
    expect(await filesUnder(root)).toEqual([]);
  });

  it('reads from an offset, and a range', async () => {
    const { sha256 } = await store.putBuffer(Buffer.from('0123456789'), { maxBytes: 1024 });
    expect((await readAll(store.open(sha256, 4))).toString()).toBe('456789');
    expect((await readAll(store.open(sha256, 2, 3))).toString()).toBe('234');
    expect((await readAll(store.open(sha256, 9, 0))).toString()).toBe('');
    expect((await readAll(store.open(sha256, 10))).toString()).toBe('');
    expect(() => store.open(sha256, -1)).toThrow(DomainError);
  });

  it('answers for missing blobs and removes idempotently', async () => {
    await expect(store.size(HELLO_SHA256)).rejects.toMatchObject({ kind: 'not_found' });
    expect(await store.exists(HELLO_SHA256)).toBe(false);
    await store.putBuffer(Buffer.from('hello'), { maxBytes: 1024 });
    await store.remove(HELLO_SHA256);
    await store.remove(HELLO_SHA256);
    expect(await store.exists(HELLO_SHA256)).toBe(false);
  });

  it('refuses addresses that are not a sha256 (no path escapes)', async () => {
    expect(() => store.open('../../etc/passwd')).toThrow(DomainError);
    await expect(store.exists('../' + 'a'.repeat(61))).rejects.toMatchObject({ kind: 'invalid' });
    await expect(store.remove(HELLO_SHA256.toUpperCase())).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('sweeps temp files older than an hour at start, and keeps fresh ones', async () => {
    const stale = join(root, 'tmp', 'stale.part');
    const fresh = join(root, 'tmp', 'fresh.part');
    await writeFile(stale, 'x');
    await writeFile(fresh, 'y');
    const old = new Date(Date.now() - STALE_TEMP_MS - 60_000);
    await utimes(stale, old, old);

    expect(await new LocalBlobStore(root).init()).toBe(1);
    expect(await filesUnder(join(root, 'tmp'))).toEqual(['fresh.part']);
  });

  it.each([
    [512, '512 bytes'],
    [104857600, '100 MiB (104857600 bytes)'],
    [1536, '1.5 KiB (1536 bytes)'],
  ])('formats %d bytes as %j', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
