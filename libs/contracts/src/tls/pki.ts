import 'reflect-metadata'; // @peculiar/x509 (tsyringe) needs it loaded first
import { X509Certificate, createHash, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/**
 * The platform's certificates, made with @peculiar/x509 over Node's WebCrypto: a local certificate
 * authority (`npm run up`, tests), the pool's server certificate signed by it, and the short-lived
 * client certificates the pool signs for nodes from their certificate signing requests (mTLS).
 * Keys are ECDSA P-256; everything is PEM.
 */

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** Allow for clocks a little behind ours. */
const BACKDATE_MS = 5 * 60_000;

export interface CertifiedKey {
  certPem: string;
  keyPem: string;
}

/** The URI SAN that binds a client certificate to one node: `hivemind:node:<node id>`. */
export const NODE_URI_PREFIX = 'hivemind:node:';
/** The URI SAN that binds a client certificate to one node credential: `hivemind:credential:<sha256 of its id>`. */
export const CREDENTIAL_URI_PREFIX = 'hivemind:credential:';

function randomSerial(): string {
  // positive (top bit clear), 16 bytes: unique without a counter
  const bytes = randomBytes(16);
  bytes[0] = bytes[0] & 0x7f;
  return bytes.toString('hex');
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importSigningKey(keyPem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(keyPem);
  return (await webcrypto.subtle.importKey('pkcs8', der, ECDSA, false, ['sign'])) as CryptoKey;
}

function validity(validMs: number, now: Date): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(now.getTime() + validMs) };
}

/** A new self-signed certificate authority (CA:true, pathlen 0) valid for `validDays`. */
export async function createCertificateAuthority(
  commonName: string,
  validDays = 3650,
  now = new Date(),
): Promise<CertifiedKey> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [commonName] }, { O: ['HiveMind'] }],
    ...validity(validDays * DAY_MS, now),
    signingAlgorithm: ECDSA,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

