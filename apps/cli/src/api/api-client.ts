import { type SessionView } from '@hivemind/contracts';
import {
  normalizeServer,
  type SessionStore,
  type StoredSession,
  toStoredSession,
} from '../config/session-store';
import { CliError } from '../exit-codes';
import { certificateError, untrustedPool } from './tls-trust';
import { interrupted, isAbort, notLoggedIn, refusal, sessionExpired, unreachable } from './errors';

type Query = Record<string, string | number | boolean | undefined>;

/** A request body that can be made again (a retry after a token refresh sends it anew). */
export interface StreamedBody {
  body: BodyInit | AsyncIterable<Uint8Array>;
  headers: Record<string, string>;
}

export interface RequestOptions {
  query?: Query;
  /** Sent as JSON. */
  json?: unknown;
  /** A body made on demand (streams cannot be sent twice). */
  stream?: () => StreamedBody;
  headers?: Record<string, string>;
  /** Send the stored access token (default); false for login, register, health. */
  auth?: boolean;
  signal?: AbortSignal;
}

/** Refresh the access token this long before it expires rather than wait for the 401. */
const REFRESH_MARGIN_MS = 10_000;

/**
 * The node pool's REST API as the CLI uses it: the stored access token on every request; an
 * expired one refreshed once (with the refresh token) and the request sent again; refusals as a
 * `CliError` carrying the pool's message; an unreachable pool as one clear line.
 */
export class ApiClient {
  readonly server: string;
  private refreshing?: Promise<StoredSession>;

  constructor(
    server: string,
    private readonly store: SessionStore,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly signal?: AbortSignal,
    /** The CA certificates the server is verified against (for the WebSocket too); undefined: the defaults. */
    readonly ca?: string,
  ) {
    this.server = normalizeServer(server);
  }

  /** The stored session for this server; `not logged in` when there is none. */
  session(): StoredSession {
    const session = this.store.get(this.server);
    if (!session) throw notLoggedIn();
    return session;
  }

  /** A session whose access token is not about to expire (refreshed if needed). */
  async freshSession(): Promise<StoredSession> {
    const session = this.session();
    if (Date.parse(session.expires_at) - Date.now() > REFRESH_MARGIN_MS) return session;
    return this.refresh(session);
  }

  /** One request; the parsed JSON answer (undefined for 204). */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** One request; the Response (ok) for the caller to stream. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const auth = options.auth ?? true;
    let session = auth ? await this.freshSession() : undefined;
    let response = await this.fetchOnce(method, path, options, session);
    if (response.status === 401 && session) {
      await response.body?.cancel();
      session = await this.refresh(session);
      response = await this.fetchOnce(method, path, options, session);
      if (response.status === 401) {
        await response.body?.cancel();
        throw sessionExpired();
      }
    }
    if (!response.ok) throw refusal(response.status, response.statusText, await response.text());
    return response;
  }

  url(path: string, query: Query = {}): URL {
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  private async fetchOnce(
    method: string,
    path: string,
    options: RequestOptions,
    session: StoredSession | undefined,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (session) headers.authorization = `Bearer ${session.access_token}`;
    let body: BodyInit | AsyncIterable<Uint8Array> | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.stream) {
      const made = options.stream();
      Object.assign(headers, made.headers);
      body = made.body;
    }
    const signals = [options.signal, this.signal].filter((s): s is AbortSignal => !!s);
    try {
      return await this.fetchImpl(this.url(path, options.query), {
        method,
        headers,
        body,
        signal: signals.length ? AbortSignal.any(signals) : undefined,
        ...(options.stream ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (error) {
      if (isAbort(error)) throw interrupted();
      // an error the body stream raised (a file that vanished mid-upload) is the user's to see
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof CliError) throw cause;
      const certificate = certificateError(error);
      if (certificate) throw await untrustedPool(this.server, certificate);
      throw unreachable(this.server, error);
    }
  }

  private refresh(session: StoredSession): Promise<StoredSession> {
    this.refreshing ??= (async () => {
      let response: Response;
      try {
        response = await this.fetchOnce(
          'POST',
          '/api/auth/refresh',
          { json: { refresh_token: session.refresh_token } },
          undefined,
        );
      } finally {
        this.refreshing = undefined;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw sessionExpired();
      }
      const next = toStoredSession(this.server, (await response.json()) as SessionView);
      this.store.save(next);
      return next;
    })();
    return this.refreshing;
  }
}
