import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The validator step (docs/validation.md "Fuzzy results"): a task's validator command, an attempt's
 * purpose (running the shard, or validating its results), and the shard's validator input (its
 * candidate results in one zip, built after the results disagreed).
 */
export class ValidatorStep1795737600000 implements MigrationInterface {
  name = 'ValidatorStep1795737600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks ADD COLUMN validator jsonb`);
    await q.query(`
      ALTER TABLE attempts
        ADD COLUMN purpose varchar(8) NOT NULL DEFAULT 'run',
        ADD CONSTRAINT chk_attempts_purpose CHECK (purpose IN ('run', 'validate'))`);
    await q.query(`
      ALTER TABLE shards
        ADD COLUMN validator_input_file_id uuid,
        ADD CONSTRAINT fk_shards_validator_input FOREIGN KEY (validator_input_file_id)
          REFERENCES files (id) ON DELETE SET NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE shards DROP CONSTRAINT fk_shards_validator_input, DROP COLUMN validator_input_file_id`,
    );
    await q.query(`ALTER TABLE attempts DROP CONSTRAINT chk_attempts_purpose, DROP COLUMN purpose`);
    await q.query(`ALTER TABLE tasks DROP COLUMN validator`);
  }
}
