import { Injectable } from '@nestjs/common';
import { secretMasker } from '@hivemind/contracts';
import { SecretBox } from '../common/secret-box';
import { NodePoolConfig } from '../config/node-pool.config';
import { AttemptLogsRepository } from './attempt-logs.repository';

/** The HKDF purpose of the secret env's key (distinct from the VPN's, which may share the secret). */
const PURPOSE = 'hivemind-task-secret-env';

/** How long an opened secret env serves a task's log batches before it is opened again. */
const MASK_TTL_MS = 60_000;
/** Tasks whose maskers are kept at once (a busy pool's running tasks, with room). */
const MASK_CACHE_ENTRIES = 2_000;

const unchanged = (text: string) => text;

/**
 * A task's secret env: sealed at submission (values as JSON, AES-256-GCM under a key derived from
 * TASK_SECRETS_KEY), opened only to build an ExecuteTaskRequest and to mask the values in log
 * batches before they are stored. Names stay in the clear (`tasks.secret_env_keys`) so views need
 * nothing opened. The plaintext never goes through Redis and is never logged.
 */
@Injectable()
export class TaskSecrets {
  private readonly box: SecretBox;
  /** taskId → its masker and when it expires; Map order is insertion order, oldest first. */
  private readonly maskers = new Map<string, { mask: (text: string) => string; until: number }>();

  constructor(
    config: NodePoolConfig,
    private readonly logs: AttemptLogsRepository,
  ) {
    this.box = new SecretBox(config.tasks.secretEnvKey, PURPOSE);
  }

  /** What a submission stores: the sealed values (null without any) and the sorted names. */
  seal(secretEnv: Readonly<Record<string, string>>): { sealed: string | null; keys: string[] } {
    const keys = Object.keys(secretEnv).sort();
    return { sealed: keys.length ? this.box.seal(JSON.stringify(secretEnv)) : null, keys };
  }

  /** The values; throws when they were sealed under another key (TASK_SECRETS_KEY changed). */
  open(sealed: string): Record<string, string> {
    let plain: string;
    try {
      plain = this.box.open(sealed);
    } catch {
      throw new Error(
        "a task's secret env cannot be opened: it was sealed under another key (TASK_SECRETS_KEY, VPN_KEY_SECRET or JWT_SECRET changed?)",
      );
    }
    return JSON.parse(plain) as Record<string, string>;
  }

  /**
   * A function that masks the task's secret values in a log text. Opened once per task and kept for
   * a minute (a task's secrets never change), so a stream of batches costs no decryption each.
   */
  async maskerFor(taskId: string): Promise<(text: string) => string> {
    const now = Date.now();
    const cached = this.maskers.get(taskId);
    if (cached && cached.until > now) return cached.mask;
    const sealed = await this.logs.secretEnvSealed(taskId);
    const mask = sealed ? secretMasker(Object.values(this.open(sealed))) : unchanged;
    this.maskers.delete(taskId);
    this.maskers.set(taskId, { mask, until: now + MASK_TTL_MS });
    for (const [id, entry] of this.maskers) {
      if (this.maskers.size <= MASK_CACHE_ENTRIES && entry.until > now) break;
      this.maskers.delete(id);
    }
    return mask;
  }
}
