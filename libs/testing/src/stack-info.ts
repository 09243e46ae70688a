/** What the global setup started, handed to test files through the environment. */
export interface TestStackInfo {
  /** Admin URL of the run's PostgreSQL server (database `postgres`). */
  postgresUrl: string;
  redisUrl: string;
  redisPort: number;
  /** True when a Docker engine answers (started by the harness when it could). */
  docker: boolean;
  /** Why Docker tests are skipped, when they are. */
  dockerSkipReason?: string;
}

export const STACK_ENV = 'HIVEMIND_TEST_STACK';

export function stackInfo(): TestStackInfo {
  const raw = process.env[STACK_ENV];
  if (!raw)
    throw new Error(
      'the integration test stack is not running: run integration tests through `npm test` (jest --selectProjects integration)',
    );
  return JSON.parse(raw) as TestStackInfo;
}
