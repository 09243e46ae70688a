import { SessionStore } from './session-store';

const who = { username: 'alice', userId: 'u-alice', role: 'owner' as const, offline: false };

describe(SessionStore.name, () => {
  let now = 1_000_000;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  it('opens opaque 32-byte ids that find their session until SESSION_TIMEOUT hours pass', () => {
    const store = new SessionStore(0.5, 10, clock);
    const { id, session } = store.open(who);
    expect(Buffer.from(id, 'base64url')).toHaveLength(32);
    expect(session.expiresAtMs).toBe(now + 1_800_000);
    expect(store.find(id)).toMatchObject(who);
    now += 1_799_999;
    expect(store.find(id)).toBeDefined();
    now += 1;
    expect(store.find(id)).toBeUndefined();
    expect(store.size).toBe(0); // dropped when met expired
  });

  it('gives every session its own id', () => {
    const store = new SessionStore(1, 10, clock);
    const ids = new Set(Array.from({ length: 10 }, () => store.open(who).id));
    expect(ids.size).toBe(10);
  });

  it.each<[string, string | undefined]>([
    ['no cookie', undefined],
    ['an empty cookie', ''],
    ['a guessed id', 'A'.repeat(43)],
    ['an oversize cookie', 'A'.repeat(4096)],
  ])('finds nothing for %s', (_what, id) => {
    const store = new SessionStore(1, 10, clock);
    store.open(who);
    expect(store.find(id)).toBeUndefined();
  });

  it('keeps at most `max` sessions, evicting the oldest', () => {
    const store = new SessionStore(1, 3, clock);
    const [first, second] = [store.open(who).id, store.open(who).id];
    store.open(who);
    store.open(who);
    expect(store.size).toBe(3);
    expect(store.find(first)).toBeUndefined();
    expect(store.find(second)).toBeDefined();
  });

  it('drops expired sessions when a new one opens, so they never crowd out live ones', () => {
    const store = new SessionStore(0.001, 100, clock);
    for (let i = 0; i < 50; i++) store.open(who);
    now += 3_600;
    store.open(who);
    expect(store.size).toBe(1);
  });

  it('signs out: the closed id finds nothing, others are untouched', () => {
    const store = new SessionStore(1, 10, clock);
    const a = store.open(who).id;
    const b = store.open(who).id;
    store.close(a);
    store.close('not-an-id');
    expect(store.find(a)).toBeUndefined();
    expect(store.find(b)).toBeDefined();
  });
});
