import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { interrupted } from '../api/errors';

/** Asks the user for what the command line left out (only on a terminal). */
export interface Prompter {
  ask(question: string, signal?: AbortSignal): Promise<string>;
  /** Without echo: a password. */
  secret(question: string, signal?: AbortSignal): Promise<string>;
}

/** The terminal's output, but silent while `muted` (what the user types as a password). */
export class MutableOutput extends Writable {
  muted = false;
  readonly isTTY = true;

  constructor(readonly target: NodeJS.WriteStream) {
    super();
  }

  get columns(): number {
    return this.target.columns;
  }

  get rows(): number {
    return this.target.rows;
  }

  override _write(chunk: Buffer | string, encoding: BufferEncoding, callback: () => void): void {
    if (!this.muted) this.target.write(chunk, encoding);
    callback();
  }
}

/** Questions asked on `rl` (the prompt's own readline, so both do not fight over stdin). */
export function readlinePrompter(rl: Interface, output: MutableOutput): Prompter {
  const question = (text: string, secret: boolean, signal?: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      if (signal?.aborted) return reject(interrupted());
      const onAbort = () => {
        output.muted = false;
        output.target.write('\n');
        reject(interrupted());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      rl.question(text, signal ? { signal } : {}, (answer) => {
        signal?.removeEventListener('abort', onAbort);
        if (secret) {
          output.muted = false;
          output.target.write('\n');
        }
        resolve(answer);
      });
      if (secret) output.muted = true;
    });
  return {
    ask: (text, signal) => question(text, false, signal),
    secret: (text, signal) => question(text, true, signal),
  };
}

/** Questions on the terminal for a one-shot command: a readline for each, Ctrl-C → interrupted. */
export function terminalPrompter(input: NodeJS.ReadStream, target: NodeJS.WriteStream): Prompter {
  const once = async (text: string, secret: boolean, signal?: AbortSignal) => {
    const output = new MutableOutput(target);
    const rl = createInterface({ input, output, terminal: true, historySize: 0 });
    const abort = new AbortController();
    rl.on('SIGINT', () => abort.abort());
    const prompter = readlinePrompter(rl, output);
    const signals = AbortSignal.any([abort.signal, ...(signal ? [signal] : [])]);
    try {
      return await (secret ? prompter.secret(text, signals) : prompter.ask(text, signals));
    } finally {
      rl.close();
    }
  };
  return { ask: (t, s) => once(t, false, s), secret: (t, s) => once(t, true, s) };
}
