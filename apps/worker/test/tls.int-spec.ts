// The worker dials the pool over TLS and believes only a certificate it can verify.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority } from '@hivemind/contracts/tls';
import { removeTree, waitFor } from '@hivemind/testing';
import { call, loginAs, newUser, type TestUser } from '../../node-pool/test/support/http';
import { startTestNodePool, type TestNodePool } from '../../node-pool/test/support/test-node-pool';
import { WorkerProcess } from './support/worker-process';

describe('worker ↔ pool over TLS', () => {
  let pool: TestNodePool;
  let owner: TestUser;
  let scratch: string;
  const workers: WorkerProcess[] = [];

  const worker = (name: string, env: Record<string, string>): WorkerProcess => {
    const w = new WorkerProcess(name, join(scratch, name), {
      HIVEMIND_USERNAME: owner.username,
      HIVEMIND_PASSWORD: owner.password,
      DOCKER_ENABLED: 'false',
      RECONNECT_MAX_S: '1',
      ...env,
    });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    pool = await startTestNodePool({}, { tls: true });
    owner = await newUser(pool, 'tls-owner');
    scratch = mkdtempSync(join(tmpdir(), 'hivemind-worker-tls-'));
  });
  afterAll(async () => {
    for (const w of workers) await w.kill();
    await pool.close();
    removeTree(scratch);
  });

  it('refuses a pool whose certificate another CA signed, and says how to trust the right one', async () => {
    const stranger = await createCertificateAuthority('not the pool');
    const caFile = join(scratch, 'stranger.pem');
    writeFileSync(caFile, stranger.certPem);
    const w = worker('wrong-ca', { NODE_POOL_ADDRESS: pool.grpc, NODE_POOL_CA_FILE: caFile });
    await w.start({ connected: false });
    await w.until((s) => (s.last_error ?? '').includes('is not trusted'), 20_000, 'refusing the pool');
    const status = await w.status();
    expect(status).toMatchObject({ connected: false, is_registered: false });
    expect(status?.last_error).toMatch(
      /the node pool at 127\.0\.0\.1:\d+ is not trusted: .*set NODE_POOL_CA_FILE/,
    );
    expect(w.tail()).toContain('is not trusted');
    // it never got as far as logging in: the pool knows no node of this owner
    const nodes = await call(pool, 'GET', '/api/nodes', { token: owner.token });
    expect(nodes.body.items ?? nodes.body).toHaveLength(0);
  });

  it("does not take the system CAs for the pool's test CA", async () => {
    const w = worker('system-cas', {
      NODE_POOL_ADDRESS: `localhost:${pool.config.grpc.port}`,
      NODE_POOL_TLS: 'true',
    });
    await w.start({ connected: false });
    await w.until((s) => (s.last_error ?? '').includes('is not trusted'), 20_000, 'refusing the pool');
  });

  it('tells a plain-text worker that the pool speaks TLS', async () => {
    const w = worker('plain', { NODE_POOL_ADDRESS: pool.grpc, NODE_POOL_TLS: 'false' });
    await w.start({ connected: false });
    await w.until((s) => (s.last_error ?? '').includes('speaks TLS'), 20_000, 'saying the pool speaks TLS');
  });

  it("registers and heartbeats with the pool's CA, by address or by name", async () => {
    for (const [name, address] of [
      ['by-ip', pool.grpc],
      ['by-name', `localhost:${pool.config.grpc.port}`],
    ] as const) {
      const w = worker(name, { NODE_POOL_ADDRESS: address, NODE_POOL_CA_FILE: pool.pki!.caFile });
      await w.start();
      await w.until((s) => s.is_registered && s.connected, 20_000, 'registered');
    }
    const nodes = await call(pool, 'GET', '/api/nodes', { token: owner.token });
    expect(JSON.stringify(nodes.body)).toContain('by-name');
  });
});

describe('worker with node certificates required (mTLS)', () => {
  it('registers with a CSR, dials again with its certificate, and comes back after a revoke', async () => {
    const ADMIN_PASSWORD = 'amber-quartz-lantern-58';
    const pool = await startTestNodePool(
      { GRPC_REQUIRE_CLIENT_CERT: 'true', ADMIN_USERNAME: 'root', ADMIN_PASSWORD },
      { tls: true },
    );
    const scratch = mkdtempSync(join(tmpdir(), 'hivemind-worker-mtls-'));
    const owner = await newUser(pool, 'mtls-owner');
    const w = new WorkerProcess('mtls-worker', join(scratch, 'w'), {
      NODE_POOL_ADDRESS: pool.grpc,
      NODE_POOL_CA_FILE: pool.pki!.caFile,
      HIVEMIND_USERNAME: owner.username,
      HIVEMIND_PASSWORD: owner.password,
      DOCKER_ENABLED: 'false',
      RECONNECT_MAX_S: '1',
    });
    try {
      await w.start();
      await w.until((s) => s.is_registered && s.connected, 20_000, 'registered with its certificate');
      const nodes = await call(pool, 'GET', '/api/nodes', { token: owner.token });
      const node = (nodes.body.items as { id: string; name: string }[]).find(
        (n) => n.name === 'mtls-worker',
      )!;
      const admin = await loginAs(pool, 'root', ADMIN_PASSWORD);
      expect((await call(pool, 'POST', `/api/nodes/${node.id}/revoke`, { token: admin })).status).toBe(200);
      // the pool refuses its credential and certificate; the owner's worker registers again
      await waitFor(
        'the worker to register again',
        () => Promise.resolve(w.tail(80).includes('registering again')),
        20_000,
      );
      await w.until((s) => s.connected, 20_000, 'connected again');
    } finally {
      await w.kill();
      await pool.close();
      removeTree(scratch);
    }
  });
});
