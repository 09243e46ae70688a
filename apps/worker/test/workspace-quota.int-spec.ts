// The storage quota's disk side on the real machine: ext4 images loop-mounted (as root), and the
// accounting walk. The whole worker with it is in worker.int-spec.ts.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { quotaMessage } from '../src/execution/storage-quota';
import { WorkspaceQuota, measureWorkspace } from '../src/execution/workspace-quota.repository';
import { removeTree, waitFor } from '@hivemind/testing';

const MIB = 1024 * 1024;
const asRoot = process.getuid?.() === 0;
const describeAsRoot = asRoot ? describe : describe.skip;

let root: string;
let attempts = 0;

/** A new attempt folder's workspace path (not created). */
const newWs = () => join(root, 'attempts', `attempt-${++attempts}`, 'ws');

const isMountpoint = (path: string) => existsSync(path) && statSync(path).dev !== statSync(dirname(path)).dev;

/** Bytes the file takes on the host's disk (what `du` says), 0 when it is gone. */
const allocated = (path: string) => (existsSync(path) ? statSync(path).blocks * 512 : 0);

/** Writes `mb` MiB into `path`, 1 MiB at a time; the error that stopped it, if one did. */
async function write(path: string, mb: number, pauseMs = 0): Promise<NodeJS.ErrnoException | undefined> {
  const file = await open(path, 'w');
  try {
    for (let i = 0; i < mb; i++) {
      await file.write(Buffer.alloc(MIB, 1));
      if (pauseMs) await sleep(pauseMs);
    }
    return undefined;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  } finally {
    await file.close();
  }
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'hivemind-quota-'));
});

afterAll(() => {
  // whatever a failed test left mounted is unmounted first
  removeTree(root);
});

describeAsRoot('loop mode', () => {
  let quota: WorkspaceQuota;

  beforeAll(async () => {
    quota = await WorkspaceQuota.create('loop', root);
  });

  it('is what auto picks here, root with loop devices and mkfs.ext4', async () => {
    expect(quota.mode).toBe('loop');
    expect((await WorkspaceQuota.create('auto', root)).mode).toBe('loop');
    expect(existsSync(join(root, 'quota-probe'))).toBe(false); // the probe cleaned up
  });

  it('gives the workspace a file system of the quota: writes past it fail with ENOSPC, the host holds no more', async () => {
    const ws = newWs();
    await quota.prepare(ws, 10);
    expect(isMountpoint(ws)).toBe(true);
    const watch = quota.watch(ws, 10, () => undefined);

    const errors = [];
    for (let i = 0; i < 4; i++) errors.push(await write(join(ws, `f${i}`), 4));

    expect(errors.map((e) => e?.code)).toEqual([undefined, undefined, 'ENOSPC', 'ENOSPC']);
    expect(await watch.stop()).toBe(true);
    expect(allocated(`${ws}.img`)).toBeGreaterThan(8 * MIB);
    expect(allocated(`${ws}.img`)).toBeLessThanOrEqual(10 * MIB);
    expect(existsSync(join(ws, 'lost+found'))).toBe(false);

    await quota.release(ws);

    expect(isMountpoint(ws)).toBe(false);
    expect(existsSync(`${ws}.img`)).toBe(false);
    rmSync(dirname(ws), { recursive: true }); // nothing mounted in the way any more
  });

  it('reports a workspace that was never filled as not full', async () => {
    const ws = newWs();
    await quota.prepare(ws, 10);
    const watch = quota.watch(ws, 10, () => undefined);
    await write(join(ws, 'small'), 2);

    expect(await watch.stop()).toBe(false);
    await quota.release(ws);
  });

  it('mounts a workspace again when its image is there but not mounted (after a reboot)', async () => {
    const ws = newWs();
    await quota.prepare(ws, 10);
    writeFileSync(join(ws, 'kept.txt'), 'still here');
    expect(spawnSync('umount', [ws]).status).toBe(0);
    expect(existsSync(join(ws, 'kept.txt'))).toBe(false);

    await quota.reattach(ws);

    expect(isMountpoint(ws)).toBe(true);
    expect(existsSync(join(ws, 'kept.txt'))).toBe(true);
    await quota.reattach(ws); // already mounted: nothing happens
    await quota.release(ws);
  });

  it('at start-up, unmounts the workspaces no attempt takes back', async () => {
    const kept = newWs();
    const stray = newWs();
    await quota.prepare(kept, 10);
    await quota.prepare(stray, 10);
    const restarted = await WorkspaceQuota.create('accounting', root); // whichever mode made them

    const released = await restarted.sweep(join(root, 'attempts'), new Set([kept]));

    expect(released).toEqual([stray]);
    expect(isMountpoint(stray)).toBe(false);
    expect(existsSync(`${stray}.img`)).toBe(false);
    expect(isMountpoint(kept)).toBe(true);
    await quota.release(kept);
  });

  it('unmounts lazily what something still holds', async () => {
    const ws = newWs();
    await quota.prepare(ws, 10);
    const held = await open(join(ws, 'open-file'), 'w');
    try {
      await quota.release(ws);
      expect(isMountpoint(ws)).toBe(false);
      expect(existsSync(`${ws}.img`)).toBe(false);
    } finally {
      await held.close();
    }
  });
});

