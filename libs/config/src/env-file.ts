import { ConfigError, type Env } from './env';

/**
 * The worker's configuration file (`hivemind node join` writes it, `hivemind-worker --config`
 * reads it): `NAME=value` lines, `#` comments and blank lines; a value may be in double quotes
 * (with `\\`, `\"`, `\$`, `` \` `` and `\n` escapes) or single quotes (literal). The same file is
 * valid for systemd's EnvironmentFile= and for a shell's `.`, as we write it.
 */
export function parseEnvFile(text: string, source = 'the configuration file'): Env {
  const env: Env = {};
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    const value = match ? unquote(match[2]) : undefined;
    if (!match || value === undefined) problems.push(`${source} line ${index + 1} is not NAME=value`);
    else env[match[1]] = value;
  });
  if (problems.length) throw new ConfigError(problems);
  return env;
}

function unquote(value: string): string | undefined {
  if (value.startsWith("'")) return /^'([^']*)'$/.exec(value)?.[1];
  if (!value.startsWith('"')) return /\s|["'`$\\]/.test(value) ? undefined : value;
  const match = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
  return match?.[1].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** `values` as an env file, after `header` (comment lines); values quoted only when they need it. */
export function formatEnvFile(values: Env, header: string[] = []): string {
  const lines = header.map((line) => `# ${line}`.trimEnd());
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`${name} is not a variable name`);
    lines.push(`${name}=${/^[A-Za-z0-9_.:/@+,=-]*$/.test(value) ? value : quote(value)}`);
  }
  return lines.join('\n') + '\n';
}

function quote(value: string): string {
  return `"${value.replace(/[\\"$`]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`;
}
