// Which rate-limit buckets a request or an rpc is counted in, and under which keys (docs/security.md,
// "Rate limits"). Pure: the edges (REST middleware, gRPC interceptor, WebSocket upgrade) supply the
// facts and RequestLimits counts them in Redis.
import { addressKey } from './client-address';

/** Who a request says it is, from a token whose signature checked (not yet whether it is revoked). */
export type LimitSubject = { kind: 'user' | 'node'; id: string };

export type Bucket =
  | 'rest-read-addr'
  | 'rest-write-addr'
  | 'rest-read-subject'
  | 'rest-write-subject'
  | 'rpc-addr'
  | 'rpc-subject'
  | 'upgrade-addr'
  | 'upgrade-subject'
  | 'upload-bytes-addr'
  | 'upload-bytes-subject'
  | 'log-bytes-subject';

export interface Charge {
  bucket: Bucket;
  key: string;
  points: number;
}

/** Paths no limit applies to: the probes of load balancers and Prometheus, which stay cheap. */
const EXEMPT_PATHS = new Set(['/health', '/metrics']);

export function isExemptPath(path: string): boolean {
  return EXEMPT_PATHS.has(path);
}

/** Reads (GET, HEAD, OPTIONS) get a larger budget than writes, which cost the pool more. */
export function requestKind(method: string): 'read' | 'write' {
  return ['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase()) ? 'read' : 'write';
}

/** The subject of a verified token's claims: an access token's user, a node credential's node; else none. */
export function limitSubject(claims: unknown): LimitSubject | undefined {
  if (!claims || typeof claims !== 'object') return undefined;
  const { typ, sub } = claims as { typ?: unknown; sub?: unknown };
  if (typeof sub !== 'string' || !sub) return undefined;
  if (typ === 'access') return { kind: 'user', id: sub };
  if (typ === 'node') return { kind: 'node', id: sub };
  return undefined;
}

function subjectKey(subject: LimitSubject): string {
  return `${subject.kind}:${subject.id}`;
}

/** A REST request: one point per address (IPv6: its /64) and, when signed in, one per user or node. */
export function restCharges(method: string, address: string, subject?: LimitSubject): Charge[] {
  const kind = requestKind(method);
  return [
    { bucket: `rest-${kind}-addr`, key: addressKey(address), points: 1 },
    ...(subject ? [{ bucket: `rest-${kind}-subject` as const, key: subjectKey(subject), points: 1 }] : []),
  ];
}

/** An rpc: one point per address and, with a credential (a user's token or a node's), one per subject. */
export function rpcCharges(address: string, subject?: LimitSubject): Charge[] {
  return [
    { bucket: 'rpc-addr', key: addressKey(address), points: 1 },
    ...(subject ? [{ bucket: 'rpc-subject' as const, key: subjectKey(subject), points: 1 }] : []),
  ];
}

/** A WebSocket upgrade: per address before the token is looked at, per user after. */
export function upgradeCharges(address: string, subject?: LimitSubject): Charge[] {
  return subject
    ? [{ bucket: 'upgrade-subject', key: subjectKey(subject), points: 1 }]
    : [{ bucket: 'upgrade-addr', key: addressKey(address), points: 1 }];
}

/** Rpcs whose messages carry a task's log text: counted in bytes per node. */
const LOG_RPCS = new Set([
  '/nodepool.MasterNodeService/StoreLogs',
  '/nodepool.MasterNodeService/StoreOutput',
  '/nodepool.WorkerNodeService/ReportOutput',
]);
/** Rpcs whose messages carry a zip (task input, results): counted in upload bytes. */
const UPLOAD_RPCS = new Set([
  '/nodepool.MasterNodeService/UploadTask',
  '/nodepool.MasterNodeService/StoreResult',
  '/nodepool.MasterNodeService/ReturnTaskResult',
  '/nodepool.WorkerNodeService/UploadOutput',
]);

/**
 * The byte budgets one message of `path` draws on: log rpcs per node (or user) credential, payload
 * rpcs per credential and per address; other rpcs none (their messages are small and bounded).
 */
export function rpcByteCharges(
  path: string,
  bytes: number,
  address: string,
  subject?: LimitSubject,
): Charge[] {
  if (bytes <= 0) return [];
  if (LOG_RPCS.has(path)) {
    return [
      {
        bucket: 'log-bytes-subject',
        key: subject ? subjectKey(subject) : `addr:${addressKey(address)}`,
        points: bytes,
      },
    ];
  }
  if (UPLOAD_RPCS.has(path)) return uploadByteCharges(bytes, address, subject);
  return [];
}

/** A request body's bytes (REST uploads, JSON bodies, an rpc's zip): per address and per subject. */
export function uploadByteCharges(bytes: number, address: string, subject?: LimitSubject): Charge[] {
  if (bytes <= 0) return [];
  return [
    { bucket: 'upload-bytes-addr', key: addressKey(address), points: bytes },
    ...(subject
      ? [{ bucket: 'upload-bytes-subject' as const, key: subjectKey(subject), points: bytes }]
      : []),
  ];
}
