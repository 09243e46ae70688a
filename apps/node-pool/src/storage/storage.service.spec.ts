import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { ZipFile as ZipWriter } from 'yazl';
import { DomainError } from '../common/domain-error';
import { type NodePoolConfig } from '../config/node-pool.config';
import { type FilesRepository } from './files.repository';
import { LocalBlobStore } from './local-blob-store';
import { resultDigest } from './result-digest';
import { type StoredFile } from './stored-file.entity';
import { attachment, StorageService } from './storage.service';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A zip of `files` (name → content), in memory. */
async function zipOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const writer = new ZipWriter();
  for (const [name, data] of Object.entries(files)) writer.addBuffer(Buffer.from(data), name);
  writer.end();
  return readAll(writer.outputStream as Readable);
}

describe(StorageService.name, () => {
  let root: string;
  let service: StorageService;
  let store: LocalBlobStore;
  /** The attempt's newest output, as the files repository answers it. */
  let newestOutput: Pick<StoredFile, 'sha256' | 'sizeBytes'> | null;
  const asked: string[] = [];
  // strict: a call the service should not make fails the test
  const files = new Proxy({} as FilesRepository, {
    get: (_target, name) => {
      if (name === 'newestOutputOf')
        return (attemptId: string) => {
          asked.push(attemptId);
          return Promise.resolve(newestOutput);
        };
      if (name === 'then') return undefined;
      throw new Error(`unexpected FilesRepository call: ${String(name)}`);
    },
  });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hivemind-service-'));
    store = new LocalBlobStore(root);
    await store.init();
    const config = { storage: { path: root, maxFileSize: 1024 } } as NodePoolConfig;
    service = new StorageService(store, config, files);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('downloads one blob with its length, type and file name', async () => {
    const { sha256 } = await store.putBuffer(Buffer.from('hello'), { maxBytes: 1024 });
    const file = await service.blobDownload(sha256, { filename: 'résumé.txt', contentType: 'text/plain' });
    expect(file.getHeaders()).toEqual({
      type: 'text/plain',
      length: 5,
      disposition: `attachment; filename="r_sum_.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt`,
    });
    expect((await readAll(file.getStream())).toString()).toBe('hello');
    await expect(service.blobDownload('0'.repeat(64), { filename: 'x' })).rejects.toBeInstanceOf(DomainError);
  });

  it('downloads a merged zip, refusing bad parts before any header', async () => {
    const writer = new ZipWriter();
    writer.addBuffer(Buffer.from('done'), 'out.txt');
    writer.end();
    const { sha256 } = await store.put(writer.outputStream as Readable, { maxBytes: 1 << 20 });
    const file = await service.mergedZipDownload([{ prefix: 'shard-000', sha256 }], 'task-1.zip');
    expect(file.getHeaders()).toMatchObject({ type: 'application/zip' });
    const merged = await yauzl.fromBufferPromise(await readAll(file.getStream()));
    const names: string[] = [];
    for await (const entry of merged.eachEntry()) names.push(entry.fileName);
    expect(names).toEqual(['shard-000/out.txt']);
    await expect(
      service.mergedZipDownload([{ prefix: 'x', sha256: '0'.repeat(64) }], 'x.zip'),
    ).rejects.toMatchObject({
      kind: 'not_found',
    });
  });

  it('applies MAX_FILE_SIZE to multipart uploads', async () => {
    const server = createServer((req, res) => {
      service.parseMultipartTask(req).then(
        () => res.writeHead(200).end(),
        (error: DomainError) => res.writeHead(error.kind === 'too_large' ? 413 : 400).end(),
      );
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const body = new FormData();
      body.append('input', new Blob([Buffer.alloc(1025)]), 'a.zip');
      expect((await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body })).status).toBe(413);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("recomputes an attempt's result digest from its newest output", async () => {
    const zip = await zipOf({ 'b.txt': 'b', 'a/a.txt': 'a' });
    const stored = await store.putBuffer(zip, { maxBytes: 1 << 20 });
    newestOutput = { sha256: stored.sha256, sizeBytes: stored.size };
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

    expect(await service.resultDigestOf('att-1', 2)).toBe(
      resultDigest(2, [
        { path: 'a/a.txt', sha256: sha256('a') },
        { path: 'b.txt', sha256: sha256('b') },
      ]),
    );
    expect(asked).toEqual(['att-1']);
  });

  it('gives an attempt without output the digest of no entries, with its exit code', async () => {
    newestOutput = null;
    expect(await service.resultDigestOf('att-2', 1)).toBe(resultDigest(1, []));
  });

  it('refuses an output over MAX_MERGE_EXPANSION times MAX_FILE_SIZE once uncompressed', async () => {
    // MAX_FILE_SIZE is 1024 here: at most 100 KiB uncompressed
    const zip = await zipOf({ 'zeros.bin': Buffer.alloc(200 * 1024) });
    const stored = await store.putBuffer(zip, { maxBytes: 1 << 20 });
    newestOutput = { sha256: stored.sha256, sizeBytes: stored.size };

    await expect(service.resultDigestOf('att-3', 0)).rejects.toMatchObject({
      kind: 'too_large',
      message: expect.stringMatching(/more than 100 KiB/),
    });
  });

  it('encodes download names for every client', () => {
    expect(attachment('a "b".zip')).toBe(
      `attachment; filename="a _b_.zip"; filename*=UTF-8''a%20%22b%22.zip`,
    );
  });
});
