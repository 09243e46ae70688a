/**
 * The CloudAI master's single-dash spellings (`-name`, `-cpu_cores 4.0`, `-mem 8`, `-gpu_cores 1`)
 * as this CLI's long options (`--name`, `--cpu-cores`, …): commander only knows the latter.
 * `--cpu_cores` (underscores) is accepted too. Tokens after `--` (a container command) are left
 * alone, as are short flags (`-s`, `-u`) and anything that is not one of `longOptions`.
 */
export function normalizeArgv(argv: readonly string[], longOptions: ReadonlySet<string>): string[] {
  const out: string[] = [];
  let passThrough = false;
  for (const token of argv) {
    if (passThrough || token === '--') {
      passThrough = true;
      out.push(token);
      continue;
    }
    const match = /^(-{1,2})([a-zA-Z][a-zA-Z0-9_-]*)(=.*)?$/.exec(token);
    if (!match) {
      out.push(token);
      continue;
    }
    const [, dashes, name, value = ''] = match;
    const long = name.replace(/_/g, '-').toLowerCase();
    const singleDashWord = dashes === '-' && name.length > 1;
    if ((singleDashWord || (dashes === '--' && name.includes('_'))) && longOptions.has(long)) {
      out.push(`--${long}${value}`);
    } else {
      out.push(token);
    }
  }
  return out;
}
