import { z } from 'zod';
import { ConfigError, bool, hostPort, int, oneOf, parseEnv, port, url } from './env';

const schema = z.object({
  HTTP_PORT: port(8080),
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgres://user:pass@host:5432/db'),
  WORKERS: int(4, { min: 1, max: 64 }),
  ENABLED: bool(true),
  MODE: oneOf(['a', 'b'] as const, 'a'),
  ADDRESS: hostPort('127.0.0.1:50051'),
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseEnv(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe(parseEnv.name, () => {
  it('applies defaults and coerces values', () => {
    expect(parseEnv(schema, { DATABASE_URL: 'postgres://h/db', HTTP_PORT: '9000', ENABLED: 'no' })).toEqual({
      HTTP_PORT: 9000,
      DATABASE_URL: 'postgres://h/db',
      WORKERS: 4,
      ENABLED: false,
      MODE: 'a',
      ADDRESS: '127.0.0.1:50051',
    });
  });

  it('treats blank values as unset', () => {
    expect(parseEnv(schema, { DATABASE_URL: 'postgres://h/db', HTTP_PORT: '  ' }).HTTP_PORT).toBe(8080);
  });

  it.each([
    [{ HTTP_PORT: 'abc' }, 'HTTP_PORT must be a port number from 1 to 65535 (got "abc")'],
    [{ HTTP_PORT: '70000' }, 'HTTP_PORT must be a port number from 1 to 65535 (got "70000")'],
    [{ HTTP_PORT: '80.5' }, 'HTTP_PORT must be a port number from 1 to 65535 (got "80.5")'],
    [{ WORKERS: '0' }, 'WORKERS must be a whole number from 1 to 64 (got "0")'],
    [{ ENABLED: 'maybe' }, 'ENABLED must be true or false (got "maybe")'],
    [{ MODE: 'c' }, 'MODE must be one of a, b (got "c")'],
    [{ ADDRESS: 'localhost' }, 'ADDRESS must be host:port, e.g. 127.0.0.1:50051 (got "localhost")'],
    [
      { DATABASE_URL: 'mysql://h/db' },
      'DATABASE_URL must be a URL like postgres://user:pass@host:5432/db (got "mysql://h/db")',
    ],
  ])('names the variable and the rule for %j', (env, problem) => {
    expect(problemsOf({ DATABASE_URL: 'postgres://h/db', ...env })).toEqual([problem]);
  });

  it('reports a missing required variable and every problem in one line', () => {
    const load = () => parseEnv(schema, { HTTP_PORT: 'x' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      /^Invalid configuration: HTTP_PORT must be a port number from 1 to 65535 \(got "x"\); DATABASE_URL is required$/,
    );
  });
});
