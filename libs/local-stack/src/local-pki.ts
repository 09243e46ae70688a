import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import {
  type CertifiedKey,
  createCertificateAuthority,
  fingerprintOf,
  issueServerCertificate,
} from '../../contracts/src/tls';

/** The files of a local certificate authority and the pool's server certificate signed by it. */
export interface LocalPki {
  dir: string;
  caFile: string;
  caKeyFile: string;
  /** The server's chain: its certificate, then the CA's (so that a client can pin the CA). */
  certFile: string;
  keyFile: string;
  /** SHA-256 of the CA certificate, colon-separated hex. */
  caFingerprint: string;
  /** What this call made: nothing (all reused), the server certificate, or the CA too. */
  made: 'nothing' | 'server' | 'ca';
}

/** Renew the server certificate this long before it expires. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

function writePrivate(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Whether `certFile` is a server certificate from `ca` for every one of `hosts`, not about to expire. */
function serverCertificateFits(certFile: string, ca: X509Certificate, hosts: readonly string[]): boolean {
  if (!existsSync(certFile)) return false;
  try {
    const cert = new X509Certificate(readFileSync(certFile));
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    if (cert.validToDate.getTime() - Date.now() < RENEW_BEFORE_MS) return false;
    return hosts.every((host) =>
      host.includes(':') || /^\d/.test(host) ? cert.checkIP(host) : cert.checkHost(host),
    );
  } catch {
    return false;
  }
}

/**
 * A local certificate authority under `dir` (made once, kept: ca.pem, ca-key.pem) and a server
 * certificate for `hosts` signed by it (server.pem, server-key.pem), made again when a host is
 * missing from it or it expires within 30 days. Keys are 0600. What `npm run up` serves TLS with,
 * and what tests make their throw-away PKI with.
 */
export async function ensureLocalPki(dir: string, hosts: readonly string[]): Promise<LocalPki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = {
    caFile: join(dir, 'ca.pem'),
    caKeyFile: join(dir, 'ca-key.pem'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server-key.pem'),
  };
  let made: LocalPki['made'] = 'nothing';
  let ca: CertifiedKey;
  if (existsSync(files.caFile) && existsSync(files.caKeyFile)) {
    ca = { certPem: readFileSync(files.caFile, 'utf8'), keyPem: readFileSync(files.caKeyFile, 'utf8') };
  } else {
    ca = await createCertificateAuthority(
      `HiveMind local CA (${hosts.find((h) => !/^[\d:]|^localhost$/.test(h)) ?? 'localhost'})`,
    );
    writePrivate(files.caKeyFile, ca.keyPem);
    writeFileSync(files.caFile, ca.certPem);
    made = 'ca';
  }
  const caCert = new X509Certificate(ca.certPem);
  if (!serverCertificateFits(files.certFile, caCert, hosts)) {
    const server = await issueServerCertificate(ca, hosts);
    writePrivate(files.keyFile, server.keyPem);
    writeFileSync(files.certFile, `${server.certPem.trim()}\n${ca.certPem.trim()}\n`);
    if (made === 'nothing') made = 'server';
  }
  return { dir, ...files, caFingerprint: fingerprintOf(ca.certPem), made };
}

/** The name the local CA has in a browser's certificate store. */
const NSS_NICKNAME = 'HiveMind local CA';

/**
 * Adds the local CA to the NSS database of `home` (~/.pki/nssdb, which Chromium and Chrome use
 * on Linux; created when missing), as mkcert does, so that a browser on this machine opens the
 * console without a warning. Needs `certutil` (Debian: libnss3-tools); says why when it cannot.
 */
export function trustInBrowsers(
  pki: Pick<LocalPki, 'caFile' | 'caFingerprint'>,
  home: string,
): { trusted: true; where: string } | { trusted: false; why: string } {
  const where = join(home, '.pki', 'nssdb');
  const certutil = (args: string[]) =>
    spawnSync('certutil', ['-d', `sql:${where}`, ...args], { encoding: 'utf8' });
  if (spawnSync('sh', ['-c', 'command -v certutil'], { stdio: 'ignore' }).status !== 0)
    return { trusted: false, why: 'certutil is missing (Debian: apt-get install libnss3-tools)' };
  mkdirSync(where, { recursive: true, mode: 0o700 });
  if (!existsSync(join(where, 'cert9.db'))) {
    const made = certutil(['-N', '--empty-password']);
    if (made.status !== 0) return { trusted: false, why: `certutil -N: ${made.stderr.trim()}` };
  }
  const nickname = `${NSS_NICKNAME} ${pki.caFingerprint.slice(0, 11)}`;
  if (certutil(['-L', '-n', nickname]).status === 0) return { trusted: true, where };
  const added = certutil(['-A', '-t', 'C,,', '-n', nickname, '-i', pki.caFile]);
  return added.status === 0
    ? { trusted: true, where }
    : { trusted: false, why: `certutil -A: ${added.stderr.trim()}` };
}

/** fetch that trusts exactly `caPem` (undici's fetch, with a connection pool of its own). */
export function trustingFetch(caPem: string): typeof fetch {
  const dispatcher = new Agent({ connect: { ca: caPem } });
  return ((input: string, init?: RequestInit) =>
    undiciFetch(input, { ...(init as object), dispatcher })) as unknown as typeof fetch;
}
