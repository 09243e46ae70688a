import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { HealthClient } from '@hivemind/contracts/grpc';
import { createCertificateAuthority, issueServerCertificate } from '@hivemind/contracts/tls';
import { type LocalPki } from '@hivemind/local-stack';
import { waitFor } from '@hivemind/testing';
import { parseNodePoolConfig } from '../src/config/node-pool.config';
import { STRONG_PASSWORD, call } from './support/http';
import { TcpProxy } from './support/tcp-proxy';
import { type TestNodePool, startTestNodePool, trustingFetch } from './support/test-node-pool';

function health(address: string, creds: grpc.ChannelCredentials): Promise<string> {
  const client = new HealthClient(address, creds);
  return client.check('', 3000).finally(() => client.close());
}

const pem = (pki: LocalPki, file: 'caFile' | 'certFile') => readFileSync(pki[file]);

describe('TLS on both listeners', () => {
  let pool: TestNodePool;
  let pki: LocalPki;

  beforeAll(async () => {
    pool = await startTestNodePool({ TLS_RELOAD_INTERVAL_S: '1' }, { tls: true });
    pki = pool.pki!;
  });
  afterAll(() => pool.close());

  it('serves HTTPS that a client holding the CA verifies, and refuses clients that do not trust it', async () => {
    const res = await call(pool, 'GET', '/health');
    expect(res.status).toBe(200);
    // Node's own trust store does not hold the test CA: the handshake is refused
    await expect(fetch(`${pool.http}/health`)).rejects.toThrow();
    const stranger = await createCertificateAuthority('a stranger');
    await expect(trustingFetch(stranger.certPem)(`${pool.http}/health`)).rejects.toThrow();
    // and nothing answers in plain text on the HTTPS port
    await expect(fetch(pool.http.replace('https:', 'http:') + '/health')).rejects.toThrow();
  });

  it('serves gRPC over TLS only', async () => {
    expect(await health(pool.grpc, grpc.credentials.createSsl(pem(pki, 'caFile')))).toBe('SERVING');
    await expect(health(pool.grpc, grpc.credentials.createInsecure())).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
    });
    const stranger = await createCertificateAuthority('a stranger');
    await expect(
      health(pool.grpc, grpc.credentials.createSsl(Buffer.from(stranger.certPem))),
    ).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });

  it('keeps a password and a token off the wire', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', pool.config.http.port);
    try {
      const through = { ...pool, http: `https://127.0.0.1:${proxy.port}` };
      proxy.recording = true;
      const username = `wire-${Date.now()}`;
      const res = await call(through, 'POST', '/api/auth/register', {
        body: { username, password: STRONG_PASSWORD },
      });
      expect(res.status).toBe(201);
      const token = res.body.access_token as string;
      expect((await call(through, 'GET', '/api/me', { token })).status).toBe(200);
      proxy.recording = false;
      const wire = Buffer.concat(proxy.seen);
      expect(wire.length).toBeGreaterThan(1000);
      for (const secret of [STRONG_PASSWORD, token, token.split('.')[2], username, 'Bearer', 'HTTP/1.1']) {
        expect(wire.includes(secret)).toBe(false);
      }
      // the control: the same capture of a plain-text pool shows them
      const plain = await startTestNodePool();
      const plainProxy = await TcpProxy.start('127.0.0.1', plain.config.http.port);
      try {
        plainProxy.recording = true;
        await call({ ...plain, http: `http://127.0.0.1:${plainProxy.port}` }, 'POST', '/api/auth/register', {
          body: { username, password: STRONG_PASSWORD },
        });
        expect(Buffer.concat(plainProxy.seen).includes(STRONG_PASSWORD)).toBe(true);
      } finally {
        await plainProxy.close();
        await plain.close();
      }
    } finally {
      await proxy.close();
    }
  });

  it('takes a renewed certificate from the files without a restart', async () => {
    const next = await createCertificateAuthority('the next CA');
    const server = await issueServerCertificate(next, ['localhost', '127.0.0.1']);
    // a half-written renewal (a certificate without its key) is not taken: the old set stays
    writeFileSync(pki.certFile, `${server.certPem}\n${next.certPem}`);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await call(pool, 'GET', '/health')).status).toBe(200);
    writeFileSync(pki.keyFile, server.keyPem);
    const renewed = trustingFetch(next.certPem);
    await waitFor(
      'HTTPS serves the renewed certificate',
      async () =>
        (await renewed(`${pool.http}/health`).then(
          (r) => r.status,
          () => 0,
        )) === 200,
      10_000,
    );
    await waitFor(
      'gRPC serves the renewed certificate',
      async () =>
        (await health(pool.grpc, grpc.credentials.createSsl(Buffer.from(next.certPem))).catch(() => '')) ===
        'SERVING',
      10_000,
    );
    await expect(trustingFetch(readFileSync(pki.caFile, 'utf8'))(`${pool.http}/health`)).rejects.toThrow();
  });
});

describe('plain text only where asked for', () => {
  const base = {
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
    REDIS_URL: 'redis://127.0.0.1:6379',
    JWT_SECRET: 'x'.repeat(32),
  };

  it('refuses to listen off loopback without TLS, naming the variables', () => {
    expect(() => parseNodePoolConfig({ ...base })).toThrow(
      /HTTP_HOST is not a loopback address and there is no TLS.*TLS_CERT_FILE/,
    );
    expect(() => parseNodePoolConfig({ ...base, HTTP_HOST: '127.0.0.1' })).toThrow(
      /GRPC_SERVER_HOST is not a loopback/,
    );
    expect(() =>
      parseNodePoolConfig({ ...base, HTTP_HOST: '127.0.0.1', GRPC_SERVER_HOST: '::1' }),
    ).not.toThrow();
    expect(() => parseNodePoolConfig({ ...base, INSECURE_PLAINTEXT: 'true' })).not.toThrow();
    expect(() =>
      parseNodePoolConfig({ ...base, TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem' }),
    ).not.toThrow();
    expect(() => parseNodePoolConfig({ ...base, TLS_CERT_FILE: 'c.pem' })).toThrow(
      /TLS_KEY_FILE and TLS_CERT_FILE must be given together/,
    );
    expect(() =>
      parseNodePoolConfig({ ...base, INSECURE_PLAINTEXT: 'true', GRPC_REQUIRE_CLIENT_CERT: 'true' }),
    ).toThrow(/GRPC_REQUIRE_CLIENT_CERT needs/);
  });

  it("does not start with a key that is not the certificate's", async () => {
    const ca = await createCertificateAuthority('CA');
    const a = await issueServerCertificate(ca, ['localhost']);
    const b = await issueServerCertificate(ca, ['localhost']);
    const dir = mkdtempSync(join(tmpdir(), 'tls-'));
    writeFileSync(join(dir, 'cert.pem'), a.certPem);
    writeFileSync(join(dir, 'key.pem'), b.keyPem);
    await expect(
      startTestNodePool({ TLS_CERT_FILE: join(dir, 'cert.pem'), TLS_KEY_FILE: join(dir, 'key.pem') }),
    ).rejects.toThrow(/TLS_KEY_FILE .* is not the key of TLS_CERT_FILE/);
  });
});
