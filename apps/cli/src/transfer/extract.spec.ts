import {
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  existsSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipFile } from 'yazl';
import { extractZip, safeEntryPath } from './extract';

/** A zip with entries named as given, even hostile ones (yazl validates names: patched below). */
function zipBytes(files: Record<string, string>, symlinks: Record<string, string> = {}): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [name, content] of Object.entries(files)) zip.addBuffer(Buffer.from(content), name);
  for (const [name, target] of Object.entries(symlinks))
    zip.addBuffer(Buffer.from(target), name, { mode: 0o120777 });
  zip.end();
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => parts.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(parts)));
  });
}

/** Renames an entry in place (same length): how a hostile zip gets a name yazl would refuse. */
function rename(zip: Buffer, from: string, to: string): Buffer {
  expect(to).toHaveLength(from.length);
  return Buffer.from(zip.toString('latin1').split(from).join(to), 'latin1');
}

describe(safeEntryPath.name, () => {
  it.each([
    ['a.txt', '/r/a.txt'],
    ['shard-000/out/x.txt', '/r/shard-000/out/x.txt'],
    ['./a/./b', '/r/a/b'],
    ['dir/', '/r/dir'],
  ])('%s → %s', (name, path) => {
    expect(safeEntryPath('/r', name)).toBe(path);
  });

  it.each([['../evil'], ['a/../../evil'], ['/etc/passwd'], ['C:/x'], ['a\\..\\b'], ['nul\0x'], ['']])(
    'refuses %j',
    (name) => {
      expect(() => safeEntryPath('/r', name)).toThrow(/unsafe path/);
    },
  );
});

describe(extractZip.name, () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'hivemind-extract-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('extracts folders and files', async () => {
    writeFileSync(join(root, 'r.zip'), await zipBytes({ 'shard-000/a.txt': 'A', 'shard-001/b/c.txt': 'C' }));
    const result = await extractZip(join(root, 'r.zip'), join(root, 'out'));
    expect(result).toEqual({ files: 2, bytes: 2, skipped: [] });
    expect(readFileSync(join(root, 'out', 'shard-001', 'b', 'c.txt'), 'utf8')).toBe('C');
  });

  it('refuses a zip with a path out of the folder and writes nothing', async () => {
    const hostile = rename(
      await zipBytes({ 'xx/evil.txt': 'E', 'ok.txt': 'ok' }),
      'xx/evil.txt',
      '../evil.txt',
    );
    writeFileSync(join(root, 'r.zip'), hostile);
    await expect(extractZip(join(root, 'r.zip'), join(root, 'out'))).rejects.toThrow(
      'the zip holds an unsafe path "../evil.txt": nothing was extracted',
    );
    expect(existsSync(join(root, 'evil.txt'))).toBe(false);
    expect(existsSync(join(root, 'out', 'ok.txt'))).toBe(false);
  });

  it('leaves symbolic links out, and does not follow one that was there before', async () => {
    mkdirSync(join(root, 'out'));
    mkdirSync(join(root, 'elsewhere'));
    symlinkSync(join(root, 'elsewhere'), join(root, 'out', 'linked'));
    writeFileSync(
      join(root, 'r.zip'),
      await zipBytes({ 'linked/x.txt': 'X' }, { 'link-to-passwd': '/etc/passwd' }),
    );
    await expect(extractZip(join(root, 'r.zip'), join(root, 'out'))).rejects.toThrow(/leads outside/);
    expect(existsSync(join(root, 'elsewhere', 'x.txt'))).toBe(false);
    rmSync(join(root, 'out', 'linked'));
    const result = await extractZip(join(root, 'r.zip'), join(root, 'out'));
    expect(result.skipped).toEqual(['link-to-passwd']);
    expect(existsSync(join(root, 'out', 'link-to-passwd'))).toBe(false);
  });
});
