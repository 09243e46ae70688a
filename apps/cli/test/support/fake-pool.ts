import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionStore, type StoredSession } from '../../src/config/session-store';
import { type Io } from '../../src/context';

export type Route = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A tiny node:http stand-in for the node pool (unit tests of the HTTP edge), with a config folder. */
export class FakePool {
  readonly requests: { method: string; url: string; authorization?: string; body: string }[] = [];
  readonly configDir = mkdtempSync(join(tmpdir(), 'hivemind-cli-unit-'));
  private server?: Server;
  url = '';

  constructor(private readonly routes: Record<string, Route>) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        this.requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          authorization: req.headers.authorization,
          body,
        });
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        const route = this.routes[`${req.method} ${path}`];
        if (route) return route(req, res, body);
        send(res, 404, { statusCode: 404, error: 'Not Found', message: `no route ${req.method} ${path}` });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Stores a session for this server as `hivemind login` would. */
  login(patch: Partial<StoredSession> = {}): SessionStore {
    const store = new SessionStore(this.configDir);
    store.save({
      server: this.url,
      username: 'alice',
      role: 'user',
      access_token: 'access-1',
      refresh_token: 'refresh-1',
      expires_at: new Date(Date.now() + 3600_000).toISOString(),
      saved_at: new Date().toISOString(),
      ...patch,
    });
    return store;
  }

  io(): Io & { stdout: () => string; stderr: () => string } {
    let out = '';
    let err = '';
    return {
      out: (t) => (out += t),
      err: (t) => (err += t),
      env: { HIVEMIND_CONFIG_DIR: this.configDir, HIVEMIND_SERVER: this.url },
      stdout: () => out,
      stderr: () => err,
    };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    rmSync(this.configDir, { recursive: true, force: true });
  }
}

export function send(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}
