import { Injectable, Logger } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type ComposedStatement } from '../common/composed-statement';
import { DomainError } from '../common/domain-error';
import { ESCROW, MINT, MovementKind, userAccount } from './ledger-accounts';
import {
  type AuditFigures,
  type HistoryRow,
  LedgerRepository,
  type MoveOutcome,
  type NewTransaction,
} from './ledger.repository';

export interface Movement {
  from: string;
  to: string;
  amount: number;
  kind: MovementKind;
  /** A retried movement with the same key (unique per account) is recorded once. */
  idempotency?: { account: string; key: string };
  taskId?: string | null;
  memo?: string;
}

export interface MovementResult {
  transactionId: string;
  /** False when an earlier movement with the same idempotency key is returned instead. */
  created: boolean;
}

export interface Wallet {
  /** available + held */
  balance: number;
  /** In escrow for the user's unfinished tasks. */
  held: number;
  available: number;
}

export interface AuditReport extends AuditFigures {
  ok: boolean;
  problems: string[];
}

/**
 * The CPT ledger: double entry, integer amounts, every movement two entries in one transaction,
 * balances never below zero (except the mint's), idempotent when given a key. The scheduler uses
 * hold / charge / release for a task's escrow.
 */
@Injectable()
export class LedgerService {
  private readonly logger = new Logger(LedgerService.name);

  constructor(private readonly ledger: LedgerRepository) {}

  /** Opens `user:<id>` and credits the sign-up grant, inside the caller's transaction. */
  async openUserAccount(manager: EntityManager, userId: string, grant: number): Promise<void> {
    await this.ledger.createAccount(manager, userAccount(userId), userId);
    if (grant > 0) {
      await this.moveWithin(manager, {
        from: MINT,
        to: userAccount(userId),
        amount: grant,
        kind: MovementKind.SignupGrant,
        idempotency: { account: userAccount(userId), key: 'signup-grant' },
        memo: 'sign-up grant',
      });
    }
  }

  /**
   * One movement in its own transaction; `alsoWithin` writes what must commit with it (the
   * transfer's audit event).
   */
  move(
    movement: Movement,
    alsoWithin?: (manager: EntityManager, result: MovementResult) => Promise<void>,
  ): Promise<MovementResult> {
    return this.ledger.transaction(async (manager) => {
      const result = await this.moveWithin(manager, movement);
      await alsoWithin?.(manager, result);
      return result;
    });
  }

  /** One movement inside the caller's transaction (so it commits or rolls back with other rows). */
  moveWithin(manager: EntityManager, m: Movement): Promise<MovementResult> {
    return this.moveOnce(manager, m);
  }

  /** A movement in one statement; with `hold`, the task's hold row is inserted in it first. */
  private async moveOnce(
    manager: EntityManager,
    m: Movement,
    hold?: { taskId: string; userId: string },
  ): Promise<MovementResult> {
    checkMovement(m);
    const done = await this.ledger.move(manager, transactionOf(m), m, hold);
    return this.settle(manager, m, done, hold);
  }

  /** A movement's answer from what its statement did: created, replayed, or refused (and why). */
  private async settle(
    manager: EntityManager,
    m: Movement,
    done: MoveOutcome,
    hold?: { taskId: string },
  ): Promise<MovementResult> {
    if (hold && done.holdExisted) throw new DomainError('conflict', `task ${hold.taskId} already has a hold`);
    if (done.transactionId === undefined) return this.replay(manager, m);
    if (done.posted) return { transactionId: done.transactionId, created: true };
    for (const account of [m.from, m.to]) {
      if (!done.balances.has(account))
        throw new DomainError('not_found', `ledger account ${account} does not exist`);
    }
    throw new DomainError(
      'insufficient_funds',
      `insufficient balance: ${done.balances.get(m.from)} CPT available, ${m.amount} CPT needed`,
      { field: 'amount' },
    );
  }

