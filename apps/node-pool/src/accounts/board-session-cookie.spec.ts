import { boardSessionCookie, clearedBoardSessionCookie } from './board-session-cookie';

const NOW = 1_700_000_000_000;

describe(boardSessionCookie.name, () => {
  it.each([
    [
      'expires with the token',
      NOW + 90_000,
      false,
      'hivemind_token=t.k.n; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=90',
    ],
    [
      'Secure under TLS',
      NOW + 90_000,
      true,
      'hivemind_token=t.k.n; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=90; Secure',
    ],
    [
      'an expired token: gone at once',
      NOW - 5_000,
      false,
      'hivemind_token=t.k.n; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0',
    ],
    [
      'no expiry known: a browser-session cookie',
      undefined,
      false,
      'hivemind_token=t.k.n; Path=/admin; HttpOnly; SameSite=Strict',
    ],
  ])('%s', (_, expiresAt, secure, expected) => {
    expect(boardSessionCookie('t.k.n', expiresAt, NOW, secure)).toBe(expected);
  });
});

describe(clearedBoardSessionCookie.name, () => {
  it('clears the same cookie', () => {
    expect(clearedBoardSessionCookie(true)).toBe(
      'hivemind_token=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0; Secure',
    );
  });
});
