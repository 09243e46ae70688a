import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import {
  AttemptPurpose,
  type AttemptState,
  type HeldResources,
  ResultValidation,
  type ValidationMode,
} from '@hivemind/contracts';
import { updateReturning } from '../common/transaction';
import {
  type AttemptEnd,
  type EndingAttempt,
  type ResultVerdict,
  type ShardSiblings,
  failureText,
} from './settlement';
import { type PricingColumns, pricingOf } from './task-state.repository';

/** The attempt row a report is checked against (its fencing token and where it stands). */
export interface FencedAttempt {
  id: string;
  shard_id: string;
  task_id: string;
  node_id: string;
  state: AttemptState;
  fencing_token: string;
  started_at: Date | null;
  assigned_at: Date;
  user_id: string;
  shard_index: number;
  purpose: AttemptPurpose;
}

/** A live attempt with everything its ExecuteTaskRequest carries. */
export interface DispatchRow {
  id: string;
  state: string;
  node_id: string;
  task_id: string;
  fencing_token: string;
  attempt_number: number;
  shard_index: number;
  is_aggregate: boolean;
  /** A validating attempt runs the task's validator over the shard's validator input. */
  purpose: AttemptPurpose;
  params: Record<string, unknown>;
  shard_count: number;
  image: string | null;
  command: string[] | null;
  aggregate: { image?: string; command?: string[] } | null;
  validator: { command: string[] } | null;
  env: Record<string, string>;
  /** The task's secret env, sealed (opened only into the ExecuteTaskRequest); null: none. */
  secret_env_sealed: string | null;
  timeout_s: number;
  network_allowed: boolean;
  alloc_cpu_millicores: number;
  alloc_memory_mb: number;
  alloc_storage_mb: number;
  alloc_gpu_memory_mb: number;
  req_gpu_score: number;
  input_sha256: string | null;
  input_size: string | null;
}

/** One result a shard's validator compares. */
export interface ValidatorCandidate {
  id: string;
  exit_code: number | null;
  result_digest: string | null;
  /** Null: the attempt uploaded no output (its result is its exit code alone). */
  output_sha256: string | null;
}

/** A new attempt of a shard just allocated on a node, with what it holds there. */
export interface NewAttempt extends HeldResources {
  shardId: string;
  nodeId: string;
  /** Which of the shard's live replicas it is (unique among them). */
  replica: number;
}

/** The attempts a queued shard already has that placement must know of: who ran them, what is live. */
export interface ShardReplicaRow {
  shard_id: string;
  owner_id: string;
  replica: number;
  live: boolean;
}

interface EndingAttemptRow
  extends
    Pick<
      FencedAttempt,
      | 'id'
      | 'shard_id'
      | 'task_id'
      | 'node_id'
      | 'state'
      | 'fencing_token'
      | 'started_at'
      | 'assigned_at'
      | 'shard_index'
    >,
    PricingColumns {
  task_owner_id: string;
  validation: ValidationMode;
  quorum: number;
  task_quorum: number;
  replicas_wanted: number;
  max_replicas: number;
  alloc_cpu_millicores: number;
  alloc_memory_mb: number;
  alloc_storage_mb: number;
  alloc_gpu_memory_mb: number;
  owner_id: string;
  timeout_s: number;
  max_attempts: number;
  attempts_count: number;
  is_aggregate: boolean;
  purpose: AttemptPurpose;
  has_validator: boolean;
  validator_asked: boolean;
}

/** One of the shard's other attempts, as `lockEnding` reads it (a JSON object: `cost` a number). */
interface SiblingRow {
  id: string;
  node_id: string;
  owner_id: string;
  state: string;
  validation: string | null;
  result_digest: string | null;
  cost: number | string;
  exit_code: number | null;
  error: string | null;
  oom_killed: boolean;
  failure_cause: string | null;
  purpose: AttemptPurpose;
}

const LIVE = `('ASSIGNED', 'RUNNING')`;

