import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Tasks' secret env: the values sealed (AES-256-GCM, `SecretBox`, JSON of the map) and the names in
 * the clear, so views can show them masked without opening anything. A task with secrets is one
 * whose `secret_env_sealed` is not null.
 */
export class TaskSecretEnv1795651200000 implements MigrationInterface {
  name = 'TaskSecretEnv1795651200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks ADD COLUMN secret_env_sealed text`);
    await q.query(`ALTER TABLE tasks ADD COLUMN secret_env_keys jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks DROP COLUMN secret_env_keys`);
    await q.query(`ALTER TABLE tasks DROP COLUMN secret_env_sealed`);
  }
}
