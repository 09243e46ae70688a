import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A caller's own X-Request-Id is kept when it is short and plain; anything else is replaced. */
const GIVEN_ID = /^[\w.:-]{1,128}$/;

/**
 * pino-http's request id: the caller's X-Request-Id when it is safe to log, else a new UUID; sent
 * back in X-Request-Id so that a user quoting it can be matched with the pool's log lines.
 */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const id = givenOrNewRequestId(req.headers['x-request-id']);
  res.setHeader('X-Request-Id', id);
  return id;
}

/** The caller's own id (an HTTP header, gRPC metadata) when it is safe to log, else a new UUID. */
export function givenOrNewRequestId(given: unknown): string {
  return typeof given === 'string' && GIVEN_ID.test(given) ? given : randomUUID();
}
