import { DataSource, QueryFailedError } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@hivemind/testing';
import { dataSourceOptions } from '../src/database/data-source-options';

describe('database schema', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('schema');
    ds = await new DataSource(dataSourceOptions(db.url, 4)).initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const tables = async (): Promise<string[]> =>
    (
      await ds.query<{ tablename: string }[]>(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
      )
    ).map((r) => r.tablename);

  it('migration:run creates the whole schema on an empty database', async () => {
    const applied = await ds.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual([
      'InitialSchema1795392000000',
      'LedgerSystemAccounts1795478400000',
      'ResultValidation1795564800000',
      'TaskSecretEnv1795651200000',
      'ValidatorStep1795737600000',
      'AuditEvents1795824000000',
      'NodeChanges1795910400000',
      'TaskClientRefs1795996800000',
      'AttemptsByNode1796083200000',
    ]);
    const accounts = await ds.query<{ account: string }[]>(`SELECT account FROM ledger_accounts ORDER BY 1`);
    expect(accounts.map((a) => a.account)).toEqual(['escrow', 'mint', 'platform']);
    expect(await tables()).toEqual(
      [
        'attempts',
        'audit_events',
        'files',
        'ledger_accounts',
        'ledger_entries',
        'ledger_holds',
        'ledger_transactions',
        'log_chunks',
        'node_utilization',
        'nodes',
        'shards',
        'tasks',
        'typeorm_migrations',
        'users',
        'vpn_peers',
        'vpn_server_keys',
      ].sort(),
    );
  });

  it('matches the entities exactly: TypeORM would change nothing', async () => {
    const diff = await ds.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('has every index and foreign key the entities declare, by name', async () => {
    const indexes = new Set(
      (
        await ds.query<{ indexname: string }[]>(
          `SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`,
        )
      ).map((r) => r.indexname),
    );
    const constraints = new Set(
      (
        await ds.query<{ conname: string }[]>(
          `SELECT conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace`,
        )
      ).map((r) => r.conname),
    );
    for (const entity of ds.entityMetadatas) {
      for (const index of entity.indices) expect(indexes).toContain(index.name);
      for (const fk of entity.foreignKeys) expect(constraints).toContain(fk.name);
      for (const check of entity.checks) expect(constraints).toContain(check.name);
    }
  });

  describe('enforces the invariants itself', () => {
    let userId: string;
    let shardId: string;
    let taskId: string;
    let nodeId: string;

    beforeAll(async () => {
      [{ id: userId }] = await ds.query(
        `INSERT INTO users (username, password_hash) VALUES ('alice', 'x') RETURNING id`,
      );
      [{ id: nodeId }] = await ds.query(
        `INSERT INTO nodes (name, owner_id) VALUES ('worker-1', $1) RETURNING id`,
        [userId],
      );
      [{ id: taskId }] = await ds.query(`INSERT INTO tasks (user_id) VALUES ($1) RETURNING id`, [userId]);
      [{ id: shardId }] = await ds.query(
        `INSERT INTO shards (task_id, shard_index) VALUES ($1, 0) RETURNING id`,
        [taskId],
      );
    });

    const attempt = (n: number, state = 'ASSIGNED') =>
      ds.query(
        `INSERT INTO attempts (shard_id, task_id, node_id, attempt_number, fencing_token, state)
         VALUES ($1, $2, $3, $4, nextval('attempt_fencing_tokens'), $5)`,
        [shardId, taskId, nodeId, n, state],
      );

    it('refuses a second live attempt of the same shard', async () => {
      await attempt(1);
      await expect(attempt(2)).rejects.toThrow(/uq_attempts_live_shard_replica/);
      await ds.query(`UPDATE attempts SET state = 'LOST' WHERE shard_id = $1`, [shardId]);
      await expect(attempt(2)).resolves.toBeDefined();
    });

    it('refuses usernames that differ only in case', async () => {
      await expect(
        ds.query(`INSERT INTO users (username, password_hash) VALUES ('Alice', 'x')`),
      ).rejects.toThrow(/chk_users_username_lower/);
      await expect(
        ds.query(`INSERT INTO users (username, password_hash) VALUES ('alice', 'x')`),
      ).rejects.toThrow(/uq_users_username/);
    });

    it('refuses a negative balance on every account but mint', async () => {
      await ds.query(`UPDATE ledger_accounts SET balance = -5 WHERE account = 'mint'`);
      await expect(
        ds.query(`UPDATE ledger_accounts SET balance = -1 WHERE account = 'platform'`),
      ).rejects.toBeInstanceOf(QueryFailedError);
    });

    it('stores a resent log batch once', async () => {
      const [{ id: attemptId }] = await ds.query(
        `SELECT id FROM attempts WHERE shard_id = $1 AND state = 'ASSIGNED'`,
        [shardId],
      );
      const insert = () =>
        ds.query(
          `INSERT INTO log_chunks (attempt_id, task_id, seq, stream, data) VALUES ($1, $2, 1, 'stdout', 'hello')
           ON CONFLICT (attempt_id, seq) DO NOTHING`,
          [attemptId, taskId],
        );
      await insert();
      await insert();
      const [{ count }] = await ds.query(
        `SELECT count(*)::int AS count FROM log_chunks WHERE attempt_id = $1`,
        [attemptId],
      );
      expect(count).toBe(1);
    });
  });

  it('migration:revert undoes each migration, and the schema can be created again', async () => {
    await ds.query(`TRUNCATE users CASCADE`);
    await ds.query(`UPDATE ledger_accounts SET balance = 0`);
    await ds.undoLastMigration({ transaction: 'each' }); // attempts by node
    expect(await ds.query(`SELECT indexname FROM pg_indexes WHERE indexname = 'idx_attempts_node'`)).toEqual(
      [],
    );
    await ds.undoLastMigration({ transaction: 'each' }); // tasks' client references
    expect(
      await ds.query(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'tasks' AND column_name IN ('client_ref', 'request_digest')`,
      ),
    ).toEqual([]);
    await ds.undoLastMigration({ transaction: 'each' }); // placement's view of node changes
    const [{ stamps }] = await ds.query(
      `SELECT count(*)::int AS stamps FROM pg_trigger WHERE tgname = 'trg_nodes_updated_at'`,
    );
    expect(stamps).toBe(0);
    expect(
      await ds.query(`SELECT indexname FROM pg_indexes WHERE indexname = 'idx_nodes_updated_at'`),
    ).toEqual([]);
    await ds.undoLastMigration({ transaction: 'each' }); // the audit trail
    expect(await tables()).not.toContain('audit_events');
    const [{ functions }] = await ds.query(
      `SELECT count(*)::int AS functions FROM pg_proc WHERE proname = 'audit_events_append_only'`,
    );
    expect(functions).toBe(0);
    await ds.undoLastMigration({ transaction: 'each' }); // the validator step
    const validatorColumns = await ds.query(
      `SELECT column_name FROM information_schema.columns
       WHERE column_name IN ('validator', 'purpose', 'validator_input_file_id')`,
    );
    expect(validatorColumns).toEqual([]);
    await ds.undoLastMigration({ transaction: 'each' }); // tasks' secret env
    const secretColumns = await ds.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'tasks' AND column_name LIKE 'secret_env%'`,
    );
    expect(secretColumns).toEqual([]);
    await ds.undoLastMigration({ transaction: 'each' }); // result validation
    const validationColumns = await ds.query(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE column_name IN ('validation', 'quorum', 'max_replicas', 'replicas_wanted', 'canonical_attempt_id',
         'result_digest', 'observed_ms', 'valid_run', 'invalid_results', 'node_faults', 'disproved_claims')`,
    );
    expect(validationColumns).toEqual([]);
    await ds.undoLastMigration({ transaction: 'each' }); // the ledger's system accounts
    expect(await ds.query(`SELECT account FROM ledger_accounts`)).toEqual([]);
    await ds.undoLastMigration({ transaction: 'each' }); // the initial schema
    expect(await tables()).toEqual(['typeorm_migrations']);
    const [{ count }] = await ds.query(
      `SELECT count(*)::int AS count FROM pg_class WHERE relname = 'attempt_fencing_tokens'`,
    );
    expect(count).toBe(0);
    await ds.runMigrations({ transaction: 'each' });
    expect((await ds.driver.createSchemaBuilder().log()).upQueries).toHaveLength(0);
  });
});
