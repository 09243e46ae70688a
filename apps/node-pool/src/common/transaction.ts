import { type DataSource, type EntityManager, QueryFailedError } from 'typeorm';

/** PostgreSQL's "try again" errors: deadlock detected, serialization failure. */
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * Runs `work` in one transaction, retrying it (a few times, with jitter) when PostgreSQL aborts it
 * for a deadlock or a serialization failure; any other error rolls back and propagates.
 */
export async function inTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.transaction(work);
    } catch (error) {
      const code =
        (error as { code?: string; driverError?: { code?: string } }).driverError?.code ??
        (error as { code?: string }).code;
      if (attempt >= attempts || !code || !RETRYABLE.has(code)) throw error;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    }
  }
}

/**
 * Rows of an `UPDATE … RETURNING` (or `DELETE … RETURNING`): TypeORM's `query()` answers those as
 * `[rows, rowCount]`, unlike SELECT and INSERT; this returns the rows either way.
 */
export async function updateReturning<T>(
  runner: Pick<EntityManager, 'query'>,
  sql: string,
  args: unknown[] = [],
): Promise<T[]> {
  const result = (await runner.query(sql, args)) as unknown;
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}

/** True when `error` is PostgreSQL's unique violation (23505) on `constraint`. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' && driverError.constraint === constraint;
}
