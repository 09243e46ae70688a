import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What the pool last told this node about itself, kept so the console can show it offline. */
export interface NodeIdentity {
  node_id: string;
  node_uuid: string;
  owner: { id: string; username: string } | null;
  trust_score: number | null;
  trust_group: string | null;
  cpt_earned: number | null;
  pool_address: string;
  last_heartbeat: string | null;
  /** When this was last written. */
  cached_at: string | null;
}

/**
 * A heartbeat alone rewrites the file at most this often (the identity itself changes rarely); a
 * clean shutdown writes the last one. After a crash the file's last heartbeat may be this much older.
 */
const HEARTBEAT_WRITE_MS = 60_000;

/**
 * The node's identity as the pool last answered it (registration and heartbeats): its uuid, owner,
 * trust, CPT earned, the pool's address and the last heartbeat. Read at start from
 * `WORK_DIR/console/node.json` (0600 in a 0700 folder) and written when it changes, so that the
 * worker console's /api/node answers while the pool is unreachable or before it first answers.
 */
export class NodeIdentityRepository {
  private readonly file: string;
  private current: NodeIdentity;
  private writtenAtMs = 0;
  /** Something (a heartbeat's time) changed since the last write. */
  private dirty = false;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    nodeId: string,
    poolAddress: string,
  ) {
    this.file = join(dir, 'node.json');
    this.current = {
      node_id: nodeId,
      node_uuid: '',
      owner: null,
      trust_score: null,
      trust_group: null,
      cpt_earned: null,
      pool_address: poolAddress,
      last_heartbeat: null,
      cached_at: null,
    };
  }

  get identity(): NodeIdentity {
    return this.current;
  }

  /** Loads what an earlier run kept (when it was this node's: same NODE_ID). */
  async load(): Promise<void> {
    try {
      const saved = JSON.parse(await readFile(this.file, 'utf8')) as Partial<NodeIdentity>;
      if (saved.node_id !== this.current.node_id) return;
      this.current = {
        ...this.current,
        ...saved,
        pool_address: saved.pool_address || this.current.pool_address,
      };
    } catch (error) {
      // missing or damaged: it is written again at the next registration
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
    }
  }

  /** Merges what the pool said; written at once unless only the heartbeat's time changed lately. */
  async update(
    change: Partial<Omit<NodeIdentity, 'node_id' | 'cached_at'>>,
    now = new Date(),
    force = false,
  ): Promise<void> {
    const before = this.current;
    const next = { ...before, ...change };
    const meaningful = (Object.keys(change) as (keyof NodeIdentity)[]).some(
      (k) => k !== 'last_heartbeat' && JSON.stringify(before[k]) !== JSON.stringify(next[k]),
    );
    this.current = next;
    if (!force && !meaningful && now.getTime() - this.writtenAtMs < HEARTBEAT_WRITE_MS) {
      this.dirty = true;
      return;
    }
    this.dirty = false;
    this.writtenAtMs = now.getTime();
    this.current = { ...this.current, cached_at: now.toISOString() };
    const snapshot = this.current;
    const write = this.writes.then(() => this.write(snapshot));
    this.writes = write.catch(() => undefined);
    await write;
  }

  /** Writes what is not on disk yet (at shutdown: the last heartbeat's time). */
  async flush(now = new Date()): Promise<void> {
    if (this.dirty) await this.update({}, now, true);
  }

  private async write(identity: NodeIdentity): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(identity), { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, this.file);
  }
}
