import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { type AuthUser, isAdmin } from '../accounts/auth-user';
import { AccountsService } from '../accounts/accounts.service';
import { AuditService } from '../audit/audit.service';
import { MovementKind, userAccount } from '../ledger/ledger-accounts';
import { type HistoryRow } from '../ledger/ledger.repository';
import { LedgerService, type MovementResult, type Wallet } from '../ledger/ledger.service';

export interface TransferResult extends MovementResult {
  wallet: Wallet;
}

/** A user's wallet: balance, transfers to other users, history. */
@Injectable()
export class WalletService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
  ) {}

  wallet(user: AuthUser): Promise<Wallet> {
    return this.ledger.wallet(user.id);
  }

  /** The balance of `username` (the caller's own when empty; someone else's for admins only). */
  async walletOf(caller: AuthUser, username: string): Promise<Wallet> {
    if (!username || username.toLowerCase() === caller.username) return this.ledger.wallet(caller.id);
    if (!isAdmin(caller)) throw new DomainError('forbidden', 'only admins may see another user’s balance');
    const user = await this.accounts.findByUsername(username);
    if (!user) throw new DomainError('not_found', `no user named ${username}`);
    return this.ledger.wallet(user.id);
  }

  /** A transfer, audited (wallet.transfer) in its own transaction; a refused one is audited too. */
  transfer(
    sender: AuthUser,
    to: string,
    amount: number,
    options: { idempotencyKey?: string; memo?: string } = {},
  ): Promise<TransferResult> {
    const actor = { id: sender.id, username: sender.username };
    return this.audit.refusalsOf({ action: 'wallet.transfer', actor, detail: { to, amount } }, () =>
      this.transferChecked(sender, to, amount, options),
    );
  }

  private async transferChecked(
    sender: AuthUser,
    to: string,
    amount: number,
    options: { idempotencyKey?: string; memo?: string },
  ): Promise<TransferResult> {
    const receiver = await this.accounts.findByUsername(to);
    if (!receiver) throw new DomainError('not_found', `no user named ${to}`, { field: 'to' });
    if (receiver.id === sender.id) {
      throw new DomainError('invalid', 'you cannot transfer CPT to yourself', { field: 'to' });
    }
    const result = await this.ledger.move(
      {
        from: userAccount(sender.id),
        to: userAccount(receiver.id),
        amount,
        kind: MovementKind.Transfer,
        idempotency: options.idempotencyKey
          ? { account: userAccount(sender.id), key: options.idempotencyKey }
          : undefined,
        memo: options.memo ?? `transfer to ${receiver.username}`,
      },
      // a retry of an idempotency key moved nothing: one event per transfer
      (m, moved) =>
        moved.created
          ? this.audit.record(
              {
                action: 'wallet.transfer',
                actor: { id: sender.id, username: sender.username },
                target: { type: 'ledger_transaction', id: moved.transactionId },
                detail: { to: receiver.username, to_id: receiver.id, amount },
              },
              m,
            )
          : Promise.resolve(),
    );
    return { ...result, wallet: await this.ledger.wallet(sender.id) };
  }

  history(user: AuthUser, limit: number, beforeId?: string): Promise<HistoryRow[]> {
    return this.ledger.history(user.id, limit, beforeId);
  }
}
