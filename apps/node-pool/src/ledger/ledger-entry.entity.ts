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
import { bigintToNumber } from '../common/transformers';
import { LedgerAccount } from './ledger-account.entity';
import { LedgerTransaction } from './ledger-transaction.entity';

/** One side of a movement: + credits the account, − debits it. */
@Entity('ledger_entries')
@Index('idx_ledger_entries_account', ['account', 'id'])
@Index('idx_ledger_entries_transaction', ['transactionId'])
@Check('chk_ledger_entries_amount', `amount <> 0`)
export class LedgerEntry {
  @PrimaryGeneratedColumn('identity', {
    type: 'bigint',
    generatedIdentity: 'ALWAYS',
    primaryKeyConstraintName: 'pk_ledger_entries',
  })
  id: string;

  @Column({ type: 'uuid' })
  transactionId: string;

  @ManyToOne(() => LedgerTransaction, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'transaction_id', foreignKeyConstraintName: 'fk_ledger_entries_transaction' })
  transaction?: Relation<LedgerTransaction>;

  @Column({ type: 'varchar', length: 64 })
  account: string;

  @ManyToOne(() => LedgerAccount, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'account', foreignKeyConstraintName: 'fk_ledger_entries_account' })
  ledgerAccount?: Relation<LedgerAccount>;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  amount: number;

  @Column({ type: 'bigint', transformer: bigintToNumber })
  balanceAfter: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
