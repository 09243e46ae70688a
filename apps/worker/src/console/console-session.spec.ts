import {
  type ConsoleAccount,
  type CsrfInput,
  type NodeOwner,
  consoleRoleOf,
  cookieMaxAgeS,
  csrfRefusal,
  isSessionLive,
  parseSignIn,
  sessionExpiresAt,
} from './console-session';

const alice: ConsoleAccount = { id: 'u-alice', username: 'alice', role: 'user' };
const bob: ConsoleAccount = { id: 'u-bob', username: 'bob', role: 'user' };
const root: ConsoleAccount = { id: 'u-root', username: 'root', role: 'admin' };

describe(consoleRoleOf.name, () => {
  it.each<[string, ConsoleAccount, NodeOwner, ReturnType<typeof consoleRoleOf>]>([
    ['the owner, by the id the pool gave', alice, { id: 'u-alice', username: 'alice' }, 'owner'],
    ['the owner before any registration, by name', alice, { username: 'alice' }, 'owner'],
    [
      'another account with the owner’s old name',
      { ...alice, id: 'u-new' },
      { id: 'u-alice', username: 'alice' },
      undefined,
    ],
    ['a stranger', bob, { id: 'u-alice', username: 'alice' }, undefined],
    ['a stranger before any registration', bob, { username: 'alice' }, undefined],
    ['an admin of the pool', root, { id: 'u-alice', username: 'alice' }, 'admin'],
    [
      'an owner who is also an admin is the owner',
      { ...root, id: 'u-alice' },
      { id: 'u-alice', username: 'x' },
      'owner',
    ],
    ['a role the worker does not know', { ...bob, role: 'operator' }, { username: 'alice' }, undefined],
  ])('%s → %s', (_what, account, owner, role) => {
    expect(consoleRoleOf(account, owner)).toBe(role);
  });
});

describe(sessionExpiresAt.name, () => {
  it.each<[number, number]>([
    [24, 86_400_000],
    [0.5, 1_800_000],
    [0.0005, 1_800],
    [0.001, 3_600],
  ])('%s h → %s ms later', (hours, ms) => {
    expect(sessionExpiresAt(1_000, hours)).toBe(1_000 + ms);
  });
});

describe(isSessionLive.name, () => {
  it.each<[string, number, number, boolean]>([
    ['before its end', 10_000, 9_999, true],
    ['at its end', 10_000, 10_000, false],
    ['after its end', 10_000, 10_001, false],
  ])('%s → %s', (_what, expiresAt, now, live) => {
    expect(isSessionLive(expiresAt, now)).toBe(live);
  });
});

describe(cookieMaxAgeS.name, () => {
  it.each<[number, number]>([
    [24, 86_400],
    [0.0005, 1],
    [0.0001, 1],
  ])('%s h → Max-Age %s', (hours, seconds) => {
    expect(cookieMaxAgeS(hours)).toBe(seconds);
  });
});

describe(csrfRefusal.name, () => {
  const own = 'http://127.0.0.1:5000';
  const base: CsrfInput = { method: 'POST', ownOrigin: own };
  it.each<[string, CsrfInput, boolean]>([
    ['a read', { ...base, method: 'GET', origin: 'https://evil.example' }, false],
    ['a JSON POST without Origin (curl)', { ...base, contentType: 'application/json' }, false],
    ['a JSON POST with a charset', { ...base, contentType: 'application/json; charset=utf-8' }, false],
    ['a JSON POST from the console itself', { ...base, contentType: 'application/json', origin: own }, false],
    ['the console header instead of JSON', { ...base, consoleHeader: '1' }, false],
    [
      'a DELETE with the console header',
      { ...base, method: 'DELETE', consoleHeader: '1', origin: own },
      false,
    ],
    ['a form post (no JSON, no header)', { ...base, contentType: 'application/x-www-form-urlencoded' }, true],
    ['a text/plain post', { ...base, contentType: 'text/plain' }, true],
    ['a post with no type at all', base, true],
    ['a look-alike type', { ...base, contentType: 'application/jsonx' }, true],
    ['the console header with another value', { ...base, consoleHeader: 'yes' }, true],
    [
      'JSON from a foreign origin',
      { ...base, contentType: 'application/json', origin: 'https://evil.example' },
      true,
    ],
    [
      'JSON from the same host on another port',
      { ...base, contentType: 'application/json', origin: 'http://127.0.0.1:5001' },
      true,
    ],
    ['JSON from an opaque origin', { ...base, contentType: 'application/json', origin: 'null' }, true],
    [
      'an origin differing only in case',
      { ...base, contentType: 'application/json', origin: own.toUpperCase() },
      false,
    ],
  ])('%s → refused: %s', (_what, input, refused) => {
    expect(csrfRefusal(input) !== undefined).toBe(refused);
  });
});

describe(parseSignIn.name, () => {
  it.each<[string, unknown, string]>([
    ['not an object', 'alice', 'body'],
    ['an array', [], 'body'],
    ['null', null, 'body'],
    ['no username', { password: 'x' }, 'username'],
    ['an empty username', { username: '', password: 'x' }, 'username'],
    ['a number for username', { username: 5, password: 'x' }, 'username'],
    ['a 65-character username', { username: 'a'.repeat(65), password: 'x' }, 'username'],
    ['no password', { username: 'alice' }, 'password'],
    ['a 257-character password', { username: 'alice', password: 'p'.repeat(257) }, 'password'],
    ['an otp that is not a string', { username: 'alice', password: 'x', otp: 123456 }, 'otp'],
    ['a 17-character otp', { username: 'alice', password: 'x', otp: '1'.repeat(17) }, 'otp'],
  ])('%s → 400 naming %s', (_what, body, field) => {
    expect(parseSignIn(body)).toMatchObject({ field });
  });

  it.each<[string, unknown]>([
    ['the bounds themselves', { username: 'a'.repeat(64), password: 'p'.repeat(256), otp: '1'.repeat(16) }],
    ['an empty otp', { username: 'alice', password: 'x', otp: '' }],
    ['extra fields are ignored', { username: 'alice', password: 'x', remember: true }],
  ])('accepts %s', (_what, body) => {
    expect(parseSignIn(body)).toHaveProperty('ok');
  });
});
