import { readFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { defaultCaCertificates } from '@hivemind/contracts/tls';
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
  const ca = caBundle(config.poolTls);
  return identity
    ? grpc.credentials.createSsl(ca, Buffer.from(identity.keyPem), Buffer.from(identity.certPem))
    : grpc.credentials.createSsl(ca);
}

/** host and port of "host:port" / "[v6]:port". */
function hostAndPort(address: string): { host: string; port: number } {
  const match = /^\[?(.*?)\]?:(\d+)$/.exec(address);
  return { host: match?.[1] ?? address, port: Number(match?.[2] ?? 443) };
}

/**
 * Why a connection to the pool fails at the TLS layer, found with one handshake of our own (gRPC
 * only says "Failed to connect"): the certificate error as Node words it, "speaks TLS" when a
 * plain-text worker meets a TLS pool, or undefined when TLS is not the trouble.
 */
export function diagnoseTls(
  config: Pick<WorkerConfig, 'poolTls' | 'nodePoolAddress'>,
  timeoutMs = 3000,
): Promise<string | undefined> {
  const { host, port } = hostAndPort(config.nodePoolAddress);
  const plaintext = config.poolTls.kind === 'plaintext';
  const ca = plaintext ? undefined : caBundle(config.poolTls);
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host,
      port,
      servername: /^[\d.:]+$/.test(host) ? undefined : host,
      ALPNProtocols: ['h2'],
      ...(plaintext ? { rejectUnauthorized: false } : { ca }),
    });
    const done = (answer: string | undefined) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('secureConnect', () =>
      done(plaintext ? 'the pool speaks TLS (handshake accepted)' : undefined),
    );
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(!plaintext && TLS_TROUBLE.test(error.message) ? error.message : undefined),
    );
  });
}

function caBundle(tls: { caFile?: string }): Buffer {
  return tls.caFile ? readFileSync(tls.caFile) : Buffer.from(defaultCaCertificates().join('\n'));
}

const TLS_TROUBLE =
  /certificate|self[- ]signed|unable to verify|Hostname\/IP does not match|CERT_|SSL|TLS|wrong version number|packet length too long/i;

/**
 * A connection failure in words a node owner can act on: a pool whose certificate is not trusted
 * (or a TLS/plain-text mismatch) says how to trust it; anything else is left as it is.
 */
export function explainPoolError(
  message: string,
  config: Pick<WorkerConfig, 'poolTls' | 'nodePoolAddress'>,
): string {
  if (!TLS_TROUBLE.test(message)) return message;
  if (config.poolTls.kind === 'plaintext') {
    return `the node pool at ${config.nodePoolAddress} speaks TLS and this worker plain text (NODE_POOL_TLS=false): set NODE_POOL_CA_FILE to its CA certificate (npm run up prints its path)`;
  }
  return `the node pool at ${config.nodePoolAddress} is not trusted: ${message} — set NODE_POOL_CA_FILE to the pool's CA certificate (the pool's operator has it; \`npm run up\` prints its path and fingerprint)`;
}
