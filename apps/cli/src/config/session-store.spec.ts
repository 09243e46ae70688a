import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configDirOf } from './config-dir';
import { normalizeServer, SessionStore, type StoredSession } from './session-store';

const session = (server: string, username = 'alice'): StoredSession => ({
  server,
  username,
  role: 'user',
  access_token: 'a',
  refresh_token: 'r',
  expires_at: '2030-01-01T00:00:00.000Z',
  saved_at: '2026-01-01T00:00:00.000Z',
});

describe(SessionStore.name, () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'hivemind-store-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates the folder 0700 and the file 0600', () => {
    const dir = join(root, 'nested', 'hivemind');
    new SessionStore(dir).save(session('http://pool:8080'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'session.json')).mode & 0o777).toBe(0o600);
  });

  it('tightens an existing folder that others could read', () => {
    const dir = join(root, 'loose');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    new SessionStore(dir).save(session('http://pool:8080'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('keeps one session per server and remembers the latest as current', () => {
    const store = new SessionStore(root);
    expect(store.current()).toBeUndefined();
    store.save(session('http://a:8080', 'alice'));
    store.save(session('http://b:8080', 'bob'));
    expect(store.current()).toBe('http://b:8080');
    expect(store.get('http://a:8080/')?.username).toBe('alice');
    expect(store.delete('http://b:8080')).toBe(true);
    expect(store.current()).toBeUndefined();
    expect(store.get('http://b:8080')).toBeUndefined();
    expect(store.delete('http://b:8080')).toBe(false);
    expect(JSON.parse(readFileSync(store.file, 'utf8')).sessions['http://a:8080'].username).toBe('alice');
  });

  it('a damaged file is one clear error', () => {
    writeFileSync(join(root, 'session.json'), '{nope');
    expect(() => new SessionStore(root).get('http://a')).toThrow(
      /damaged: delete it and run `hivemind login`/,
    );
  });

  it.each([
    ['http://Pool:8080/', 'http://pool:8080'],
    ['https://pool.example/base/', 'https://pool.example/base'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
  ])('normalizes %s', (raw, normal) => {
    expect(normalizeServer(raw)).toBe(normal);
  });
});

describe(configDirOf.name, () => {
  it.each([
    [{ HIVEMIND_CONFIG_DIR: '/x', XDG_CONFIG_HOME: '/y', HOME: '/h' }, '/x'],
    [{ XDG_CONFIG_HOME: '/y', HOME: '/h' }, '/y/hivemind'],
    [{ HOME: '/h' }, '/h/.config/hivemind'],
  ])('%j → %s', (env, dir) => {
    expect(configDirOf(env)).toBe(dir);
  });
});
