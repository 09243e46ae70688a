// A task's secret env: how its values are shown (never) and masked in log text. Shared by the pool
// (views, stored log chunks), the worker (its log spool) and the console. Pure.

/** What every answer shows in place of a secret value, and what replaces one in log text. */
export const SECRET_MASK = '********';

/**
 * Values shorter than this are not masked in log text: replacing every "1" or "on" would mangle
 * ordinary output and hide nothing worth hiding.
 */
export const SECRET_MASK_MIN_CHARS = 4;

/** The env as answers show it: every secret name with the value `********`. */
export function maskedEnv(
  env: Readonly<Record<string, string>>,
  secretKeys: readonly string[],
): Record<string, string> {
  const shown = { ...env };
  for (const key of secretKeys) shown[key] = SECRET_MASK;
  return shown;
}

/**
 * A function that replaces every occurrence of the given values (of at least
 * SECRET_MASK_MIN_CHARS characters) in a text by `********`. Values are matched literally (no
 * pattern syntax), and where occurrences overlap or touch — of one value or of several — the whole
 * covered stretch becomes one mask, so no part of any occurrence is left readable.
 */
export function secretMasker(values: Iterable<string>): (text: string) => string {
  const needles = [...new Set(values)].filter((v) => v.length >= SECRET_MASK_MIN_CHARS);
  if (needles.length === 0) return (text) => text;
  return (text) => {
    const spans: [number, number][] = [];
    for (const needle of needles) {
      let last: [number, number] | undefined;
      for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
        // one needle's occurrences come in order: extend the previous span when they overlap
        if (last && at <= last[1]) last[1] = at + needle.length;
        else spans.push((last = [at, at + needle.length]));
      }
    }
    if (spans.length === 0) return text;
    spans.sort((a, b) => a[0] - b[0]);
    let out = '';
    let from = 0;
    let span = spans[0];
    for (const next of spans.slice(1)) {
      if (next[0] <= span[1]) span = [span[0], Math.max(span[1], next[1])];
      else {
        out += text.slice(from, span[0]) + SECRET_MASK;
        from = span[1];
        span = next;
      }
    }
    return out + text.slice(from, span[0]) + SECRET_MASK + text.slice(span[1]);
  };
}

/** `secretMasker(values)(text)`, for one text. */
export function maskSecrets(text: string, values: Iterable<string>): string {
  return secretMasker(values)(text);
}
