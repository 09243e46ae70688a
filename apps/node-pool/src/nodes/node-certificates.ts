import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import type { AuthContext } from '@grpc/grpc-js/build/src/auth-context';
import {
  type CheckedCsr,
  checkCsr,
  credentialOfCertificate,
  nodeIdOfCertificate,
  signNodeCertificate,
} from '@hivemind/contracts/tls';
import { NodePoolConfig } from '../config/node-pool.config';
import { DomainError } from '../common/domain-error';
import { PoolTls } from '../tls/tls.module';
import { type NodeIdentity } from './node-credential.service';

/** A gRPC call's view of its connection (grpc-js ≥ 1.10). */
interface WithAuthContext {
  getAuthContext(): AuthContext | null;
}

const NEED_CERTIFICATE =
  'this pool requires a node certificate (GRPC_REQUIRE_CLIENT_CERT): register again with csr_pem and present the certificate it returns';

/**
 * Node client certificates (mTLS). At registration a node may send a CSR; the pool's node CA
 * (TLS_CA_FILE / TLS_CA_KEY_FILE) signs a certificate valid NODE_CERT_VALID_HOURS, bound to the
 * node's id and to its current credential, which the node renews (RenewNodeCertificate) before it
 * expires. On node rpcs a certificate presented must be valid, from the node CA, and bound to the
 * same node and credential as the Bearer credential beside it; with GRPC_REQUIRE_CLIENT_CERT one
 * must be presented. Revoking the credential (re-registration, an admin's revoke) ends the
 * certificate with it: there is no certificate revocation list to keep.
 */
@Injectable()
export class NodeCertificates {
  private caCache?: { pem: Buffer; cert: X509Certificate };

  constructor(
    private readonly config: NodePoolConfig,
    private readonly poolTls: PoolTls,
  ) {}

  /** The pool signs node certificates (it has a node CA). */
  get enabled(): boolean {
    return !!this.config.tls?.nodeCa;
  }

  get required(): boolean {
    return !!this.config.tls?.requireClientCert;
  }

  /** A CSR checked before anything is written; undefined when none was sent (refused when one is required). */
  async acceptCsr(csrPem: string): Promise<CheckedCsr | undefined> {
    if (!csrPem) {
      if (this.required)
        throw new DomainError('invalid', `csr_pem is required: ${NEED_CERTIFICATE}`, { field: 'csr_pem' });
      return undefined;
    }
    // a pool without a node CA issues none: the node goes on with its credential alone
    if (!this.enabled) return undefined;
    const checked = await checkCsr(csrPem);
    if (typeof checked === 'string')
      throw new DomainError('invalid', `csr_pem ${checked}`, { field: 'csr_pem' });
    return checked;
  }

  /** Signs the node's certificate for its current credential. */
  async issue(
    node: { nodeId: string; credentialHash: string },
    csr: CheckedCsr,
  ): Promise<{ certPem: string; expiresAtMs: number }> {
    const tls = this.config.tls;
    if (!tls?.nodeCa)
      throw new DomainError('invalid', 'this pool signs no node certificates (no TLS_CA_FILE)');
    const ca = {
      certPem: readFileSync(tls.nodeCa.certFile, 'utf8'),
      keyPem: readFileSync(tls.nodeCa.keyFile, 'utf8'),
    };
    const signed = await signNodeCertificate(ca, csr, node, tls.nodeCertValidHours);
    if (typeof signed === 'string')
      throw new DomainError('invalid', `csr_pem ${signed}`, { field: 'csr_pem' });
    return { certPem: signed.certPem, expiresAtMs: signed.notAfter.getTime() };
  }

  /**
   * Checks the client certificate of the connection a node rpc came on against the credential it
   * carries (see the class comment); throws DomainError('unauthenticated') saying why.
   */
  verifyPeer(call: unknown, node: NodeIdentity, now = new Date()): void {
    if (!this.enabled) return;
    const raw = (call as Partial<WithAuthContext> | undefined)?.getAuthContext?.()?.sslPeerCertificate?.raw;
    if (!raw) {
      if (this.required) throw new DomainError('unauthenticated', NEED_CERTIFICATE);
      return;
    }
    const refused = (why: string) =>
      new DomainError('unauthenticated', `node certificate refused: ${why}; register the node again`);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(raw);
    } catch {
      throw refused('it cannot be read');
    }
    const ca = this.nodeCa();
    if (!ca || !cert.checkIssued(ca) || !cert.verify(ca.publicKey))
      throw refused("it is not from this pool's node CA");
    if (now < cert.validFromDate || now > cert.validToDate) throw refused('it has expired');
    if (nodeIdOfCertificate(cert) !== node.nodeId) throw refused('it belongs to another node');
    if (credentialOfCertificate(cert) !== node.credentialHash)
      throw refused('it was issued with another credential of this node');
  }

  private nodeCa(): X509Certificate | undefined {
    const pem = this.poolTls.tls?.current.nodeCa;
    if (!pem) return undefined;
    if (this.caCache?.pem !== pem) this.caCache = { pem, cert: new X509Certificate(pem) };
    return this.caCache.cert;
  }
}
