// The canonical text of an attempt's result (docs/worker.md "Result digest"): what two honest nodes
// running the same deterministic task agree on, whatever their zip's timestamps, compression or
// entry order. The worker hashes it and reports the digest; the pool recomputes it from the
// uploaded output. Pure and browser-safe: the callers hash the text (sha256, hex) themselves.

/** Bumped whenever the canonical text changes: digests of different versions never match. */
export const RESULT_DIGEST_VERSION = 1;

/** One regular file of the output folder: its path relative to the folder and its content's sha256. */
export interface ResultEntry {
  path: string;
  sha256: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The canonical text of a result, e.g.
 *
 *     hivemind-result v1
 *     exit 0
 *     <sha256> out/a.txt
 *     <sha256> result.txt
 *
 * one line per file, sorted by path in byte (UTF-8) order, never by locale. Paths are relative to
 * the output folder with '/' separators (a '\' is read as one; '.' and empty segments are dropped);
 * folders are not listed. `%` and control characters in a path are written `%XX`, so that no path
 * can pass for another line. Throws a RangeError for an exit code that is not an integer, a sha256
 * that is not 64 lower-case hex digits, a path that is empty, absolute or has a `..` segment, and
 * two entries with the same path.
 */
export function canonicalResultText(exitCode: number, entries: readonly ResultEntry[]): string {
  if (!Number.isSafeInteger(exitCode)) throw new RangeError(`the exit code ${exitCode} is not an integer`);
  const lines = entries.map((entry) => {
    if (!SHA256_HEX.test(entry.sha256)) {
      throw new RangeError(`the sha256 of ${shown(entry.path)} must be 64 lower-case hex digits`);
    }
    return { path: normalizedResultPath(entry.path), sha256: entry.sha256 };
  });
  lines.sort((a, b) => compareCodePoints(a.path, b.path));
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].path === lines[i - 1].path) {
      throw new RangeError(`the result lists ${shown(lines[i].path)} twice`);
    }
  }
  const header = [`hivemind-result v${RESULT_DIGEST_VERSION}`, `exit ${exitCode}`];
  return [...header, ...lines.map((l) => `${l.sha256} ${escapedPath(l.path)}`)].join('\n') + '\n';
}

/**
 * A file's path relative to the output folder in canonical form: '/' separators, no '.' or empty
 * segments. Throws a RangeError for an empty or absolute path (also a drive letter) and a `..`.
 */
export function normalizedResultPath(path: string): string {
  const slashed = path.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[a-zA-Z]:/.test(slashed)) {
    throw new RangeError(`the output path ${shown(path)} is absolute`);
  }
  const segments = slashed.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) {
    throw new RangeError(`the output path ${shown(path)} leaves the output folder`);
  }
  if (segments.length === 0) throw new RangeError(`the output path ${shown(path)} names no file`);
  return segments.join('/');
}

/** Code point order, which is the byte order of the strings' UTF-8 (`<` compares UTF-16 units). */
function compareCodePoints(a: string, b: string): number {
  for (let i = 0; i < a.length && i < b.length;) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

/** `%`, C0 control characters and DEL as `%XX`: a path stays on its line and reads back unambiguously. */
function escapedPath(path: string): string {
  // the class names the control characters it escapes
  // eslint-disable-next-line no-control-regex
  const special = /[%\u0000-\u001f\u007f]/g;
  return path.replace(special, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** A path as it may appear in a message: quoted, control characters escaped, shortened. */
function shown(path: string): string {
  const quoted = JSON.stringify(path);
  return quoted.length > 200 ? `${quoted.slice(0, 197)}..."` : quoted;
}
