import { type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { ApiClient } from './api/api-client';
import { fetchTrusting } from './api/tls-trust';
import { TrustStore } from './config/trust-store';
import { UsageError } from './exit-codes';
import { configDirOf } from './config/config-dir';
import { normalizeServer, SessionStore } from './config/session-store';
import { colorEnabled, Output } from './output/output';
import { type Prompter } from './prompt/prompter';

export const DEFAULT_SERVER = 'https://localhost:8080';

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
  ca?: string;
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

  get trust(): TrustStore {
    return new TrustStore(configDirOf(this.io.env));
  }

  /**
   * The CA certificates (PEM) this server is verified against: --ca, else HIVEMIND_CA, else the one
   * pinned at login; undefined: Node's and the system's CAs.
   */
  caPem(): string | undefined {
    const file = this.program.opts<GlobalOptions>().ca;
    if (file) {
      try {
        return readFileSync(file, 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read the CA certificate ${file}: ${(error as Error).message}`);
      }
    }
    return this.trust.get(this.server)?.pem;
  }

  /** Talks to `server` from now on, as if given with --server (`node join <pool>`). */
  useServer(server: string): void {
    this.program.setOptionValueWithSource('server', server, 'cli');
    this.apiInstance = undefined;
  }

  /** Trusts `pem` for this server from now on (in this process and, pinned, later). */
  pin(fingerprint: string, pem: string): void {
    this.trust.pin(this.server, fingerprint, pem);
    this.apiInstance = undefined;
  }

  api(): ApiClient {
    const ca = this.caPem();
    this.apiInstance ??= new ApiClient(
      this.server,
      this.store,
      this.io.fetch ?? fetchTrusting(ca),
      this.io.signal,
      ca,
    );
    return this.apiInstance;
  }
}
