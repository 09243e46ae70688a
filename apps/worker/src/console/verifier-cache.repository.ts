import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ConsoleAccount } from './console-session';

/** scrypt's cost: 2^15 × 8 × 1 takes ~32 MiB and ~100 ms here, once per sign-in. */
const SCRYPT = { N: 32_768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_BYTES = 32;
/** Accounts remembered; the one whose verifier is oldest goes first. */
export const MAX_VERIFIERS = 32;

interface Verifier {
  id: string;
  role: string;
  salt: string;
  hash: string;
  savedAt: string;
}

interface VerifierFile {
  version: 1;
  users: Record<string, Verifier>;
}

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_BYTES, SCRYPT, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/**
 * What lets someone who signed in to this worker's console while the pool answered sign in again
 * while it does not: per account, an scrypt hash of the password with a random salt, the account's
 * id and its role then. Kept in `WORK_DIR/console/verifiers.json`, mode 0600 in a 0700 folder,
 * written whole (a temporary file renamed over it). Never the password itself.
 */
export class VerifierCache {
  private readonly file: string;
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {
    this.file = join(dir, 'verifiers.json');
  }

  /** Remembers the account after a successful online sign-in (replacing an older verifier). */
  async remember(account: ConsoleAccount, password: string, now = new Date()): Promise<void> {
    const salt = randomBytes(16);
    const hash = await derive(password, salt);
    const key = account.username;
    const write = this.writes.then(async () => {
      const verifier: Verifier = {
        id: account.id,
        role: account.role,
        salt: salt.toString('base64'),
        hash: hash.toString('base64'),
        savedAt: now.toISOString(),
      };
      // entries, not assignment: a username such as "__proto__" stays an ordinary key
      const kept = [
        ...Object.entries((await this.read()).users).filter(([name]) => name !== key),
        [key, verifier] as const,
      ]
        .sort(([, a], [, b]) => b.savedAt.localeCompare(a.savedAt))
        .slice(0, MAX_VERIFIERS);
      await this.write({ version: 1, users: Object.fromEntries(kept) });
    });
    this.writes = write.catch(() => undefined);
    await write;
  }

  /**
   * The account when `password` matches its cached verifier; 'unknown' when this worker has no
   * verifier for that username; 'wrong' when it has one and the password does not match.
   */
  async check(username: string, password: string): Promise<ConsoleAccount | 'unknown' | 'wrong'> {
    const users = (await this.read()).users;
    const verifier = Object.hasOwn(users, username) ? users[username] : undefined;
    if (!verifier) return 'unknown';
    const expected = Buffer.from(verifier.hash, 'base64');
    const actual = await derive(password, Buffer.from(verifier.salt, 'base64'));
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return 'wrong';
    return { id: verifier.id, username, role: verifier.role };
  }

  private async read(): Promise<VerifierFile> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as Partial<VerifierFile>;
      if (parsed.version === 1 && parsed.users && typeof parsed.users === 'object')
        return { version: 1, users: { ...parsed.users } };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
    }
    // missing or unreadable: nobody can sign in offline until someone signs in online again
    return { version: 1, users: {} };
  }

  private async write(content: VerifierFile): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(content), { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, this.file);
  }
}
