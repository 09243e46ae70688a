import { cpus } from 'node:os';
import { parseWorkerConfig } from './worker.config';

describe(parseWorkerConfig.name, () => {
  it('has working defaults: local pool, status API on 127.0.0.1:5000, all cores', () => {
    const config = parseWorkerConfig({});
    expect(config.nodePoolAddress).toBe('127.0.0.1:50051');
    expect(config.http).toEqual({ host: '127.0.0.1', port: 5000 });
    expect(config.docker).toBe('auto');
    expect(config.limits.cpuCores).toBe(cpus().length);
    expect(config.limits.concurrentTasks).toBe(2);
    expect(config.nodeId).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/);
  });

  it.each([
    [{ NODE_POOL_ADDRESS: 'pool.example.com' }, /NODE_POOL_ADDRESS must be host:port/],
    [{ WORKER_HTTP_PORT: '0' }, /WORKER_HTTP_PORT must be a port number/],
    [{ DOCKER_ENABLED: 'maybe' }, /DOCKER_ENABLED must be one of auto, true, false/],
    [{ MAX_CONCURRENT_TASKS: '0' }, /MAX_CONCURRENT_TASKS must be a whole number from 1 to 256/],
    [{ NODE_ID: 'bad id!' }, /NODE_ID must be 1-64 letters/],
    [{ HIVEMIND_USERNAME: 'alice' }, /HIVEMIND_PASSWORD and HIVEMIND_USERNAME must be given together/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => parseWorkerConfig(env)).toThrow(message);
  });
});
