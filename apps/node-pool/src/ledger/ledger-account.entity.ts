import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { User } from '../accounts/user.entity';
import { bigintToNumber } from '../common/transformers';

/** `user:<uuid>`, `escrow`, `platform` or `mint` (the only account allowed below zero). */
@Entity('ledger_accounts')
@Index('uq_ledger_accounts_user', ['userId'], { unique: true, where: 'user_id IS NOT NULL' })
@Check('chk_ledger_accounts_balance', `balance >= 0 OR account = 'mint'`)
@Check('chk_ledger_accounts_user', `(account LIKE 'user:%') = (user_id IS NOT NULL)`)
export class LedgerAccount {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_ledger_accounts' })
  account: string;

  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_ledger_accounts_user' })
  user?: Relation<User>;

  @Column({ type: 'bigint', default: 0, transformer: bigintToNumber })
  balance: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
