import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { User } from '../accounts/user.entity';
import { bigintToNumber } from '../common/transformers';
import { Task } from '../scheduling/task.entity';

/** A task's maximum cost, moved from the user to escrow at submission and settled at the end. */
@Entity('ledger_holds')
@Index('idx_ledger_holds_user_open', ['userId'], { where: 'settled_at IS NULL' })
@Check('chk_ledger_holds_amounts', `amount >= 0 AND remaining >= 0 AND remaining <= amount`)
export class LedgerHold {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_ledger_holds' })
  taskId: string;

  @ManyToOne(() => Task, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'fk_ledger_holds_task' })
  task?: Relation<Task>;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_ledger_holds_user' })
  user?: Relation<User>;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  amount: number;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  remaining: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  settledAt: Date | null;
}
