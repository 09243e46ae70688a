import { cpus } from 'node:os';
import { parseWorkerConfig } from './worker.config';

const OWNER = { HIVEMIND_USERNAME: 'alice', HIVEMIND_PASSWORD: 'secret' };

describe(parseWorkerConfig.name, () => {
  it('has working defaults: local pool, status API on 127.0.0.1:5000, all cores', () => {
    const config = parseWorkerConfig(OWNER);
    expect(config.nodePoolAddress).toBe('127.0.0.1:50051');
    expect(config.http).toEqual({ host: '127.0.0.1', port: 5000 });
    expect(config.docker).toBe('auto');
    expect(config.limits.cpuCores).toBe(cpus().length);
    expect(config.limits.concurrentTasks).toBe(2);
    expect(config.nodeId).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/);
    expect(config.tasks).toMatchObject({
      runtimeImage: 'hivemind/runtime:latest',
      pidsLimit: 256,
      user: '1000:1000',
      storageQuota: 'auto',
    });
    expect(config.pool.heartbeatIntervalMs).toBe(5000);
    expect(config.console).toEqual({ sessionTimeoutHours: 24 });
  });

  it.each([
    ['0.5', 0.5],
    ['0.0005', 0.0005],
    ['8760', 8760],
  ])('reads SESSION_TIMEOUT=%s as %s hours', (value, hours) => {
    expect(parseWorkerConfig({ ...OWNER, SESSION_TIMEOUT: value }).console.sessionTimeoutHours).toBe(hours);
  });

  it.each([
    [{}, { kind: 'plaintext' }],
    [{ NODE_POOL_ADDRESS: 'localhost:50051' }, { kind: 'plaintext' }],
    [{ NODE_POOL_CA_FILE: '/etc/hm/ca.pem' }, { kind: 'tls', caFile: '/etc/hm/ca.pem' }],
    [{ NODE_POOL_ADDRESS: 'pool.example.org:50051' }, { kind: 'tls' }],
    [{ NODE_POOL_ADDRESS: '127.0.0.1:50051', NODE_POOL_TLS: 'true' }, { kind: 'tls' }],
    [
      { NODE_POOL_ADDRESS: '10.0.0.5:50051', NODE_POOL_TLS: 'false', NODE_POOL_INSECURE: 'true' },
      { kind: 'plaintext' },
    ],
  ])('reaches the pool with %j as %j', (env, poolTls) => {
    expect(parseWorkerConfig({ ...OWNER, ...env }).poolTls).toEqual(poolTls);
  });

  it('keeps the plain-HTTP console and API on loopback unless told it is insecure', () => {
    expect(() => parseWorkerConfig({ ...OWNER, WORKER_HTTP_HOST: '0.0.0.0' })).toThrow(
      /WORKER_HTTP_HOST is not a loopback address: .*WORKER_HTTP_INSECURE=true/,
    );
    expect(
      parseWorkerConfig({ ...OWNER, WORKER_HTTP_HOST: '0.0.0.0', WORKER_HTTP_INSECURE: 'true' }).http.host,
    ).toBe('0.0.0.0');
    expect(parseWorkerConfig({ ...OWNER, WORKER_HTTP_HOST: 'localhost' }).http.host).toBe('localhost');
  });

  it('refuses plain text to a pool off loopback unless told it is insecure', () => {
    expect(() =>
      parseWorkerConfig({ ...OWNER, NODE_POOL_ADDRESS: 'pool.example.org:50051', NODE_POOL_TLS: 'false' }),
    ).toThrow(/NODE_POOL_TLS is set to plain text .* NODE_POOL_INSECURE=true/);
  });

  it('needs the owner account the node registers with', () => {
    expect(() => parseWorkerConfig({})).toThrow(
      /HIVEMIND_USERNAME is required.*HIVEMIND_PASSWORD is required/,
    );
  });

  it.each([
    [{ NODE_POOL_ADDRESS: 'pool.example.com' }, /NODE_POOL_ADDRESS must be host:port/],
    [{ WORKER_HTTP_PORT: '0' }, /WORKER_HTTP_PORT must be a port number/],
    [{ DOCKER_ENABLED: 'maybe' }, /DOCKER_ENABLED must be one of auto, true, false/],
    [{ MAX_CONCURRENT_TASKS: '0' }, /MAX_CONCURRENT_TASKS must be a whole number from 1 to 256/],
    [{ NODE_ID: 'bad id!' }, /NODE_ID must be 1-64 letters/],
    [{ TASK_USER: 'root' }, /TASK_USER must be uid or uid:gid/],
    [{ MAX_STORAGE_GB: '-1' }, /MAX_STORAGE_GB must be a positive number/],
    [{ TASK_PIDS_LIMIT: '2' }, /TASK_PIDS_LIMIT must be a whole number from 16/],
    [{ STORAGE_QUOTA_MODE: 'none' }, /STORAGE_QUOTA_MODE must be one of auto, loop, accounting/],
    [{ SESSION_TIMEOUT: '0' }, /SESSION_TIMEOUT must be a positive number of hours/],
    [{ SESSION_TIMEOUT: '-1' }, /SESSION_TIMEOUT must be a positive number of hours/],
    [{ SESSION_TIMEOUT: 'a day' }, /SESSION_TIMEOUT must be a number of hours/],
    [{ SESSION_TIMEOUT: 'Infinity' }, /SESSION_TIMEOUT must be a number of hours/],
    [{ SESSION_TIMEOUT: '9000' }, /SESSION_TIMEOUT must be at most 8760 hours/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => parseWorkerConfig({ ...OWNER, ...env })).toThrow(message);
  });
});

describe('VPN settings', () => {
  it('leave the VPN off by default', () => {
    expect(parseWorkerConfig(OWNER).vpn).toEqual({ autoJoin: false, interface: 'hm0', checkIntervalS: 30 });
  });

  it('read VPN_AUTO_JOIN, the interface, the pool inside the tunnel and the check interval', () => {
    const config = parseWorkerConfig({
      ...OWNER,
      VPN_AUTO_JOIN: 'true',
      VPN_INTERFACE: 'hivemind0',
      VPN_POOL_ADDRESS: '10.128.0.1:50051',
      VPN_CHECK_INTERVAL_S: '5',
    });
    expect(config.vpn).toEqual({
      autoJoin: true,
      interface: 'hivemind0',
      poolAddress: '10.128.0.1:50051',
      checkIntervalS: 5,
    });
  });

  it.each([
    ['VPN_INTERFACE', 'a-much-too-long-name'],
    ['VPN_INTERFACE', 'wg0; rm -rf /'],
    ['VPN_POOL_ADDRESS', '10.128.0.1'],
    ['VPN_CHECK_INTERVAL_S', '0'],
    ['VPN_AUTO_JOIN', 'maybe'],
  ])('refuse %s=%j with one line naming it', (name, value) => {
    expect(() => parseWorkerConfig({ ...OWNER, [name]: value })).toThrow(name);
  });
});
