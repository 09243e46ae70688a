import { HttpErrorResponse } from '@angular/common/http';

/** A refusal as a console shows it: one message, and the fields the server named. */
export interface ApiError {
  message: string;
  fields: Record<string, string>;
}

interface ErrorBody {
  message?: string | string[];
  /** The worker's answers (and the seed's) say it as `error`, naming the `field` when there is one. */
  error?: string;
  field?: string;
  errors?: { field?: string; message: string }[];
}

/**
 * Reads a refusal into an ApiError: the node pool's body ({ message, errors: [{ field, message }] })
 * or the worker's ({ error, field? }). `server` names who did not answer when nothing came back.
 */
export function apiError(error: unknown, server = 'The node pool'): ApiError {
  if (!(error instanceof HttpErrorResponse)) return { message: String(error), fields: {} };
  if (error.status === 0)
    return { message: `${server} cannot be reached. Check your connection.`, fields: {} };
  const body = (typeof error.error === 'object' && error.error !== null ? error.error : {}) as ErrorBody;
  const fields: Record<string, string> = {};
  for (const e of body.errors ?? []) if (e.field && !fields[e.field]) fields[e.field] = e.message;
  if (body.field && typeof body.error === 'string') fields[body.field] ??= body.error;
  const message = Array.isArray(body.message) ? body.message.join('; ') : (body.message ?? body.error);
  return { message: message ?? `The request failed (${error.status} ${error.statusText}).`, fields };
}
