import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable, Writable } from 'node:stream';
import * as yauzl from 'yauzl';
import { ZipFile as ZipWriter } from 'yazl';
import { LocalBlobStore } from './local-blob-store';
import { safeRelativeName, writeMergedZip } from './result-archive';

interface Item {
  name: string;
  data?: string | Buffer;
  mode?: number;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A zip of `items` (a name ending in / is a directory), as yazl writes it. */
async function zipOf(items: Item[]): Promise<Buffer> {
  const zip = new ZipWriter();
  for (const item of items) {
    if (item.name.endsWith('/')) zip.addEmptyDirectory(item.name);
    else zip.addBuffer(Buffer.from(item.data ?? ''), item.name, item.mode ? { mode: item.mode } : {});
  }
  zip.end();
  return readAll(zip.outputStream as Readable);
}

/** Every entry of a zip: name → content ('/' for directories) and mode. */
async function entriesOf(zip: Buffer): Promise<Map<string, { data: string; mode: number }>> {
  const file = await yauzl.fromBufferPromise(zip);
  const entries = new Map<string, { data: string; mode: number }>();
  for await (const entry of file.eachEntry()) {
    const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
    if (entry.fileName.endsWith('/')) entries.set(entry.fileName, { data: '/', mode });
    else {
      const data = (await readAll(await file.openReadStreamPromise(entry))).toString();
      entries.set(entry.fileName, { data, mode });
    }
  }
  return entries;
}

/** Renames entries in a zip's bytes (yazl refuses to write unsafe names; a hostile worker would). */
function rename(zip: Buffer, from: string, to: string): Buffer {
  expect(to).toHaveLength(from.length);
  const copy = Buffer.from(zip);
  for (let at = copy.indexOf(from); at !== -1; at = copy.indexOf(from, at + 1)) copy.write(to, at);
  return copy;
}

describe(writeMergedZip.name, () => {
  let root: string;
  let store: LocalBlobStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hivemind-archive-'));
    store = new LocalBlobStore(root);
    await store.init();
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const stored = async (items: Item[] | Buffer) =>
    (await store.putBuffer(Buffer.isBuffer(items) ? items : await zipOf(items), { maxBytes: 1 << 30 }))
      .sha256;

  const merge = async (parts: { prefix: string; sha256: string }[], limits = {}) => {
    const out = new PassThrough();
    const [summary, bytes] = await Promise.all([writeMergedZip(store, parts, out, limits), readAll(out)]);
    return { summary, entries: await entriesOf(bytes) };
  };

  it('puts every entry of every part under its prefix', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 'abc').toString();
    const shard0 = await stored([
      { name: 'result.txt', data: 'zero' },
      { name: 'logs/', data: '' },
      { name: 'logs/run.log', data: big },
    ]);
    const shard1 = await stored([
      { name: 'result.txt', data: 'one' },
      { name: 'bin/tool', data: '#!/bin/sh', mode: 0o100755 },
    ]);

    const { summary, entries } = await merge([
      { prefix: 'shard-000', sha256: shard0 },
      { prefix: 'shard-001', sha256: shard1 },
    ]);

    expect([...entries.keys()]).toEqual([
      'shard-000/result.txt',
      'shard-000/logs/',
      'shard-000/logs/run.log',
      'shard-001/result.txt',
      'shard-001/bin/tool',
    ]);
    expect(entries.get('shard-000/result.txt')?.data).toBe('zero');
    expect(entries.get('shard-001/result.txt')?.data).toBe('one');
    expect(entries.get('shard-000/logs/run.log')?.data).toBe(big);
    expect(entries.get('shard-001/bin/tool')?.mode).toBe(0o100755);
    expect(summary).toEqual({ entries: 5, totalBytes: 4 + big.length + 3 + 9, skipped: [] });
  });

