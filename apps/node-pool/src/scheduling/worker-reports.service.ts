import { Injectable, Logger } from '@nestjs/common';
import { type Readable } from 'node:stream';
import { AttemptPurpose, AttemptState, LogStream } from '@hivemind/contracts';
import { NodePoolConfig } from '../config/node-pool.config';
import { DomainError } from '../common/domain-error';
import { seedAnswer } from '../common/seed-answer';
import { BlobStore } from '../storage/blob-store';
import { FilesRepository } from '../storage/files.repository';
import { StorageService } from '../storage/storage.service';
import { TelemetryService } from '../telemetry/telemetry.service';
import { AttemptLogsRepository } from './attempt-logs.repository';
import { type AttemptOutcome } from './attempt-outcome';
import { AttemptsRepository, type FencedAttempt } from './attempts.repository';
import { DispatchService } from './dispatch.service';
import { LifecycleService } from './lifecycle.service';
import { ShardsRepository } from './shards.repository';
import { type ResultCheck } from './settlement';
import { MAX_GROUPS_BYTES } from './validator-groups';
import { TaskSecrets } from './task-secrets';

/** The largest log batch one report may carry. */
export const MAX_LOG_BATCH_BYTES = 1024 * 1024;

export interface Fenced {
  nodeId: string;
  attemptId: string;
  fencingToken: string;
}

/**
 * How a report names its attempt: by id and fencing token, or — the seed's rpcs carry neither —
 * by its task alone.
 */
export interface AttemptNaming {
  task_id: string;
  attempt_id?: string;
  fencing_token?: string;
}

/** What a fenced-off report is answered: refused, and told to stop the attempt. */
export class FencedOff extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * A worker report's answer in the seed's style: refusals `success: false` with the reason, and a
 * fenced-off attempt also `stop: true`.
 */
export function reportAnswer<T extends { success?: boolean; message?: string; stop?: boolean }>(
  logger: Logger,
  work: () => Promise<T>,
): Promise<T> {
  return seedAnswer(logger, async () => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof FencedOff)
        return { success: false, message: `refused: ${error.reason}`, stop: true } as T;
      throw error;
    }
  });
}

/**
 * What workers report about their attempts — logs, running status, outputs, completion — checked
 * against the attempt's fencing token first: a report for an attempt that was declared LOST,
 * cancelled or reassigned is refused, and its node is told (again) to stop it.
 */
@Injectable()
export class WorkerReportsService {
  private readonly logger = new Logger(WorkerReportsService.name);

  constructor(
    private readonly attempts: AttemptsRepository,
    private readonly logChunks: AttemptLogsRepository,
    private readonly shards: ShardsRepository,
    private readonly files: FilesRepository,
    private readonly config: NodePoolConfig,
    private readonly lifecycle: LifecycleService,
    private readonly dispatch: DispatchService,
    private readonly blobs: BlobStore,
    private readonly telemetry: TelemetryService,
    private readonly storage: StorageService,
    private readonly secrets: TaskSecrets,
  ) {}

  /** The attempt, or FencedOff (after telling the node to stop it). */
  async check(ref: Fenced): Promise<FencedAttempt> {
    if (!ref.attemptId) throw new DomainError('invalid', 'attempt_id is required');
    const result = await this.lifecycle.fence(ref.nodeId, ref.attemptId, String(ref.fencingToken || '0'));
    if ('refused' in result) {
      await this.dispatch.sendStop(ref.nodeId, {
        attemptId: ref.attemptId,
        taskId: '',
        fencingToken: String(ref.fencingToken || '0'),
        reason: result.refused,
      });
      throw new FencedOff(result.refused);
    }
    return result.attempt;
  }

