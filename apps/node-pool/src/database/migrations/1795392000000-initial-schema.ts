import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The whole schema of docs/design.md: users, the double-entry ledger, nodes and their utilization
 * history, tasks → shards → attempts, files metadata, log chunks and WireGuard peers.
 *
 * Conventions: uuid keys (gen_random_uuid), bigint identity keys for append-only tables, money in
 * integer CPT (bigint), resources in integer units (millicores, MB), states as varchar + CHECK,
 * every constraint and index named so the entities can declare them and a test can prove that the
 * entities and this schema agree (test/schema.int-spec.ts).
 */
export class InitialSchema1795392000000 implements MigrationInterface {
  name = 'InitialSchema1795392000000';

  async up(q: QueryRunner): Promise<void> {
    // ── accounts ──────────────────────────────────────────────────────────────
    await q.query(`
      CREATE TABLE users (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        username varchar(32) NOT NULL,
        password_hash varchar(255) NOT NULL,
        role varchar(16) NOT NULL DEFAULT 'user',
        trust_score integer NOT NULL DEFAULT 50,
        token_version integer NOT NULL DEFAULT 0,
        disabled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_users PRIMARY KEY (id),
        CONSTRAINT chk_users_role CHECK (role IN ('user', 'admin')),
        CONSTRAINT chk_users_username_lower CHECK (username = lower(username))
      )`);
    // usernames are stored in lower case (checked above), so this is case-insensitive uniqueness
    await q.query(`CREATE UNIQUE INDEX uq_users_username ON users (username)`);

    // ── files (content-addressed blobs in STORAGE_PATH; task links added below) ─
    await q.query(`
      CREATE TABLE files (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        owner_id uuid NOT NULL,
        task_id uuid,
        shard_id uuid,
        attempt_id uuid,
        kind varchar(16) NOT NULL,
        name varchar(1024) NOT NULL,
        sha256 char(64) NOT NULL,
        size_bytes bigint NOT NULL,
        content_type varchar(255),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_files PRIMARY KEY (id),
        CONSTRAINT chk_files_kind CHECK (kind IN ('input', 'output', 'result', 'log')),
        CONSTRAINT chk_files_sha256 CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        CONSTRAINT chk_files_size CHECK (size_bytes >= 0),
        CONSTRAINT fk_files_owner FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX idx_files_owner_created ON files (owner_id, created_at DESC)`);
    await q.query(`CREATE INDEX idx_files_task ON files (task_id) WHERE task_id IS NOT NULL`);
    await q.query(`CREATE INDEX idx_files_sha256 ON files (sha256)`);

    // ── nodes ─────────────────────────────────────────────────────────────────
    await q.query(`
      CREATE TABLE nodes (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name varchar(64) NOT NULL,
        owner_id uuid NOT NULL,
        hostname varchar(255) NOT NULL DEFAULT '',
        port integer NOT NULL DEFAULT 0,
        location varchar(64) NOT NULL DEFAULT '',
        status varchar(16) NOT NULL DEFAULT 'offline',
        docker_status varchar(16) NOT NULL DEFAULT 'disabled',
        credit_score integer NOT NULL DEFAULT 50,
        credential_hash varchar(255),
        agent_version varchar(32) NOT NULL DEFAULT '',
        max_concurrent integer NOT NULL DEFAULT 1,
        cpu_millicores integer NOT NULL DEFAULT 0,
        memory_mb integer NOT NULL DEFAULT 0,
        storage_mb integer NOT NULL DEFAULT 0,
        cpu_score integer NOT NULL DEFAULT 0,
        gpu_score integer NOT NULL DEFAULT 0,
        gpu_memory_mb integer NOT NULL DEFAULT 0,
        gpu_name varchar(128) NOT NULL DEFAULT '',
        avail_cpu_millicores integer NOT NULL DEFAULT 0,
        avail_memory_mb integer NOT NULL DEFAULT 0,
        avail_storage_mb integer NOT NULL DEFAULT 0,
        avail_cpu_score integer NOT NULL DEFAULT 0,
        avail_gpu_score integer NOT NULL DEFAULT 0,
        avail_gpu_memory_mb integer NOT NULL DEFAULT 0,
        running_attempts integer NOT NULL DEFAULT 0,
        last_heartbeat_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_nodes PRIMARY KEY (id),
        CONSTRAINT chk_nodes_status CHECK (status IN ('online', 'offline', 'draining')),
        CONSTRAINT chk_nodes_docker_status CHECK (docker_status IN ('enabled', 'disabled')),
        CONSTRAINT fk_nodes_owner FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_nodes_name ON nodes (name)`);
    await q.query(`CREATE INDEX idx_nodes_owner ON nodes (owner_id)`);
    // placement scans online nodes only, best credit first
    await q.query(
      `CREATE INDEX idx_nodes_online ON nodes (credit_score DESC, running_attempts) WHERE status = 'online'`,
    );

    // downsampled utilization history for the console's charts (one row per node per bucket)
    await q.query(`
      CREATE TABLE node_utilization (
        node_id uuid NOT NULL,
        bucket timestamptz NOT NULL,
        cpu_percent real NOT NULL,
        memory_percent real NOT NULL,
        running_attempts integer NOT NULL,
        samples integer NOT NULL DEFAULT 1,
        CONSTRAINT pk_node_utilization PRIMARY KEY (node_id, bucket),
        CONSTRAINT fk_node_utilization_node FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE
      )`);

    // ── tasks → shards → attempts ─────────────────────────────────────────────
    await q.query(`
      CREATE TABLE tasks (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        name varchar(128) NOT NULL DEFAULT '',
        status varchar(16) NOT NULL DEFAULT 'QUEUED',
        image varchar(512),
        command jsonb,
        input_file_id uuid,
        env jsonb NOT NULL DEFAULT '{}',
        req_cpu_millicores integer NOT NULL DEFAULT 1000,
        req_memory_mb integer NOT NULL DEFAULT 512,
        req_storage_mb integer NOT NULL DEFAULT 1024,
        req_cpu_score integer NOT NULL DEFAULT 0,
        req_gpu_score integer NOT NULL DEFAULT 0,
        req_gpu_memory_mb integer NOT NULL DEFAULT 0,
        req_gpu_name varchar(128),
        location varchar(64),
        priority smallint NOT NULL DEFAULT 0,
        timeout_s integer NOT NULL DEFAULT 3600,
        max_attempts smallint NOT NULL DEFAULT 3,
        network_allowed boolean NOT NULL DEFAULT false,
        split_kind varchar(32) NOT NULL DEFAULT 'none',
        split_params jsonb NOT NULL DEFAULT '{}',
        aggregate jsonb,
        target_node_id uuid,
        shards_total integer NOT NULL DEFAULT 1,
        shards_completed integer NOT NULL DEFAULT 0,
        shards_failed integer NOT NULL DEFAULT 0,
        max_cost bigint NOT NULL DEFAULT 0,
        cost bigint NOT NULL DEFAULT 0,
        idempotency_key varchar(128),
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        CONSTRAINT pk_tasks PRIMARY KEY (id),
        CONSTRAINT chk_tasks_status CHECK (status IN ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED')),
        CONSTRAINT chk_tasks_split_kind CHECK (split_kind IN ('none', 'data_processing', 'machine_learning', 'simulation')),
        CONSTRAINT chk_tasks_resources CHECK (req_cpu_millicores >= 0 AND req_memory_mb >= 0 AND req_storage_mb >= 0
          AND req_cpu_score >= 0 AND req_gpu_score >= 0 AND req_gpu_memory_mb >= 0),
        CONSTRAINT chk_tasks_shards CHECK (shards_total >= 1 AND shards_completed >= 0 AND shards_failed >= 0
          AND shards_completed + shards_failed <= shards_total),
        CONSTRAINT chk_tasks_cost CHECK (max_cost >= 0 AND cost >= 0),
        CONSTRAINT fk_tasks_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_tasks_input_file FOREIGN KEY (input_file_id) REFERENCES files (id) ON DELETE SET NULL,
        CONSTRAINT fk_tasks_target_node FOREIGN KEY (target_node_id) REFERENCES nodes (id) ON DELETE SET NULL
      )`);
    // keyset pagination: a user's tasks, all tasks (admins), and by status, newest first
    await q.query(`CREATE INDEX idx_tasks_user_created ON tasks (user_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX idx_tasks_created ON tasks (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX idx_tasks_status_created ON tasks (status, created_at DESC, id DESC)`);
    await q.query(
      `CREATE UNIQUE INDEX uq_tasks_idempotency ON tasks (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE shards (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        task_id uuid NOT NULL,
        shard_index integer NOT NULL,
        is_aggregate boolean NOT NULL DEFAULT false,
        state varchar(16) NOT NULL DEFAULT 'QUEUED',
        params jsonb NOT NULL DEFAULT '{}',
        priority smallint NOT NULL DEFAULT 0,
        queued_at timestamptz NOT NULL DEFAULT now(),
        attempts_count smallint NOT NULL DEFAULT 0,
        wait_reason varchar(255),
        exit_code integer,
        output_file_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CONSTRAINT pk_shards PRIMARY KEY (id),
        CONSTRAINT chk_shards_state CHECK (state IN ('QUEUED', 'ASSIGNED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED')),
        CONSTRAINT fk_shards_task FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE,
        CONSTRAINT fk_shards_output_file FOREIGN KEY (output_file_id) REFERENCES files (id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_shards_task_index ON shards (task_id, shard_index)`);
    // the placement queue: priority first, FIFO within a priority
    await q.query(
      `CREATE INDEX idx_shards_queue ON shards (priority DESC, queued_at, id) WHERE state = 'QUEUED'`,
    );

    // fencing tokens only grow, across every attempt ever made
    await q.query(`CREATE SEQUENCE attempt_fencing_tokens AS bigint`);
    await q.query(`
      CREATE TABLE attempts (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        shard_id uuid NOT NULL,
        task_id uuid NOT NULL,
        node_id uuid NOT NULL,
        attempt_number smallint NOT NULL,
        replica smallint NOT NULL DEFAULT 0,
        fencing_token bigint NOT NULL,
        state varchar(16) NOT NULL DEFAULT 'ASSIGNED',
        alloc_cpu_millicores integer NOT NULL DEFAULT 0,
        alloc_memory_mb integer NOT NULL DEFAULT 0,
        alloc_storage_mb integer NOT NULL DEFAULT 0,
        alloc_cpu_score integer NOT NULL DEFAULT 0,
        alloc_gpu_score integer NOT NULL DEFAULT 0,
        alloc_gpu_memory_mb integer NOT NULL DEFAULT 0,
        exit_code integer,
        oom_killed boolean NOT NULL DEFAULT false,
        failure_cause varchar(16),
        error text,
        output_sha256 char(64),
        duration_ms bigint,
        cpu_seconds double precision,
        peak_memory_mb integer,
        cost bigint NOT NULL DEFAULT 0,
        reward bigint NOT NULL DEFAULT 0,
        log_seq bigint NOT NULL DEFAULT 0,
        assigned_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        last_report_at timestamptz,
        CONSTRAINT pk_attempts PRIMARY KEY (id),
        CONSTRAINT chk_attempts_state CHECK (state IN ('ASSIGNED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'LOST')),
        CONSTRAINT chk_attempts_failure_cause CHECK (failure_cause IS NULL OR failure_cause IN ('node', 'task', 'platform', 'user')),
        CONSTRAINT chk_attempts_money CHECK (cost >= 0 AND reward >= 0),
        CONSTRAINT fk_attempts_shard FOREIGN KEY (shard_id) REFERENCES shards (id) ON DELETE CASCADE,
        CONSTRAINT fk_attempts_task FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE,
        CONSTRAINT fk_attempts_node FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_attempts_fencing_token ON attempts (fencing_token)`);
    await q.query(`CREATE UNIQUE INDEX uq_attempts_shard_number ON attempts (shard_id, attempt_number)`);
    // the database itself refuses a second live assignment of the same shard (replica)
    await q.query(
      `CREATE UNIQUE INDEX uq_attempts_live_shard_replica ON attempts (shard_id, replica) WHERE state IN ('ASSIGNED', 'RUNNING')`,
    );
    // a node's live attempts: resource accounting, liveness sweep, reconciliation
    await q.query(
      `CREATE INDEX idx_attempts_node_live ON attempts (node_id) WHERE state IN ('ASSIGNED', 'RUNNING')`,
    );
    await q.query(`CREATE INDEX idx_attempts_task ON attempts (task_id)`);

    await q.query(`
      ALTER TABLE files
        ADD CONSTRAINT fk_files_task FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE,
        ADD CONSTRAINT fk_files_shard FOREIGN KEY (shard_id) REFERENCES shards (id) ON DELETE CASCADE,
        ADD CONSTRAINT fk_files_attempt FOREIGN KEY (attempt_id) REFERENCES attempts (id) ON DELETE SET NULL`);

    // ── task logs, in sequence-numbered chunks per attempt ───────────────────
    await q.query(`
      CREATE TABLE log_chunks (
        id bigint GENERATED ALWAYS AS IDENTITY,
        attempt_id uuid NOT NULL,
        task_id uuid NOT NULL,
        seq bigint NOT NULL,
        stream varchar(8) NOT NULL,
        data text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_log_chunks PRIMARY KEY (id),
        CONSTRAINT chk_log_chunks_stream CHECK (stream IN ('stdout', 'stderr', 'system')),
        CONSTRAINT fk_log_chunks_attempt FOREIGN KEY (attempt_id) REFERENCES attempts (id) ON DELETE CASCADE,
        CONSTRAINT fk_log_chunks_task FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE
      )`);
    // a resent batch is stored once
    await q.query(`CREATE UNIQUE INDEX uq_log_chunks_attempt_seq ON log_chunks (attempt_id, seq)`);
    // tails: GET /api/tasks/:id/logs?after=<id>
    await q.query(`CREATE INDEX idx_log_chunks_task ON log_chunks (task_id, id)`);

    // ── the CPT ledger (double entry) ─────────────────────────────────────────
    await q.query(`
      CREATE TABLE ledger_accounts (
        account varchar(64) NOT NULL,
        user_id uuid,
        balance bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_ledger_accounts PRIMARY KEY (account),
        CONSTRAINT chk_ledger_accounts_balance CHECK (balance >= 0 OR account = 'mint'),
        CONSTRAINT chk_ledger_accounts_user CHECK ((account LIKE 'user:%') = (user_id IS NOT NULL)),
        CONSTRAINT fk_ledger_accounts_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_ledger_accounts_user ON ledger_accounts (user_id) WHERE user_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE ledger_transactions (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        kind varchar(32) NOT NULL,
        idempotency_account varchar(64),
        idempotency_key varchar(128),
        task_id uuid,
        memo varchar(255) NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_ledger_transactions PRIMARY KEY (id),
        CONSTRAINT chk_ledger_transactions_idempotency CHECK ((idempotency_key IS NULL) = (idempotency_account IS NULL)),
        CONSTRAINT fk_ledger_transactions_task FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE SET NULL
      )`);
    // idempotency keys are unique per account: a retried request moves money once
    await q.query(
      `CREATE UNIQUE INDEX uq_ledger_transactions_idempotency ON ledger_transactions (idempotency_account, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX idx_ledger_transactions_task ON ledger_transactions (task_id) WHERE task_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE ledger_entries (
        id bigint GENERATED ALWAYS AS IDENTITY,
        transaction_id uuid NOT NULL,
        account varchar(64) NOT NULL,
        amount bigint NOT NULL,
        balance_after bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_ledger_entries PRIMARY KEY (id),
        CONSTRAINT chk_ledger_entries_amount CHECK (amount <> 0),
        CONSTRAINT fk_ledger_entries_transaction FOREIGN KEY (transaction_id) REFERENCES ledger_transactions (id) ON DELETE RESTRICT,
        CONSTRAINT fk_ledger_entries_account FOREIGN KEY (account) REFERENCES ledger_accounts (account) ON DELETE RESTRICT
      )`);
    // wallet history, newest first
    await q.query(`CREATE INDEX idx_ledger_entries_account ON ledger_entries (account, id DESC)`);
    await q.query(`CREATE INDEX idx_ledger_entries_transaction ON ledger_entries (transaction_id)`);

    // a task's maximum cost held in escrow until it completes, fails or is cancelled
    await q.query(`
      CREATE TABLE ledger_holds (
        task_id uuid NOT NULL,
        user_id uuid NOT NULL,
        amount bigint NOT NULL,
        remaining bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        settled_at timestamptz,
        CONSTRAINT pk_ledger_holds PRIMARY KEY (task_id),
        CONSTRAINT chk_ledger_holds_amounts CHECK (amount >= 0 AND remaining >= 0 AND remaining <= amount),
        CONSTRAINT fk_ledger_holds_task FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE RESTRICT,
        CONSTRAINT fk_ledger_holds_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT
      )`);
    await q.query(
      `CREATE INDEX idx_ledger_holds_user_open ON ledger_holds (user_id) WHERE settled_at IS NULL`,
    );

    // ── WireGuard ─────────────────────────────────────────────────────────────
    await q.query(`
      CREATE TABLE vpn_server_keys (
        id smallint NOT NULL DEFAULT 1,
        public_key varchar(44) NOT NULL,
        private_key_encrypted text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_vpn_server_keys PRIMARY KEY (id),
        CONSTRAINT chk_vpn_server_keys_singleton CHECK (id = 1)
      )`);
    await q.query(`
      CREATE TABLE vpn_peers (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid,
        node_id uuid,
        name varchar(64) NOT NULL,
        address inet NOT NULL,
        public_key varchar(44) NOT NULL,
        private_key_encrypted text,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CONSTRAINT pk_vpn_peers PRIMARY KEY (id),
        CONSTRAINT chk_vpn_peers_owner CHECK (user_id IS NOT NULL OR node_id IS NOT NULL),
        CONSTRAINT fk_vpn_peers_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_vpn_peers_node FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE
      )`);
    // an address and a key belong to one live peer; reused only after revoke
    await q.query(
      `CREATE UNIQUE INDEX uq_vpn_peers_address_active ON vpn_peers (address) WHERE revoked_at IS NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX uq_vpn_peers_public_key_active ON vpn_peers (public_key) WHERE revoked_at IS NULL`,
    );
    await q.query(`CREATE INDEX idx_vpn_peers_user ON vpn_peers (user_id) WHERE user_id IS NOT NULL`);
    await q.query(`CREATE INDEX idx_vpn_peers_node ON vpn_peers (node_id) WHERE node_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'vpn_peers',
      'vpn_server_keys',
      'ledger_holds',
      'ledger_entries',
      'ledger_transactions',
      'ledger_accounts',
      'log_chunks',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(
      `ALTER TABLE files DROP CONSTRAINT fk_files_task, DROP CONSTRAINT fk_files_shard, DROP CONSTRAINT fk_files_attempt`,
    );
    for (const table of ['attempts', 'shards', 'tasks', 'node_utilization', 'nodes', 'files', 'users']) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP SEQUENCE attempt_fencing_tokens`);
  }
}
