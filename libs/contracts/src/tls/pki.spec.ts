import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import {
  createCertificateAuthority,
  createKeyAndCsr,
  credentialOfCertificate,
  fingerprintOf,
  issueServerCertificate,
  nodeIdOfCertificate,
  normalizeFingerprint,
  signNodeCertificate,
  splitPemCertificates,
} from './pki';

/** One real TLS handshake on loopback; resolves with the client's error or the server's view. */
async function handshake(
  server: tls.TlsOptions,
  client: tls.ConnectionOptions,
): Promise<{ error?: string; peer?: X509Certificate; authorized?: boolean }> {
  let seen: { peer?: X509Certificate; authorized?: boolean } = {};
  const srv = tls.createServer(server, (socket) => {
    const raw = socket.getPeerX509Certificate();
    seen = { ...(raw ? { peer: raw } : {}), authorized: socket.authorized };
    socket.end('ok');
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  try {
    const socket = tls.connect({ ...client, host: '127.0.0.1', port: (srv.address() as AddressInfo).port });
    const result = await new Promise<{ error?: string }>((resolve) => {
      socket.on('error', (error) => resolve({ error: error.message }));
      socket.on('data', () => resolve({}));
    });
    socket.destroy();
    return { ...result, ...seen };
  } finally {
    srv.close();
  }
}

describe('pki', () => {
  it('makes a CA whose server certificate a client verifies for each name, and not for another', async () => {
    const ca = await createCertificateAuthority('HiveMind test CA');
    const server = await issueServerCertificate(ca, ['localhost', '127.0.0.1']);
    const serverOptions = { cert: server.certPem, key: server.keyPem };
    expect(await handshake(serverOptions, { ca: ca.certPem, servername: 'localhost' })).toEqual({
      authorized: false,
    });
    const other = await createCertificateAuthority('another CA');
    expect((await handshake(serverOptions, { ca: other.certPem, servername: 'localhost' })).error).toMatch(
      /unable to (get local issuer|verify)/,
    );
    expect(
      (await handshake(serverOptions, { ca: ca.certPem, servername: 'pool.example.org' })).error,
    ).toMatch(/Hostname\/IP does not match/);
    const caCert = new X509Certificate(ca.certPem);
    expect(caCert.ca).toBe(true);
    expect(new X509Certificate(server.certPem).checkIssued(caCert)).toBe(true);
  });

  it('signs a node certificate from a CSR, bound to the node id whatever the CSR asked for', async () => {
    const ca = await createCertificateAuthority('HiveMind test CA');
    const { keyPem, csrPem } = await createKeyAndCsr('admin, CN=evil');
    const signed = await signNodeCertificate(ca, csrPem, { nodeId: 'node-7', credentialHash: 'ab12' }, 24);
    if (typeof signed === 'string') throw new Error(signed);
    const cert = new X509Certificate(signed.certPem);
    expect(nodeIdOfCertificate(cert)).toBe('node-7');
    expect(credentialOfCertificate(cert)).toBe('ab12');
    expect(cert.subject).toContain('CN=node-7');
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(cert.serialNumber.toLowerCase().replace(/^0+/, '')).toBe(signed.serial.replace(/^0+/, ''));
    expect(signed.notAfter.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
    // and a server that asks for client certificates of this CA accepts it
    const server = await issueServerCertificate(ca, ['localhost']);
    const seen = await handshake(
      {
        cert: server.certPem,
        key: server.keyPem,
        ca: ca.certPem,
        requestCert: true,
        rejectUnauthorized: false,
      },
      { ca: ca.certPem, servername: 'localhost', cert: signed.certPem, key: keyPem },
    );
    expect(seen.authorized).toBe(true);
    expect(seen.peer && nodeIdOfCertificate(seen.peer)).toBe('node-7');
  });

  it.each([
    ['', 'must be a PEM certificate signing request'],
    ['-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----', 'must be a PEM'],
    ['x'.repeat(9000), 'must be at most 8192 bytes'],
  ])('refuses a CSR that is not one: %#', async (csr, reason) => {
    const ca = await createCertificateAuthority('HiveMind test CA');
    expect(await signNodeCertificate(ca, csr, { nodeId: 'n1' }, 1)).toContain(reason);
  });

  it('refuses a CSR whose signature does not match its key', async () => {
    const ca = await createCertificateAuthority('HiveMind test CA');
    const { csrPem } = await createKeyAndCsr('n1');
    const body = csrPem
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .join('');
    const der = Buffer.from(body, 'base64');
    der[der.length - 5] = der[der.length - 5] ^ 0xff; // inside the signature
    const forged = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----`;
    expect(await signNodeCertificate(ca, forged, { nodeId: 'n1' }, 1)).toMatch(/signature|must be a PEM/);
  });

  it('prints and reads fingerprints, and splits bundles', async () => {
    const ca = await createCertificateAuthority('HiveMind test CA');
    const fp = fingerprintOf(ca.certPem);
    expect(fp).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(fp).toBe(new X509Certificate(ca.certPem).fingerprint256);
    expect(normalizeFingerprint(fp.replace(/:/g, '').toLowerCase())).toBe(fp);
    expect(normalizeFingerprint(`sha256:${fp}`)).toBe(fp);
    expect(normalizeFingerprint('AB:CD')).toBeUndefined();
    const server = await issueServerCertificate(ca, ['localhost']);
    expect(splitPemCertificates(`${server.certPem}\n${ca.certPem}`)).toHaveLength(2);
  });
});
