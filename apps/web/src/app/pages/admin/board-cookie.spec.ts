import { boardCookie, tokenExpiry } from './board-cookie';

const NOW = Date.UTC(2026, 4, 1, 10, 0, 0);
const base64url = (value: object) =>
  Buffer.from(JSON.stringify(value))
    .toString('base64')
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const jwt = (claims: object) => `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(claims)}.signature`;

describe(tokenExpiry.name, () => {
  it("reads a JWT's exp", () => {
    expect(tokenExpiry(jwt({ sub: 'u1', exp: NOW / 1000 + 3600 }))).toBe(NOW + 3_600_000);
  });

  it('reads base64url payloads (- and _)', () => {
    // '??>???' encodes to Pz8-Pz8_ in base64url: the payload needs the alphabet swapped back
    expect(tokenExpiry(jwt({ s: '??>???', exp: 1 }))).toBe(1000);
  });

  it.each(['', 'opaque', 'a.!!!.c', `a.${base64url({ sub: 'u1' })}.c`])('is null for %p', (token) => {
    expect(tokenExpiry(token)).toBeNull();
  });
});

describe(boardCookie.name, () => {
  it('is for /admin only, same-site only, and ends with the token', () => {
    const token = jwt({ exp: NOW / 1000 + 90 });
    expect(boardCookie(token, NOW, false)).toBe(
      `hivemind_token=${token}; Path=/admin; SameSite=Strict; Max-Age=90`,
    );
  });

  it('is Secure over https', () => {
    expect(boardCookie(jwt({ exp: NOW / 1000 + 90 }), NOW, true)).toMatch(/; Secure$/);
  });

  it('expires at once for an expired token, and lasts the browser session when the expiry is unknown', () => {
    expect(boardCookie(jwt({ exp: NOW / 1000 - 5 }), NOW, false)).toMatch(/Max-Age=0$/);
    expect(boardCookie('opaque', NOW, false)).toBe('hivemind_token=opaque; Path=/admin; SameSite=Strict');
  });
});
