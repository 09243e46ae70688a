import Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { stackInfo } from '@hivemind/testing';
import { BUSYBOX_IMAGE, TASK_UID, buildBusyboxImage, imageExists } from '../src';

const docker = new Docker();
const describeDocker = stackInfo().docker ? describe : describe.skip;

/** Runs `cmd` in `image` locked down as task containers are, and returns its output and exit code. */
async function runLockedDown(image: string, cmd: string[]): Promise<{ output: string; exitCode: number }> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    User: `${TASK_UID}:${TASK_UID}`,
    HostConfig: {
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Memory: 64 * 1024 * 1024,
      PidsLimit: 64,
      Tmpfs: { '/tmp': 'rw,size=16m' },
    },
  });
  try {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    let output = '';
    const sink = new PassThrough();
    sink.on('data', (d: Buffer) => (output += d.toString()));
    (
      container.modem as { demuxStream(s: NodeJS.ReadableStream, out: PassThrough, err: PassThrough): void }
    ).demuxStream(stream, sink, sink);
    const waited = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
    await container.start();
    const { StatusCode } = await waited;
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { output, exitCode: StatusCode };
  } finally {
    await container.remove({ force: true });
  }
}

describeDocker('task images without a registry', () => {
  beforeAll(async () => {
    await buildBusyboxImage(docker);
  });

  it('imports the busybox image with the task user and entry script', async () => {
    expect(await imageExists(docker, BUSYBOX_IMAGE)).toBe(true);
    const info = await docker.getImage(BUSYBOX_IMAGE).inspect();
    expect(info.Config.WorkingDir).toBe('/workspace');
    expect(info.Config.Cmd).toEqual(['/usr/local/bin/hivemind-run']);
  });

  it('runs a command as the task user with no network, read-only root and no capabilities', async () => {
    const { output, exitCode } = await runLockedDown(BUSYBOX_IMAGE, [
      'sh',
      '-c',
      'id -u; ls /sys/class/net; touch /rootfs-write 2>/dev/null && echo writable || echo read-only; grep CapEff /proc/self/status',
    ]);
    expect(exitCode).toBe(0);
    const [uid, ...rest] = output.trim().split('\n');
    expect(uid).toBe(String(TASK_UID));
    expect(rest).toContain('lo');
    expect(rest.filter((l) => /^(eth|ens|enp)/.test(l))).toEqual([]);
    expect(rest).toContain('read-only');
    expect(output).toMatch(/CapEff:\s+0000000000000000/);
  });

  it('reports a failing command through its exit code', async () => {
    expect((await runLockedDown(BUSYBOX_IMAGE, ['sh', '-c', 'exit 3'])).exitCode).toBe(3);
  });
});
