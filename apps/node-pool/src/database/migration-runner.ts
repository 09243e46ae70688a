import { Logger } from '@nestjs/common';
import { type DataSource } from 'typeorm';

/** Any fixed 64-bit key: every node-pool replica takes the same lock before migrating. */
const MIGRATION_LOCK_KEY = 7_305_118_004_321;

/**
 * Runs pending migrations while holding a PostgreSQL advisory lock, so several replicas starting
 * at once migrate one after the other (the later ones find nothing left to do).
 */
export async function runMigrationsLocked(
  dataSource: DataSource,
  logger = new Logger('Migrations'),
): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      for (const migration of applied) logger.log(`applied migration ${migration.name}`);
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
