import type { IncomingMessage } from 'node:http';

/**
 * The fields of the JSON access log line of an HTTP request (pino-http, app.module): its id,
 * method and path — never the query, where a careless client may put a secret — then, at the end,
 * the status, the duration (`responseTime`), the address (`req.ip`: TRUST_PROXY decides) and the
 * signed-in user or node. Pure.
 */
export function accessLogRequest(req: { id?: unknown; method?: string; url?: string }): {
  id: unknown;
  method?: string;
  path: string;
} {
  return { id: req.id, method: req.method, path: pathOnly(req.url) };
}

export function pathOnly(url: string | undefined): string {
  return (url ?? '/').split('?')[0] ?? '/';
}

/** Who made a request, once the guards have run: the user's or the node's id. */
export function accessLogCaller(req: IncomingMessage): { user_id?: string; node_id?: string } {
  const { user, node } = req as IncomingMessage & { user?: { id?: unknown }; node?: { nodeId?: unknown } };
  return {
    ...(typeof user?.id === 'string' ? { user_id: user.id } : {}),
    ...(typeof node?.nodeId === 'string' ? { node_id: node.nodeId } : {}),
  };
}
