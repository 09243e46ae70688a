import { type Command } from 'commander';
import { ApiClient } from './api/api-client';
import { configDirOf } from './config/config-dir';
import { normalizeServer, SessionStore } from './config/session-store';
import { colorEnabled, Output } from './output/output';
import { type Prompter } from './prompt/prompter';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** Where the CLI reads and writes: the process's streams, or a test's buffers. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Standard input (for --password-stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Standard output is a terminal: colours. */
  stdoutIsTTY?: boolean;
  /** Progress bars are drawn here (standard error, when it is a terminal). */
  progress?: NodeJS.WriteStream;
  /** Asks for what the command line left out; absent when no terminal can answer. */
  prompter?: Prompter;
  /** Fires when the user presses Ctrl-C in the interactive prompt: the running command stops. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** Inside the interactive prompt: `exit` leaves it. */
  repl?: { exit(): void };
}

interface GlobalOptions {
  server?: string;
  json?: boolean;
}

/** What every command needs: the chosen server, the session store, the API client, the output. */
export class Cli {
  private storeInstance?: SessionStore;
  private apiInstance?: ApiClient;

  constructor(
    readonly io: Io,
    private readonly program: Command,
  ) {}

  get json(): boolean {
    return !!this.program.opts<GlobalOptions>().json;
  }

  get store(): SessionStore {
    this.storeInstance ??= new SessionStore(configDirOf(this.io.env));
    return this.storeInstance;
  }

  /** --server, else HIVEMIND_SERVER, else the server of the latest login, else the local default. */
  get server(): string {
    const explicit = this.program.opts<GlobalOptions>().server;
    return normalizeServer(explicit || this.store.current() || DEFAULT_SERVER);
  }

  get out(): Output {
    return new Output(this.io.out, this.json, colorEnabled(this.io.stdoutIsTTY, this.io.env));
  }

  api(): ApiClient {
    this.apiInstance ??= new ApiClient(this.server, this.store, this.io.fetch ?? fetch, this.io.signal);
    return this.apiInstance;
  }
}