  /** The movement recorded under the same key, provided it is the same movement. */
  private async replay(manager: EntityManager, m: Movement): Promise<MovementResult> {
    const entries = await this.ledger.findByIdempotencyKey(
      manager,
      m.idempotency!.account,
      m.idempotency!.key,
    );
    const debit = entries.find((e) => e.amount < 0);
    const credit = entries.find((e) => e.amount > 0);
    const same =
      debit?.account === m.from &&
      credit?.account === m.to &&
      credit.amount === m.amount &&
      debit.kind === String(m.kind);
    if (!same || !debit) {
      throw new DomainError('conflict', 'this idempotency key was already used for a different request', {
        field: 'idempotency_key',
      });
    }
    return { transactionId: debit.transactionId, created: false };
  }

  async wallet(userId: string): Promise<Wallet> {
    const [available, held] = await Promise.all([
      this.ledger.balance(userAccount(userId)),
      this.ledger.heldFor(userId),
    ]);
    const free = available ?? 0;
    return { balance: free + held, held, available: free };
  }

  history(userId: string, limit: number, beforeId?: string): Promise<HistoryRow[]> {
    return this.ledger.history(userAccount(userId), limit, beforeId);
  }

  /** Moves a task's maximum cost from the user to escrow (insufficient balance → refused, nothing held). */
  async hold(
    manager: EntityManager,
    taskId: string,
    userId: string,
    amount: number,
  ): Promise<MovementResult> {
    // the hold's row, the movement's transaction row, balances and entries: one statement
    return this.moveOnce(manager, holdMovement(taskId, userId, amount), { taskId, userId });
  }

  /**
   * hold() as parts of the caller's statement (`ComposedStatement`), written only if `when` holds;
   * once the statement has run (inside the caller's transaction, which must roll back on a
   * refusal), `settled()` answers or throws as hold() would.
   */
  holdIn(
    statement: ComposedStatement,
    taskId: string,
    userId: string,
    amount: number,
    when: string,
  ): (manager: EntityManager) => Promise<MovementResult> {
    const m = holdMovement(taskId, userId, amount);
    checkMovement(m);
    const done = this.ledger.addMove(statement, transactionOf(m), m, { taskId, userId }, when);
    return (manager) => this.settle(manager, m, done(), { taskId });
  }

  /**
   * Pays `amount` of the task's hold to `payee` (an account name, e.g. the node owner's); `chargeKey`
   * (e.g. the attempt) makes a retried charge a no-op.
   */
  charge(taskId: string, amount: number, payee: string, chargeKey: string): Promise<MovementResult> {
    return this.ledger.transaction((manager) => this.chargeWithin(manager, taskId, amount, payee, chargeKey));
  }

  /** charge() inside the caller's transaction (the scheduler settles an attempt in one transaction). */
  async chargeWithin(
    manager: EntityManager,
    taskId: string,
    amount: number,
    payee: string,
    chargeKey: string,
  ): Promise<MovementResult> {
    const hold = await this.ledger.lockHold(manager, taskId);
    if (!hold) throw new DomainError('not_found', `task ${taskId} has no hold`);
    // the hold's row lock serialises charges of one task, so this check cannot race
    const key = `charge:${taskId}:${chargeKey}`;
    const earlier = await this.ledger.findByIdempotencyKey(manager, ESCROW, key);
    if (earlier.length === 0 && (hold.settledAt || amount > hold.remaining)) {
      throw new DomainError(
        'insufficient_funds',
        `task ${taskId}: charge of ${amount} CPT exceeds the ${hold.settledAt ? 0 : hold.remaining} CPT still held`,
      );
    }
    const result = await this.moveWithin(manager, {
      from: ESCROW,
      to: payee,
      amount,
      kind: MovementKind.Charge,
      taskId,
      idempotency: { account: ESCROW, key },
    });
    if (!result.created) return result; // a retried charge: already applied to the hold
    await this.ledger.updateHold(manager, taskId, hold.remaining - amount, false);
    return result;
  }

