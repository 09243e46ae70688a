import { corsDecision } from './cors-policy';

const ALLOWED = ['https://console.example.org'];
const HOST = 'pool.example.org:8080';

describe(corsDecision.name, () => {
  it.each([
    ['no Origin (curl, the CLI, a worker)', 'POST', undefined, undefined, 'same-origin'],
    ['the pool’s own pages', 'POST', 'http://pool.example.org:8080', undefined, 'same-origin'],
    ['an allowed origin’s read', 'GET', 'https://console.example.org', undefined, 'allow'],
    ['an allowed origin’s preflight', 'OPTIONS', 'https://console.example.org', 'POST', 'allow'],
    ['another site’s read: no CORS headers', 'GET', 'https://evil.example', undefined, 'foreign-read'],
    ['another site’s write', 'POST', 'https://evil.example', undefined, 'refuse'],
    ['another site’s preflight', 'OPTIONS', 'https://evil.example', 'GET', 'refuse'],
    ['a sandboxed page (Origin: null) writing', 'DELETE', 'null', undefined, 'refuse'],
  ])('%s → %s', (_, method, origin, requestMethod, kind) => {
    expect(corsDecision({ method, origin, host: HOST, requestMethod }, ALLOWED).kind).toBe(kind);
  });

  it('a preflight names the methods and headers; an answer exposes the request id', () => {
    const preflight = corsDecision(
      { method: 'OPTIONS', origin: ALLOWED[0], host: HOST, requestMethod: 'POST' },
      ALLOWED,
    );
    expect(preflight).toMatchObject({
      kind: 'allow',
      preflight: true,
      headers: {
        'Access-Control-Allow-Origin': ALLOWED[0],
        'Access-Control-Allow-Headers': expect.stringContaining('Authorization'),
      },
    });
    const read = corsDecision({ method: 'GET', origin: ALLOWED[0], host: HOST }, ALLOWED);
    expect(read).toMatchObject({
      preflight: false,
      headers: { 'Access-Control-Expose-Headers': expect.stringContaining('X-Request-Id') },
    });
  });
});
