import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onPath, repoRoot } from '../src';
import { BUILD_OUTPUTS } from '../src/up';

const ROOT = repoRoot();
const compose = onPath('docker-compose')
  ? ['docker-compose']
  : spawnSync('docker', ['compose', 'version']).status === 0
    ? ['docker', 'compose']
    : undefined;
const describeCompose = compose ? describe : describe.skip;
if (!compose)
  process.stderr.write(
    '[hivemind tests] compose.yaml validation skipped: neither docker-compose nor `docker compose` is installed\n',
  );

function composeConfig(env: Record<string, string>) {
  const [command, ...prefix] = compose!;
  return spawnSync(command, [...prefix, '-f', join(ROOT, 'docker', 'compose.yaml'), 'config', '--services'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });
}

describeCompose('docker/compose.yaml', () => {
  it('is valid and has postgres, redis, a node pool and two workers', () => {
    const result = composeConfig({
      POSTGRES_PASSWORD: 'pw',
      JWT_SECRET: 'x'.repeat(64),
      WORKER_OWNER_USERNAME: 'alice',
      WORKER_OWNER_PASSWORD: 'secret',
    });
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    // the `s3` profile's services run only when asked for; Compose v1 lists them all the same
    const optional = ['minio', 'minio-bucket'];
    expect(
      result.stdout
        .trim()
        .split('\n')
        .filter((name) => !optional.includes(name))
        .sort(),
    ).toEqual(['node-pool', 'postgres', 'redis', 'worker-1', 'worker-2']);
    const file = readFileSync(join(ROOT, 'docker', 'compose.yaml'), 'utf8');
    for (const name of optional)
      expect(file).toMatch(new RegExp(`\\n  ${name}:\\n(    .*\\n)*?    profiles: \\[s3\\]`));
  });

  it('refuses to start without the secrets, naming them', () => {
    const result = composeConfig({ POSTGRES_PASSWORD: 'pw' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('JWT_SECRET');
    const noOwner = composeConfig({ POSTGRES_PASSWORD: 'pw', JWT_SECRET: 'x'.repeat(64) });
    expect(noOwner.status).not.toBe(0);
    expect(noOwner.stderr).toContain('WORKER_OWNER_USERNAME');
  });
});

describe('Dockerfiles', () => {
  const dockerfile = (name: string) => readFileSync(join(ROOT, 'docker', name), 'utf8');

  it.each([
    ['node-pool.Dockerfile', BUILD_OUTPUTS.nodePool],
    ['worker.Dockerfile', BUILD_OUTPUTS.worker],
  ])('%s starts the app the build produces', (name, output) => {
    // Node's own flags (NODE_POOL_NODE_FLAGS for the pool) may come before the script
    const cmd = /^CMD \["node", (?:"--[^"]+", )*"([^"]+)"\]$/m.exec(dockerfile(name))?.[1];
    expect(cmd).toBe(output);
    expect(existsSync(join(ROOT, output))).toBe(true);
  });

  it.each(['node-pool.Dockerfile', 'worker.Dockerfile', 'runtime.Dockerfile'])(
    '%s copies only files that exist',
    (name) => {
      const sources = [...dockerfile(name).matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
        m[1].split(' '),
      );
      for (const source of sources.filter((s) => s !== '.'))
        expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
    },
  );
});
