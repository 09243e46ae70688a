import { Injectable, Logger } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { ComposedStatement } from '../common/composed-statement';
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

/** A task's hold as parts of a composed statement (`LedgerService.holdIn`). */
export interface HoldParts {
  /** SQL: the user's account holds the amount. */
  readonly funded: string;
  /** Adds the hold's writes, made only if `when` (SQL, implying `funded`) holds. */
  post(when: string): void;
  /** After the statement ran (`manager`: its transaction, if any). */
  settle(manager?: EntityManager): Promise<MovementResult | undefined>;
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
  async moveWithin(manager: EntityManager, m: Movement): Promise<MovementResult> {
    checkMovement(m);
    const result = await this.settle(manager, m, await this.ledger.move(manager, transactionOf(m), m));
    if (!result) throw new Error('a movement waited on nothing but its own check'); // move() asks when funded
    return result;
  }

  /**
   * A movement's answer from what its statement did: created; the earlier movement with its
   * idempotency key (also when this one found the money gone — the earlier one took it); refused
   * (no such account, too little CPT: nothing was written); undefined when the caller's condition
   * did not hold (its own row was not written, so neither was the movement).
   */
  private async settle(
    manager: EntityManager | undefined,
    m: Movement,
    done: MoveOutcome,
    holdOf?: string,
  ): Promise<MovementResult | undefined> {
    if (!done.funded) {
      const earlier = m.idempotency ? await this.earlier(manager, m) : undefined;
      if (earlier) return earlier;
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
    if (!done.asked) return undefined;
    if (holdOf && done.holdExisted) throw new DomainError('conflict', `task ${holdOf} already has a hold`);
    if (done.transactionId === undefined) {
      const earlier = await this.earlier(manager, m);
      if (earlier) return earlier;
      throw new Error(`idempotency key ${m.idempotency?.key} conflicted with no earlier movement`);
    }
    if (!done.posted) throw new Error(`movement ${done.transactionId} was funded and not posted`);
    return { transactionId: done.transactionId, created: true };
  }

  /** The movement recorded under the same key, provided it is the same movement (else 409). */
  private async earlier(
    manager: EntityManager | undefined,
    m: Movement,
  ): Promise<MovementResult | undefined> {
    const entries = await this.ledger.findByIdempotencyKey(
      manager,
      m.idempotency!.account,
      m.idempotency!.key,
    );
    if (entries.length === 0) return undefined;
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
    const statement = new ComposedStatement();
    const hold = this.holdIn(statement, taskId, userId, amount);
    hold.post(hold.funded);
    await statement.run(manager);
    return (await hold.settle(manager))!; // asked when funded: an answer or a refusal
  }

  /**
   * hold() as parts of the caller's statement (`ComposedStatement`): the check first — `funded`,
   * the SQL condition the caller's own rows wait on, so that nothing is written without the CPT —
   * then, with `post(when)`, the writes, made only if `when` holds (it must imply `funded`). Once
   * the statement has run, `settle()` answers as hold() would (a refusal thrown), or undefined when
   * `when` did not hold though the CPT was there.
   */
  holdIn(statement: ComposedStatement, taskId: string, userId: string, amount: number): HoldParts {
    const m = holdMovement(taskId, userId, amount);
    checkMovement(m);
    const funded = this.ledger.addCheck(statement, m);
    let outcome: (() => MoveOutcome) | undefined;
    return {
      funded,
      post: (when) => {
        outcome = this.ledger.addPosting(statement, transactionOf(m), m, when, { taskId, userId });
      },
      settle: (manager) => {
        if (!outcome) throw new Error(`the hold of task ${taskId} was checked and never posted`);
        return this.settle(manager, m, outcome(), taskId);
      },
    };
  }

  /**
   * Pays `amount` of the task's hold to `payee` (an account name, e.g. the node owner's); `chargeKey`
   * (e.g. the attempt) makes a retried charge a no-op.
   */
  charge(taskId: string, amount: number, payee: string, chargeKey: string): Promise<MovementResult> {
    return this.ledger.transaction((manager) => this.chargeWithin(manager, taskId, amount, payee, chargeKey));
  }

  /**
   * charge() inside the caller's transaction (the scheduler settles an attempt in one transaction):
   * one statement (`LedgerRepository.charge`), and one more read for a retried charge that finds the
   * hold spent or closed.
   */
  async chargeWithin(
    manager: EntityManager,
    taskId: string,
    amount: number,
    payee: string,
    chargeKey: string,
  ): Promise<MovementResult> {
    const m: Movement = {
      from: ESCROW,
      to: payee,
      amount,
      kind: MovementKind.Charge,
      taskId,
      idempotency: { account: ESCROW, key: `charge:${taskId}:${chargeKey}` },
    };
    checkMovement(m);
    const done = await this.ledger.charge(manager, taskId, transactionOf(m), m);
    if (!done.holdFound) throw new DomainError('not_found', `task ${taskId} has no hold`);
    if (!done.holdCovers) {
      // a retried charge is answered as the first, whatever the hold holds now
      const earlier = await this.earlier(manager, m);
      if (earlier) return earlier;
      throw new DomainError(
        'insufficient_funds',
        `task ${taskId}: charge of ${amount} CPT exceeds the ${done.held} CPT still held`,
      );
    }
    return (await this.settle(manager, m, done))!; // asked when funded: an answer or a refusal
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
    if (hold.remaining === 0) {
      await this.ledger.closeHold(manager, taskId);
      return { refunded: 0 };
    }
    const m: Movement = {
      from: ESCROW,
      to: userAccount(hold.userId),
      amount: hold.remaining,
      kind: MovementKind.Release,
      taskId,
      idempotency: { account: ESCROW, key: `release:${taskId}` },
      memo: 'unused task budget refunded',
    };
    // the refund and the hold's close: one statement
    await this.settle(manager, m, await this.ledger.refundHold(manager, taskId, transactionOf(m), m));
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
