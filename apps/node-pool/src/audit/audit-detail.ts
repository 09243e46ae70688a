// What an audit event's `detail` may hold: a small flat JSON object, never a secret. Pure: no IO.

/** A detail's JSON is at most this long; anything longer keeps its key names only. */
export const AUDIT_DETAIL_MAX_CHARS = 2048;
/** A string value is cut to this many characters (a hostile "username" is 4 MB). */
export const AUDIT_DETAIL_STRING_MAX = 128;
/** At most this many keys are kept. */
export const AUDIT_DETAIL_MAX_KEYS = 16;

/** Keys that name a secret are dropped whatever their value: a caller's slip must not be stored. */
const SECRET_KEY = /pass|token|secret|credential|private|authorization|cookie|api_?key/i;

type Scalar = string | number | boolean | null;

/**
 * The stored form of a detail: scalar values only (nested values become their type's name),
 * secrets' keys dropped, strings cut, at most 16 keys and 2 KiB of JSON, no NUL (PostgreSQL's
 * jsonb cannot hold one).
 */
export function boundedDetail(detail: Readonly<Record<string, unknown>> | undefined): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [key, value] of Object.entries(detail ?? {})) {
    if (Object.keys(out).length >= AUDIT_DETAIL_MAX_KEYS) break;
    if (SECRET_KEY.test(key) || value === undefined) continue;
    out[cut(key, 64)] = scalar(value);
  }
  if (JSON.stringify(out).length <= AUDIT_DETAIL_MAX_CHARS) return out;
  return { truncated: true, keys: cut(Object.keys(out).join(','), AUDIT_DETAIL_STRING_MAX) };
}

function scalar(value: unknown): Scalar {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') return cut(value, AUDIT_DETAIL_STRING_MAX);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return `[${Array.isArray(value) ? 'array' : typeof value}]`;
}

function cut(text: string, max: number): string {
  const clean = text.replaceAll(String.fromCharCode(0), '\uFFFD');
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}
