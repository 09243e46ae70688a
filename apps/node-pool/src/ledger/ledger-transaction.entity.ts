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
import { Task } from '../scheduling/task.entity';

/** One money movement; its entries (at least two) sum to zero. */
@Entity('ledger_transactions')
@Index('uq_ledger_transactions_idempotency', ['idempotencyAccount', 'idempotencyKey'], {
  unique: true,
  where: 'idempotency_key IS NOT NULL',
})
@Index('idx_ledger_transactions_task', ['taskId'], { where: 'task_id IS NOT NULL' })
@Check('chk_ledger_transactions_idempotency', `(idempotency_key IS NULL) = (idempotency_account IS NULL)`)
export class LedgerTransaction {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_ledger_transactions' })
  id: string;

  /** signup_grant, transfer, hold, charge, reward, refund, adjustment … */
  @Column({ type: 'varchar', length: 32 })
  kind: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  idempotencyAccount: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  idempotencyKey: string | null;

  @Column({ type: 'uuid', nullable: true })
  taskId: string | null;

  @ManyToOne(() => Task, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'fk_ledger_transactions_task' })
  task?: Relation<Task>;

  @Column({ type: 'varchar', length: 255, default: '' })
  memo: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
