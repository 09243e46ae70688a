import { type AttemptOutcome } from '../../src/scheduling/attempt-outcome';
import { type Fenced, WorkerReportsService } from '../../src/scheduling/worker-reports.service';
import { StorageService } from '../../src/storage/storage.service';
import { type TestNodePool } from './test-node-pool';

/**
 * What a test pool makes of result digests (tests only): the outcome of every TaskCompleted it
 * takes, as parsed (its reported `resultDigest`) by attempt id, and its own digest recomputed
 * from an attempt's stored output. Records until the pool restarts.
 */
export function watchResultDigests(pool: TestNodePool): {
  reported: Map<string, AttemptOutcome>;
  recomputed(attemptId: string, exitCode: number): Promise<string>;
} {
  const reports = pool.app.get(WorkerReportsService);
  const reported = new Map<string, AttemptOutcome>();
  const completed = reports.completed.bind(reports);
  // records and calls through: the pool goes on as it would
  reports.completed = (ref: Fenced, outcome: AttemptOutcome) => {
    reported.set(ref.attemptId, outcome);
    return completed(ref, outcome);
  };
  return {
    reported,
    recomputed: (attemptId, exitCode) => pool.app.get(StorageService).resultDigestOf(attemptId, exitCode),
  };
}
