// Node certificates (mTLS): signed from a CSR at registration, bound to the node and its
// credential, required on node rpcs with GRPC_REQUIRE_CLIENT_CERT, ended by a revocation.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import {
  createCertificateAuthority,
  createKeyAndCsr,
  credentialOfCertificate,
  issueServerCertificate,
  nodeIdOfCertificate,
  signNodeCertificate,
} from '@hivemind/contracts/tls';
import { call, loginAs, newUser, type TestUser } from './support/http';
import { GrpcCaller, bearer } from './support/grpc-call';
import { type TestNodePool, startTestNodePool } from './support/test-node-pool';

const ADMIN_PASSWORD = 'amber-quartz-lantern-58';

interface Node {
  id: string;
  credential: string;
  keyPem: string;
  certPem: string;
  expiresAt: number;
}

describe('node certificates (GRPC_REQUIRE_CLIENT_CERT=true)', () => {
  let pool: TestNodePool;
  let owner: TestUser;
  let ca: Buffer;
  /** A caller without a client certificate (what users and registrations use). */
  let anonymous: GrpcCaller;
  const callers: GrpcCaller[] = [];

  const registration = (name: string, csrPem: string) => ({
    node_id: name,
    hostname: '127.0.0.1',
    cpu_cores: 2,
    memory_gb: 2,
    storage_gb: 10,
    cpu_score: 100,
    docker_status: 'disabled',
    max_concurrent_tasks: 1,
    agent_version: 'mtls-test',
    csr_pem: csrPem,
  });

  async function register(name: string): Promise<Node> {
    const { keyPem, csrPem } = await createKeyAndCsr(name);
    const answer = await anonymous.call(
      'NodeManagerService',
      'RegisterWorkerNode',
      registration(name, csrPem),
      bearer(owner.token),
    );
    if (!answer.ok || !answer.response.success)
      throw new Error(`register ${name}: ${JSON.stringify(answer)}`);
    return {
      id: answer.response.node_uuid,
      credential: answer.response.node_credential,
      keyPem,
      certPem: answer.response.client_certificate,
      expiresAt: Number(answer.response.client_certificate_expires_at),
    };
  }

  /** A caller presenting `identity` as its client certificate. */
  const presenting = (identity: { keyPem: string; certPem: string }): GrpcCaller => {
    const caller = new GrpcCaller(
      pool.grpc,
      grpc.credentials.createSsl(ca, Buffer.from(identity.keyPem), Buffer.from(identity.certPem)),
    );
    callers.push(caller);
    return caller;
  };
  const heartbeat = (caller: GrpcCaller, node: Node) =>
    caller.call('NodeManagerService', 'ReportStatus', { status_message: 'ok' }, bearer(node.credential));

  beforeAll(async () => {
    pool = await startTestNodePool(
      {
        GRPC_REQUIRE_CLIENT_CERT: 'true',
        NODE_CERT_VALID_HOURS: '2',
        ADMIN_USERNAME: 'root',
        ADMIN_PASSWORD,
      },
      { tls: true },
    );
    owner = await newUser(pool, 'mtls-owner');
    ca = readFileSync(pool.pki!.caFile);
    anonymous = new GrpcCaller(pool.grpc, grpc.credentials.createSsl(ca));
    callers.push(anonymous);
  });
  afterAll(async () => {
    for (const caller of callers) caller.close();
    await pool.close();
  });

  it('signs a short-lived certificate bound to the node and its credential, whatever the CSR asked', async () => {
    const node = await register('mtls-a');
    const cert = new X509Certificate(node.certPem);
    expect(cert.verify(new X509Certificate(ca).publicKey)).toBe(true);
    expect(nodeIdOfCertificate(cert)).toBe(node.id);
    expect(credentialOfCertificate(cert)).toMatch(/^[0-9a-f]{64}$/);
    expect(cert.subject).not.toContain('mtls-a,');
    expect(node.expiresAt).toBe(cert.validToDate.getTime());
    expect(node.expiresAt - Date.now()).toBeLessThanOrEqual(2 * 3_600_000);
    expect((await heartbeat(presenting(node), node)).ok).toBe(true);
  });

  it('refuses a node rpc without a certificate, naming what to do', async () => {
    const node = await register('mtls-b');
    const answer = await heartbeat(anonymous, node);
    expect(answer).toMatchObject({ ok: false, code: grpc.status.UNAUTHENTICATED });
    expect(answer.ok || answer.details).toContain('this pool requires a node certificate');
  });

  it("refuses a credential presented over another node's certificate", async () => {
    const [a, b] = [await register('mtls-c'), await register('mtls-d')];
    const answer = await heartbeat(presenting(b), a);
    expect(answer).toMatchObject({ ok: false, code: grpc.status.UNAUTHENTICATED });
    expect(answer.ok || answer.details).toContain('it belongs to another node');
  });

  it('refuses a certificate of an earlier credential, and one from another CA', async () => {
    const first = await register('mtls-e');
    const again = await register('mtls-e'); // a new credential: the first certificate goes with the old one
    const answer = await heartbeat(presenting(first), again);
    expect(answer.ok || answer.details).toContain('issued with another credential');
    // a certificate made by another CA, with the right node and credential in it
    const stranger = await createCertificateAuthority('not the pool');
    const { keyPem, csrPem } = await createKeyAndCsr('x');
    const cert = new X509Certificate(again.certPem);
    const forged = await signNodeCertificate(
      stranger,
      csrPem,
      { nodeId: again.id, credentialHash: credentialOfCertificate(cert)! },
      1,
    );
    if (typeof forged === 'string') throw new Error(forged);
    const refused = await heartbeat(presenting({ keyPem, certPem: forged.certPem }), again);
    // the TLS layer asks for certificates of the node CA; the guard refuses the rest
    expect(refused.ok).toBe(false);
  });

  it('registers only with a CSR, and refuses one that is not', async () => {
    const none = await anonymous.call(
      'NodeManagerService',
      'RegisterWorkerNode',
      registration('mtls-f', ''),
      bearer(owner.token),
    );
    expect(none.ok && none.response).toMatchObject({
      success: false,
      message: expect.stringContaining('csr_pem is required'),
    });
    const bad = await anonymous.call(
      'NodeManagerService',
      'RegisterWorkerNode',
      registration('mtls-g', '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----'),
      bearer(owner.token),
    );
    expect(bad.ok && bad.response).toMatchObject({
      success: false,
      message: expect.stringContaining('csr_pem must be a PEM'),
    });
    // nothing was written for either
    const nodes = await call(pool, 'GET', '/api/nodes', { token: owner.token });
    expect(JSON.stringify(nodes.body)).not.toMatch(/mtls-[fg]/);
  });

  it('renews the certificate for the credential the node calls with', async () => {
    const node = await register('mtls-h');
    const caller = presenting(node);
    const { keyPem, csrPem } = await createKeyAndCsr('renewed');
    const renewed = await caller.call(
      'NodeManagerService',
      'RenewNodeCertificate',
      { csr_pem: csrPem },
      bearer(node.credential),
    );
    expect(renewed.ok && renewed.response.success).toBe(true);
    const next = {
      ...node,
      keyPem,
      certPem: renewed.ok ? (renewed.response.client_certificate as string) : '',
    };
    expect(new X509Certificate(next.certPem).serialNumber).not.toBe(
      new X509Certificate(node.certPem).serialNumber,
    );
    expect((await heartbeat(presenting(next), node)).ok).toBe(true);
  });

  it("an admin's revoke ends the node's credential and certificate at once; a normal user may not", async () => {
    const node = await register('mtls-i');
    const caller = presenting(node);
    expect((await heartbeat(caller, node)).ok).toBe(true);
    expect((await call(pool, 'POST', `/api/nodes/${node.id}/revoke`, { token: owner.token })).status).toBe(
      403,
    );
    const admin = await loginAs(pool, 'root', ADMIN_PASSWORD);
    const revoked = await call(pool, 'POST', `/api/nodes/${node.id}/revoke`, { token: admin });
    expect(revoked.status).toBe(200);
    const after = await heartbeat(caller, node);
    expect(after).toMatchObject({ ok: false, code: grpc.status.UNAUTHENTICATED });
    const audit = await call(pool, 'GET', '/api/admin/audit?action=node.revoke', { token: admin });
    expect(audit.body.items).toEqual([
      expect.objectContaining({ action: 'node.revoke', actor_username: 'root', target_id: node.id }),
    ]);
    expect(
      (await call(pool, 'POST', `/api/nodes/00000000-0000-4000-8000-000000000000/revoke`, { token: admin }))
        .status,
    ).toBe(404);
  });
});