describe('accounting mode', () => {
  let quota: WorkspaceQuota;

  beforeAll(async () => {
    quota = await WorkspaceQuota.create('accounting', root);
  });

  it('stops the task once a walk finds the workspace over its quota, saying why', async () => {
    const ws = newWs();
    await quota.prepare(ws, 10);
    expect(isMountpoint(ws)).toBe(false);
    const reasons: string[] = [];
    const watch = quota.watch(ws, 10, (reason) => reasons.push(reason));
    try {
      await write(join(ws, 'a'), 8, 20);
      await sleep(600);
      expect(reasons).toEqual([]); // within the quota
      await write(join(ws, 'b'), 4, 20);
      // the next walk finds it (walks are spaced by how long the last one took: slower when loaded)
      await waitFor('a walk to find the workspace over its quota', () => Promise.resolve(reasons.length > 0));
      expect(reasons).toEqual([quotaMessage(10)]);
    } finally {
      expect(await watch.stop()).toBe(true);
      await quota.release(ws);
    }
  });

  it('stops a task that makes more files than its quota allows', async () => {
    const ws = newWs();
    await quota.prepare(ws, 1); // 128 files and folders
    const reasons: string[] = [];
    const watch = quota.watch(ws, 1, (reason) => reasons.push(reason));
    for (let i = 0; i < 200; i++) writeFileSync(join(ws, `empty-${i}`), '');
    for (let i = 0; i < 40 && reasons.length === 0; i++) await sleep(50);

    expect(reasons).toEqual([expect.stringContaining('the task made more than 128 files and folders')]);
    expect(await watch.stop()).toBe(true);
  });

  it('counts what the disk holds: a sparse file by its blocks, a hard link once, a link not followed', async () => {
    const ws = newWs();
    mkdirSync(join(ws, 'sub'), { recursive: true });
    writeFileSync(join(ws, 'sub', 'data'), Buffer.alloc(3 * MIB, 1));
    linkSync(join(ws, 'sub', 'data'), join(ws, 'hard-link'));
    symlinkSync('/usr', join(ws, 'to-usr'));
    const sparse = await open(join(ws, 'sparse'), 'w');
    await sparse.truncate(1024 * MIB);
    await sparse.close();

    const usage = await measureWorkspace(ws);

    expect(usage.entries).toBe(5);
    expect(usage.bytes).toBeGreaterThanOrEqual(3 * MIB);
    expect(usage.bytes).toBeLessThan(3 * MIB + 64 * 1024);
  });
});