/**
 * The SQL of `attempts`: creating them at placement, fencing reports, locking one to settle it and
 * writing its end, and the reads of live attempts that dispatch and the reconciler act on.
 * Locking follows docs/scheduling.md: an attempt is locked only after its shard (the caller takes
 * the shard's lock through ShardsRepository first).
 */
@Injectable()
export class AttemptsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The attempt a report names, with its task's user and its shard's index (not locked). */
  async findFenced(attemptId: string): Promise<FencedAttempt | undefined> {
    const [a] = await this.db.query<FencedAttempt[]>(
      `SELECT a.id, a.shard_id, a.task_id, a.node_id, a.state, a.fencing_token, a.started_at, a.assigned_at,
         t.user_id, s.shard_index, a.purpose
       FROM attempts a JOIN tasks t ON t.id = a.task_id JOIN shards s ON s.id = a.shard_id WHERE a.id = $1`,
      [attemptId],
    );
    return a;
  }

  /** The attempt's shard: what to lock before the attempt. */
  /**
   * Locks the attempt (its shard already locked) and reads what settling it needs, with the shard's
   * other attempts (results waiting for validation, live replicas, node failures so far), in one
   * statement: it starts after the shard's lock was taken, so its snapshot has every sibling's
   * change (they too are written under that lock).
   */
  async lockEnding(m: EntityManager, attemptId: string): Promise<EndingAttempt | undefined> {
    const [a] = await m.query<(EndingAttemptRow & { siblings: SiblingRow[] })[]>(
      `SELECT a.id, a.shard_id, a.task_id, a.node_id, a.state, a.fencing_token, a.started_at, a.assigned_at,
         a.alloc_cpu_millicores, a.alloc_memory_mb, a.alloc_storage_mb, a.alloc_gpu_memory_mb,
         n.owner_id, t.user_id AS task_owner_id, t.req_cpu_millicores, t.req_memory_mb, t.req_gpu_score,
         t.req_gpu_name, t.timeout_s, t.max_attempts, t.validation, t.quorum AS task_quorum, t.max_replicas,
         s.quorum, s.replicas_wanted, s.attempts_count, s.shard_index, s.is_aggregate, a.purpose,
         t.validator IS NOT NULL AS has_validator, s.validator_input_file_id IS NOT NULL AS validator_asked,
         COALESCE((
           SELECT json_agg(json_build_object('id', b.id, 'node_id', b.node_id, 'owner_id', bn.owner_id,
               'state', b.state, 'validation', b.validation, 'result_digest', b.result_digest, 'cost', b.cost,
               'exit_code', b.exit_code, 'error', b.error, 'oom_killed', b.oom_killed,
               'failure_cause', b.failure_cause, 'purpose', b.purpose)
             ORDER BY b.finished_at NULLS LAST, b.attempt_number)
           FROM attempts b JOIN nodes bn ON bn.id = b.node_id
           WHERE b.shard_id = a.shard_id AND b.id <> a.id), '[]') AS siblings
       FROM attempts a JOIN nodes n ON n.id = a.node_id JOIN tasks t ON t.id = a.task_id
         JOIN shards s ON s.id = a.shard_id
       WHERE a.id = $1 FOR UPDATE OF a`,
      [attemptId],
    );
    return a && toEnding(a, siblingsOf(a.siblings));
  }

  /** What validation made of results: their validation, and what they cost and earn (zero when refused). */
  async recordVerdicts(m: EntityManager, verdicts: readonly ResultVerdict[]): Promise<void> {
    if (verdicts.length === 0) return;
    await m.query(
      `UPDATE attempts a SET validation = d.validation, cost = d.cost, reward = d.reward
       FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::bigint[]) AS d(id, validation, cost, reward)
       WHERE a.id = d.id`,
      [
        verdicts.map((v) => v.attemptId),
        verdicts.map((v) => v.validation),
        verdicts.map((v) => v.cost),
        verdicts.map((v) => v.reward),
      ],
    );
  }

  /** Owners and replica numbers of the attempts that queued shards already have (live, or results in). */
  replicasOf(m: EntityManager, shardIds: readonly string[]): Promise<ShardReplicaRow[]> {
    if (shardIds.length === 0) return Promise.resolve([]);
    return m.query<ShardReplicaRow[]>(
      `SELECT a.shard_id, n.owner_id, a.replica, a.state IN ${LIVE} AS live
       FROM attempts a JOIN nodes n ON n.id = a.node_id
       WHERE a.shard_id = ANY($1::uuid[]) AND (a.state IN ${LIVE} OR a.validation = 'PENDING')`,
      [shardIds],
    );
  }

  /** ASSIGNED → RUNNING (its shard locked); false when it was not ASSIGNED any more. */
  async markRunning(m: EntityManager, attemptId: string): Promise<boolean> {
    const rows = await updateReturning<{ id: string }>(
      m,
      `UPDATE attempts SET state = 'RUNNING', started_at = coalesce(started_at, now()), last_report_at = now()
       WHERE id = $1 AND state = 'ASSIGNED' RETURNING id`,
      [attemptId],
    );
    return rows.length > 0;
  }

  /** Writes a locked attempt's end. */
  async recordEnd(m: EntityManager, attemptId: string, end: AttemptEnd): Promise<void> {
    await m.query(
      `UPDATE attempts SET state = $2, exit_code = $3, oom_killed = $4, failure_cause = $5, error = $6,
         duration_ms = $7, cpu_seconds = $8, peak_memory_mb = $9, output_sha256 = coalesce($10, output_sha256),
         cost = $11, reward = $12, observed_ms = $13, result_digest = $14, validation = $15,
         finished_at = now(), last_report_at = now()
       WHERE id = $1`,
      [
        attemptId,
        end.state,
        end.exitCode,
        end.oomKilled,
        end.failureCause,
        end.error,
        end.durationMs,
        end.cpuSeconds,
        end.peakMemoryMb,
        end.outputSha256,
        end.cost,
        end.reward,
        end.observedMs,
        end.resultDigest,
        end.validation,
      ],
    );
  }

  /**
   * Inserts the attempts of shards just marked ASSIGNED (their `attempts_count` already counts
   * them), each with a fresh fencing token from the sequence; returns their ids.
   */
  async insertAllocated(m: EntityManager, attempts: readonly NewAttempt[]): Promise<string[]> {
    const rows = await m.query<{ id: string }[]>(
      `INSERT INTO attempts (shard_id, task_id, node_id, attempt_number, replica, fencing_token,
         alloc_cpu_millicores, alloc_memory_mb, alloc_storage_mb, alloc_gpu_memory_mb, purpose)
       SELECT s.id, s.task_id, d.node_id,
         s.attempts_count - (count(*) OVER (PARTITION BY d.shard_id))::int
           + (row_number() OVER (PARTITION BY d.shard_id ORDER BY d.replica))::int,
         d.replica, nextval('attempt_fencing_tokens'), d.cpu, d.mem, d.sto, d.gmem,
         -- once the shard's results went to the validator, its new attempts run the validator
         CASE WHEN s.validator_input_file_id IS NULL THEN 'run' ELSE 'validate' END
       FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[])
         AS d(shard_id, node_id, cpu, mem, sto, gmem, replica)
       JOIN shards s ON s.id = d.shard_id
       RETURNING id`,
      [
        attempts.map((a) => a.shardId),
        attempts.map((a) => a.nodeId),
        attempts.map((a) => a.cpuMillicores),
        attempts.map((a) => a.memoryMb),
        attempts.map((a) => a.storageMb),
        attempts.map((a) => a.gpuMemoryMb),
        attempts.map((a) => a.replica),
      ],
    );
    return rows.map((r) => r.id);
  }

  /** The results a shard's validator compares: its run results not judged yet, with their newest output. */
  validatorCandidates(shardId: string): Promise<ValidatorCandidate[]> {
    return this.db.query<ValidatorCandidate[]>(
      `SELECT a.id, a.exit_code, a.result_digest,
         (SELECT f.sha256 FROM files f WHERE f.attempt_id = a.id AND f.kind = 'output'
          ORDER BY f.created_at DESC LIMIT 1) AS output_sha256
       FROM attempts a
       WHERE a.shard_id = $1 AND a.purpose = 'run' AND a.validation = 'PENDING'
       ORDER BY a.finished_at, a.attempt_number`,
      [shardId],
    );
  }

  async setOutputSha256(attemptId: string, sha256: string): Promise<void> {
    await this.db.query(`UPDATE attempts SET output_sha256 = $2 WHERE id = $1`, [attemptId, sha256]);
  }

  /** The newest live attempt a node runs for a task (the seed's rpcs name only the task). */
  /**
   * The node's live attempts of the task `ref` names — its id, or the client reference its submitter
   * gave it (refs are unique per user only, so two users' tasks on one node may share one) — newest
   * assignment first.
   */
  liveOf(nodeId: string, ref: string): Promise<{ id: string; fencing_token: string; task_id: string }[]> {
    return this.db.query<{ id: string; fencing_token: string; task_id: string }[]>(
      `SELECT a.id, a.fencing_token, a.task_id FROM attempts a JOIN tasks t ON t.id = a.task_id
       WHERE a.node_id = $1 AND a.state IN ${LIVE} AND (a.task_id::text = $2 OR t.client_ref = $2)
       ORDER BY a.assigned_at DESC`,
      [nodeId, ref],
    );
  }

  /** Live attempts with what their ExecuteTaskRequest carries, oldest assignment first. */
  liveForDispatch(by: { attemptIds: readonly string[] } | { nodeId: string }): Promise<DispatchRow[]> {
    const [where, arg] =
      'nodeId' in by ? ['a.node_id = $1', by.nodeId] : ['a.id = ANY($1::uuid[])', by.attemptIds];
    return this.db.query<DispatchRow[]>(
      `SELECT a.id, a.state, a.node_id, a.task_id, a.fencing_token, a.attempt_number, s.shard_index, s.is_aggregate,
         a.purpose, s.params, t.shards_total - (CASE WHEN t.aggregate IS NULL THEN 0 ELSE 1 END) AS shard_count,
         t.image, t.command, t.aggregate, t.validator, t.env, t.secret_env_sealed, t.timeout_s, t.network_allowed,
         a.alloc_cpu_millicores, a.alloc_memory_mb, a.alloc_storage_mb, a.alloc_gpu_memory_mb, t.req_gpu_score,
         CASE WHEN a.purpose = 'validate' THEN vi.sha256 ELSE coalesce(si.sha256, f.sha256) END AS input_sha256,
         CASE WHEN a.purpose = 'validate' THEN vi.size_bytes ELSE coalesce(si.size_bytes, f.size_bytes) END
           AS input_size
       FROM attempts a JOIN shards s ON s.id = a.shard_id JOIN tasks t ON t.id = a.task_id
       LEFT JOIN files f ON f.id = t.input_file_id
       LEFT JOIN files si ON si.id = (s.params->>'input_file_id')::uuid
       LEFT JOIN files vi ON vi.id = s.validator_input_file_id
       WHERE ${where} AND a.state IN ${LIVE}
       ORDER BY a.assigned_at`,
      [arg],
    );
  }

  /** The ids of the live attempts on these nodes. */
  async liveIdsOnNodes(nodeIds: readonly string[]): Promise<string[]> {
    const rows = await this.db.query<{ id: string }[]>(
      `SELECT id FROM attempts WHERE node_id = ANY($1::uuid[]) AND state IN ${LIVE}`,
      [nodeIds],
    );
    return rows.map((r) => r.id);
  }

  /** The ids of a task's live attempts, in id order (its shards locked). */
  async liveIdsOfTask(m: EntityManager, taskId: string): Promise<string[]> {
    const rows = await m.query<{ id: string }[]>(
      `SELECT id FROM attempts WHERE task_id = $1 AND state IN ${LIVE} ORDER BY id`,
      [taskId],
    );
    return rows.map((r) => r.id);
  }

  /** The ids of the live attempts of offline nodes. */
  async liveIdsOnOfflineNodes(): Promise<string[]> {
    const rows = await this.db.query<{ id: string }[]>(
      `SELECT a.id FROM attempts a JOIN nodes n ON n.id = a.node_id
       WHERE a.state IN ${LIVE} AND n.status = 'offline'`,
    );
    return rows.map((r) => r.id);
  }

  /** RUNNING attempts of nodes not offline, started more than `startedAgoS` seconds ago. */
  runningOnNodesUp(startedAgoS: number): Promise<{ id: string; node_id: string; started_at: Date }[]> {
    return this.db.query(
      `SELECT a.id, a.node_id, a.started_at FROM attempts a JOIN nodes n ON n.id = a.node_id
       WHERE a.state = 'RUNNING' AND n.status <> 'offline'
         AND a.started_at < now() - make_interval(secs => $1)`,
      [startedAgoS],
    );
  }

  /** RUNNING attempts more than `graceS` seconds past their task's timeout. */
  overdue(
    graceS: number,
  ): Promise<{ id: string; node_id: string; fencing_token: string; task_id: string; timeout_s: number }[]> {
    return this.db.query(
      `SELECT a.id, a.node_id, a.fencing_token, a.task_id, t.timeout_s FROM attempts a JOIN tasks t ON t.id = a.task_id
       WHERE a.state = 'RUNNING' AND a.started_at < now() - make_interval(secs => t.timeout_s + $1)`,
      [graceS],
    );
  }

  /** The ids of attempts still ASSIGNED (not taken up) `afterS` seconds after their assignment. */
  async staleAssignedIds(afterS: number): Promise<string[]> {
    const rows = await this.db.query<{ id: string }[]>(
      `SELECT id FROM attempts WHERE state = 'ASSIGNED' AND assigned_at < now() - make_interval(secs => $1)`,
      [afterS],
    );
    return rows.map((r) => r.id);
  }
}