describe('without GRPC_REQUIRE_CLIENT_CERT', () => {
  it('lets a node without a certificate call, but still refuses a wrong one', async () => {
    const pool = await startTestNodePool({}, { tls: true });
    try {
      const owner = await newUser(pool, 'mtls-opt');
      const ca = readFileSync(pool.pki!.caFile);
      const anonymous = new GrpcCaller(pool.grpc, grpc.credentials.createSsl(ca));
      const register = async (name: string) => {
        const { keyPem, csrPem } = await createKeyAndCsr(name);
        const answer = await anonymous.call(
          'NodeManagerService',
          'RegisterWorkerNode',
          {
            node_id: name,
            hostname: '127.0.0.1',
            cpu_cores: 1,
            memory_gb: 1,
            docker_status: 'disabled',
            csr_pem: csrPem,
          },
          bearer(owner.token),
        );
        if (!answer.ok) throw new Error(answer.details);
        return {
          credential: answer.response.node_credential as string,
          keyPem,
          certPem: answer.response.client_certificate as string,
        };
      };
      const [a, b] = [await register('opt-a'), await register('opt-b')];
      const beat = (caller: GrpcCaller, credential: string) =>
        caller.call('NodeManagerService', 'ReportStatus', { status_message: 'ok' }, bearer(credential));
      expect((await beat(anonymous, a.credential)).ok).toBe(true);
      const withB = new GrpcCaller(
        pool.grpc,
        grpc.credentials.createSsl(ca, Buffer.from(b.keyPem), Buffer.from(b.certPem)),
      );
      expect(await beat(withB, a.credential)).toMatchObject({ ok: false, code: grpc.status.UNAUTHENTICATED });
      expect((await beat(withB, b.credential)).ok).toBe(true);
      anonymous.close();
      withB.close();
    } finally {
      await pool.close();
    }
  });

  it('does not use the server certificate helper by accident', async () => {
    // guard against a CA that signs server certificates being taken for node certificates
    const ca = await createCertificateAuthority('x');
    const server = await issueServerCertificate(ca, ['localhost']);
    expect(nodeIdOfCertificate(new X509Certificate(server.certPem))).toBeUndefined();
  });
});
