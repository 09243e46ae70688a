import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';

/** Where Debian, Ubuntu (ca-certificates), Fedora/RHEL and Alpine keep the system's CA bundle. */
const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/cert.pem',
];

/**
 * The CAs a fresh process trusts: Node's bundle and the system's store (PEM). Node ≥ 22.15 says
 * which with tls.getCACertificates; the packaged worker and CLI also run on older Nodes (20.18),
 * which have Node's bundle only (tls.rootCertificates): the system's is then read from its file.
 */
export function defaultCaCertificates(): string[] {
  const get = (tls as { getCACertificates?: (type: 'default' | 'system') => string[] }).getCACertificates;
  if (get) return [...get('default'), ...get('system')];
  for (const file of SYSTEM_BUNDLES) {
    try {
      return [...tls.rootCertificates, readFileSync(file, 'utf8')];
    } catch {
      // not this distribution's place
    }
  }
  return [...tls.rootCertificates];
}
