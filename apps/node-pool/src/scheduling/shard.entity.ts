import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { ShardState } from '@hivemind/contracts';
import { StoredFile } from '../storage/stored-file.entity';
import { Task } from './task.entity';

/** One piece of a task (HIVEMIND_SHARD_INDEX / _COUNT / _PARAMS), run by one or more attempts. */
@Entity('shards')
@Index('uq_shards_task_index', ['taskId', 'shardIndex'], { unique: true })
@Index('idx_shards_queue', ['priority', 'queuedAt', 'id'], { where: `state = 'QUEUED'` })
@Check(
  'chk_shards_state',
  `state IN ('QUEUED', 'ASSIGNED', 'RUNNING', 'VALIDATING', 'COMPLETED', 'FAILED', 'CANCELLED')`,
)
export class Shard {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_shards' })
  id: string;

  @Column({ type: 'uuid' })
  taskId: string;

  @ManyToOne(() => Task, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'fk_shards_task' })
  task?: Relation<Task>;

  @Column({ type: 'integer' })
  shardIndex: number;

  /** The final step over all shard outputs. */
  @Column({ type: 'boolean', default: false })
  isAggregate: boolean;

  @Column({ type: 'varchar', length: 16, default: ShardState.Queued })
  state: ShardState;

  @Column({ type: 'jsonb', default: {} })
  params: Record<string, unknown>;

  /** The task's priority, copied so the queue index needs no join. */
  @Column({ type: 'smallint', default: 0 })
  priority: number;

  /** FIFO order within a priority; reset when the shard is queued again. */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  queuedAt: Date;

  @Column({ type: 'smallint', default: 0 })
  attemptsCount: number;

  /**
   * Matching results of different owners the shard needs: 1 accepts a result alone; 0 (adaptive
   * validation) is decided when its first replica is placed, by that node's earned trust.
   */
  @Column({ type: 'smallint', default: 1 })
  quorum: number;

  /** Results the shard waits for now: its quorum, plus one per disagreement, up to max_replicas. */
  @Column({ type: 'smallint', default: 1 })
  replicasWanted: number;

  /** The attempt whose result the shard's output, downloads and the aggregate step use. */
  @Column({ type: 'uuid', nullable: true })
  canonicalAttemptId: string | null;

  /** Why a queued shard waits (no online node meets X; trust excludes the nodes that fit). */
  @Column({ type: 'varchar', length: 255, nullable: true })
  waitReason: string | null;

  @Column({ type: 'integer', nullable: true })
  exitCode: number | null;

  @Column({ type: 'uuid', nullable: true })
  outputFileId: string | null;

  @ManyToOne(() => StoredFile, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'output_file_id', foreignKeyConstraintName: 'fk_shards_output_file' })
  outputFile?: Relation<StoredFile>;

  /** The candidate results the validator's attempts compare; set when the results disagreed. */
  @Column({ type: 'uuid', nullable: true })
  validatorInputFileId: string | null;

  @ManyToOne(() => StoredFile, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'validator_input_file_id', foreignKeyConstraintName: 'fk_shards_validator_input' })
  validatorInputFile?: Relation<StoredFile>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
