import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type SessionView } from '@hivemind/contracts';
import { CliError } from '../exit-codes';
import { ensurePrivateDir } from './config-dir';
import { writePrivateFile } from './private-file';

/** What the CLI keeps of a login, for one node pool. */
export interface StoredSession {
  server: string;
  username: string;
  role: string;
  access_token: string;
  refresh_token: string;
  /** ISO 8601: when the access token expires. */
  expires_at: string;
  saved_at: string;
}

interface SessionFile {
  /** The node pool of the latest login: the default --server. */
  current?: string;
  sessions: Record<string, StoredSession>;
}

/** `http://Host:8080/` → `http://host:8080`: one key per node pool. */
export function normalizeServer(server: string): string {
  try {
    const url = new URL(server);
    return url.origin + url.pathname.replace(/\/+$/, '');
  } catch {
    return server.replace(/\/+$/, '');
  }
}

export function toStoredSession(server: string, session: SessionView): StoredSession {
  return {
    server: normalizeServer(server),
    username: session.user.username,
    role: session.user.role,
    access_token: session.access_token,
    refresh_token: session.refresh_token,
    expires_at: session.expires_at,
    saved_at: new Date().toISOString(),
  };
}

/**
 * The tokens of each node pool the user logged in to, in `<config dir>/session.json`: the folder
 * 0700, the file 0600, replaced atomically (a crash never leaves half a file).
 */
export class SessionStore {
  readonly file: string;

  constructor(readonly dir: string) {
    this.file = join(dir, 'session.json');
  }

  /** The node pool of the latest login, if any. */
  current(): string | undefined {
    return this.read().current;
  }

  get(server: string): StoredSession | undefined {
    return this.read().sessions[normalizeServer(server)];
  }

  save(session: StoredSession): void {
    const data = this.read();
    data.sessions[session.server] = session;
    data.current = session.server;
    this.write(data);
  }

  /** Forgets the tokens of `server`; true when there were some. */
  delete(server: string): boolean {
    const data = this.read();
    const key = normalizeServer(server);
    if (!data.sessions[key]) return false;
    delete data.sessions[key];
    if (data.current === key) delete data.current;
    this.write(data);
    return true;
  }

  private read(): SessionFile {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { sessions: {} };
      throw new CliError(`cannot read ${this.file}: ${(error as Error).message}`);
    }
    try {
      const data = JSON.parse(text) as Partial<SessionFile>;
      return { current: data.current, sessions: data.sessions ?? {} };
    } catch {
      throw new CliError(`${this.file} is damaged: delete it and run \`hivemind login\``);
    }
  }

  private write(data: SessionFile): void {
    ensurePrivateDir(this.dir);
    writePrivateFile(this.file, JSON.stringify(data, null, 2) + '\n');
  }
}
