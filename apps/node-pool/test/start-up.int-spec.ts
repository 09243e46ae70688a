import { built, runNode, stackInfo } from '@hivemind/testing';

const NODE_POOL = 'dist/apps/node-pool/apps/node-pool/src/main.js';

describe('node pool start-up configuration', () => {
  const valid = () => ({
    DATABASE_URL: stackInfo().postgresUrl,
    REDIS_URL: stackInfo().redisUrl,
    JWT_SECRET: 'x'.repeat(32),
    HTTP_HOST: '127.0.0.1',
    GRPC_SERVER_HOST: '127.0.0.1',
  });

  it.each([
    [{ HTTP_PORT: 'eighty' }, 'HTTP_PORT must be a port number from 1 to 65535 (got "eighty")'],
    [{ DATABASE_URL: '' }, 'DATABASE_URL is required'],
    [{ JWT_SECRET: '' }, 'JWT_SECRET is required outside NODE_ENV=development'],
    [{ HTTP_HOST: '0.0.0.0' }, 'HTTP_HOST is not a loopback address and there is no TLS'],
    [
      { SCHEDULER_STRATEGY: 'fastest' },
      'SCHEDULER_STRATEGY must be one of trust-aware, round-robin (got "fastest")',
    ],
  ])(
    'refuses %j: one line naming the variable, non-zero exit, nothing started',
    async (override, message) => {
      const result = await runNode(built(NODE_POOL), [], { ...valid(), ...override });
      expect(result.code).toBe(78);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(message)]);
      expect(result.stderr).toMatch(/^Invalid configuration: /);
    },
  );
});

describe('worker and CLI binaries', () => {
  it('worker --help prints usage and exits 0', async () => {
    const result = await runNode(built('dist/apps/worker/apps/worker/src/main.js'), ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: hivemind-worker');
    expect(result.stdout).toContain('NODE_POOL_ADDRESS');
  });

  it('worker refuses a bad variable with one line', async () => {
    const result = await runNode(built('dist/apps/worker/apps/worker/src/main.js'), [], {
      WORKER_HTTP_PORT: '99999',
      HIVEMIND_USERNAME: 'alice',
      HIVEMIND_PASSWORD: 'secret',
    });
    expect(result.code).toBe(78);
    expect(result.stderr.trim()).toBe(
      'Invalid configuration: WORKER_HTTP_PORT must be a port number from 1 to 65535 (got "99999")',
    );
  });

  it('hivemind --help prints usage through the bin script', async () => {
    const result = await runNode(built('bin/hivemind.js'), ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: hivemind');
  });

  it('hivemind with an unknown command exits 2 with one line', async () => {
    const result = await runNode(built('bin/hivemind.js'), ['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
