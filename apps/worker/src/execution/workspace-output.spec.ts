import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as yauzl from 'yauzl';
import { readAll, tree } from '../../test/support/zip-files';
import { UnsafeArchiveError } from './workspace';
import { extractZipSafely } from './workspace-input';
import { OutputTooLargeError, zipOutputs } from './workspace-output';

const MiB = 1024 * 1024;
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const LIMITS = { maxFiles: 100, maxBytes: 10 * MiB };

/** Every entry of the zip at `path`: name → content and Unix mode. */
async function entriesOf(path: string): Promise<Map<string, { data: Buffer; mode: number }>> {
  const zip = await yauzl.openPromise(path);
  const entries = new Map<string, { data: Buffer; mode: number }>();
  for await (const entry of zip.eachEntry()) {
    const data = await readAll(await zip.openReadStreamPromise(entry));
    entries.set(entry.fileName, { data, mode: (entry.externalFileAttributes >>> 16) & 0xffff });
  }
  return entries;
}

let tmp: string;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hivemind-workspace-'));
});
afterEach(() => rm(tmp, { recursive: true, force: true }));

describe(zipOutputs.name, () => {
  let out: string;
  let zipPath: string;
  beforeEach(async () => {
    out = join(tmp, 'output');
    zipPath = join(tmp, 'output.zip');
    await mkdir(out);
  });

  it('zips every regular file with names relative to the folder, and hashes the zip and each file', async () => {
    const big = randomBytes(200 * 1024);
    await mkdir(join(out, 'sub/deeper'), { recursive: true });
    await mkdir(join(out, 'empty'));
    await writeFile(join(out, 'result.txt'), 'done\n');
    await writeFile(join(out, 'sub/big.bin'), big);
    await writeFile(join(out, 'sub/deeper/run.sh'), '#!/bin/sh\n');
    await chmod(join(out, 'sub/deeper/run.sh'), 0o755);

    const result = await zipOutputs(out, zipPath, { maxBytes: MiB });

    const written = await readFile(zipPath);
    expect(result).toEqual({
      path: zipPath,
      size: written.length,
      sha256: createHash('sha256').update(written).digest('hex'),
      files: 3,
      entries: [
        { path: 'result.txt', sha256: sha256('done\n') },
        { path: 'sub/big.bin', sha256: sha256(big) },
        { path: 'sub/deeper/run.sh', sha256: sha256('#!/bin/sh\n') },
      ],
      skipped: [],
    });
    const entries = await entriesOf(zipPath);
    expect([...entries.keys()]).toEqual(['result.txt', 'sub/big.bin', 'sub/deeper/run.sh']);
    expect(entries.get('result.txt')?.data.toString()).toBe('done\n');
    expect(entries.get('sub/big.bin')?.data.equals(big)).toBe(true);
    expect(entries.get('sub/deeper/run.sh')?.mode).toBe(0o100755);
    expect(entries.get('result.txt')?.mode).toBe(0o100644);
  });

  it('round-trips through extractZipSafely', async () => {
    await mkdir(join(out, 'a/b'), { recursive: true });
    await writeFile(join(out, 'a/b/c.txt'), 'c');
    await writeFile(join(out, 'top.txt'), 'top');
    await zipOutputs(out, zipPath, { maxBytes: MiB });
    const back = join(tmp, 'back');

    await extractZipSafely(zipPath, back, LIMITS);

    expect(await tree(back)).toEqual(['a/', 'a/b/', 'a/b/c.txt', 'top.txt']);
    expect(await readFile(join(back, 'a/b/c.txt'), 'utf8')).toBe('c');
  });

  it('leaves out links (to files and folders) and special files, and reads nothing through them', async () => {
    await writeFile(join(out, 'result.txt'), 'mine');
    await symlink('/etc/passwd', join(out, 'passwd'));
    await symlink('/etc', join(out, 'etc'));
    execFileSync('mkfifo', [join(out, 'pipe')]);

    const result = await zipOutputs(out, zipPath, { maxBytes: MiB });

    expect(result?.files).toBe(1);
    expect(result?.entries).toEqual([{ path: 'result.txt', sha256: sha256('mine') }]);
    expect(result?.skipped.sort()).toEqual([
      'etc (a symbolic link; links are not followed)',
      'passwd (a symbolic link; links are not followed)',
      'pipe (a special file: pipe, socket or device)',
    ]);
    const entries = await entriesOf(zipPath);
    expect([...entries.keys()]).toEqual(['result.txt']);
    const passwd = await readFile('/etc/passwd');
    expect((await readFile(zipPath)).includes(passwd.subarray(0, 32))).toBe(false);
  });

  it('leaves out names a zip cannot carry faithfully', async () => {
    await writeFile(join(out, 'ok.txt'), 'ok');
    await writeFile(join(out, 'a\\b.txt'), 'backslash');
    await writeFile(Buffer.concat([Buffer.from(`${out}/`), Buffer.from([0x66, 0xff, 0xfe])]), 'latin-1');

    const result = await zipOutputs(out, zipPath, { maxBytes: MiB });

    expect(result?.skipped.sort()).toEqual([
      'a\\b.txt (the name has a backslash, which zip tools read as a folder separator)',
      'f\uFFFD\uFFFD (the name is not valid UTF-8)',
    ]);
    expect([...(await entriesOf(zipPath)).keys()]).toEqual(['ok.txt']);
  });

  it.each([
    ['is missing', async () => rm(out, { recursive: true })],
    ['is empty', async () => mkdir(join(out, 'empty-folder'))],
    ['holds only a link', async () => symlink('/etc/passwd', join(out, 'passwd'))],
  ])('returns undefined and writes no zip when the folder %s', async (_case, arrange) => {
    await arrange();

    await expect(zipOutputs(out, zipPath, { maxBytes: MiB })).resolves.toBeUndefined();
    expect(existsSync(zipPath)).toBe(false);
  });

  it('refuses output over maxBytes, naming the limit, and leaves no zip', async () => {
    await writeFile(join(out, 'a.bin'), Buffer.alloc(600 * 1024));
    await writeFile(join(out, 'b.bin'), Buffer.alloc(600 * 1024));

    const refusal = zipOutputs(out, zipPath, { maxBytes: MiB });

    await expect(refusal).rejects.toThrow(OutputTooLargeError);
    await expect(refusal).rejects.toThrow(/over the 1 MiB \(1048576 bytes\) limit/);
    expect(existsSync(zipPath)).toBe(false);
  });

  it('refuses output with more entries than maxEntries', async () => {
    for (const name of ['a', 'b', 'c']) await writeFile(join(out, name), name);

    await expect(zipOutputs(out, zipPath, { maxBytes: MiB, maxEntries: 2 })).rejects.toThrow(
      new OutputTooLargeError("the task's output holds more than 2 files and folders"),
    );
  });

  it('refuses an output folder the task replaced with a link', async () => {
    await rm(out, { recursive: true });
    await symlink('/etc', out);

    await expect(zipOutputs(out, zipPath, { maxBytes: MiB })).rejects.toThrow(UnsafeArchiveError);
    expect(existsSync(zipPath)).toBe(false);
  });
});