  /**
   * Stores a numbered log batch once (a resent batch is ignored); answers the last stored number.
   * Without a number (the seed's rpcs carry none: `seq` empty or 0) the batch is numbered next.
   */
  async logs(
    ref: Fenced,
    batch: { seq?: string; stream: string; data: string },
  ): Promise<{ ackedSeq: string }> {
    const numbered = batch.seq !== undefined && batch.seq !== '' && batch.seq !== '0';
    const given = numbered ? Number(batch.seq) : undefined;
    if (given !== undefined && (!Number.isSafeInteger(given) || given < 1))
      throw new DomainError('invalid', 'seq must be a whole number ≥ 1');
    const stream = (batch.stream || LogStream.Stdout) as LogStream;
    if (!Object.values(LogStream).includes(stream)) {
      throw new DomainError('invalid', `stream must be one of ${Object.values(LogStream).join(', ')}`);
    }
    if (Buffer.byteLength(batch.data) > MAX_LOG_BATCH_BYTES) {
      throw new DomainError(
        'invalid',
        `a log batch may carry at most ${MAX_LOG_BATCH_BYTES} bytes; send smaller batches`,
      );
    }
    const a = await this.check(ref);
    await this.lifecycle.markRunning(a);
    const seq = given ?? (await this.logChunks.nextSeq(a.id));
    // PostgreSQL text cannot hold NUL; the task's secret values are never stored or published (a
    // value split across two batches escapes this: the worker masks its spool too)
    const mask = await this.secrets.maskerFor(a.task_id);
    const data = mask(batch.data.replaceAll('\u0000', '\uFFFD'));
    const chunk = await this.logChunks.append({ attemptId: a.id, taskId: a.task_id, seq, stream, data });
    const acked = await this.logChunks.acknowledge(a.id, seq);
    if (chunk) {
      this.telemetry.publish({
        type: 'log',
        taskId: a.task_id,
        userId: a.user_id,
        id: Number(chunk.id), // bigserial: a safe integer for 2^53 chunks
        shardIndex: a.shard_index,
        attemptId: a.id,
        seq: String(seq),
        stream,
        data,
        at: chunk.created_at.toISOString(),
      });
    }
    return { ackedSeq: acked ?? String(seq) };
  }

  /** A running attempt's status: marks it RUNNING and answers the CPT its node has earned so far. */
  async running(ref: Fenced): Promise<{ cptReward: number }> {
    const a = await this.check(ref);
    await this.lifecycle.markRunning(a);
    const fresh = await this.check(ref);
    return { cptReward: await this.lifecycle.accruedReward(fresh) };
  }

  /** The attempt's end, with exit code and usage. */
  async completed(ref: Fenced, outcome: AttemptOutcome): Promise<{ recorded: boolean; message: string }> {
    const a = await this.check(ref);
    if (outcome.state === AttemptState.Completed && outcome.outputSha256) {
      if (!(await this.files.hasOutput(a.id, outcome.outputSha256))) {
        throw new DomainError(
          'invalid',
          `output ${outcome.outputSha256} was not uploaded for attempt ${a.id}: upload it first`,
        );
      }
    }
    return this.lifecycle.complete(a, outcome, await this.resultCheck(a, outcome));
  }

  /**
   * The result's digest as the pool computes it from the attempt's own upload (exit code and every
   * output file's sha256), never as the node says; a node whose reported digest differs is not
   * believed. Null for an end that is no result (the node's own failure).
   */
  private async resultCheck(a: FencedAttempt, outcome: AttemptOutcome): Promise<ResultCheck | null> {
    const attemptId = a.id;
    const isResult =
      outcome.state === AttemptState.Completed ||
      (outcome.state === AttemptState.Failed && outcome.cause !== 'node');
    if (!isResult) return null;
    // a validating attempt's answer is its groups.json, kept while its upload is hashed
    const capture: { path: string; maxBytes: number; text?: string } | undefined =
      a.purpose === AttemptPurpose.Validate ? { path: 'groups.json', maxBytes: MAX_GROUPS_BYTES } : undefined;
    let digest: string;
    try {
      digest = await this.storage.resultDigestOf(attemptId, outcome.exitCode ?? -1, capture);
    } catch (e) {
      if (!(e instanceof DomainError) || (e.kind !== 'invalid' && e.kind !== 'too_large')) throw e;
      return { digest: '', refused: `refused: its output cannot be read as a result (${e.message})` };
    }
    const claimed = outcome.resultDigest;
    return {
      digest,
      ...(capture ? { groupsText: capture.text ?? null } : {}),
      refused:
        claimed && claimed !== digest
          ? `refused: the node reported result digest ${claimed}, its upload gives ${digest}`
          : null,
    };
  }

