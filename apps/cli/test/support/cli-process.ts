import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { built } from '@hivemind/testing';

/** The package bin, as `npm install -g` would run it. */
export const BIN = join(__dirname, '..', '..', '..', '..', 'bin', 'hivemind.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliEnv {
  server: string;
  configDir: string;
  env?: Record<string, string>;
}

/** Runs `node bin/hivemind.js <args>` to its end without a terminal; `stdin` is piped in when given. */
export function hivemind(
  { server, configDir, env = {} }: CliEnv,
  args: string[],
  options: { stdin?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  built('dist/apps/cli/apps/cli/src/main.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...(server ? { HIVEMIND_SERVER: server } : {}),
        HIVEMIND_CONFIG_DIR: configDir,
        ...env,
      },
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hivemind ${args.join(' ')} did not end; stdout: ${stdout}; stderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Terminal output as text: colours, cursor moves and carriage returns removed. */
export function stripAnsi(text: string): string {
  const esc = String.fromCharCode(27);
  return text
    .replace(new RegExp(`${esc}\\[[0-9;?]*[a-zA-Z]`, 'g'), '')
    .replace(new RegExp(`${esc}[()][A-Z0-9]`, 'g'), '')
    .replace(/\r/g, '');
}

/**
 * `hivemind` in a pseudo-terminal: util-linux `script` gives the child a PTY and copies our
 * piped keystrokes into it (node-pty is not available). `expect` waits for output after the last
 * `expect`'s match.
 */
export class PtySession {
  private readonly child: ChildProcess;
  private raw = '';
  private seen = 0;
  readonly exited: Promise<number | null>;

  constructor({ server, configDir, env = {} }: CliEnv, args: string[] = []) {
    const command = [process.execPath, BIN, ...args].map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
    this.child = spawn('script', ['-qfec', `stty cols 200 rows 50; exec ${command}`, '/dev/null'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TERM: 'xterm',
        HIVEMIND_SERVER: server,
        HIVEMIND_CONFIG_DIR: configDir,
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d: Buffer) => (this.raw += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.raw += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get text(): string {
    return stripAnsi(this.raw);
  }

  /** Keystrokes: `\r` is Enter, `\t` Tab, `\x03` Ctrl-C, `\x04` Ctrl-D. */
  type(keys: string): void {
    this.child.stdin?.write(keys);
  }

  /** Waits until the output after the previous match matches `pattern`; returns the match. */
  async expect(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.text.slice(this.seen);
      const match = pattern.exec(rest);
      if (match) {
        this.seen += (match.index ?? 0) + match[0].length;
        return match;
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${String(pattern)}; the terminal showed:\n${rest}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    this.child.stdin?.end();
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
