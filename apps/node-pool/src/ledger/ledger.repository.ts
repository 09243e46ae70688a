import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { ComposedStatement } from '../common/composed-statement';
import { MINT } from './ledger-accounts';

export interface NewTransaction {
  kind: string;
  idempotency?: { account: string; key: string };
  taskId?: string | null;
  memo?: string;
}

export interface MovementRows {
  from: string;
  to: string;
  amount: number;
}

/** What a movement's statement did; `balances` are the locked accounts' before it (missing: no such account). */
export interface MoveOutcome {
  /** Both accounts exist and the payer has the amount. */
  funded: boolean;
  /** The condition the writes waited on held (for `move`: funded). */
  asked: boolean;
  /** A hold was asked for and the task already has one: nothing was inserted or moved. */
  holdExisted: boolean;
  /** Undefined when nothing was written: not asked, or the idempotency key was used before. */
  transactionId?: string;
  /** The balances moved and the entries inserted. */
  posted: boolean;
  balances: Map<string, number>;
}

/** What a charge's statement did (`charge`): the movement's outcome, and the hold's. */
export interface ChargeOutcome extends MoveOutcome {
  /** The task has a hold. */
  holdFound: boolean;
  /** The hold is open and still holds the amount: the movement was asked for. */
  holdCovers: boolean;
  /** What the hold still held before the charge (0 once closed). */
  held: number;
}

export interface StoredEntry {
  transactionId: string;
  kind: string;
  account: string;
  amount: number;
}

export interface HistoryRow {
  id: string;
  transaction_id: string;
  kind: string;
  amount: string;
  balance_after: string;
  memo: string;
  task_id: string | null;
  counterparty: string | null;
  counterparty_username: string | null;
  created_at: Date;
}

export interface AuditFigures {
  entriesSum: number;
  balancesSum: number;
  negativeAccounts: string[];
  unbalancedTransactions: number;
  driftedAccounts: string[];
  escrowBalance: number;
  openHoldsRemaining: number;
}

export interface HoldRow {
  taskId: string;
  userId: string;
  amount: number;
  remaining: number;
  settledAt: Date | null;
}

