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
import { SplitKind, TaskStatus, ValidationMode } from '@hivemind/contracts';
import { User } from '../accounts/user.entity';
import { bigintToNumber } from '../common/transformers';
import { Node } from '../nodes/node.entity';
import { StoredFile } from '../storage/stored-file.entity';

/** The optional final step that runs over all shard outputs. */
export interface AggregateStep {
  image?: Relation<string>;
  command?: string[];
}

/** A task's validator: the command that groups a shard's disagreeing results (docs/validation.md). */
export interface ValidatorStep {
  command: string[];
}

/** What a user submitted. Status and progress are derived from the shards, in the same transaction. */
@Entity('tasks')
@Index('idx_tasks_user_created', ['userId', 'createdAt', 'id'])
@Index('idx_tasks_created', ['createdAt', 'id'])
@Index('idx_tasks_status_created', ['status', 'createdAt', 'id'])
@Index('uq_tasks_idempotency', ['userId', 'idempotencyKey'], {
  unique: true,
  where: 'idempotency_key IS NOT NULL',
})
@Index('uq_tasks_client_ref', ['userId', 'clientRef'], { unique: true, where: 'client_ref IS NOT NULL' })
@Check('chk_tasks_client_ref', 'client_ref IS NULL OR request_digest IS NOT NULL')
@Check('chk_tasks_status', `status IN ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED')`)
@Check('chk_tasks_split_kind', `split_kind IN ('none', 'data_processing', 'machine_learning', 'simulation')`)
@Check(
  'chk_tasks_resources',
  `req_cpu_millicores >= 0 AND req_memory_mb >= 0 AND req_storage_mb >= 0 AND req_cpu_score >= 0 AND req_gpu_score >= 0 AND req_gpu_memory_mb >= 0`,
)
@Check(
  'chk_tasks_shards',
  `shards_total >= 1 AND shards_completed >= 0 AND shards_failed >= 0 AND shards_completed + shards_failed <= shards_total`,
)
@Check('chk_tasks_cost', `max_cost >= 0 AND cost >= 0`)
@Check('chk_tasks_validation', `validation IN ('none', 'quorum', 'adaptive')`)
@Check('chk_tasks_replicas', `quorum >= 1 AND quorum <= max_replicas`)
export class Task {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_tasks' })
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_tasks_user' })
  user?: Relation<User>;

  @Column({ type: 'varchar', length: 128, default: '' })
  name: string;

  @Column({ type: 'varchar', length: 16, default: TaskStatus.Queued })
  status: TaskStatus;

  /** null: the default task runtime image. */
  @Column({ type: 'varchar', length: 512, nullable: true })
  image: string | null;

  @Column({ type: 'jsonb', nullable: true })
  command: string[] | null;

  @Column({ type: 'uuid', nullable: true })
  inputFileId: string | null;

  @ManyToOne(() => StoredFile, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'input_file_id', foreignKeyConstraintName: 'fk_tasks_input_file' })
  inputFile?: Relation<StoredFile>;

  @Column({ type: 'jsonb', default: {} })
  env: Record<string, string>;

  /** The secret env's values, sealed (common/secret-box.ts, JSON of the map); null: no secrets. */
  @Column({ type: 'text', nullable: true })
  secretEnvSealed: string | null;

  /** The secret env's names (sorted), shown with the value `********`. */
  @Column({ type: 'jsonb', default: [] })
  secretEnvKeys: string[];

  @Column({ type: 'integer', default: 1000 })
  reqCpuMillicores: number;

  @Column({ type: 'integer', default: 512 })
  reqMemoryMb: number;

  @Column({ type: 'integer', default: 1024 })
  reqStorageMb: number;

  @Column({ type: 'integer', default: 0 })
  reqCpuScore: number;

  @Column({ type: 'integer', default: 0 })
  reqGpuScore: number;

  @Column({ type: 'integer', default: 0 })
  reqGpuMemoryMb: number;

  @Column({ type: 'varchar', length: 128, nullable: true })
  reqGpuName: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  location: string | null;

  @Column({ type: 'smallint', default: 0 })
  priority: number;

  @Column({ type: 'integer', default: 3600 })
  timeoutS: number;

  @Column({ type: 'smallint', default: 3 })
  maxAttempts: number;

  /** How results are checked before they count (docs/validation.md). */
  @Column({ type: 'varchar', length: 16, default: ValidationMode.Adaptive })
  validation: ValidationMode;

  /** Matching results of different owners a replicated shard needs. */
  @Column({ type: 'smallint', default: 2 })
  quorum: number;

  /** The most replicas of one shard before its results are called inconclusive. */
  @Column({ type: 'smallint', default: 4 })
  maxReplicas: number;

  @Column({ type: 'boolean', default: false })
  networkAllowed: boolean;

  @Column({ type: 'varchar', length: 32, default: SplitKind.None })
  splitKind: SplitKind;

  @Column({ type: 'jsonb', default: {} })
  splitParams: Record<string, unknown>;

  @Column({ type: 'jsonb', nullable: true })
  aggregate: AggregateStep | null;

  @Column({ type: 'jsonb', nullable: true })
  validator: ValidatorStep | null;

  /** Direct dispatch (CloudAI `dispatch <worker>`): only this node may run it. */
  @Column({ type: 'uuid', nullable: true })
  targetNodeId: string | null;

  @ManyToOne(() => Node, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'target_node_id', foreignKeyConstraintName: 'fk_tasks_target_node' })
  targetNode?: Relation<Node>;

  @Column({ type: 'integer', default: 1 })
  shardsTotal: number;

  @Column({ type: 'integer', default: 0 })
  shardsCompleted: number;

  @Column({ type: 'integer', default: 0 })
  shardsFailed: number;

  /** Held in escrow at submission. */
  @Column({ type: 'bigint', default: 0, transformer: bigintToNumber })
  maxCost: number;

  /** Charged so far. */
  @Column({ type: 'bigint', default: 0, transformer: bigintToNumber })
  cost: number;

  @Column({ type: 'varchar', length: 128, nullable: true })
  idempotencyKey: string | null;

  /** The submitter's own name for the task (the seed's UploadTask.task_id), unique per user. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  clientRef: string | null;

  /** sha256 of the submission that took the client ref: a repeat must match it (ADR 0012). */
  @Column({ type: 'char', length: 64, nullable: true })
  requestDigest: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
