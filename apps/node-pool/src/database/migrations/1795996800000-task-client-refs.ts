import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A task keeps its submitter's own name for it (the seed's `UploadTask.task_id`, REST `client_ref`),
 * unique per user, with the digest of the request that created it so that a repeat of the same
 * request answers the earlier task and a different one is refused (ADR 0012). Tasks submitted with
 * the seed's `gpu_name` / `location` "Any" before it meant "no constraint" waited forever for a GPU
 * called "Any": they are released here.
 */
export class TaskClientRefs1795996800000 implements MigrationInterface {
  name = 'TaskClientRefs1795996800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks ADD COLUMN client_ref varchar(128), ADD COLUMN request_digest char(64)`);
    await q.query(
      `CREATE UNIQUE INDEX uq_tasks_client_ref ON tasks (user_id, client_ref) WHERE client_ref IS NOT NULL`,
    );
    await q.query(
      `ALTER TABLE tasks ADD CONSTRAINT chk_tasks_client_ref CHECK (client_ref IS NULL OR request_digest IS NOT NULL)`,
    );
    await q.query(
      `UPDATE tasks SET req_gpu_name = NULL WHERE req_gpu_name IS NOT NULL AND lower(btrim(req_gpu_name)) IN ('', 'any')`,
    );
    await q.query(
      `UPDATE tasks SET location = NULL WHERE location IS NOT NULL AND lower(btrim(location)) IN ('', 'any')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks DROP CONSTRAINT chk_tasks_client_ref`);
    await q.query(`DROP INDEX uq_tasks_client_ref`);
    await q.query(`ALTER TABLE tasks DROP COLUMN request_digest, DROP COLUMN client_ref`);
  }
}
