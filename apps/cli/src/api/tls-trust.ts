import { type PeerCertificate, connect as tlsConnect } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { defaultCaCertificates, fingerprintOf, normalizeFingerprint } from '@hivemind/contracts/tls';
import { CliError } from '../exit-codes';

/** Node's codes for a certificate it could not verify (OpenSSL's, and its own for the name). */
const CERTIFICATE_ERRORS = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

/** The certificate error behind a failed request, if that is what failed it. */
export function certificateError(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && CERTIFICATE_ERRORS.has(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

/** fetch that trusts `caPem` (a PEM bundle), else Node's and the system's CAs. */
export function fetchTrusting(caPem?: string): typeof fetch {
  const dispatcher = new Agent({ connect: { ca: caPem ?? defaultCaCertificates() } });
  return ((input: string | URL, init?: RequestInit) =>
    undiciFetch(input, { ...(init as object), dispatcher })) as unknown as typeof fetch;
}

export interface PresentedCertificate {
  fingerprint: string;
  subject: string;
  pem: string;
  /** A CA certificate (it may sign others). */
  ca: boolean;
}

function toPem(raw: Buffer): string {
  const lines = raw.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * The certificates an HTTPS server presents, leaf first (read without trusting them: only to show
 * a fingerprint, or to find the one the user said to trust).
 */
export function presentedChain(server: string, timeoutMs = 5000): Promise<PresentedCertificate[]> {
  const url = new URL(server);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host,
      port: Number(url.port || 443),
      ...(/^[\d.:]+$/.test(host) ? {} : { servername: host }),
      rejectUnauthorized: false,
    });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new CliError(`no TLS answer from ${server} within ${timeoutMs} ms`));
    });
    socket.once('error', (error: Error) =>
      reject(new CliError(`cannot read ${server}'s certificate: ${error.message}`)),
    );
    socket.once('secureConnect', () => {
      const chain: PresentedCertificate[] = [];
      const seen = new Set<string>();
      for (let cert: PeerCertificate | undefined = socket.getPeerCertificate(true); cert?.raw;) {
        const fingerprint = fingerprintOf(cert.raw);
        if (seen.has(fingerprint)) break;
        seen.add(fingerprint);
        chain.push({
          fingerprint,
          subject: [cert.subject?.CN ?? ''].flat().join(', '),
          pem: toPem(cert.raw),
          ca: !!cert.ca,
        });
        cert = (cert as { issuerCertificate?: PeerCertificate }).issuerCertificate;
      }
      socket.destroy();
      resolve(chain);
    });
  });
}

/** Which certificate of a chain to pin: its root (a CA survives the server certificate's renewal). */
export function pinCandidate(chain: readonly PresentedCertificate[]): PresentedCertificate | undefined {
  return chain.at(-1);
}

/** A pool whose certificate is not trusted here: one line with the fingerprint to check and how to trust it. */
export class UntrustedPoolError extends CliError {
  constructor(
    readonly server: string,
    readonly code: string,
    /** What the user would pin: the root of the presented chain. */
    readonly candidate: PresentedCertificate | undefined,
  ) {
    const fp = candidate?.fingerprint ?? '(could not be read)';
    super(
      `the node pool at ${server} is not trusted (${code}): its CA's SHA-256 fingerprint is ${fp}; ` +
        `if the pool's operator confirms it (npm run up prints it), run \`hivemind login --trust ${fp}\`, ` +
        'or give the CA certificate with --ca <file> or HIVEMIND_CA',
    );
  }
}

export async function untrustedPool(server: string, code: string): Promise<UntrustedPoolError> {
  return new UntrustedPoolError(
    server,
    code,
    await presentedChain(server).then(pinCandidate, () => undefined),
  );
}

/**
 * The CA certificate (PEM) among what `server` presents whose fingerprint is `fingerprint`, once a
 * real TLS connection that trusts only it verifies the server (chain and name).
 */
export async function certificateToPin(server: string, fingerprint: string): Promise<PresentedCertificate> {
  const wanted = normalizeFingerprint(fingerprint);
  if (!wanted) throw new CliError('--trust must be a SHA-256 fingerprint: 64 hex digits, colons optional');
  const chain = await presentedChain(server);
  const match = chain.find((cert) => cert.fingerprint === wanted);
  if (!match) {
    const shown = chain.map((c) => `${c.fingerprint} (${c.subject || 'no name'})`).join(', ');
    throw new CliError(
      `the node pool at ${server} presents no certificate with that fingerprint (it shows: ${shown})`,
    );
  }
  const answer = await fetchTrusting(match.pem)(new URL('/health', server)).then(
    (res) => res.status,
    (error: unknown) => certificateError(error) ?? (error as Error).message,
  );
  if (typeof answer === 'string')
    throw new CliError(`the node pool at ${server} does not verify against that certificate (${answer})`);
  return match;
}