/** The only code that touches the ledger tables. Writes take the caller's transaction manager. */
@Injectable()
export class LedgerRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async createAccount(manager: EntityManager, account: string, userId: string | null): Promise<void> {
    await manager.query(
      `INSERT INTO ledger_accounts (account, user_id) VALUES ($1, $2) ON CONFLICT (account) DO NOTHING`,
      [account, userId],
    );
  }

  /** One movement in a statement of its own (`addCheck`, then `addPosting` if the check passes). */
  async move(manager: EntityManager, tx: NewTransaction, movement: MovementRows): Promise<MoveOutcome> {
    const statement = new ComposedStatement();
    const funded = this.addCheck(statement, movement);
    const outcome = this.addPosting(statement, tx, movement, funded);
    await statement.run(manager);
    return outcome();
  }

  /**
   * The first parts of a movement (`ledger_locked`, `ledger_funded`): lock the two accounts, in
   * account order (two movements never wait for each other in a cycle), and check that both exist
   * and the payer has the amount (the mint always has). Answers the SQL condition "funded", on which
   * the posting — and whatever must not be written without it — waits. `after`: a condition over an
   * earlier part whose locks come first in the lock order (a task's hold before the accounts); it is
   * evaluated before any account is locked, and when it is false none is (nor is the movement funded).
   */
  addCheck(statement: ComposedStatement, { from, to, amount }: MovementRows, after?: string): string {
    statement
      .with(
        'ledger_locked',
        `SELECT account, balance FROM ledger_accounts WHERE account IN ($1, $2)${after ? ` AND ${after}` : ''}
         ORDER BY account FOR UPDATE`,
        [from, to],
        true,
      )
      .with(
        'ledger_funded',
        `SELECT 1 FROM ledger_locked payer JOIN ledger_locked payee ON payee.account = $2
         WHERE payer.account = $1 AND (payer.account = '${MINT}' OR payer.balance >= $3::bigint)`,
        [from, to, amount],
      );
    return 'EXISTS (SELECT 1 FROM ledger_funded)';
  }

  /**
   * The movement's writes, after `addCheck`, made only if `when` holds (it must imply "funded"):
   * with `hold`, the task's escrow hold row first (nothing else when the task has one); the
   * transaction row (nothing else when its idempotency key was used before — a concurrent insert
   * with the same key waits for the first to finish); both balances; the two entries with the
   * balance after each, debit first.
   *
   * The new balances are the _locked_ rows' balances plus the amounts, not `a.balance`: the UPDATE
   * reads the statement's snapshot, which a movement committed while this one waited for the lock
   * is not in (with `a.balance`, 500 racing transfers overdrew accounts — wallet.int-spec).
   */
  addPosting(
    statement: ComposedStatement,
    tx: NewTransaction,
    { from, to, amount }: MovementRows,
    when: string,
    hold?: { taskId: string; userId: string },
  ): () => MoveOutcome {
    if (hold) {
      statement.with(
        'ledger_hold',
        `INSERT INTO ledger_holds (task_id, user_id, amount, remaining)
         SELECT $1::uuid, $2::uuid, $3::bigint, $3::bigint WHERE ${when}
         ON CONFLICT (task_id) DO NOTHING
         RETURNING task_id`,
        [hold.taskId, hold.userId, amount],
      );
    }
    statement
      .with(
        'ledger_tx',
        `INSERT INTO ledger_transactions (kind, idempotency_account, idempotency_key, task_id, memo)
         SELECT $1, $2, $3, $4::uuid, $5 WHERE ${hold ? 'EXISTS (SELECT 1 FROM ledger_hold)' : when}
         ON CONFLICT (idempotency_account, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING id`,
        [
          tx.kind,
          tx.idempotency?.account ?? null,
          tx.idempotency?.key ?? null,
          tx.taskId ?? null,
          tx.memo ?? '',
        ],
      )
      .with(
        'ledger_moved',
        `UPDATE ledger_accounts a SET balance = l.balance + d.amount, updated_at = now()
         FROM ledger_locked l JOIN (VALUES ($1::varchar, -$3::bigint), ($2::varchar, $3::bigint)) AS d(account, amount)
           ON d.account = l.account
         WHERE a.account = l.account AND EXISTS (SELECT 1 FROM ledger_tx)
         RETURNING a.account, d.amount, a.balance`,
        [from, to, amount],
      )
      .with(
        'ledger_posted',
        `INSERT INTO ledger_entries (transaction_id, account, amount, balance_after)
         SELECT (SELECT id FROM ledger_tx), account, amount, balance FROM ledger_moved ORDER BY amount
         RETURNING 1`,
      );
    const funded = statement.output<boolean>('ledger_is_funded', 'EXISTS (SELECT 1 FROM ledger_funded)');
    const asked = statement.output<boolean>('ledger_asked', when);
    const transactionId = statement.output<string | null>('ledger_tx_id', '(SELECT id FROM ledger_tx)');
    const balances = statement.output<Record<string, string> | null>(
      'ledger_balances',
      '(SELECT json_object_agg(account, balance::text) FROM ledger_locked)',
    );
    const posted = statement.output<number>('ledger_posted', '(SELECT count(*) FROM ledger_posted)::int');
    const held = hold
      ? statement.output<boolean>('ledger_held', 'EXISTS (SELECT 1 FROM ledger_hold)')
      : () => true;
    return () => {
      const entries = posted();
      if (entries !== 0 && entries !== 2)
        throw new Error(`a ledger movement posted ${entries} entries instead of 2`);
      return {
        funded: funded(),
        asked: asked(),
        holdExisted: asked() && !held(),
        transactionId: transactionId() ?? undefined,
        posted: entries === 2,
        balances: new Map(Object.entries(balances() ?? {}).map(([account, b]) => [account, Number(b)])),
      };
    };
  }

  /**
   * A charge of a task's hold, one statement: the hold locked first (the lock order: hold, then
   * accounts), then the movement (`addCheck`, `addPosting`) made only if the hold is open and still
   * covers the amount, and the hold's remaining lowered only if the movement was posted (not when its
   * idempotency key had been used: a retried charge was applied to the hold the first time). The
   * remaining is the locked row's less the amount (see `addPosting` on why not the row's own).
   */
  async charge(
    manager: EntityManager,
    taskId: string,
    tx: NewTransaction,
    movement: MovementRows,
  ): Promise<ChargeOutcome> {
    const statement = new ComposedStatement()
      .with(
        'ledger_hold_locked',
        `SELECT task_id, remaining, settled_at FROM ledger_holds WHERE task_id = $1 FOR UPDATE`,
        [taskId],
        true,
      )
      .with(
        'ledger_hold_covers',
        `SELECT 1 FROM ledger_hold_locked WHERE settled_at IS NULL AND remaining >= $1::bigint`,
        [movement.amount],
      );
    const found = 'EXISTS (SELECT 1 FROM ledger_hold_locked)';
    const covered = 'EXISTS (SELECT 1 FROM ledger_hold_covers)';
    const funded = this.addCheck(statement, movement, found);
    const outcome = this.addPosting(statement, tx, movement, `${covered} AND ${funded}`);
    statement.with(
      'ledger_hold_charged',
      `UPDATE ledger_holds h SET remaining = l.remaining - $1::bigint
       FROM ledger_hold_locked l WHERE h.task_id = l.task_id AND EXISTS (SELECT 1 FROM ledger_posted)
       RETURNING 1`,
      [movement.amount],
    );
    const holdFound = statement.output<boolean>('ledger_hold_found', found);
    const holdCovers = statement.output<boolean>('ledger_hold_covers', covered);
    const held = statement.output<string | null>(
      'ledger_hold_remaining',
      '(SELECT CASE WHEN settled_at IS NULL THEN remaining ELSE 0 END FROM ledger_hold_locked)',
    );
    const charged = statement.output<boolean>(
      'ledger_hold_charged',
      'EXISTS (SELECT 1 FROM ledger_hold_charged)',
    );
    await statement.run(manager);
    const done = outcome();
    if (done.posted !== charged()) throw new Error(`task ${taskId}: a charge was posted without its hold`);
    return { ...done, holdFound: holdFound(), holdCovers: holdCovers(), held: Number(held() ?? 0) };
  }

  /**
   * Refunds a hold, locked already (`lockHold`), and closes it, one statement: the movement of what
   * is left of it back to its user, and the hold's close, both only if the movement is funded.
   */
  async refundHold(
    manager: EntityManager,
    taskId: string,
    tx: NewTransaction,
    movement: MovementRows,
  ): Promise<MoveOutcome> {
    const statement = new ComposedStatement();
    const funded = this.addCheck(statement, movement);
    const outcome = this.addPosting(statement, tx, movement, funded);
    statement.with(
      'ledger_hold_closed',
      `UPDATE ledger_holds SET remaining = 0, settled_at = now() WHERE task_id = $1 AND ${funded} RETURNING 1`,
      [taskId],
    );
    await statement.run(manager);
    return outcome();
  }

  /** The entries of the transaction recorded under an idempotency key, if any. */
  async findByIdempotencyKey(
    manager: EntityManager | undefined,
    account: string,
    key: string,
  ): Promise<StoredEntry[]> {
    const rows = await (manager ?? this.dataSource.manager).query<
      { id: string; kind: string; account: string; amount: string }[]
    >(
      `SELECT t.id, t.kind, e.account, e.amount FROM ledger_transactions t
       JOIN ledger_entries e ON e.transaction_id = t.id
       WHERE t.idempotency_account = $1 AND t.idempotency_key = $2 ORDER BY e.id`,
      [account, key],
    );
    return rows.map((r) => ({
      transactionId: r.id,
      kind: r.kind,
      account: r.account,
      amount: Number(r.amount),
    }));
  }

  async balance(account: string, manager?: EntityManager): Promise<number | undefined> {
    const rows = await (manager ?? this.dataSource.manager).query<{ balance: string }[]>(
      `SELECT balance FROM ledger_accounts WHERE account = $1`,
      [account],
    );
    return rows[0] ? Number(rows[0].balance) : undefined;
  }

  async heldFor(userId: string): Promise<number> {
    const rows = await this.dataSource.query<{ held: string }[]>(
      `SELECT COALESCE(SUM(remaining), 0) AS held FROM ledger_holds WHERE user_id = $1 AND settled_at IS NULL`,
      [userId],
    );
    return Number(rows[0]?.held ?? 0);
  }

  async lockHold(manager: EntityManager, taskId: string): Promise<HoldRow | undefined> {
    const rows = await manager.query<
      { task_id: string; user_id: string; amount: string; remaining: string; settled_at: Date | null }[]
    >(
      `SELECT task_id, user_id, amount, remaining, settled_at FROM ledger_holds WHERE task_id = $1 FOR UPDATE`,
      [taskId],
    );
    const r = rows[0];
    return r
      ? {
          taskId: r.task_id,
          userId: r.user_id,
          amount: Number(r.amount),
          remaining: Number(r.remaining),
          settledAt: r.settled_at,
        }
      : undefined;
  }

  /** Closes a hold (locked already) that has nothing left to refund. */
  async closeHold(manager: EntityManager, taskId: string): Promise<void> {
    await manager.query(`UPDATE ledger_holds SET remaining = 0, settled_at = now() WHERE task_id = $1`, [
      taskId,
    ]);
  }

  /** Newest first; `beforeId` is the last id of the previous page. */
  history(account: string, limit: number, beforeId?: string): Promise<HistoryRow[]> {
    return this.dataSource.query(
      `SELECT e.id, e.transaction_id, t.kind, e.amount, e.balance_after, t.memo, t.task_id,
              o.account AS counterparty, u.username AS counterparty_username, e.created_at
       FROM ledger_entries e
       JOIN ledger_transactions t ON t.id = e.transaction_id
       LEFT JOIN LATERAL (
         SELECT account FROM ledger_entries x WHERE x.transaction_id = e.transaction_id AND x.id <> e.id
         ORDER BY x.id LIMIT 1
       ) o ON true
       LEFT JOIN ledger_accounts oa ON oa.account = o.account
       LEFT JOIN users u ON u.id = oa.user_id
       WHERE e.account = $1 AND ($2::bigint IS NULL OR e.id < $2::bigint)
       ORDER BY e.id DESC
       LIMIT $3`,
      [account, beforeId ?? null, limit],
    );
  }

  /** The ledger's invariants, read from one consistent snapshot. */
  async auditFigures(): Promise<AuditFigures> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      const [totals] = (await runner.query(`
        SELECT (SELECT COALESCE(SUM(amount), 0) FROM ledger_entries) AS entries_sum,
               (SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts) AS balances_sum,
               (SELECT count(*) FROM (SELECT 1 FROM ledger_entries GROUP BY transaction_id
                                      HAVING SUM(amount) <> 0) x) AS unbalanced,
               (SELECT balance FROM ledger_accounts WHERE account = 'escrow') AS escrow,
               (SELECT COALESCE(SUM(remaining), 0) FROM ledger_holds WHERE settled_at IS NULL) AS held`)) as {
        entries_sum: string;
        balances_sum: string;
        unbalanced: string;
        escrow: string | null;
        held: string;
      }[];
      const negative = (await runner.query(
        `SELECT account FROM ledger_accounts WHERE balance < 0 AND account <> 'mint' LIMIT 100`,
      )) as { account: string }[];
      const drifted = (await runner.query(`
        SELECT a.account FROM ledger_accounts a
        LEFT JOIN (SELECT account, SUM(amount) AS total FROM ledger_entries GROUP BY account) e
          ON e.account = a.account
        WHERE a.balance <> COALESCE(e.total, 0) LIMIT 100`)) as { account: string }[];
      await runner.commitTransaction();
      return {
        entriesSum: Number(totals.entries_sum),
        balancesSum: Number(totals.balances_sum),
        negativeAccounts: negative.map((r) => r.account),
        unbalancedTransactions: Number(totals.unbalanced),
        driftedAccounts: drifted.map((r) => r.account),
        escrowBalance: Number(totals.escrow ?? 0),
        openHoldsRemaining: Number(totals.held),
      };
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  }
}
