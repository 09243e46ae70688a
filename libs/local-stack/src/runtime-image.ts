import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { repoRoot } from './repo-root';

/** The default image of zip tasks: Debian with a shell and python3 (docker/Dockerfile.runtime). */
export const RUNTIME_IMAGE = 'hivemind/runtime:latest';
/** A tiny shell-only image for tests and for machines that cannot run debootstrap. */
export const BUSYBOX_IMAGE = 'hivemind/busybox:latest';
/** The unprivileged user tasks run as inside these images. */
export const TASK_UID = 1000;

const entryScript = (): string => join(repoRoot(), 'docker', 'runtime', 'hivemind-run');

export async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch {
    return false;
  }
}

/** `tar -C rootfs -c . | docker import` with Dockerfile-style `changes`, through the engine's API. */
export async function importRootfs(
  docker: Docker,
  rootfs: string,
  ref: string,
  changes: string[],
): Promise<void> {
  const [repo, tag = 'latest'] = ref.split(':');
  const tar = spawn('tar', ['--numeric-owner', '-C', rootfs, '-c', '.'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tarErrors = '';
  tar.stderr.on('data', (d: Buffer) => (tarErrors += d.toString()));
  const stream = await docker.importImage(tar.stdout, { repo, tag, changes });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, events: { error?: string }[]) => {
      const failed = error?.message ?? events.find((e) => e.error)?.error;
      if (failed) reject(new Error(`docker import of ${ref} failed: ${failed}`));
      else resolve();
    });
  });
  const code = await new Promise<number | null>((resolve) =>
    tar.exitCode !== null ? resolve(tar.exitCode) : tar.once('exit', resolve),
  );
  if (code !== 0) throw new Error(`tar of ${rootfs} failed: ${tarErrors.trim()}`);
}

function addTaskUser(rootfs: string): void {
  mkdirSync(join(rootfs, 'etc'), { recursive: true });
  const passwd = join(rootfs, 'etc', 'passwd');
  const group = join(rootfs, 'etc', 'group');
  const had = existsSync(passwd) ? readFileSync(passwd, 'utf8') : 'root:x:0:0:root:/root:/bin/sh\n';
  if (!had.includes(`:${TASK_UID}:`))
    writeFileSync(passwd, `${had}task:x:${TASK_UID}:${TASK_UID}:HiveMind task:/workspace:/bin/sh\n`);
  const groups = existsSync(group) ? readFileSync(group, 'utf8') : 'root:x:0:\n';
  if (!groups.includes(`:${TASK_UID}:`)) writeFileSync(group, `${groups}task:x:${TASK_UID}:\n`);
}

const IMAGE_CHANGES = [
  'WORKDIR /workspace',
  'ENV PYTHONUNBUFFERED=1',
  'ENV HOME=/workspace',
  'CMD ["/usr/local/bin/hivemind-run"]',
];

function installEntryScript(rootfs: string): void {
  mkdirSync(join(rootfs, 'usr', 'local', 'bin'), { recursive: true });
  copyFileSync(entryScript(), join(rootfs, 'usr', 'local', 'bin', 'hivemind-run'));
  chmodSync(join(rootfs, 'usr', 'local', 'bin', 'hivemind-run'), 0o755);
  for (const dir of ['workspace', 'tmp']) mkdirSync(join(rootfs, dir), { recursive: true, mode: 0o1777 });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
}

/** Builds BUSYBOX_IMAGE from the static busybox binary (Debian's busybox-static). */
export async function buildBusyboxImage(
  docker: Docker,
  ref = BUSYBOX_IMAGE,
  busybox = '/bin/busybox',
): Promise<void> {
  if (!existsSync(busybox)) throw new Error(`${busybox} not found: apt-get install busybox-static`);
  const rootfs = mkdtempSync(join(tmpdir(), 'hivemind-busybox-'));
  try {
    const bin = join(rootfs, 'bin');
    mkdirSync(bin, { recursive: true });
    copyFileSync(busybox, join(bin, 'busybox'));
    chmodSync(join(bin, 'busybox'), 0o755);
    const applets = spawnSync(busybox, ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    for (const applet of applets) if (applet !== 'busybox') symlinkSync('busybox', join(bin, applet));
    mkdirSync(join(rootfs, 'usr', 'bin'), { recursive: true });
    symlinkSync('/bin/env', join(rootfs, 'usr', 'bin', 'env'));
    addTaskUser(rootfs);
    installEntryScript(rootfs);
    await importRootfs(docker, rootfs, ref, [
      'ENV PATH=/bin:/usr/bin:/usr/local/bin',
      // the same default command as the Debian image: `npm run up` tags this image as the runtime
      // image where debootstrap cannot run, and zip tasks must still start their run.sh
      ...IMAGE_CHANGES,
    ]);
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}

/** The Debian mirror apt already uses on this machine (deb822 .sources or sources.list). */
export function aptMirror(): string {
  const candidates: string[] = [];
  try {
    for (const file of readdirSync('/etc/apt/sources.list.d').filter((f) => f.endsWith('.sources'))) {
      candidates.push(
        ...[...readFileSync(join('/etc/apt/sources.list.d', file), 'utf8').matchAll(/^URIs:\s*(\S+)/gm)].map(
          (m) => m[1],
        ),
      );
    }
  } catch {
    // no deb822 sources
  }
  try {
    candidates.push(
      ...[...readFileSync('/etc/apt/sources.list', 'utf8').matchAll(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/gm)].map(
        (m) => m[1],
      ),
    );
  } catch {
    // no sources.list
  }
  return (
    candidates.find((uri) => /\/debian\/?$/.test(uri) && !uri.includes('security')) ??
    'http://deb.debian.org/debian'
  );
}

/**
 * Builds RUNTIME_IMAGE: `debootstrap --variant=minbase --include=python3` (root only, ~1 min and a
 * Debian mirror), plus the task user and the hivemind-run entry script. No registry is needed.
 */
export async function buildDebianRuntimeImage(
  docker: Docker,
  {
    ref = RUNTIME_IMAGE,
    suite = 'bookworm',
    mirror = aptMirror(),
    log = (_line: string): void => undefined,
  } = {},
): Promise<void> {
  const rootfs = mkdtempSync(join(tmpdir(), 'hivemind-runtime-'));
  try {
    log(`debootstrap ${suite} with python3 from ${mirror} (about a minute, once)`);
    const result = spawnSync(
      'debootstrap',
      ['--variant=minbase', '--include=python3,ca-certificates', suite, rootfs, mirror],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    if (result.status !== 0) {
      throw new Error(
        `debootstrap failed: ${(result.stderr || result.stdout || String(result.error)).trim().split('\n').slice(-5).join(' | ')}`,
      );
    }
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
      for (const entry of readdirSync(join(rootfs, dir))) {
        if (entry.endsWith('.deb') || dir.endsWith('lists'))
          rmSync(join(rootfs, dir, entry), { recursive: true, force: true });
      }
    }
    addTaskUser(rootfs);
    installEntryScript(rootfs);
    await importRootfs(docker, rootfs, ref, [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      ...IMAGE_CHANGES,
    ]);
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}
