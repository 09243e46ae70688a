import { ExitCode } from '../exit-codes';
import { run } from '../program';
import { FakePool, send } from '../../test/support/fake-pool';

const session = (access: string, refresh: string) => ({
  access_token: access,
  token_type: 'Bearer',
  expires_at: new Date(Date.now() + 3600_000).toISOString(),
  refresh_token: refresh,
  user: { id: 'u1', username: 'alice', role: 'user', trust_score: 50, disabled: false, created_at: '' },
});

describe('ApiClient (through the CLI)', () => {
  let pool: FakePool;
  let refreshOk = true;

  beforeEach(async () => {
    refreshOk = true;
    pool = await new FakePool({
      'GET /api/me': (req, res) =>
        req.headers.authorization === 'Bearer access-2'
          ? send(res, 200, session('access-2', 'refresh-2').user)
          : send(res, 401, {
              statusCode: 401,
              error: 'Unauthorized',
              message: 'token expired: log in again',
            }),
      'POST /api/auth/refresh': (_req, res, body) =>
        refreshOk && JSON.parse(body).refresh_token === 'refresh-1'
          ? send(res, 200, session('access-2', 'refresh-2'))
          : send(res, 401, {
              statusCode: 401,
              error: 'Unauthorized',
              message: 'invalid token: log in again',
            }),
      'GET /api/wallet': (_req, res) =>
        send(res, 400, { statusCode: 400, error: 'Bad Request', message: 'amount must be at least 1 CPT' }),
      'GET /api/queue': (_req, res) => {
        res.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' });
        res.end('<html>proxy error</html>');
      },
    }).start();
  });
  afterEach(() => pool.stop());

  it('refreshes an expired access token once, stores the new pair and retries', async () => {
    const store = pool.login();
    const io = pool.io();
    expect(await run(['whoami', '--json'], io)).toBe(ExitCode.Ok);
    expect(JSON.parse(io.stdout())).toMatchObject({ username: 'alice' });
    expect(pool.requests.map((r) => `${r.method} ${r.url} ${r.authorization ?? ''}`)).toEqual([
      'GET /api/me Bearer access-1',
      'POST /api/auth/refresh ',
      'GET /api/me Bearer access-2',
    ]);
    expect(store.get(pool.url)).toMatchObject({ access_token: 'access-2', refresh_token: 'refresh-2' });
  });

  it('refreshes before the request when the stored expiry has passed', async () => {
    pool.login({ expires_at: new Date(Date.now() - 1000).toISOString() });
    expect(await run(['whoami'], pool.io())).toBe(ExitCode.Ok);
    expect(pool.requests.map((r) => r.url)).toEqual(['/api/auth/refresh', '/api/me']);
  });

  it('a failed refresh is one line: the session has expired', async () => {
    refreshOk = false;
    pool.login();
    const io = pool.io();
    expect(await run(['whoami'], io)).toBe(ExitCode.Failed);
    expect(io.stderr()).toBe('hivemind: your session has expired: run `hivemind login`\n');
  });

  it('no stored session: not logged in, and nothing is sent', async () => {
    const io = pool.io();
    expect(await run(['balance'], io)).toBe(ExitCode.Failed);
    expect(io.stderr()).toBe('hivemind: not logged in: run `hivemind login`\n');
    expect(pool.requests).toEqual([]);
  });

  it("a refusal prints the pool's message; a body that is not the pool's prints the status", async () => {
    pool.login({ access_token: 'access-2' });
    const io = pool.io();
    expect(await run(['balance'], io)).toBe(ExitCode.Failed);
    expect(await run(['queue'], io)).toBe(ExitCode.Failed);
    expect(io.stderr()).toBe(
      'hivemind: amount must be at least 1 CPT\nhivemind: the node pool answered 502 Bad Gateway\n',
    );
  });
});
