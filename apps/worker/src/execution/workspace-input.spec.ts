import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ZipFile as ZipWriter } from 'yazl';
import { craftZip } from '../../test/support/hostile-zip';
import { readAll, tree } from '../../test/support/zip-files';
import { UnsafeArchiveError } from './workspace';
import { extractZipSafely } from './workspace-input';

const MiB = 1024 * 1024;
const LIMITS = { maxFiles: 100, maxBytes: 10 * MiB };

interface Item {
  name: string;
  data?: string | Buffer;
  mode?: number;
  /** A stream of this many zero bytes instead of `data` (a large entry without a large buffer). */
  zeros?: number;
}

function zeroStream(bytes: number): Readable {
  const chunk = Buffer.alloc(MiB);
  return Readable.from(
    (function* () {
      for (let left = bytes; left > 0; left -= chunk.length)
        yield left >= chunk.length ? chunk : chunk.subarray(0, left);
    })(),
  );
}

/** A zip of `items` as yazl writes it (a name ending in / is a folder). */
async function zipOf(items: Item[]): Promise<Buffer> {
  const zip = new ZipWriter();
  for (const item of items) {
    const options = item.mode === undefined ? {} : { mode: item.mode };
    if (item.name.endsWith('/')) zip.addEmptyDirectory(item.name, options);
    else if (item.zeros !== undefined) zip.addReadStream(zeroStream(item.zeros), item.name, options);
    else zip.addBuffer(Buffer.from(item.data ?? ''), item.name, options);
  }
  zip.end();
  return readAll(zip.outputStream as Readable);
}

let tmp: string;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hivemind-workspace-'));
});
afterEach(() => rm(tmp, { recursive: true, force: true }));

async function zipFile(bytes: Buffer): Promise<string> {
  const path = join(tmp, 'input.zip');
  await writeFile(path, bytes);
  return path;
}

