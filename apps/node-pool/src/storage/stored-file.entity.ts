import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { User } from '../accounts/user.entity';
import { bigintToNumber } from '../common/transformers';
// the work's entities reference this one (a task's input, a shard's output): it names them by
// their entity name, importing only their types, so that the modules form no cycle
import type { Attempt } from '../scheduling/attempt.entity';
import type { Shard } from '../scheduling/shard.entity';
import type { Task } from '../scheduling/task.entity';

export type FileKind = 'input' | 'output' | 'result' | 'log';

/** Metadata of a blob in STORAGE_PATH, which is addressed by its sha256. */
@Entity('files')
@Index('idx_files_owner_created', ['ownerId', 'createdAt'])
@Index('idx_files_task', ['taskId'], { where: 'task_id IS NOT NULL' })
@Index('idx_files_sha256', ['sha256'])
@Check('chk_files_kind', `kind IN ('input', 'output', 'result', 'log')`)
@Check('chk_files_sha256', `sha256 ~ '^[0-9a-f]{64}$'`)
@Check('chk_files_size', `size_bytes >= 0`)
export class StoredFile {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_files' })
  id: string;

  @Column({ type: 'uuid' })
  ownerId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_files_owner' })
  owner?: Relation<User>;

  @Column({ type: 'uuid', nullable: true })
  taskId: string | null;

  @ManyToOne('Task', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'fk_files_task' })
  task?: Relation<Task>;

  @Column({ type: 'uuid', nullable: true })
  shardId: string | null;

  @ManyToOne('Shard', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'shard_id', foreignKeyConstraintName: 'fk_files_shard' })
  shard?: Relation<Shard>;

  @Column({ type: 'uuid', nullable: true })
  attemptId: string | null;

  @ManyToOne('Attempt', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'attempt_id', foreignKeyConstraintName: 'fk_files_attempt' })
  attempt?: Relation<Attempt>;

  @Column({ type: 'varchar', length: 16 })
  kind: FileKind;

  /** The uploaded file's name, or an output's path relative to /workspace/output. */
  @Column({ type: 'varchar', length: 1024 })
  name: string;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  sizeBytes: number;

  @Column({ type: 'varchar', length: 255, nullable: true })
  contentType: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
