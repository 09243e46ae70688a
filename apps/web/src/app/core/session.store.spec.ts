import { type SessionView, UserRole } from '@hivemind/contracts';
import { SessionStore } from './session.store';

class MemoryStorage {
  private readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

const session = (expiresInMs: number, role = UserRole.User): SessionView => ({
  access_token: 'token-1',
  token_type: 'Bearer',
  expires_at: new Date(Date.now() + expiresInMs).toISOString(),
  refresh_token: 'refresh-1',
  user: {
    id: 'u1',
    username: 'alice',
    role,
    trust_score: 50,
    disabled: false,
    created_at: '2026-01-01T00:00:00Z',
  },
});

describe(SessionStore.name, () => {
  beforeEach(() => {
    (globalThis as { localStorage?: unknown }).localStorage = new MemoryStorage();
  });
  afterEach(() => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  it('keeps a session across instances (a reload) until it ends', () => {
    new SessionStore().start(session(60_000));
    const reloaded = new SessionStore();
    expect(reloaded.signedIn()).toBe(true);
    expect(reloaded.token()).toBe('token-1');
    expect(reloaded.user()?.username).toBe('alice');
    reloaded.end();
    expect(new SessionStore().signedIn()).toBe(false);
  });

  it('treats an expired token as signed out', () => {
    const store = new SessionStore();
    store.start(session(1000));
    expect(store.signedIn()).toBe(true);
    expect(store.signedIn(Date.now() + 2000)).toBe(false);
    expect(store.token(Date.now() + 2000)).toBeNull();
  });

  it('knows an admin', () => {
    const store = new SessionStore();
    store.start(session(60_000, UserRole.Admin));
    expect(store.isAdmin()).toBe(true);
  });

  it('survives garbage in storage', () => {
    localStorage.setItem('hivemind.session', '{not json');
    expect(new SessionStore().signedIn()).toBe(false);
  });
});
