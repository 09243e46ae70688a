import { AsyncLocalStorage } from 'node:async_hooks';

/** Who acted, as the audit trail names them. */
export interface AuditActor {
  id: string;
  username: string;
}

/** Where a request came from: what every audit event of that request carries. */
export interface RequestOrigin {
  address: string | null;
  requestId: string | null;
  /** The authenticated caller when a guard resolved one (REST and guarded rpcs). */
  actor: AuditActor | null;
}

const origins = new AsyncLocalStorage<RequestOrigin>();

/** The origin of the request being served, if any (a Bull job has none). */
export function currentOrigin(): RequestOrigin | undefined {
  return origins.getStore();
}

/** Runs `work` (and everything it awaits) as serving a request from `origin`. */
export function withOrigin<T>(origin: RequestOrigin, work: () => T): T {
  return origins.run(origin, work);
}
