// How a task is named by its submitter, and which task constraints mean "none". Shared by the REST
// DTO, the gRPC edge of the pool and the console.

/**
 * A task's client reference: the caller's own name for it (the seed's `UploadTask.task_id`, REST
 * `client_ref`), unique per user. Letters and digits, then also `.`, `_`, `:` and `-`: it fits in a
 * URL path segment as it is, so `/api/tasks/<ref>` needs no escaping.
 */
export const CLIENT_REF_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const CLIENT_REF_MAX_CHARS = 128;
export const CLIENT_REF_RULE = `1 to ${CLIENT_REF_MAX_CHARS} letters, digits, ".", "_", ":" or "-", starting with a letter or digit`;

/** The word the seed uses for "whatever is there" in `gpu_name` and `location`. */
const ANY = 'any';

/**
 * A `gpu_name` or `location` as a constraint: trimmed, and undefined (no constraint) when it is
 * empty or "Any" in any case, so the scheduler and the wait reasons never see "Any". Other values
 * are kept as given (trimmed); non-strings are returned unchanged for the validator to refuse.
 */
export function constraintOf<T>(value: T): T | string | undefined {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' || trimmed.toLowerCase() === ANY ? undefined : trimmed;
}
