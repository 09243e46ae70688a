import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Placement's snapshot of the nodes is kept up to date from the rows changed since its last read
 * (docs/scheduling.md "Placement at scale"): `updated_at` is indexed, and a trigger stamps it on
 * every UPDATE with the time of the write (clock_timestamp, not the transaction's start), so no
 * writer — a repository, a maintenance script, an operator's SQL — can change a node without
 * placement seeing it.
 */
export class NodeChanges1795910400000 implements MigrationInterface {
  name = 'NodeChanges1795910400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX idx_nodes_updated_at ON nodes (updated_at)`);
    await q.query(`
      CREATE FUNCTION nodes_stamp_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.updated_at := clock_timestamp();
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER trg_nodes_updated_at BEFORE UPDATE ON nodes
        FOR EACH ROW EXECUTE FUNCTION nodes_stamp_updated_at()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER trg_nodes_updated_at ON nodes`);
    await q.query(`DROP FUNCTION nodes_stamp_updated_at()`);
    await q.query(`DROP INDEX idx_nodes_updated_at`);
  }
}
