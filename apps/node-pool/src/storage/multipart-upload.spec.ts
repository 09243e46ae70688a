import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainError, HTTP_STATUS } from '../common/domain-error';
import { LocalBlobStore } from './local-blob-store';
import { type MultipartLimits, type MultipartTask, parseMultipartTask } from './multipart-upload';

const sha256Of = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

describe(parseMultipartTask.name, () => {
  let root: string;
  let store: LocalBlobStore;
  let server: Server;
  let url: string;
  let limits: MultipartLimits;
  /** What the last request's parse settled to, as the handler saw it. */
  let outcome: Promise<MultipartTask | Error>;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hivemind-multipart-'));
    store = new LocalBlobStore(root);
    await store.init();
    limits = { maxFileSize: 64 * 1024, maxFields: 4, maxFieldSize: 1024 };
    server = createServer((req, res) => {
      outcome = parseMultipartTask(req, store, limits).catch((error: Error) => error);
      void outcome.then((result) => {
        const status =
          result instanceof DomainError ? HTTP_STATUS[result.kind] : result instanceof Error ? 500 : 200;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(result instanceof Error ? { message: result.message } : result));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    server.close();
    await rm(root, { recursive: true, force: true });
  });

  const post = async (body: FormData | string, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { method: 'POST', body, headers });
    return { status: res.status, body: (await res.json()) as { message?: string } & Partial<MultipartTask> };
  };
  const form = (entries: [string, string | Blob, string?][]) => {
    const data = new FormData();
    for (const [name, value, filename] of entries) {
      if (typeof value === 'string') data.append(name, value);
      else data.append(name, value, filename);
    }
    return data;
  };

  it('returns the fields as strings and the file as stored content', async () => {
    const zip = Buffer.from('PK fake zip bytes');
    const spec = JSON.stringify({ image: 'python:3.12', shards: 4 });
    const res = await post(
      form([
        ['spec', spec],
        ['priority', '5'],
        ['input', new Blob([zip], { type: 'application/zip' }), 'job.zip'],
      ]),
    );

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      fields: { spec, priority: '5' },
      file: { sha256: sha256Of(zip), size: zip.length, filename: 'job.zip', contentType: 'application/zip' },
    });
    expect(await readFile(store.pathOf(sha256Of(zip)))).toEqual(zip);
  });

  it('accepts a submission without a file', async () => {
    const res = await post(
      form([
        ['image', 'busybox'],
        ['command', 'echo hi'],
      ]),
    );
    expect(res).toEqual({ status: 200, body: { fields: { image: 'busybox', command: 'echo hi' } } });
  });

  it('treats an empty, unnamed file part (a form with no file chosen) as no file', async () => {
    const res = await post(
      form([
        ['image', 'busybox'],
        ['input', new Blob([]), ''],
      ]),
    );
    expect(res).toEqual({ status: 200, body: { fields: { image: 'busybox' } } });
  });

  it('streams a file of exactly the limit', async () => {
    const data = Buffer.alloc(limits.maxFileSize, 7);
    const res = await post(form([['input', new Blob([data]), 'data.bin']]));
    expect(res.status).toBe(200);
    expect(res.body.file).toMatchObject({ sha256: sha256Of(data), size: data.length });
  });

  it('answers 413 for a file over MAX_FILE_SIZE and leaves nothing on disk', async () => {
    const res = await post(form([['input', new Blob([Buffer.alloc(limits.maxFileSize + 1)]), 'big.zip']]));
    expect(res.status).toBe(413);
    expect(res.body.message).toBe('the file is larger than the limit of 64 KiB (65536 bytes)');
    expect(await filesUnder(root)).toEqual([]);
  });

  it('answers 413 at once when the declared length cannot fit, and the client still reads it', async () => {
    const res = await post(form([['input', new Blob([Buffer.alloc(4 * 1024 * 1024)]), 'huge.zip']]));
    expect(res.status).toBe(413);
    expect(await filesUnder(root)).toEqual([]);
  });

  it.each<[string, () => FormData, RegExp]>([
    [
      'a second file',
      () =>
        form([
          ['input', new Blob(['a']), 'a.zip'],
          ['input', new Blob(['b']), 'b.zip'],
        ]),
      /at most one file/,
    ],
    [
      'a file in another field',
      () => form([['data', new Blob(['a']), 'a.zip']]),
      /send the file in the "input" part/,
    ],
    ['too many fields', () => form(['a', 'b', 'c', 'd', 'e'].map((n) => [n, 'x'])), /at most 4/],
    ['a field over the size limit', () => form([['spec', 'x'.repeat(1025)]]), /"spec" is longer than 1 KiB/],
    [
      'a field given twice',
      () =>
        form([
          ['env', 'A=1'],
          ['env', 'B=2'],
        ]),
      /"env" is given more than once/,
    ],
  ])('answers 400 for %s', async (_what, body, message) => {
    const res = await post(body());
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
  });

  it('answers 400 to a body that is not multipart', async () => {
    const res = await post(JSON.stringify({ image: 'busybox' }), { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/expected a multipart\/form-data body/);
  });

  it('answers 400 to a multipart body without a boundary, or cut short', async () => {
    expect((await post('x', { 'content-type': 'multipart/form-data; charset=utf-8' })).status).toBe(400);
    const cut = '--b\r\ncontent-disposition: form-data; name="image"\r\n\r\nbusybox\r\n';
    const res = await post(cut, { 'content-type': 'multipart/form-data; boundary=b' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/malformed multipart body/);
  });

  it('cleans up an upload the client abandons half-way', async () => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=b', 'content-length': '100000' },
    });
    req.on('error', () => undefined);
    req.write('--b\r\ncontent-disposition: form-data; name="input"; filename="a.zip"\r\n\r\n');
    req.write(Buffer.alloc(20_000, 1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    req.destroy();

    const result = await outcome;
    expect(result).toBeInstanceOf(DomainError);
    expect(result).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/interrupted/) });
    expect(await filesUnder(root)).toEqual([]);
  });
});