describe(extractZipSafely.name, () => {
  it('extracts nested files with their content, 0644 / 0755 modes and 0755 folders', async () => {
    const big = randomBytes(300 * 1024);
    const script = '#!/bin/sh\necho hi\n';
    const zip = await zipFile(
      await zipOf([
        { name: 'main.py', data: 'print("hi")\n' },
        { name: 'bin/run.sh', data: script, mode: 0o100755 },
        { name: 'data/deep/er/big.bin', data: big, mode: 0o100600 },
        { name: 'empty/' },
      ]),
    );
    const dest = join(tmp, 'input');

    const result = await extractZipSafely(zip, dest, LIMITS);

    expect(result).toEqual({ files: 3, bytes: 'print("hi")\n'.length + script.length + big.length });
    expect(await tree(dest)).toEqual([
      'bin/',
      'bin/run.sh',
      'data/',
      'data/deep/',
      'data/deep/er/',
      'data/deep/er/big.bin',
      'empty/',
      'main.py',
    ]);
    expect(await readFile(join(dest, 'main.py'), 'utf8')).toBe('print("hi")\n');
    expect((await readFile(join(dest, 'data/deep/er/big.bin'))).equals(big)).toBe(true);
    const mode = async (path: string) => (await stat(join(dest, path))).mode & 0o777;
    expect(await mode('bin/run.sh')).toBe(0o755);
    expect(await mode('main.py')).toBe(0o644);
    expect(await mode('data/deep/er/big.bin')).toBe(0o644);
    expect(await mode('data/deep')).toBe(0o755);
    expect(await mode('empty')).toBe(0o755);
  });

  it('extracts into an existing empty folder and accepts a small, highly compressible file', async () => {
    const zip = await zipFile(await zipOf([{ name: 'zeros.bin', zeros: 512 * 1024 }]));
    const dest = join(tmp, 'input');
    await mkdir(dest);

    await expect(extractZipSafely(zip, dest, LIMITS)).resolves.toEqual({ files: 1, bytes: 512 * 1024 });
  });

  it('takes a ./ entry as the root folder', async () => {
    const zip = await zipFile(
      craftZip([
        { name: './', data: Buffer.alloc(0), mode: 0o040755 },
        { name: './a.txt', data: Buffer.from('a') },
      ]),
    );
    const dest = join(tmp, 'input');

    await expect(extractZipSafely(zip, dest, LIMITS)).resolves.toEqual({ files: 1, bytes: 1 });
    expect(await tree(dest)).toEqual(['a.txt']);
  });

  it.each([
    ['../evil', /"\.\.\/evil" escapes the workspace/],
    ['a/../../evil', /"a\/\.\.\/\.\.\/evil" escapes the workspace/],
    ['..\\evil', /escapes the workspace/],
    ['/etc/passwd', /"\/etc\/passwd" is an absolute path/],
    ['C:\\evil', /"C:\/evil" is an absolute path/], // yauzl reads '\\' as '/'
    ['\\\\server\\share\\evil', /is an absolute path/],
  ])('refuses the entry %j and writes nothing anywhere', async (name, message) => {
    const zip = await zipFile(
      craftZip([
        { name: 'fine.txt', data: Buffer.from('fine') },
        { name, data: Buffer.from('#!/bin/sh\nrm -rf ~\n') },
      ]),
    );
    const dest = join(tmp, 'work', 'input');
    await mkdir(join(tmp, 'work'));

    const refusal = extractZipSafely(zip, dest, LIMITS);

    await expect(refusal).rejects.toThrow(UnsafeArchiveError);
    await expect(refusal).rejects.toThrow(message);
    expect(await tree(tmp)).toEqual(['input.zip', 'work/']);
  });

  it('refuses a symbolic link entry', async () => {
    const zip = await zipFile(await zipOf([{ name: 'shadow', data: '/etc/shadow', mode: 0o120777 }]));
    const dest = join(tmp, 'input');

    await expect(extractZipSafely(zip, dest, LIMITS)).rejects.toThrow(
      new UnsafeArchiveError('input zip entry "shadow" is a symbolic link; links are not extracted'),
    );
    expect(existsSync(dest)).toBe(false);
  });

  it('refuses a special file entry (a fifo)', async () => {
    const zip = await zipFile(craftZip([{ name: 'pipe', data: Buffer.alloc(0), mode: 0o010644 }]));

    await expect(extractZipSafely(zip, join(tmp, 'input'), LIMITS)).rejects.toThrow(
      /"pipe" is a special file/,
    );
  });

  it.each([
    ['more entries than allowed', ['1', '2', '3', '4', '5']],
    ['folders the names imply', ['a/b/c/d.txt']],
  ])('refuses %s', async (_case, names) => {
    const zip = await zipFile(await zipOf(names.map((name) => ({ name, data: 'x' }))));

    await expect(extractZipSafely(zip, join(tmp, 'input'), { ...LIMITS, maxFiles: 3 })).rejects.toThrow(
      new UnsafeArchiveError('input zip has more than 3 files and folders'),
    );
  });

  it('refuses a zip whose declared sizes add up to more than maxBytes', async () => {
    const zip = await zipFile(
      await zipOf([
        { name: 'a.bin', data: randomBytes(600 * 1024) },
        { name: 'b.bin', data: randomBytes(600 * 1024) },
      ]),
    );

    await expect(extractZipSafely(zip, join(tmp, 'input'), { ...LIMITS, maxBytes: MiB })).rejects.toThrow(
      /input zip would extract to more than 1 MiB \(1048576 bytes\), the limit for this task/,
    );
  });

  it('stops writing an entry that holds more than its headers declare, and removes what it wrote', async () => {
    const zip = await zipFile(
      craftZip([
        { name: 'fine.txt', data: Buffer.from('fine') },
        { name: 'liar.bin', data: Buffer.alloc(4 * MiB), deflate: true, declaredSize: 1000 },
      ]),
    );
    const dest = join(tmp, 'input');
    await mkdir(dest);

    const refusal = extractZipSafely(zip, dest, { ...LIMITS, maxBytes: MiB });

    await expect(refusal).rejects.toThrow(UnsafeArchiveError);
    await expect(refusal).rejects.toThrow(/entry "liar\.bin"/);
    expect(await readdir(dest)).toEqual([]);
  });

  it('refuses a zip bomb from its headers, before inflating it', async () => {
    const zip = await zipFile(await zipOf([{ name: 'bomb.bin', zeros: 50 * MiB }]));
    const started = Date.now();

    await expect(
      extractZipSafely(zip, join(tmp, 'input'), { ...LIMITS, maxBytes: 1024 * MiB }),
    ).rejects.toThrow(
      /entry "bomb\.bin" inflates .* to 50 MiB \(52428800 bytes\), over 200 times: it looks like a zip bomb/,
    );
    expect(Date.now() - started).toBeLessThan(1000);
    expect(existsSync(join(tmp, 'input'))).toBe(false);
  });

  it.each([
    ['a file named twice', [{ name: 'a.txt' }, { name: 'a.txt' }], /"a\.txt" appears twice in the zip/],
    ['a file that is also a folder', [{ name: 'a' }, { name: 'a/b' }], /"a" is both a file and a folder/],
  ])('refuses %s', async (_case, entries, message) => {
    const zip = await zipFile(craftZip(entries.map((e) => ({ ...e, data: Buffer.from('x') }))));

    await expect(extractZipSafely(zip, join(tmp, 'input'), LIMITS)).rejects.toThrow(message);
  });

  it.each([
    ['random bytes', () => randomBytes(2048)],
    ['a truncated zip', async () => (await zipOf([{ name: 'a.txt', data: 'hello' }])).subarray(0, 40)],
  ])('refuses %s with a clear message', async (_case, bytes) => {
    const zip = await zipFile(await bytes());

    await expect(extractZipSafely(zip, join(tmp, 'input'), LIMITS)).rejects.toThrow(
      /^input zip is damaged or not a zip file: /,
    );
  });

  it('will not extract into a folder that is not empty', async () => {
    const zip = await zipFile(await zipOf([{ name: 'a.txt', data: 'a' }]));
    const dest = join(tmp, 'input');
    await mkdir(dest);
    await writeFile(join(dest, 'keep.txt'), 'keep');

    await expect(extractZipSafely(zip, dest, LIMITS)).rejects.toThrow(/is not empty/);
    expect(await readdir(dest)).toEqual(['keep.txt']);
  });
});
