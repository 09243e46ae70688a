import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

export interface NewTransaction {
  kind: string;
  idempotency?: { account: string; key: string };
  taskId?: string | null;
  memo?: string;
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
   * Opens a movement, in one statement: inserts its transaction row and locks the accounts it moves
   * between (in account order, so two movements never wait for each other in a cycle), answering
   * the new transaction's id and the accounts' balances (an account that does not exist is missing).
   * With an idempotency key that was already used, inserts and locks nothing and answers undefined
   * (a concurrent insert with the same key waits for the first to finish).
   */
  async openTransaction(
    manager: EntityManager,
    tx: NewTransaction,
    accounts: readonly string[],
  ): Promise<{ transactionId: string; balances: Map<string, number> } | undefined> {
    const rows = await manager.query<{ id: string; account: string | null; balance: string | null }[]>(
      `WITH tx AS (
         INSERT INTO ledger_transactions (kind, idempotency_account, idempotency_key, task_id, memo)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (idempotency_account, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING id
       ), locked AS (
         SELECT account, balance FROM ledger_accounts
         WHERE account = ANY($6) AND EXISTS (SELECT 1 FROM tx)
         ORDER BY account FOR UPDATE
       )
       SELECT tx.id, locked.account, locked.balance FROM tx LEFT JOIN locked ON true`,
      [
        tx.kind,
        tx.idempotency?.account ?? null,
        tx.idempotency?.key ?? null,
        tx.taskId ?? null,
        tx.memo ?? '',
        accounts,
      ],
    );
    if (rows.length === 0) return undefined;
    const balances = new Map<string, number>();
    for (const r of rows) if (r.account !== null) balances.set(r.account, Number(r.balance));
    return { transactionId: rows[0].id, balances };
  }

  /**
   * Posts a transaction's entries: each account's balance moves by its amount and the entry records
   * the balance after it — one statement (the accounts are locked already, by `openTransaction`).
   * Entries are inserted debits first.
   */
  async postEntries(
    manager: EntityManager,
    transactionId: string,
    entries: readonly { account: string; amount: number }[],
  ): Promise<void> {
    await manager.query(
      `WITH moved AS (
         UPDATE ledger_accounts a SET balance = a.balance + d.amount, updated_at = now()
         FROM unnest($2::varchar[], $3::bigint[]) AS d(account, amount)
         WHERE a.account = d.account
         RETURNING a.account, d.amount, a.balance)
       INSERT INTO ledger_entries (transaction_id, account, amount, balance_after)
       SELECT $1, account, amount, balance FROM moved ORDER BY amount`,
      [transactionId, entries.map((e) => e.account), entries.map((e) => e.amount)],
    );
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

  async insertHold(manager: EntityManager, taskId: string, userId: string, amount: number): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `INSERT INTO ledger_holds (task_id, user_id, amount, remaining) VALUES ($1, $2, $3, $3)
       ON CONFLICT (task_id) DO NOTHING RETURNING task_id`,
      [taskId, userId, amount],
    );
    return rows.length === 1;
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
