import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { type Server as HttpsServer } from 'node:https';
import { Logger } from '@nestjs/common';
import { type ServerCredentials, experimental } from '@grpc/grpc-js';

type CertificateProvider = experimental.CertificateProvider;
type CaCertificateUpdateListener = experimental.CaCertificateUpdateListener;
type IdentityCertificateUpdateListener = experimental.IdentityCertificateUpdateListener;
import { type NodePoolConfig } from '../config/node-pool.config';

type TlsConfig = NonNullable<NodePoolConfig['tls']>;

export interface TlsFiles {
  /** The server's certificate chain (leaf first; the CA may follow so that clients can pin it). */
  cert: Buffer;
  key: Buffer;
  /** The CA of node client certificates, when mTLS is set up. */
  nodeCa?: Buffer;
}

/**
 * Reads the PEM files one coherent set at a time: the key must match the certificate, or the
 * set is refused (at start-up: the pool does not start; on reload: the old set stays).
 */
export function readTlsFiles(tls: TlsConfig): TlsFiles {
  const cert = readFileSync(tls.certFile);
  const key = readFileSync(tls.keyFile);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch {
    throw new Error(`TLS_CERT_FILE ${tls.certFile} holds no PEM certificate`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new Error(`TLS_KEY_FILE ${tls.keyFile} holds no PEM private key`);
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new Error(`TLS_KEY_FILE ${tls.keyFile} is not the key of TLS_CERT_FILE ${tls.certFile}`);
  }
  return { cert, key, ...(tls.nodeCa ? { nodeCa: readFileSync(tls.nodeCa.certFile) } : {}) };
}

function modifiedAt(files: readonly string[]): string {
  return files
    .map((file) => {
      try {
        const stat = statSync(file);
        return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
      } catch {
        return 'missing';
      }
    })
    .join('|');
}

/**
 * The pool's TLS material, shared by both listeners: the HTTPS server gets `setSecureContext`, gRPC
 * reads it as a grpc-js CertificateProvider. Files are polled every TLS_RELOAD_INTERVAL_S and a
 * changed, coherent set replaces the old one without a restart (certificates renewed by certbot or
 * an operator); connections already open keep the set they started with.
 */
export class ServerTls implements CertificateProvider {
  private readonly logger = new Logger('TLS');
  private files: TlsFiles;
  private stamp: string;
  private timer?: NodeJS.Timeout;
  private readonly identityListeners = new Set<IdentityCertificateUpdateListener>();
  private readonly caListeners = new Set<CaCertificateUpdateListener>();
  private readonly httpsServers = new Set<HttpsServer>();

  constructor(private readonly config: TlsConfig) {
    this.stamp = modifiedAt(this.watched());
    this.files = readTlsFiles(config);
  }

  get current(): TlsFiles {
    return this.files;
  }

  /** Options for `https.createServer` (and Nest's httpsOptions). */
  httpsOptions(): { cert: Buffer; key: Buffer } {
    return { cert: this.files.cert, key: this.files.key };
  }

  /** gRPC server credentials that follow reloads; asks nodes for a client certificate when mTLS is set up. */
  grpcCredentials(): ServerCredentials {
    return experimental.createCertificateProviderServerCredentials(
      this,
      this.config.nodeCa ? this : null,
      false, // a node without a certificate is judged per rpc (GRPC_REQUIRE_CLIENT_CERT), users need none
    );
  }

  /** Keeps `server`'s certificate in step with the files. */
  follow(server: HttpsServer): void {
    this.httpsServers.add(server);
    server.once('close', () => this.httpsServers.delete(server));
    this.start();
  }

  /** Re-reads the files now if they changed; true when a new set was taken. */
  reloadIfChanged(): boolean {
    const stamp = modifiedAt(this.watched());
    if (stamp === this.stamp) return false;
    let files: TlsFiles;
    try {
      files = readTlsFiles(this.config);
    } catch (error) {
      // a half-written renewal: keep serving the old set and look again next time
      this.logger.warn(
        `TLS files changed but cannot be used yet, keeping the old ones: ${(error as Error).message}`,
      );
      return false;
    }
    this.stamp = stamp;
    this.files = files;
    for (const server of this.httpsServers) server.setSecureContext(this.httpsOptions());
    for (const listener of this.identityListeners)
      listener({ certificate: files.cert, privateKey: files.key });
    if (files.nodeCa) for (const listener of this.caListeners) listener({ caCertificate: files.nodeCa });
    this.logger.log(`TLS certificate reloaded from ${this.config.certFile}`);
    return true;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  addIdentityCertificateListener(listener: IdentityCertificateUpdateListener): void {
    this.identityListeners.add(listener);
    // later, not now: grpc-js starts watching the credentials only after it adds its listeners
    setImmediate(() => listener({ certificate: this.files.cert, privateKey: this.files.key }));
    this.start();
  }

  removeIdentityCertificateListener(listener: IdentityCertificateUpdateListener): void {
    this.identityListeners.delete(listener);
  }

  addCaCertificateListener(listener: CaCertificateUpdateListener): void {
    this.caListeners.add(listener);
    const ca = this.files.nodeCa;
    if (ca) setImmediate(() => listener({ caCertificate: ca }));
  }

  removeCaCertificateListener(listener: CaCertificateUpdateListener): void {
    this.caListeners.delete(listener);
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.reloadIfChanged(), this.config.reloadIntervalS * 1000);
    this.timer.unref();
  }

  private watched(): string[] {
    return [
      this.config.certFile,
      this.config.keyFile,
      ...(this.config.nodeCa ? [this.config.nodeCa.certFile] : []),
    ];
  }
}