/** A server certificate for `hosts` (names and IP addresses), signed by `ca`. */
export async function issueServerCertificate(
  ca: CertifiedKey,
  hosts: readonly string[],
  validDays = 397,
  now = new Date(),
): Promise<CertifiedKey> {
  const keys = await newKeys();
  const names = [...new Set(hosts.filter(Boolean))];
  const cert = await signed(ca, keys.publicKey, {
    subject: `CN=${names[0] ?? 'localhost'}, O=HiveMind`,
    validMs: validDays * DAY_MS,
    now,
    extensions: [
      new x509.SubjectAlternativeNameExtension(
        names.map((value) => ({ type: isIP(value) ? ('ip' as const) : ('dns' as const), value })),
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  return { certPem: cert, keyPem: await privateKeyPem(keys.privateKey) };
}

/** A new key and a certificate signing request for it (what a node sends at registration). */
export async function createKeyAndCsr(commonName: string): Promise<{ keyPem: string; csrPem: string }> {
  const keys = await newKeys();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${commonName.replace(/[,+="\\<>;#]/g, '_')}`,
    keys,
    signingAlgorithm: ECDSA,
  });
  return { keyPem: await privateKeyPem(keys.privateKey), csrPem: csr.toString('pem') };
}

/** Largest CSR accepted: a P-256 request is ~450 bytes of PEM. */
export const MAX_CSR_PEM_BYTES = 8192;

/** A certificate signing request whose signature verified: its public key, ready to certify. */
export interface CheckedCsr {
  publicKey: CryptoKey;
}

/** Checks a node's CSR (size, PEM, an ECDSA P-256 key, a signature made with it); a reason string when it fails. */
export async function checkCsr(csrPem: string): Promise<CheckedCsr | string> {
  if (Buffer.byteLength(csrPem) > MAX_CSR_PEM_BYTES) return `must be at most ${MAX_CSR_PEM_BYTES} bytes`;
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch {
    return 'must be a PEM certificate signing request';
  }
  const algorithm = csr.publicKey.algorithm as EcKeyAlgorithm;
  if (algorithm.name !== 'ECDSA' || algorithm.namedCurve !== 'P-256') return 'must hold an ECDSA P-256 key';
  if (!(await csr.verify().catch(() => false))) return 'has a signature that does not verify';
  return { publicKey: await csr.publicKey.export(ECDSA, ['verify']) };
}

/**
 * Signs a node's client certificate from its CSR. Only the CSR's public key is used (its signature
 * proves the node holds the private key); the subject and SANs are the pool's: the node's id and,
 * when given, the node credential it goes with (`hivemind:credential:<hash>`), so that the
 * certificate ends with that credential. Returns a reason string for a CSR that is not valid.
 */
export async function signNodeCertificate(
  ca: CertifiedKey,
  csr: string | CheckedCsr,
  node: { nodeId: string; credentialHash?: string },
  validHours: number,
  now = new Date(),
): Promise<{ certPem: string; serial: string; notAfter: Date } | string> {
  const checked = typeof csr === 'string' ? await checkCsr(csr) : csr;
  if (typeof checked === 'string') return checked;
  const serial = randomSerial();
  const uris = [
    `${NODE_URI_PREFIX}${node.nodeId}`,
    ...(node.credentialHash ? [`${CREDENTIAL_URI_PREFIX}${node.credentialHash}`] : []),
  ];
  const certPem = await signed(ca, checked.publicKey, {
    subject: `CN=${node.nodeId.replace(/[,+="\\<>;#]/g, '_')}, O=HiveMind nodes`,
    validMs: validHours * 3_600_000,
    now,
    serial,
    extensions: [
      new x509.SubjectAlternativeNameExtension(uris.map((value) => ({ type: 'url' as const, value }))),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    ],
  });
  return { certPem, serial, notAfter: new X509Certificate(certPem).validToDate };
}

async function signed(
  ca: CertifiedKey,
  publicKey: CryptoKey,
  options: {
    subject: string;
    validMs: number;
    now: Date;
    serial?: string;
    extensions: x509.Extension[];
  },
): Promise<string> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: options.serial ?? randomSerial(),
    subject: options.subject,
    issuer: caCert.subject,
    ...validity(options.validMs, options.now),
    signingAlgorithm: ECDSA,
    publicKey,
    signingKey: await importSigningKey(ca.keyPem),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
      ...options.extensions,
    ],
  });
  return cert.toString('pem');
}

/** SHA-256 of a certificate's DER, as colon-separated upper-case hex (what browsers and openssl show). */
export function fingerprintOf(cert: string | Buffer): string {
  const der = typeof cert === 'string' ? new X509Certificate(cert).raw : cert;
  return (createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g) ?? []).join(':');
}

/** A fingerprint as typed by a person (any case, with or without colons) in the canonical form, or undefined. */
export function normalizeFingerprint(text: string): string | undefined {
  const hex = text
    .replace(/^sha256:/i, '')
    .replace(/[:\s]/g, '')
    .toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? (hex.match(/../g) ?? []).join(':') : undefined;
}

function uriSan(cert: X509Certificate, prefix: string): string | undefined {
  const uri = (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .map((entry) => /^URI:(.*)$/.exec(entry)?.[1])
    .find((value) => value?.startsWith(prefix));
  return uri?.slice(prefix.length);
}

/** The node id a client certificate is bound to (its `hivemind:node:` URI SAN), if any. */
export function nodeIdOfCertificate(cert: X509Certificate): string | undefined {
  return uriSan(cert, NODE_URI_PREFIX);
}

/** The node credential (hash) a client certificate goes with (its `hivemind:credential:` URI SAN), if any. */
export function credentialOfCertificate(cert: X509Certificate): string | undefined {
  return uriSan(cert, CREDENTIAL_URI_PREFIX);
}

/** The PEM certificates in a bundle (a chain file, a CA file), in order. */
export function splitPemCertificates(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