  it('leaves out entries that escape their folder, links and duplicates', async () => {
    const hostile = rename(
      rename(
        await zipOf([
          { name: 'ok.txt', data: 'fine' },
          { name: 'xx/evil.txt', data: 'escape' },
          { name: 'Aetc/passwd', data: 'absolute' },
          { name: 'link', data: '/etc/shadow', mode: 0o120777 },
          { name: './ok.txt', data: 'again' },
        ]),
        'xx/evil.txt',
        '../evil.txt',
      ),
      'Aetc/passwd',
      '/etc/passwd',
    );

    const { summary, entries } = await merge([{ prefix: 'shard-000', sha256: await stored(hostile) }]);

    expect([...entries.keys()]).toEqual(['shard-000/ok.txt']);
    expect(summary.skipped).toEqual([
      { prefix: 'shard-000', name: '../evil.txt', reason: 'the name is absolute or leaves its folder' },
      { prefix: 'shard-000', name: '/etc/passwd', reason: 'the name is absolute or leaves its folder' },
      { prefix: 'shard-000', name: 'link', reason: 'a symbolic link or special file' },
      { prefix: 'shard-000', name: './ok.txt', reason: 'a duplicate name' },
    ]);
  });

  it('puts entries at the root for an empty prefix', async () => {
    const { entries } = await merge([{ prefix: '', sha256: await stored([{ name: 'a.txt', data: 'a' }]) }]);
    expect([...entries.keys()]).toEqual(['a.txt']);
  });

  it('refuses before writing anything: a part that is not a zip, a bad prefix, over the limits', async () => {
    const notZip = (await store.putBuffer(Buffer.from('plain text'), { maxBytes: 1024 })).sha256;
    const zip = await stored([{ name: 'a.txt', data: 'x'.repeat(100) }]);
    const written: Buffer[] = [];
    const out = () =>
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          written.push(chunk);
          callback();
        },
      });

    await expect(
      writeMergedZip(store, [{ prefix: 'shard-000', sha256: notZip }], out()),
    ).rejects.toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('"shard-000" is not a readable zip'),
    });
    const twoEntries = await zipOf([
      { name: 'a.txt', data: 'a' },
      { name: 'b.txt', data: 'b' },
    ]);
    const secondHeader = twoEntries.indexOf('PK\x01\x02', twoEntries.indexOf('PK\x01\x02') + 1);
    twoEntries.write('XX', secondHeader);
    await expect(
      writeMergedZip(store, [{ prefix: 'damaged', sha256: await stored(twoEntries) }], out()),
    ).rejects.toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('"damaged" is not a readable zip: invalid central directory'),
    });
    await expect(writeMergedZip(store, [{ prefix: '../up', sha256: zip }], out())).rejects.toMatchObject({
      kind: 'invalid',
    });
    await expect(
      writeMergedZip(store, [{ prefix: 'a', sha256: zip }], out(), { maxTotalBytes: 99 }),
    ).rejects.toMatchObject({ kind: 'too_large' });
    await expect(
      writeMergedZip(
        store,
        [
          { prefix: 'a', sha256: zip },
          { prefix: 'b', sha256: zip },
        ],
        out(),
        { maxEntries: 1 },
      ),
    ).rejects.toMatchObject({ kind: 'too_large' });
    await expect(
      writeMergedZip(store, [{ prefix: 'a', sha256: 'f'.repeat(64) }], out()),
    ).rejects.toMatchObject({
      kind: 'not_found',
    });
    expect(written).toEqual([]);
  });

  it('fails, without hanging, when the output breaks mid-way', async () => {
    const zip = await stored([{ name: 'big.bin', data: Buffer.alloc(4 * 1024 * 1024, 1) }]);
    const out = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('client went away'));
      },
    });
    await expect(writeMergedZip(store, [{ prefix: 'a', sha256: zip }], out)).rejects.toThrow(
      'client went away',
    );
  });

  it.each([
    ['a/b.txt', 'a/b.txt'],
    ['./a//b.txt', 'a/b.txt'],
    ['a\\b.txt', 'a/b.txt'],
    ['../a', undefined],
    ['a/../../b', undefined],
    ['/abs', undefined],
    ['C:/win', undefined],
    ['a\0b', undefined],
    ['./', undefined],
  ])('makes entry name %j safe as %j', (raw, safe) => {
    expect(safeRelativeName(raw)).toBe(safe);
  });
});
