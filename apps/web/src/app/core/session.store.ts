import { Injectable, computed, signal } from '@angular/core';
import { type SessionView, type UserView, UserRole } from '@hivemind/contracts';

const STORAGE_KEY = 'hivemind.session';

interface StoredSession {
  token: string;
  expiresAt: string;
  user: UserView;
}

function read(storage: Storage | undefined): StoredSession | null {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as StoredSession) : null;
  } catch {
    return null;
  }
}

/**
 * The signed-in user and their access token, kept in localStorage so a reload keeps the session.
 * An expired token counts as signed out.
 */
@Injectable({ providedIn: 'root' })
export class SessionStore {
  private readonly storage = typeof localStorage === 'undefined' ? undefined : localStorage;
  private readonly state = signal<StoredSession | null>(read(this.storage));

  readonly user = computed(() => this.state()?.user ?? null);
  readonly isAdmin = computed(() => this.state()?.user.role === UserRole.Admin);

  /** The access token while it is valid, else null. */
  token(now = Date.now()): string | null {
    const session = this.state();
    return session && Date.parse(session.expiresAt) > now ? session.token : null;
  }

  signedIn(now = Date.now()): boolean {
    return this.token(now) !== null;
  }

  start(session: SessionView): void {
    const stored: StoredSession = {
      token: session.access_token,
      expiresAt: session.expires_at,
      user: session.user,
    };
    this.storage?.setItem(STORAGE_KEY, JSON.stringify(stored));
    this.state.set(stored);
  }

  end(): void {
    this.storage?.removeItem(STORAGE_KEY);
    this.state.set(null);
    // the HttpOnly cookie that opens Bull Board for an admin (set by the pool, pages/admin/queue-card.ts)
    // goes too: only the pool can clear it
    if (typeof document !== 'undefined' && typeof fetch === 'function')
      void fetch('/api/auth/board-session', { method: 'DELETE' }).catch(() => undefined);
  }
}
