import { ConfigError } from '@hivemind/config';
import { parseNodePoolConfig } from './node-pool.config';

const base = {
  DATABASE_URL: 'postgres://hivemind:pw@db:5432/hivemind',
  REDIS_URL: 'redis://redis:6379',
  JWT_SECRET: 'x'.repeat(32),
  INSECURE_PLAINTEXT: 'true',
};

describe(parseNodePoolConfig.name, () => {
  it('has the documented defaults', () => {
    const config = parseNodePoolConfig(base);
    expect(config.grpc).toEqual({ host: '0.0.0.0', port: 50051 });
    expect(config.http).toEqual({ host: '0.0.0.0', port: 8080, trustProxy: false, corsOrigins: [] });
    expect(config.limits).toEqual({
      windowS: 60,
      rest: { readsPerUser: 1200, writesPerUser: 300, readsPerAddress: 3000, writesPerAddress: 900 },
      rpc: { perCredential: 3000, perAddress: 12000 },
      upgrades: { perUser: 60, perAddress: 120 },
      uploadBytes: { perUser: 10 * 1024 ** 3, perAddress: 20 * 1024 ** 3, windowS: 3600 },
      logBytes: { perNode: 256 * 1024 ** 2, windowS: 60 },
    });
    expect(config.scheduling).toEqual({
      heartbeatTimeoutS: 15,
      strategy: 'trust-aware',
      placementCandidates: 16,
    });
    expect(config.auth.tokenExpirationHours).toBe(24);
    expect(config.storage.maxFileSize).toBe(100 * 1024 * 1024);
    expect(config.database.migrationsRun).toBe(true);
    expect(config.heapGrowingPercent).toBe(25);
  });

  it('takes HEAP_GROWING_PERCENT from 0 (V8 decides) to 1000, and refuses anything else by name', () => {
    expect(parseNodePoolConfig({ ...base, HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
    expect(parseNodePoolConfig({ ...base, HEAP_GROWING_PERCENT: '50' }).heapGrowingPercent).toBe(50);
    for (const bad of ['-1', '1001', '2.5', 'lots'])
      expect(() => parseNodePoolConfig({ ...base, HEAP_GROWING_PERCENT: bad })).toThrow(
        /HEAP_GROWING_PERCENT/,
      );
  });

  it('keeps files in a local folder unless STORAGE_BACKEND=s3 names a bucket', () => {
    expect(parseNodePoolConfig(base).storage).toEqual({
      path: expect.stringMatching(/\.hivemind\/storage$/),
      maxFileSize: 100 * 1024 * 1024,
      backend: 'local',
    });
    // S3 settings without the backend are ignored, not half-applied (a compose file passes them all)
    expect(
      parseNodePoolConfig({ ...base, S3_BUCKET: 'hivemind', S3_ACCESS_KEY_ID: 'hivemind' }).storage.s3,
    ).toBeUndefined();
    const s3 = { ...base, STORAGE_BACKEND: 's3', S3_BUCKET: 'hivemind-files' };
    expect(parseNodePoolConfig(s3).storage).toMatchObject({
      backend: 's3',
      s3: { bucket: 'hivemind-files', region: 'us-east-1', forcePathStyle: false },
    });
    expect(
      parseNodePoolConfig({
        ...s3,
        S3_ENDPOINT: 'http://minio:9000',
        S3_REGION: 'eu-west-3',
        S3_FORCE_PATH_STYLE: 'true',
        S3_ACCESS_KEY_ID: 'AKIA1',
        S3_SECRET_ACCESS_KEY: 'secret',
      }).storage.s3,
    ).toEqual({
      bucket: 'hivemind-files',
      region: 'eu-west-3',
      endpoint: 'http://minio:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIA1', secretAccessKey: 'secret' },
    });
  });

  it.each([
    [{ STORAGE_BACKEND: 's3' }, 'S3_BUCKET is required with STORAGE_BACKEND=s3'],
    [{ STORAGE_BACKEND: 'nfs' }, 'STORAGE_BACKEND must be one of local, s3'],
    [{ STORAGE_BACKEND: 's3', S3_BUCKET: 'My_Bucket' }, 'S3_BUCKET must be an S3 bucket name'],
    [{ STORAGE_BACKEND: 's3', S3_BUCKET: 'b'.repeat(64) }, 'S3_BUCKET must be an S3 bucket name'],
    [{ S3_ENDPOINT: 'minio:9000' }, 'S3_ENDPOINT must be a URL like https://s3.example.org:9000'],
    [{ S3_ENDPOINT: 'ftp://minio:9000' }, 'S3_ENDPOINT must be a URL'],
    [{ S3_REGION: 'EU West' }, 'S3_REGION must be a region name'],
    [
      { STORAGE_BACKEND: 's3', S3_BUCKET: 'b1b', S3_ACCESS_KEY_ID: 'AKIA1' },
      'S3_SECRET_ACCESS_KEY and S3_ACCESS_KEY_ID must be given together',
    ],
    [{ S3_FORCE_PATH_STYLE: 'maybe' }, 'S3_FORCE_PATH_STYLE must be true or false'],
  ])('refuses storage settings %j, naming the setting', (env, message) => {
    expect(() => parseNodePoolConfig({ ...base, ...env })).toThrow(message);
  });

  it('listens in plain text off loopback only when asked to, and takes TLS files as a pair', () => {
    const { INSECURE_PLAINTEXT: _, ...strict } = base;
    expect(() => parseNodePoolConfig(strict)).toThrow(
      /HTTP_HOST is not a loopback address and there is no TLS: set TLS_CERT_FILE and TLS_KEY_FILE .*GRPC_SERVER_HOST is not a loopback address/,
    );
    expect(
      parseNodePoolConfig({ ...strict, HTTP_HOST: 'localhost', GRPC_SERVER_HOST: '127.0.0.2' }).tls,
    ).toBeUndefined();
    const tls = parseNodePoolConfig({
      ...strict,
      TLS_CERT_FILE: '/etc/hm/cert.pem',
      TLS_KEY_FILE: '/etc/hm/key.pem',
    }).tls;
    expect(tls).toEqual({
      certFile: '/etc/hm/cert.pem',
      keyFile: '/etc/hm/key.pem',
      reloadIntervalS: 10,
      requireClientCert: false,
      nodeCertValidHours: 24,
    });
    expect(() => parseNodePoolConfig({ ...strict, TLS_CERT_FILE: '/c.pem' })).toThrow(
      'TLS_KEY_FILE and TLS_CERT_FILE must be given together',
    );
    expect(() =>
      parseNodePoolConfig({
        ...base,
        TLS_CERT_FILE: '/c.pem',
        TLS_KEY_FILE: '/k',
        GRPC_REQUIRE_CLIENT_CERT: 'true',
      }),
    ).toThrow('GRPC_REQUIRE_CLIENT_CERT needs');
  });

  it('reads TRUST_PROXY (a hop count or proxies) and CORS_ORIGINS', () => {
    const hops = parseNodePoolConfig({ ...base, TRUST_PROXY: '2' });
    expect(hops.http.trustProxy).toBe(2);
    const listed = parseNodePoolConfig({
      ...base,
      TRUST_PROXY: '10.0.0.0/8, loopback',
      CORS_ORIGINS: 'https://console.example.org, http://localhost:4200',
    });
    expect(listed.http).toMatchObject({
      trustProxy: ['10.0.0.0/8', 'loopback'],
      corsOrigins: ['https://console.example.org', 'http://localhost:4200'],
    });
  });

  it('takes the ports from HTTP_PORT and GRPC_SERVER_PORT', () => {
    const config = parseNodePoolConfig({ ...base, HTTP_PORT: '18080', GRPC_SERVER_PORT: '15051' });
    expect(config.http.port).toBe(18080);
    expect(config.grpc.port).toBe(15051);
  });

  it('requires JWT_SECRET outside development and accepts its absence in development', () => {
    const { JWT_SECRET: _omitted, ...withoutSecret } = base;
    expect(() => parseNodePoolConfig(withoutSecret)).toThrow(
      /JWT_SECRET is required outside NODE_ENV=development/,
    );
    expect(
      parseNodePoolConfig({ ...withoutSecret, NODE_ENV: 'development' }).auth.jwtSecret.length,
    ).toBeGreaterThanOrEqual(32);
  });

  it.each([
    [{ JWT_SECRET: 'short' }, /JWT_SECRET must be at least 32 characters/],
    [{ SCHEDULER_STRATEGY: 'random' }, /SCHEDULER_STRATEGY must be one of trust-aware, round-robin/],
    [{ DATABASE_URL: 'localhost:5432' }, /DATABASE_URL must be a URL like postgres:/],
    [{ REDIS_URL: 'http://redis' }, /REDIS_URL must be a URL like redis:/],
    [{ HEARTBEAT_TIMEOUT_S: '0' }, /HEARTBEAT_TIMEOUT_S must be a whole number from 1/],
    [{ QUEUE_PREFIX: 'a b' }, /QUEUE_PREFIX must be 1-64 letters/],
    [{ VPN_SUBNET: '10.0.0.7/24' }, /VPN_SUBNET must start at its network address: 10.0.0.0\/24/],
    [{ VPN_ENDPOINT: 'vpn.example.org:99999' }, /VPN_ENDPOINT must be host:port/],
    [{ VPN_DNS: '10.0.0.1, not-an-ip' }, /VPN_DNS must be a comma-separated list/],
    [{ VPN_KEY_SECRET: 'short' }, /VPN_KEY_SECRET must be at least 32 characters/],
    [{ VPN_RESERVE_PERCENT: '95' }, /VPN_RESERVE_PERCENT must be a whole number from 0 to 90/],
    [{ VPN_PEER_RATE_PER_ADDRESS: '0' }, /VPN_PEER_RATE_PER_ADDRESS must be a whole number from 1/],
    [{ TRUST_PROXY: 'true' }, /TRUST_PROXY must not be "true"/],
    [{ TRUST_PROXY: 'proxy.example.org' }, /TRUST_PROXY "proxy.example.org" is not an address/],
    [{ CORS_ORIGINS: 'https://ok.example.org, *' }, /CORS_ORIGINS must be a comma-separated list of origins/],
    [{ RATE_LIMIT_READS_PER_USER: '0' }, /RATE_LIMIT_READS_PER_USER must be a whole number from 1/],
    [{ VPN_NEW_ACCOUNT_PEERS: '-1' }, /VPN_NEW_ACCOUNT_PEERS must be a whole number from 0/],
  ])('refuses %j with a message naming the variable', (override, message) => {
    expect(() => parseNodePoolConfig({ ...base, ...override })).toThrow(ConfigError);
    expect(() => parseNodePoolConfig({ ...base, ...override })).toThrow(message);
  });

  it('has the VPN defaults: 10.128.0.0/16, port 51820 on this host, the subnet routed, keys sealed with JWT_SECRET, quotas and rate limits', () => {
    const { vpn } = parseNodePoolConfig(base);
    expect(vpn.subnet.cidr).toBe('10.128.0.0/16');
    expect(vpn.endpoint).toMatch(/:51820$/);
    expect(vpn.listenPort).toBe(51820);
    expect(vpn.allowedIps).toEqual(['10.128.0.0/16']);
    expect(vpn.dns).toEqual([]);
    expect(vpn.keySecret).toBe(base.JWT_SECRET);
    expect(vpn).toMatchObject({
      maxPeersPerUser: 10,
      newAccountPeers: 2,
      establishedAfterDays: 7,
      reservePercent: 10,
      rateLimit: { perAddress: 20, perUser: 10, windowS: 3600 },
    });
  });

  it('reads the VPN quotas and rate limits', () => {
    const { vpn } = parseNodePoolConfig({
      ...base,
      VPN_MAX_PEERS_PER_USER: '4',
      VPN_NEW_ACCOUNT_PEERS: '0',
      VPN_ESTABLISHED_AFTER_DAYS: '30',
      VPN_RESERVE_PERCENT: '0',
      VPN_PEER_RATE_PER_ADDRESS: '100',
      VPN_PEER_RATE_PER_USER: '3',
      VPN_PEER_RATE_WINDOW_S: '60',
    });
    expect(vpn).toMatchObject({
      maxPeersPerUser: 4,
      newAccountPeers: 0,
      establishedAfterDays: 30,
      reservePercent: 0,
      rateLimit: { perAddress: 100, perUser: 3, windowS: 60 },
    });
  });

  it.each([
    [{}, 'JWT_SECRET'],
    [{ VPN_KEY_SECRET: 'v'.repeat(32) }, 'VPN_KEY_SECRET'],
    [{ VPN_KEY_SECRET: 'v'.repeat(32), TASK_SECRETS_KEY: 't'.repeat(32) }, 'TASK_SECRETS_KEY'],
  ])('seals secret env with %j: %s', (env: Record<string, string>, from) => {
    const all = { ...base, ...env } as Record<string, string>;
    expect(parseNodePoolConfig(all).tasks.secretEnvKey).toBe(all[from]);
  });

  it('reads VPN_SUBNET, VPN_ENDPOINT (port optional), VPN_DNS and VPN_KEY_SECRET', () => {
    const { vpn } = parseNodePoolConfig({
      ...base,
      VPN_SUBNET: '10.8.0.0/16',
      VPN_ENDPOINT: 'vpn.example.org',
      VPN_DNS: '10.8.0.1, 1.1.1.1',
      VPN_KEY_SECRET: 'k'.repeat(32),
    });
    expect(vpn.subnet).toMatchObject({ cidr: '10.8.0.0/16', size: 65536 });
    expect(vpn.endpoint).toBe('vpn.example.org:51820');
    expect(vpn.dns).toEqual(['10.8.0.1', '1.1.1.1']);
    expect(vpn.allowedIps).toEqual(['10.8.0.0/16']);
    expect(vpn.keySecret).toBe('k'.repeat(32));
    expect(parseNodePoolConfig({ ...base, VPN_ENDPOINT: '[2001:db8::1]:4500' }).vpn).toMatchObject({
      endpoint: '[2001:db8::1]:4500',
      listenPort: 4500,
    });
  });

  it('names missing required variables', () => {
    expect(() => parseNodePoolConfig({ JWT_SECRET: base.JWT_SECRET })).toThrow(
      'Invalid configuration: DATABASE_URL is required; REDIS_URL is required',
    );
  });
});
