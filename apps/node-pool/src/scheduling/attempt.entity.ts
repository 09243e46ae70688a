import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { type AttemptPurpose, AttemptState, type ResultValidation } from '@hivemind/contracts';
import { bigintToNumber } from '../common/transformers';
import { Node } from '../nodes/node.entity';
import { type FailureCause } from './attempt-outcome';
import { Shard } from './shard.entity';
import { Task } from './task.entity';

/** Sequence that issues fencing tokens: `nextval('attempt_fencing_tokens')` at assignment. */
export const FENCING_TOKEN_SEQUENCE = 'attempt_fencing_tokens';

/**
 * One assignment of a shard to one node. Its allocations are the truth of resource accounting;
 * every report from the worker must carry its fencing token.
 */
@Entity('attempts')
@Index('uq_attempts_fencing_token', ['fencingToken'], { unique: true })
@Index('uq_attempts_shard_number', ['shardId', 'attemptNumber'], { unique: true })
@Index('uq_attempts_live_shard_replica', ['shardId', 'replica'], {
  unique: true,
  where: `state IN ('ASSIGNED', 'RUNNING')`,
})
@Index('idx_attempts_node_live', ['nodeId'], { where: `state IN ('ASSIGNED', 'RUNNING')` })
@Index('idx_attempts_task', ['taskId'])
@Index('idx_attempts_node', ['nodeId'])
@Check('chk_attempts_state', `state IN ('ASSIGNED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'LOST')`)
@Check(
  'chk_attempts_failure_cause',
  `failure_cause IS NULL OR failure_cause IN ('node', 'task', 'platform', 'user')`,
)
@Check('chk_attempts_money', `cost >= 0 AND reward >= 0`)
@Check('chk_attempts_purpose', `purpose IN ('run', 'validate')`)
@Check(
  'chk_attempts_validation',
  `validation IS NULL OR validation IN ('PENDING', 'ACCEPTED', 'VALID', 'INVALID', 'INCONCLUSIVE')`,
)
export class Attempt {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_attempts' })
  id: string;

  @Column({ type: 'uuid' })
  shardId: string;

  @ManyToOne(() => Shard, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'shard_id', foreignKeyConstraintName: 'fk_attempts_shard' })
  shard?: Relation<Shard>;

  @Column({ type: 'uuid' })
  taskId: string;

  @ManyToOne(() => Task, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'fk_attempts_task' })
  task?: Relation<Task>;

  @Column({ type: 'uuid' })
  nodeId: string;

  @ManyToOne(() => Node, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'node_id', foreignKeyConstraintName: 'fk_attempts_node' })
  node?: Relation<Node>;

  @Column({ type: 'smallint' })
  attemptNumber: number;

  /** The replica number among the shard's live attempts (validation runs a shard on several nodes). */
  @Column({ type: 'smallint', default: 0 })
  replica: number;

  /** Running the shard, or validating its results with the task's validator. */
  @Column({ type: 'varchar', length: 8, default: 'run' satisfies `${AttemptPurpose}` })
  purpose: AttemptPurpose;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  fencingToken: number;

  @Column({ type: 'varchar', length: 16, default: AttemptState.Assigned })
  state: AttemptState;

  @Column({ type: 'integer', default: 0 })
  allocCpuMillicores: number;

  @Column({ type: 'integer', default: 0 })
  allocMemoryMb: number;

  @Column({ type: 'integer', default: 0 })
  allocStorageMb: number;

  @Column({ type: 'integer', default: 0 })
  allocCpuScore: number;

  @Column({ type: 'integer', default: 0 })
  allocGpuScore: number;

  @Column({ type: 'integer', default: 0 })
  allocGpuMemoryMb: number;

  @Column({ type: 'integer', nullable: true })
  exitCode: number | null;

  @Column({ type: 'boolean', default: false })
  oomKilled: boolean;

  /** Who is to blame for a failure: node failures cost the node credit, task failures do not. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  failureCause: FailureCause | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'char', length: 64, nullable: true })
  outputSha256: string | null;

  /** What the node reported; billing uses `observedMs`, the pool's own clock. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintToNumber })
  durationMs: number | null;

  /** The time the pool observed between the attempt's start (or assignment) and its end. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintToNumber })
  observedMs: number | null;

  /** sha256 of the canonical result text (exit code + outputs), computed by the pool from the upload. */
  @Column({ type: 'char', length: 64, nullable: true })
  resultDigest: string | null;

  /** What validation made of this result; null for an attempt that produced none. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  validation: ResultValidation | null;

  @Column({ type: 'double precision', nullable: true })
  cpuSeconds: number | null;

  @Column({ type: 'integer', nullable: true })
  peakMemoryMb: number | null;

  @Column({ type: 'bigint', default: 0, transformer: bigintToNumber })
  cost: number;

  @Column({ type: 'bigint', default: 0, transformer: bigintToNumber })
  reward: number;

  /** The last log sequence number stored; the worker resends from here after a reconnect. */
  @Column({ type: 'bigint', default: 0, transformer: bigintToNumber })
  logSeq: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  assignedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastReportAt: Date | null;
}
