import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { MINT } from './ledger-accounts';

export interface NewTransaction {
  kind: string;
  idempotency?: { account: string; key: string };
  taskId?: string | null;
  memo?: string;
}

/** What `move` did; `balances` are the locked accounts' before the movement (only when it was opened). */
export interface MoveOutcome {
  /** A hold was asked for and the task already has one: nothing was inserted or moved. */
  holdExisted: boolean;
  /** Undefined when the idempotency key was used before (or the hold existed). */
  transactionId?: string;
  /** The balances moved and the entries inserted. */
  posted: boolean;
  balances: Map<string, number>;
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

  /**
   * One movement of `amount` from one account to another, in one statement: inserts its transaction
   * row, locks the two accounts (in account order, so two movements never wait for each other in a
   * cycle) and, when both exist and the payer has the amount (the mint always has), moves the two
   * balances and inserts the two entries with the balance after each (debit first). With `hold`,
   * the task's escrow hold row is inserted first and nothing else is done when the task has one.
   * With an idempotency key already used, nothing is inserted or moved and `transactionId` is
   * undefined (a concurrent insert with the same key waits for the first to finish). A refused
   * movement (`posted` false) leaves its transaction row for the caller's rollback.
   *
   * The new balances are the _locked_ rows' balances plus the amounts, not `a.balance`: the UPDATE
   * reads the statement's snapshot, which a movement committed while this one waited for the lock
   * is not in (with `a.balance`, 500 racing transfers overdrew accounts — wallet.int-spec).
   */
  async move(
    manager: EntityManager,
    tx: NewTransaction,
    movement: { from: string; to: string; amount: number },
    hold?: { taskId: string; userId: string },
  ): Promise<MoveOutcome> {
    const rows = await manager.query<
      { id: string | null; account: string | null; balance: string | null; posted: number; held: boolean }[]
    >(
      `WITH hold AS (
         INSERT INTO ledger_holds (task_id, user_id, amount, remaining)
         SELECT $9::uuid, $10::uuid, $8::bigint, $8::bigint WHERE $9::uuid IS NOT NULL
         ON CONFLICT (task_id) DO NOTHING
         RETURNING task_id
       ), tx AS (
         INSERT INTO ledger_transactions (kind, idempotency_account, idempotency_key, task_id, memo)
         SELECT $1, $2, $3, $4::uuid, $5 WHERE $9::uuid IS NULL OR EXISTS (SELECT 1 FROM hold)
         ON CONFLICT (idempotency_account, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING id
       ), locked AS MATERIALIZED (
         SELECT account, balance FROM ledger_accounts
         WHERE account IN ($6, $7) AND EXISTS (SELECT 1 FROM tx)
         ORDER BY account FOR UPDATE
       ), allowed AS (
         SELECT 1 FROM locked payer JOIN locked payee ON payee.account = $7
         WHERE payer.account = $6 AND (payer.account = '${MINT}' OR payer.balance >= $8::bigint)
       ), moved AS (
         UPDATE ledger_accounts a SET balance = locked.balance + d.amount, updated_at = now()
         FROM locked JOIN (VALUES ($6::varchar, -$8::bigint), ($7::varchar, $8::bigint)) AS d(account, amount)
           ON d.account = locked.account
         WHERE a.account = locked.account AND EXISTS (SELECT 1 FROM allowed)
         RETURNING a.account, d.amount, a.balance
       ), posted AS (
         INSERT INTO ledger_entries (transaction_id, account, amount, balance_after)
         SELECT (SELECT id FROM tx), account, amount, balance FROM moved ORDER BY amount
         RETURNING 1
       )
       SELECT (SELECT id FROM tx) AS id, locked.account, locked.balance,
              (SELECT count(*) FROM posted)::int AS posted, EXISTS (SELECT 1 FROM hold) AS held
       FROM (SELECT 1) AS one LEFT JOIN locked ON true`,
      [
        tx.kind,
        tx.idempotency?.account ?? null,
        tx.idempotency?.key ?? null,
        tx.taskId ?? null,
        tx.memo ?? '',
        movement.from,
        movement.to,
        movement.amount,
        hold?.taskId ?? null,
        hold?.userId ?? null,
      ],
    );
    const first = rows[0];
    if (first.posted !== 0 && first.posted !== 2) {
      throw new Error(`a ledger movement posted ${first.posted} entries instead of 2`);
    }
    const balances = new Map<string, number>();
    for (const r of rows) if (r.account !== null) balances.set(r.account, Number(r.balance));
    return {
      holdExisted: hold !== undefined && !first.held,
      transactionId: first.id ?? undefined,
      posted: first.posted === 2,
      balances,
    };
  }

  /** The entries of the transaction recorded under an idempotency key, if any. */
  async findByIdempotencyKey(manager: EntityManager, account: string, key: string): Promise<StoredEntry[]> {
    const rows = await manager.query<{ id: string; kind: string; account: string; amount: string }[]>(
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

  async updateHold(
    manager: EntityManager,
    taskId: string,
    remaining: number,
    settle: boolean,
  ): Promise<void> {
    await manager.query(
      `UPDATE ledger_holds SET remaining = $2, settled_at = CASE WHEN $3 THEN now() ELSE settled_at END
       WHERE task_id = $1`,
      [taskId, remaining, settle],
    );
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
