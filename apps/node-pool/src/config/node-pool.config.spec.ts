import { ConfigError } from '@hivemind/config';
import { parseNodePoolConfig } from './node-pool.config';

const base = {
  DATABASE_URL: 'postgres://hivemind:pw@db:5432/hivemind',
  REDIS_URL: 'redis://redis:6379',
  JWT_SECRET: 'x'.repeat(32),
};

describe(parseNodePoolConfig.name, () => {
  it('has the documented defaults', () => {
    const config = parseNodePoolConfig(base);
    expect(config.grpc).toEqual({ host: '0.0.0.0', port: 50051 });
    expect(config.http).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(config.scheduling).toEqual({ heartbeatTimeoutS: 15, strategy: 'trust-aware' });
    expect(config.auth.tokenExpirationHours).toBe(24);
    expect(config.storage.maxFileSize).toBe(100 * 1024 * 1024);
    expect(config.database.migrationsRun).toBe(true);
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
  ])('refuses %j with a message naming the variable', (override, message) => {
    expect(() => parseNodePoolConfig({ ...base, ...override })).toThrow(ConfigError);
    expect(() => parseNodePoolConfig({ ...base, ...override })).toThrow(message);
  });

  it('names missing required variables', () => {
    expect(() => parseNodePoolConfig({ JWT_SECRET: base.JWT_SECRET })).toThrow(
      'Invalid configuration: DATABASE_URL is required; REDIS_URL is required',
    );
  });
});