  /** The attempt's input (the task's zip, or for the aggregate step every shard's output). */
  async input(ref: Fenced, offset: number): Promise<{ sha256: string; size: number; stream: Readable }> {
    const a = await this.check(ref);
    const row = await this.shards.inputOf(a.shard_id, a.purpose);
    if (!row?.sha256) throw new DomainError('not_found', `attempt ${a.id} has no input`);
    const size = Number(row.size_bytes);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > size) {
      throw new DomainError('invalid', `offset must be between 0 and ${size}`);
    }
    return { sha256: row.sha256, size, stream: this.blobs.open(row.sha256, offset) };
  }

  /** Stores an attempt's output (streamed, sha256-checked) and links it to the attempt. */
  async output(
    ref: Fenced,
    header: { name: string; size: number; sha256: string },
    body: Readable,
  ): Promise<{ fileId: string }> {
    const a = await this.check(ref);
    if (header.size > this.config.storage.maxFileSize) {
      throw new DomainError(
        'invalid',
        `the output is ${header.size} bytes; the pool accepts at most ${this.config.storage.maxFileSize} (MAX_FILE_SIZE)`,
      );
    }
    const stored = await this.blobs.put(body, {
      maxBytes: this.config.storage.maxFileSize,
      expectedSha256: header.sha256 || undefined,
      expectedSize: header.size || undefined,
    });
    const file = await this.files.insert({
      ownerId: a.user_id,
      taskId: a.task_id,
      shardId: a.shard_id,
      attemptId: a.id,
      kind: 'output',
      name: (header.name || 'output.zip').slice(0, 1024),
      sha256: stored.sha256,
      sizeBytes: stored.size,
      contentType: 'application/zip',
    });
    await this.attempts.setOutputSha256(a.id, stored.sha256);
    this.logger.debug(`attempt ${a.id}: output ${stored.sha256} (${stored.size} bytes)`);
    return { fileId: file.id };
  }

  /** The attempt a report is about: the one it names, or the node's live attempt of its task. */
  attemptNamed(nodeId: string, req: AttemptNaming): Promise<Fenced> {
    if (req.attempt_id) {
      return Promise.resolve({ nodeId, attemptId: req.attempt_id, fencingToken: req.fencing_token ?? '0' });
    }
    return this.liveAttemptOf(nodeId, req.task_id);
  }

  /**
   * The live attempt a node runs for a task (the seed's rpcs name only the task, by its id or its
   * submitter's reference); a reference two tasks on this node share names neither.
   */
  async liveAttemptOf(nodeId: string, taskRef: string): Promise<Fenced> {
    const rows = await this.attempts.liveOf(nodeId, taskRef);
    const byId = rows.filter((r) => r.task_id === taskRef);
    const named = byId.length ? byId : rows;
    if (named.length === 0) throw new FencedOff(`this node runs no attempt of task ${taskRef.slice(0, 128)}`);
    if (new Set(named.map((r) => r.task_id)).size > 1) {
      throw new DomainError(
        'invalid',
        `task_id "${taskRef.slice(0, 128)}" names more than one task this node runs: send the attempt_id`,
        { field: 'task_id' },
      );
    }
    return { nodeId, attemptId: named[0].id, fencingToken: named[0].fencing_token };
  }
}