/** The shard's other attempts, as validation needs them. */
function siblingsOf(rows: readonly SiblingRow[]): ShardSiblings {
  const pending = (purpose: AttemptPurpose) =>
    rows
      .filter((r) => r.validation === ResultValidation.Pending && r.purpose === purpose)
      .map((r) => ({
        attemptId: r.id,
        nodeId: r.node_id,
        ownerId: r.owner_id,
        digest: r.result_digest,
        cost: Number(r.cost),
        succeeded: r.state === 'COMPLETED',
        exitCode: r.exit_code,
        error: failureText(r.oom_killed, r.error, r.exit_code),
      }));
  return {
    pending: pending(AttemptPurpose.Run),
    validating: pending(AttemptPurpose.Validate),
    live: rows
      .filter((r) => r.state === 'ASSIGNED' || r.state === 'RUNNING')
      .map((r) => ({ attemptId: r.id })),
    nodeFailures: rows.filter((r) => r.state === 'LOST' || r.failure_cause === 'node').length,
  };
}

function toEnding(a: EndingAttemptRow, siblings: ShardSiblings): EndingAttempt {
  return {
    taskOwnerId: a.task_owner_id,
    assignedAt: a.assigned_at,
    validation: a.validation,
    quorum: a.quorum,
    taskQuorum: a.task_quorum,
    replicasWanted: a.replicas_wanted,
    maxReplicas: a.max_replicas,
    siblings,
    id: a.id,
    shardId: a.shard_id,
    taskId: a.task_id,
    nodeId: a.node_id,
    nodeOwnerId: a.owner_id,
    state: a.state,
    fencingToken: a.fencing_token,
    startedAt: a.started_at,
    allocation: {
      cpuMillicores: a.alloc_cpu_millicores,
      memoryMb: a.alloc_memory_mb,
      storageMb: a.alloc_storage_mb,
      gpuMemoryMb: a.alloc_gpu_memory_mb,
    },
    pricing: pricingOf(a),
    timeoutS: a.timeout_s,
    shardIndex: a.shard_index,
    isAggregate: a.is_aggregate,
    attemptsCount: a.attempts_count,
    maxAttempts: a.max_attempts,
    purpose: a.purpose,
    hasValidator: a.has_validator,
    validatorAsked: a.validator_asked,
  };
}
