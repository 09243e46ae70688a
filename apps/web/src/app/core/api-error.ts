import { HttpErrorResponse } from '@angular/common/http';

/** A refusal as the console shows it: one message, and the fields the server named. */
export interface ApiError {
  message: string;
  fields: Record<string, string>;
}

interface ErrorBody {
  message?: string | string[];
  errors?: { field?: string; message: string }[];
}

/** Reads the node pool's error body ({ message, errors: [{ field, message }] }) into an ApiError. */
export function apiError(error: unknown): ApiError {
  if (!(error instanceof HttpErrorResponse)) return { message: String(error), fields: {} };
  if (error.status === 0)
    return { message: 'The node pool cannot be reached. Check your connection.', fields: {} };
  const body = (error.error ?? {}) as ErrorBody;
  const fields: Record<string, string> = {};
  for (const e of body.errors ?? []) if (e.field && !fields[e.field]) fields[e.field] = e.message;
  const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
  return { message: message ?? `The request failed (${error.status} ${error.statusText}).`, fields };
}
