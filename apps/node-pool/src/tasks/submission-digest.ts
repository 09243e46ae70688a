import { createHash } from 'node:crypto';
import { type SubmitTaskDto } from '@hivemind/contracts/dto';

/**
 * The digest of a submission, to tell a repeat of the request that took a client reference from
 * another request using the same reference (ADR 0012): sha256 over the spec as sent (its client
 * reference left out, keys sorted, fields left out and "no constraint" alike) and the input zip's
 * sha256. Secret env values are left out (only their names count), so that no digest of a secret is
 * stored: a repeat that differs only in a secret's value answers the earlier task.
 */
export function submissionDigest(spec: SubmitTaskDto, inputSha256: string | undefined): string {
  const { client_ref: _ref, secret_env, ...rest } = spec;
  const request = {
    ...rest,
    secret_env: secret_env ? Object.keys(secret_env).sort() : undefined,
    input: inputSha256 ?? null,
  };
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

/** JSON with object keys sorted at every level and undefined members left out. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}
