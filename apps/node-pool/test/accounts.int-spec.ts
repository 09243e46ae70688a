import { type Page, type SessionView, type UserView } from '@hivemind/contracts';
import { DataSource } from 'typeorm';
import { AccountsService } from '../src/accounts/accounts.service';
import { craftJwt as jwt } from './support/jwt';
import { STRONG_PASSWORD, call, loginAs, newUser } from './support/http';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';

const ADMIN_PASSWORD = 'amber-quartz-lantern-58';

describe('accounts: register, login, tokens, admin (REST)', () => {
  let pool: TestNodePool;

  beforeAll(async () => {
    pool = await startTestNodePool({ ADMIN_USERNAME: 'Root', ADMIN_PASSWORD });
  });
  afterAll(async () => pool?.close());

  describe('register', () => {
    it('creates the account, logs in, and /api/me answers who it is', async () => {
      const res = await call<SessionView>(pool, 'POST', '/api/auth/register', {
        body: { username: 'Alice.Smith', password: STRONG_PASSWORD },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        token_type: 'Bearer',
        user: { username: 'alice.smith', role: 'user', trust_score: 50, disabled: false },
      });
      expect(new Date(res.body.expires_at).getTime()).toBeGreaterThan(Date.now() + 23 * 3600 * 1000);
      const me = await call<UserView>(pool, 'GET', '/api/me', { token: res.body.access_token });
      expect(me.status).toBe(200);
      expect(me.body).toEqual(res.body.user);
    });

    it('refuses a username taken in any case, and stores nothing', async () => {
      const user = await newUser(pool, 'dup');
      const res = await call(pool, 'POST', '/api/auth/register', {
        body: { username: user.username.toUpperCase(), password: STRONG_PASSWORD },
      });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        statusCode: 409,
        error: 'Conflict',
        message: `the username ${user.username} is taken`,
      });
      const [{ count }] = await pool.app
        .get(DataSource)
        .query(`SELECT count(*)::int AS count FROM users WHERE username = $1`, [user.username]);
      expect(count).toBe(1);
    });

    it.each([
      [{ username: 'ab', password: STRONG_PASSWORD }, 'username', /username must be 3 to 32 characters/],
      [{ username: 'bad name!', password: STRONG_PASSWORD }, 'username', /username must be/],
      [{ username: 'carol', password: 'short' }, 'password', /at least 10 characters/],
      [{ username: 'carol', password: 'password1234' }, 'password', /too weak/],
      [{ username: 'carol', password: 'carol-carol-carol' }, 'password', /too weak/],
      [{ username: 'carol' }, 'password', /password must be/],
      [{ username: 'carol', password: STRONG_PASSWORD, role: 'admin' }, 'role', /role should not exist/],
    ])('refuses %j naming the field', async (body, field, message) => {
      const res = await call(pool, 'POST', '/api/auth/register', { body });
      expect(res.status).toBe(400);
      expect(res.body.statusCode).toBe(400);
      expect(res.body.error).toBe('Bad Request');
      expect(res.body.message).toMatch(message);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it('refuses malformed JSON with 400, not 500', async () => {
      const res = await fetch(`${pool.http}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"username": ',
      });
      expect(res.status).toBe(400);
    });
  });

  describe('login', () => {
    it('logs in with the right password, in any case of the username', async () => {
      const user = await newUser(pool, 'login');
      const res = await call<SessionView>(pool, 'POST', '/api/auth/login', {
        body: { username: user.username.toUpperCase(), password: user.password },
      });
      expect(res.status).toBe(200);
      expect(res.body.user.username).toBe(user.username);
    });

    it('answers a wrong password and an unknown user alike, never saying which', async () => {
      const user = await newUser(pool, 'wrong');
      const wrong = await call(pool, 'POST', '/api/auth/login', {
        body: { username: user.username, password: 'nope-nope-nope' },
      });
      const unknown = await call(pool, 'POST', '/api/auth/login', {
        body: { username: 'nobody-here', password: 'nope-nope-nope' },
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body.message).toBe('invalid username or password');
    });
  });

  describe('tokens', () => {
    let user: Awaited<ReturnType<typeof newUser>>;
    beforeAll(async () => {
      user = await newUser(pool, 'tok');
    });
    const me = (token: string) => call(pool, 'GET', '/api/me', { token });

    it('refuses a request without a token', async () => {
      const res = await call(pool, 'GET', '/api/me');
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/not logged in/);
    });

    it('refuses a token signed with another secret', async () => {
      const forged = jwt(
        { alg: 'HS256', typ: 'JWT' },
        { sub: user.id, role: 'admin', ver: 0, typ: 'access', exp: 9999999999 },
        'not-the-secret-not-the-secret-not-the-secret',
      );
      expect((await me(forged)).status).toBe(401);
    });

    it('refuses an alg:none token', async () => {
      const none = jwt(
        { alg: 'none', typ: 'JWT' },
        { sub: user.id, role: 'admin', ver: 0, typ: 'access', exp: 9999999999 },
      );
      expect((await me(none)).status).toBe(401);
      expect((await me(none.slice(0, -1))).status).toBe(401);
    });

    it('refuses an expired token, saying so', async () => {
      const expired = jwt(
        { alg: 'HS256', typ: 'JWT' },
        {
          sub: user.id,
          role: 'user',
          ver: 0,
          typ: 'access',
          iat: 1000,
          exp: Math.floor(Date.now() / 1000) - 10,
        },
        pool.config.auth.jwtSecret,
      );
      const res = await me(expired);
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('token expired: log in again');
    });

    it('refuses garbage and a refresh token used as an access token', async () => {
      expect((await me('garbage')).status).toBe(401);
      expect((await me(user.refreshToken)).status).toBe(401);
    });

    it('refreshes into a working pair; an access token is not a refresh token', async () => {
      const res = await call<SessionView>(pool, 'POST', '/api/auth/refresh', {
        body: { refresh_token: user.refreshToken },
      });
      expect(res.status).toBe(200);
      expect((await me(res.body.access_token)).status).toBe(200);
      const wrongType = await call(pool, 'POST', '/api/auth/refresh', {
        body: { refresh_token: user.token },
      });
      expect(wrongType.status).toBe(401);
      const missing = await call(pool, 'POST', '/api/auth/refresh', { body: {} });
      expect(missing.status).toBe(400);
      expect(missing.body.errors[0].field).toBe('refresh_token');
    });

    it('logout revokes every token issued before', async () => {
      const other = await newUser(pool, 'bye');
      const second = await loginAs(pool, other.username, other.password);
      expect((await call(pool, 'POST', '/api/auth/logout', { token: other.token })).status).toBe(204);
      expect((await me(other.token)).status).toBe(401);
      expect((await me(second)).status).toBe(401);
      const refreshed = await call(pool, 'POST', '/api/auth/refresh', {
        body: { refresh_token: other.refreshToken },
      });
      expect(refreshed.status).toBe(401);
      expect((await me(await loginAs(pool, other.username, other.password))).status).toBe(200);
    });
  });

  describe('admin', () => {
    let admin: string;
    beforeAll(async () => {
      admin = await loginAs(pool, 'root', ADMIN_PASSWORD);
    });

    it('creates the first admin from ADMIN_USERNAME / ADMIN_PASSWORD, idempotently', async () => {
      const me = await call<UserView>(pool, 'GET', '/api/me', { token: admin });
      expect(me.body).toMatchObject({ username: 'root', role: 'admin' });
      await pool.app.get(AccountsService).onApplicationBootstrap();
      const list = await call<Page<UserView>>(pool, 'GET', '/api/admin/users?search=root', { token: admin });
      expect(list.body.items.filter((u) => u.username === 'root')).toHaveLength(1);
    });

    it('keeps users out of admin routes', async () => {
      const user = await newUser(pool, 'plain');
      const res = await call(pool, 'GET', '/api/admin/users', { token: user.token });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      expect((await call(pool, 'GET', '/api/admin/users')).status).toBe(401);
    });

    it('lists users a page at a time', async () => {
      for (let i = 0; i < 3; i++) await newUser(pool, 'page');
      const first = await call(pool, 'GET', '/api/admin/users?limit=2&search=page-', { token: admin });
      expect(first.status).toBe(200);
      expect(first.body.items).toHaveLength(2);
      const second = await call(
        pool,
        'GET',
        `/api/admin/users?limit=2&search=page-&cursor=${first.body.next_cursor}`,
        {
          token: admin,
        },
      );
      expect(second.body.items.length).toBeGreaterThanOrEqual(1);
      expect(second.body.items[0].username > first.body.items[1].username).toBe(true);
      expect((await call(pool, 'GET', '/api/admin/users?limit=0', { token: admin })).status).toBe(400);
    });

    it('changes trust, role and disabled; a disabled user is locked out at once', async () => {
      const user = await newUser(pool, 'managed');
      const trust = await call<UserView>(pool, 'PATCH', `/api/admin/users/${user.id}`, {
        token: admin,
        body: { trust_score: 120 },
      });
      expect(trust.status).toBe(200);
      expect(trust.body.trust_score).toBe(120);
      const disabled = await call<UserView>(pool, 'PATCH', `/api/admin/users/${user.id}`, {
        token: admin,
        body: { disabled: true },
      });
      expect(disabled.body.disabled).toBe(true);
      expect((await call(pool, 'GET', '/api/me', { token: user.token })).status).toBe(401);
      const login = await call(pool, 'POST', '/api/auth/login', {
        body: { username: user.username, password: user.password },
      });
      expect(login.status).toBe(403);
      expect(login.body.message).toMatch(/disabled/);
    });

    it('refuses bad changes clearly', async () => {
      const user = await newUser(pool, 'bad');
      const cases: [string, unknown, number][] = [
        [`/api/admin/users/${user.id}`, { trust_score: -1 }, 400],
        [`/api/admin/users/${user.id}`, { role: 'god' }, 400],
        ['/api/admin/users/not-a-uuid', { trust_score: 1 }, 400],
        ['/api/admin/users/00000000-0000-4000-8000-000000000000', { trust_score: 1 }, 404],
      ];
      for (const [path, body, status] of cases) {
        const res = await call(pool, 'PATCH', path, { token: admin, body });
        expect([path, res.status]).toEqual([path, status]);
        expect(typeof res.body.message).toBe('string');
      }
      const me = await call<UserView>(pool, 'GET', '/api/me', { token: admin });
      const self = await call(pool, 'PATCH', `/api/admin/users/${me.body.id}`, {
        token: admin,
        body: { role: 'user' },
      });
      expect(self.status).toBe(400);
    });

    it('guards Bull Board: 401 without a token, 403 for a user, served to an admin by header or cookie', async () => {
      const user = await newUser(pool, 'board');
      expect((await fetch(`${pool.http}/admin/queues`)).status).toBe(401);
      expect((await fetch(`${pool.http}/admin/queues/api/queues`)).status).toBe(401);
      expect(
        (await fetch(`${pool.http}/admin/queues`, { headers: { authorization: `Bearer ${user.token}` } }))
          .status,
      ).toBe(403);
      const byHeader = await fetch(`${pool.http}/admin/queues`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      expect(byHeader.status).toBe(200);
      expect(await byHeader.text()).toContain('Bull Dashboard');
      const byCookie = await fetch(`${pool.http}/admin/queues/api/queues`, {
        headers: { cookie: `hivemind_token=${admin}` },
      });
      expect(byCookie.status).toBe(200);
    });

    it('sets the Bull Board cookie itself (HttpOnly, SameSite=Strict, /admin), for admins only, and clears it', async () => {
      const user = await newUser(pool, 'boardcookie');
      expect((await call(pool, 'POST', '/api/auth/board-session', { token: user.token })).status).toBe(403);
      expect((await call(pool, 'POST', '/api/auth/board-session')).status).toBe(401);

      const set = await call(pool, 'POST', '/api/auth/board-session', { token: admin });
      expect(set.status).toBe(204);
      const cookie = set.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(
        /^hivemind_token=[\w.-]+; Path=\/admin; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
      );
      // over plain HTTP it cannot be Secure; behind a TLS proxy (TRUST_PROXY) or on TLS it is
      expect(cookie).not.toContain('Secure');
      const board = await fetch(`${pool.http}/admin/queues/api/queues`, {
        headers: { cookie: cookie.split(';')[0] },
      });
      expect(board.status).toBe(200);

      const cleared = await call(pool, 'DELETE', '/api/auth/board-session');
      expect(cleared.status).toBe(204);
      expect(cleared.headers.get('set-cookie')).toMatch(
        /^hivemind_token=; Path=\/admin; HttpOnly; .*Max-Age=0/,
      );
    });
  });
});

describe('login rate limit', () => {
  let pool: TestNodePool;
  beforeAll(async () => {
    pool = await startTestNodePool({
      LOGIN_ATTEMPTS_PER_USERNAME: '3',
      LOGIN_ATTEMPTS_PER_ADDRESS: '8',
      LOGIN_RATE_WINDOW_S: '60',
    });
  });
  afterAll(async () => pool?.close());

  const attempt = (username: string, password = 'wrong-wrong-wrong') =>
    call(pool, 'POST', '/api/auth/login', { body: { username, password } });

  it('limits attempts per username, existing or not, alike, with Retry-After', async () => {
    const user = await newUser(pool, 'limited');
    for (let i = 0; i < 3; i++) expect((await attempt(user.username)).status).toBe(401);
    const limited = await attempt(user.username, user.password);
    expect(limited.status).toBe(429);
    expect(limited.body.message).toMatch(/too many attempts: try again in \d+ s/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) await attempt('ghost-user');
    const ghost = await attempt('ghost-user');
    expect(ghost.status).toBe(429);
    expect(ghost.body.message).toMatch(/^too many attempts: try again in \d+ s$/);
  });

  it('limits attempts per address across usernames', async () => {
    // 8 per address: the first test used 8 (incl. its registration) → this address is spent
    const res = await attempt('someone-else');
    expect(res.status).toBe(429);
  });
});
