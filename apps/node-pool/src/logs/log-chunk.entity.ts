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
import { LogStream } from '@hivemind/contracts';
import { bigintToNumber } from '../common/transformers';
import { Attempt } from '../scheduling/attempt.entity';
import { Task } from '../scheduling/task.entity';

/** A batch of an attempt's output lines; (attempt, seq) is unique so a resent batch is stored once. */
@Entity('log_chunks')
@Index('uq_log_chunks_attempt_seq', ['attemptId', 'seq'], { unique: true })
@Index('idx_log_chunks_task', ['taskId', 'id'])
@Check('chk_log_chunks_stream', `stream IN ('stdout', 'stderr', 'system')`)
export class LogChunk {
  @PrimaryGeneratedColumn('identity', {
    type: 'bigint',
    generatedIdentity: 'ALWAYS',
    primaryKeyConstraintName: 'pk_log_chunks',
  })
  id: string;

  @Column({ type: 'uuid' })
  attemptId: string;

  @ManyToOne(() => Attempt, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'attempt_id', foreignKeyConstraintName: 'fk_log_chunks_attempt' })
  attempt?: Relation<Attempt>;

  @Column({ type: 'uuid' })
  taskId: string;

  @ManyToOne(() => Task, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'fk_log_chunks_task' })
  task?: Relation<Task>;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  seq: number;

  @Column({ type: 'varchar', length: 8 })
  stream: LogStream;

  @Column({ type: 'text' })
  data: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
