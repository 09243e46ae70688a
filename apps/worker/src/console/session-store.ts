import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type ConsoleRole, isSessionLive, sessionExpiresAt } from './console-session';

/** A signed-in person, as the worker console's cookie stands for them. */
export interface ConsoleSession {
  username: string;
  userId: string;
  role: ConsoleRole;
  /** Signed in against the cached verifier while the pool could not be reached. */
  offline: boolean;
  createdAtMs: number;
  expiresAtMs: number;
}

/** Sessions kept at once; a new one beyond this evicts the oldest (its cookie stops working). */
export const MAX_SESSIONS = 1_000;

const digest = (id: string): Buffer => createHash('sha256').update(id).digest();

/**
 * The worker console's sessions, in memory (a restart signs everyone out): opaque ids of 32 random
 * bytes, kept only as their sha256 — the map is looked up by the hash, so the time a lookup takes
 * says nothing about a guessed id's bytes, and the hash is compared in constant time. Bounded: the
 * oldest session goes first; expired ones are dropped when met and when a new one is made.
 */
export class SessionStore {
  private readonly sessions = new Map<string, { hash: Buffer; session: ConsoleSession }>();

  constructor(
    private readonly timeoutHours: number,
    private readonly max = MAX_SESSIONS,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Opens a session; answers its id (the cookie's value) and the session. */
  open(who: Pick<ConsoleSession, 'username' | 'userId' | 'role' | 'offline'>): {
    id: string;
    session: ConsoleSession;
  } {
    const now = this.now();
    this.sweep(now);
    const id = randomBytes(32).toString('base64url');
    const hash = digest(id);
    const session: ConsoleSession = {
      ...who,
      createdAtMs: now,
      expiresAtMs: sessionExpiresAt(now, this.timeoutHours),
    };
    this.sessions.set(hash.toString('hex'), { hash, session });
    while (this.sessions.size > this.max) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    return { id, session };
  }

  /** The live session of a cookie value, or undefined (missing, unknown, malformed or expired). */
  find(id: string | undefined): ConsoleSession | undefined {
    if (!id || id.length > 128) return undefined;
    const hash = digest(id);
    const key = hash.toString('hex');
    const entry = this.sessions.get(key);
    if (!entry || !timingSafeEqual(entry.hash, hash)) return undefined;
    if (!isSessionLive(entry.session.expiresAtMs, this.now())) {
      this.sessions.delete(key);
      return undefined;
    }
    return entry.session;
  }

  /** Ends a session (sign-out); unknown ids are ignored. */
  close(id: string | undefined): void {
    if (!id || id.length > 128) return;
    this.sessions.delete(digest(id).toString('hex'));
  }

  private sweep(now: number): void {
    for (const [key, { session }] of this.sessions)
      if (!isSessionLive(session.expiresAtMs, now)) this.sessions.delete(key);
  }
}
