import { readFileSync } from 'node:fs';
import { getCACertificates } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { type WorkerConfig } from '../config/worker.config';

/**
 * The channel credentials the worker dials the pool with: TLS that verifies the pool's certificate
 * and name against NODE_POOL_CA_FILE (else the system's and Node's trusted CAs), optionally with
 * the node's client certificate (mTLS); or plain text where the configuration allows it.
 */
export function poolCredentials(
  config: Pick<WorkerConfig, 'poolTls'>,
  identity?: { keyPem: string; certPem: string },
): grpc.ChannelCredentials {
  if (config.poolTls.kind === 'plaintext') return grpc.credentials.createInsecure();
  const ca = config.poolTls.caFile
    ? readFileSync(config.poolTls.caFile)
    : Buffer.from([...getCACertificates('default'), ...getCACertificates('system')].join('\n'));
  return identity
    ? grpc.credentials.createSsl(ca, Buffer.from(identity.keyPem), Buffer.from(identity.certPem))
    : grpc.credentials.createSsl(ca);
}

const TLS_TROUBLE =
  /certificate|self[- ]signed|unable to verify|Hostname\/IP does not match|CERT_|SSL|TLS|wrong version number|packet length too long/i;

/**
 * A connection failure in words a node owner can act on: a pool whose certificate is not trusted
 * (or a TLS/plain-text mismatch) says how to trust it; anything else is left as it is.
 */
export function explainPoolError(message: string, config: Pick<WorkerConfig, 'poolTls' | 'nodePoolAddress'>): string {
  if (!TLS_TROUBLE.test(message)) return message;
  if (config.poolTls.kind === 'plaintext') {
    return `${message} — the pool at ${config.nodePoolAddress} speaks TLS: set NODE_POOL_CA_FILE to its CA certificate (npm run up prints its path)`;
  }
  return `the node pool at ${config.nodePoolAddress} is not trusted: ${message} — set NODE_POOL_CA_FILE to the pool's CA certificate (the pool's operator has it; \`npm run up\` prints its path and fingerprint)`;
}
