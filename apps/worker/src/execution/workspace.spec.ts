import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handOverTree, ownerOf } from './workspace';

describe('handOverTree', () => {
  let dir: string;
  let ws: string;
  let outside: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'handover-'));
    ws = join(dir, 'ws');
    outside = join(dir, 'host-file');
    writeFileSync(outside, 'the host');
    chmodSync(outside, 0o600);
    mkdirSync(join(ws, 'input', 'deep'), { recursive: true });
    writeFileSync(join(ws, 'input', 'data.txt'), 'x');
    writeFileSync(join(ws, 'input', 'deep', 'run.sh'), '#!/bin/sh');
    chmodSync(join(ws, 'input', 'data.txt'), 0o600);
    chmodSync(join(ws, 'input', 'deep', 'run.sh'), 0o700);
    chmodSync(join(ws, 'input', 'deep'), 0o700);
    symlinkSync(outside, join(ws, 'input', 'link'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const mode = (path: string) => statSync(path).mode & 0o777;

  it('opens the tree to everyone (a+rwX) without touching what a symlink points to', async () => {
    await handOverTree(ws, 'everyone');
    expect(mode(ws)).toBe(0o777);
    expect(mode(join(ws, 'input', 'deep'))).toBe(0o777);
    expect(mode(join(ws, 'input', 'data.txt'))).toBe(0o666);
    expect(mode(join(ws, 'input', 'deep', 'run.sh'))).toBe(0o777);
    expect(mode(outside)).toBe(0o600);
  });

  (process.getuid?.() === 0 ? it : it.skip)(
    'gives the tree to the task user (as root), the symlink itself and not its target',
    async () => {
      await handOverTree(ws, ownerOf('4321:4322'));
      for (const path of [ws, join(ws, 'input', 'deep', 'run.sh'), join(ws, 'input', 'data.txt')])
        expect(statSync(path)).toMatchObject({ uid: 4321, gid: 4322 });
      expect(lstatSync(join(ws, 'input', 'link'))).toMatchObject({ uid: 4321, gid: 4322 });
      expect(statSync(outside)).toMatchObject({ uid: 0, gid: 0 });
      await handOverTree(ws, ownerOf('4400'));
      expect(statSync(ws)).toMatchObject({ uid: 4400, gid: 4322 });
    },
  );
});
