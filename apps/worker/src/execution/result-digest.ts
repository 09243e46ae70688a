import { createHash } from 'node:crypto';
import { canonicalResultText, type ResultEntry } from '@hivemind/contracts';

/**
 * The result digest the worker reports in TaskCompleted (docs/worker.md "Result digest"): the
 * sha256 (hex) of the canonical text of the exit code and the files that went into the output zip.
 * The pool recomputes it from the uploaded zip; a task that left no output has the digest of no
 * entries with its exit code.
 */
export function resultDigest(exitCode: number, entries: readonly ResultEntry[]): string {
  return createHash('sha256').update(canonicalResultText(exitCode, entries)).digest('hex');
}
