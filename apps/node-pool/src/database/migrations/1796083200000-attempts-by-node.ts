import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Every attempt of a node, by node: the CPT a node has earned (RegisterWorkerNode's `cpt_earned`,
 * summed at each registration) reads that node's attempts only, not the whole table — a hundred
 * thousand nodes registering again after a pool restart would otherwise scan it once each.
 */
export class AttemptsByNode1796083200000 implements MigrationInterface {
  name = 'AttemptsByNode1796083200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX idx_attempts_node ON attempts (node_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_attempts_node`);
  }
}
