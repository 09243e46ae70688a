import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Result validation (docs/validation.md): a task's validation policy, a shard's quorum and wanted
 * replicas and its canonical result, an attempt's result digest, what validation made of it and the
 * time the pool observed, and a node's earned standing (its run of valid results) kept apart from
 * its reliability (faults).
 */
export class ResultValidation1795564800000 implements MigrationInterface {
  name = 'ResultValidation1795564800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tasks
        ADD COLUMN validation varchar(16) NOT NULL DEFAULT 'adaptive',
        ADD COLUMN quorum smallint NOT NULL DEFAULT 2,
        ADD COLUMN max_replicas smallint NOT NULL DEFAULT 4,
        ADD CONSTRAINT chk_tasks_validation CHECK (validation IN ('none', 'quorum', 'adaptive')),
        ADD CONSTRAINT chk_tasks_replicas CHECK (quorum >= 1 AND quorum <= max_replicas)`);
    await q.query(`
      ALTER TABLE shards
        ADD COLUMN quorum smallint NOT NULL DEFAULT 1,
        ADD COLUMN replicas_wanted smallint NOT NULL DEFAULT 1,
        ADD COLUMN canonical_attempt_id uuid,
        DROP CONSTRAINT chk_shards_state,
        ADD CONSTRAINT chk_shards_state
          CHECK (state IN ('QUEUED', 'ASSIGNED', 'RUNNING', 'VALIDATING', 'COMPLETED', 'FAILED', 'CANCELLED'))`);
    await q.query(`
      ALTER TABLE attempts
        ADD COLUMN result_digest char(64),
        ADD COLUMN validation varchar(16),
        ADD COLUMN observed_ms bigint,
        ADD CONSTRAINT chk_attempts_validation
          CHECK (validation IS NULL OR validation IN ('PENDING', 'ACCEPTED', 'VALID', 'INVALID', 'INCONCLUSIVE'))`);
    await q.query(`
      ALTER TABLE nodes
        ADD COLUMN valid_run integer NOT NULL DEFAULT 0,
        ADD COLUMN valid_results integer NOT NULL DEFAULT 0,
        ADD COLUMN invalid_results integer NOT NULL DEFAULT 0,
        ADD COLUMN node_faults integer NOT NULL DEFAULT 0,
        ADD COLUMN disproved_claims integer NOT NULL DEFAULT 0,
        ADD COLUMN last_fault_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE nodes DROP COLUMN valid_run, DROP COLUMN valid_results, DROP COLUMN invalid_results,
        DROP COLUMN node_faults, DROP COLUMN disproved_claims, DROP COLUMN last_fault_at`);
    await q.query(`
      ALTER TABLE attempts DROP CONSTRAINT chk_attempts_validation, DROP COLUMN result_digest,
        DROP COLUMN validation, DROP COLUMN observed_ms`);
    await q.query(`UPDATE shards SET state = 'RUNNING' WHERE state = 'VALIDATING'`);
    await q.query(`
      ALTER TABLE shards DROP CONSTRAINT chk_shards_state, DROP COLUMN quorum, DROP COLUMN replicas_wanted,
        DROP COLUMN canonical_attempt_id,
        ADD CONSTRAINT chk_shards_state
          CHECK (state IN ('QUEUED', 'ASSIGNED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'))`);
    await q.query(`
      ALTER TABLE tasks DROP CONSTRAINT chk_tasks_validation, DROP CONSTRAINT chk_tasks_replicas,
        DROP COLUMN validation, DROP COLUMN quorum, DROP COLUMN max_replicas`);
  }
}
