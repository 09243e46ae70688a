import { Logger } from '@nestjs/common';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ProcStat, groupMembers, ifMissing } from './procfs';

// The process executor's memory across restarts: one JSON record per started run, naming its
// process group and how to tell that group from a later one with the same number.

export interface RunRecord {
  attemptId: string;
  pgid: number;
  pid: number;
  /** Field 22 of /proc/<pid>/stat: tells this process from a later one with the same pid. */
  startTime: number;
  labels: Record<string, string>;
}

/** The attempt ids a record may be named after (its file name). */
export const RECORD_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

const POLL_MS = 100;
const DISCARD_TIMEOUT_MS = 5000;

const logger = new Logger('ProcessExecutor');

/** `<stateDir>/<attemptId>.json` per started run, until the run is removed. */
export class RunRecords {
  constructor(private readonly dir: string) {}

  async save(record: RunRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.file(record.attemptId);
    await writeFile(`${file}.tmp`, JSON.stringify(record));
    await rename(`${file}.tmp`, file);
  }

  async load(attemptId: string): Promise<RunRecord | undefined> {
    if (!RECORD_NAME.test(attemptId)) return undefined;
    const text = await readFile(this.file(attemptId), 'utf8').catch(ifMissing(undefined));
    return text === undefined ? undefined : this.parse(attemptId, text);
  }

  async all(): Promise<RunRecord[]> {
    const names = await readdir(this.dir).catch(ifMissing([]));
    const records = await Promise.all(
      names.filter((n) => n.endsWith('.json')).map((n) => this.load(n.slice(0, -'.json'.length))),
    );
    return records.filter((r) => r !== undefined);
  }

  async delete(attemptId: string): Promise<void> {
    await rm(this.file(attemptId), { force: true });
  }

  private parse(attemptId: string, text: string): RunRecord | undefined {
    try {
      const value: unknown = JSON.parse(text);
      if (isRunRecord(value)) return value;
    } catch {
      // reported below, like any other malformed record
    }
    logger.warn(`ignoring malformed run record ${this.file(attemptId)}`);
    return undefined;
  }

  private file(attemptId: string): string {
    return join(this.dir, `${attemptId}.json`);
  }
}

function isRunRecord(value: unknown): value is RunRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<Record<keyof RunRecord, unknown>>;
  return (
    typeof r.attemptId === 'string' &&
    Number.isInteger(r.pgid) &&
    Number.isInteger(r.pid) &&
    Number.isInteger(r.startTime) &&
    typeof r.labels === 'object' &&
    r.labels !== null
  );
}

/**
 * The record's group as far as it is still the same: its leader with the recorded start time, or,
 * the leader gone, members that started after it (the kernel keeps a group's number while any
 * member lives, so those are ours unless the whole group ended and a new one took the number).
 */
export async function liveGroup(record: RunRecord): Promise<ProcStat[]> {
  return recordedMembers(record, await groupMembers(record.pgid));
}

/** Of `members` (the living processes of group `record.pgid`), those of the recorded run. */
export function recordedMembers(record: RunRecord, members: ProcStat[]): ProcStat[] {
  const leader = members.find((m) => m.pid === record.pid);
  if (leader) return leader.startTime === record.startTime ? members : [];
  return members.filter((m) => m.startTime >= record.startTime);
}

export async function waitUntilGone(record: RunRecord): Promise<void> {
  const deadline = Date.now() + DISCARD_TIMEOUT_MS;
  while ((await liveGroup(record)).length > 0) {
    if (Date.now() >= deadline) throw new Error(`process group ${record.pgid} still runs after SIGKILL`);
    await sleep(POLL_MS);
  }
}
