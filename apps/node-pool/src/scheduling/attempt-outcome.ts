// How an attempt ends, in the words settlement uses (docs/scheduling.md "Life cycle"), and the
// outcomes each path of the pool builds: the node's report, a lost node, the reconciler's timeout,
// a cancel. Pure: no IO.
import { AttemptState } from '@hivemind/contracts';

/** Who is to blame for a failure: `node` failures are retried and cost the user nothing. */
export type FailureCause = 'node' | 'task' | 'platform' | 'user';

/** How an attempt ended, as the life cycle records it. */
export interface AttemptOutcome {
  state: AttemptState.Completed | AttemptState.Failed | AttemptState.Lost | AttemptState.Cancelled;
  cause?: FailureCause;
  exitCode?: number | null;
  oomKilled?: boolean;
  error?: string | null;
  durationMs?: number | null;
  cpuSeconds?: number | null;
  peakMemoryMb?: number | null;
  outputSha256?: string | null;
  /** The result digest the node reports (the pool computes its own from the upload and compares). */
  resultDigest?: string | null;
}

/** The fields of a TaskCompleted report that say how the attempt ended (zero values: not given). */
export interface CompletionReport {
  success: boolean;
  exit_code: number;
  oom_killed: boolean;
  /** Empty or "task": the task's own failure; "node": the executor's. */
  failure_cause: string;
  error: string;
  duration_ms: string;
  cpu_seconds: number;
  peak_memory_mb: number;
  output_sha256: string;
}

/**
 * A node's TaskCompleted as an outcome: completed only with success, exit code 0 and no OOM kill;
 * otherwise failed, by the task unless the worker blames its executor ("node").
 */
export function reportedOutcome(r: CompletionReport): AttemptOutcome {
  const ok = r.success && r.exit_code === 0 && !r.oom_killed;
  return {
    state: ok ? AttemptState.Completed : AttemptState.Failed,
    cause: ok ? undefined : r.failure_cause === 'node' ? 'node' : 'task',
    exitCode: r.exit_code,
    oomKilled: r.oom_killed,
    error: r.error || (ok ? null : r.oom_killed ? 'killed: out of memory' : `exit code ${r.exit_code}`),
    durationMs: Number(r.duration_ms) || null,
    cpuSeconds: r.cpu_seconds || null,
    peakMemoryMb: r.peak_memory_mb || null,
    outputSha256: r.output_sha256 || null,
  };
}

/** The node went away (or no longer runs the attempt): a node failure, retried elsewhere. */
export function lostOutcome(why: string): AttemptOutcome {
  return { state: AttemptState.Lost, cause: 'node', error: why };
}

/** Still running `graceS` past its timeout: the task's own failure (the worker should have ended it). */
export function timedOutOutcome(timeoutS: number, graceS: number): AttemptOutcome {
  return {
    state: AttemptState.Failed,
    cause: 'task',
    error: `timed out: still running ${graceS} s after its ${timeoutS} s timeout`,
  };
}

/** Stopped because its task was cancelled. */
export function cancelledOutcome(by: string): AttemptOutcome {
  return { state: AttemptState.Cancelled, cause: 'user', error: `cancelled by ${by}` };
}

/** Stopped because the shard's quorum was reached without it: nobody's failure, and not paid. */
export function notNeededOutcome(): AttemptOutcome {
  return {
    state: AttemptState.Cancelled,
    cause: 'platform',
    error: "not needed: the shard's quorum was reached",
  };
}