  /** Returns what is left of the task's hold to its user and closes the hold; repeatable. */
  release(taskId: string): Promise<{ refunded: number }> {
    return this.ledger.transaction((manager) => this.releaseWithin(manager, taskId));
  }

  /** release() inside the caller's transaction. */
  releaseWithin(manager: EntityManager, taskId: string): Promise<{ refunded: number }> {
    return this.releaseHold(manager, taskId, false);
  }

  /**
   * releaseWithin() for a task that may have no hold (one that cost nothing): then nothing is
   * refunded. How code outside the ledger settles a task without reading `ledger_holds` itself.
   */
  releaseIfHeldWithin(manager: EntityManager, taskId: string): Promise<{ refunded: number }> {
    return this.releaseHold(manager, taskId, true);
  }

  private async releaseHold(
    manager: EntityManager,
    taskId: string,
    mayBeMissing: boolean,
  ): Promise<{ refunded: number }> {
    const hold = await this.ledger.lockHold(manager, taskId);
    if (!hold) {
      if (mayBeMissing) return { refunded: 0 };
      throw new DomainError('not_found', `task ${taskId} has no hold`);
    }
    if (hold.settledAt) return { refunded: 0 };
    if (hold.remaining > 0) {
      await this.moveWithin(manager, {
        from: ESCROW,
        to: userAccount(hold.userId),
        amount: hold.remaining,
        kind: MovementKind.Release,
        taskId,
        idempotency: { account: ESCROW, key: `release:${taskId}` },
        memo: 'unused task budget refunded',
      });
    }
    await this.ledger.updateHold(manager, taskId, 0, true);
    return { refunded: hold.remaining };
  }

  /** Checks the invariants: entries and balances sum to zero, nothing negative, escrow = open holds. */
  async audit(): Promise<AuditReport> {
    const f = await this.ledger.auditFigures();
    const problems: string[] = [];
    if (f.entriesSum !== 0) problems.push(`entries sum to ${f.entriesSum}, not 0`);
    if (f.balancesSum !== 0) problems.push(`balances sum to ${f.balancesSum}, not 0`);
    if (f.unbalancedTransactions > 0)
      problems.push(`${f.unbalancedTransactions} transactions do not balance`);
    if (f.negativeAccounts.length > 0) problems.push(`negative balances: ${f.negativeAccounts.join(', ')}`);
    if (f.driftedAccounts.length > 0)
      problems.push(`balances differ from their entries: ${f.driftedAccounts.join(', ')}`);
    if (f.escrowBalance !== f.openHoldsRemaining)
      problems.push(`escrow holds ${f.escrowBalance} CPT but open holds total ${f.openHoldsRemaining}`);
    const report = { ...f, ok: problems.length === 0, problems };
    if (!report.ok) this.logger.error(`ledger audit failed: ${problems.join('; ')}`);
    return report;
  }
}

function checkMovement(m: Movement): void {
  if (!Number.isSafeInteger(m.amount) || m.amount <= 0) {
    throw new DomainError('invalid', 'amount must be a positive whole number of CPT', { field: 'amount' });
  }
  if (m.from === m.to) throw new DomainError('invalid', 'cannot move CPT from an account to itself');
}

function transactionOf(m: Movement): NewTransaction {
  return { kind: m.kind, idempotency: m.idempotency, taskId: m.taskId, memo: m.memo };
}

/** A task's maximum cost, from its user to escrow. */
function holdMovement(taskId: string, userId: string, amount: number): Movement {
  return {
    from: userAccount(userId),
    to: ESCROW,
    amount,
    kind: MovementKind.Hold,
    taskId,
    idempotency: { account: ESCROW, key: `hold:${taskId}` },
    memo: 'task cost held in escrow',
  };
}
