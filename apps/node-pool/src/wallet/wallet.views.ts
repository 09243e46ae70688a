import { ApiProperty } from '@nestjs/swagger';
import {
  type LedgerMovementView,
  type Page,
  type TransferResultView,
  type WalletView,
} from '@hivemind/contracts';
import { type HistoryRow } from '../ledger/ledger.repository';
import { type Wallet } from '../ledger/ledger.service';

export class WalletResponse implements WalletView {
  @ApiProperty({ description: 'available + held, in CPT' }) balance!: number;
  @ApiProperty({ description: 'in escrow for unfinished tasks' }) held!: number;
  @ApiProperty() available!: number;
}

export class TransferResponse implements TransferResultView {
  @ApiProperty({ format: 'uuid' }) transaction_id!: string;
  @ApiProperty({ description: 'false when an earlier transfer with the same Idempotency-Key is returned' })
  created!: boolean;
  @ApiProperty({ type: WalletResponse }) wallet!: WalletResponse;
}

export class LedgerMovementResponse implements LedgerMovementView {
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'uuid' }) transaction_id!: string;
  @ApiProperty({ example: 'transfer' }) kind!: string;
  @ApiProperty({ description: 'positive: credited; negative: debited' }) amount!: number;
  @ApiProperty() balance_after!: number;
  @ApiProperty({ type: String, nullable: true, description: 'a username, or escrow / mint / platform' })
  counterparty!: string | null;
  @ApiProperty({ type: String, nullable: true }) task_id!: string | null;
  @ApiProperty() memo!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class LedgerHistoryResponse implements Page<LedgerMovementView> {
  @ApiProperty({ type: [LedgerMovementResponse] }) items!: LedgerMovementResponse[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export const toWalletView = (wallet: Wallet): WalletView => ({ ...wallet });

export const toMovementView = (row: HistoryRow): LedgerMovementView => ({
  id: row.id,
  transaction_id: row.transaction_id,
  kind: row.kind,
  amount: Number(row.amount),
  balance_after: Number(row.balance_after),
  counterparty: row.counterparty_username ?? row.counterparty,
  task_id: row.task_id,
  memo: row.memo,
  created_at: new Date(row.created_at).toISOString(),
});
