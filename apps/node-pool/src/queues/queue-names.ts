// Typed jobs (docs/conventions.md): every queue and job name in one place, each job's payload typed.
// Redis + Bull carries dispatch only; PostgreSQL is the truth, and the reconciler rebuilds these
// queues from it if Redis loses its data.

export enum QueueName {
  /** Placement passes: "place the queued shards" (the queue's order lives in PostgreSQL). */
  Placement = 'placement',
  /** Repeatable jobs: liveness sweep, reconciler, ledger audit. */
  Maintenance = 'maintenance',
  /** After a task's shards finish: aggregate step, settlement. */
  PostProcessing = 'post-processing',
}

export const QUEUE_NAMES: readonly QueueName[] = Object.values(QueueName);

/** Repeatable jobs on the maintenance queue. */
export enum MaintenanceJob {
  /** Checks the ledger's invariants (entries sum to zero, no negative balance, escrow = holds). */
  LedgerAudit = 'ledger-audit',
  /** Marks nodes without a heartbeat offline and their attempts LOST. */
  LivenessSweep = 'liveness-sweep',
  /** Rebuilds node allocations from live attempts and re-issues what Redis may have lost. */
  Reconcile = 'reconcile',
  /** Writes the finished utilization buckets to PostgreSQL. */
  UtilizationFlush = 'utilization-flush',
  /** Deletes audit events older than AUDIT_RETENTION_DAYS. */
  AuditPrune = 'audit-prune',
}

export enum PlacementJob {
  /** One placement pass. */
  Pass = 'pass',
}

export enum PostProcessingJob {
  /** Builds the aggregate step's input from every shard's output and queues the step. */
  PrepareAggregate = 'prepare-aggregate',
  /** Builds a shard's validator input from its disagreeing results and asks for the validator's runs. */
  PrepareValidator = 'prepare-validator',
}

/**
 * Job names per queue with their payloads. Each feature adds its jobs here; a queue's processor
 * maps every name to exactly one handler in a `JobHandlers<Q>` record, so a job without a handler
 * (or a handler for no job) does not compile.
 */
export interface JobPayloads {
  [QueueName.Placement]: { [PlacementJob.Pass]: { reason: string } };
  [QueueName.Maintenance]: {
    [MaintenanceJob.LedgerAudit]: Record<string, never>;
    [MaintenanceJob.LivenessSweep]: Record<string, never>;
    [MaintenanceJob.Reconcile]: Record<string, never>;
    [MaintenanceJob.UtilizationFlush]: Record<string, never>;
    [MaintenanceJob.AuditPrune]: Record<string, never>;
  };
  [QueueName.PostProcessing]: {
    [PostProcessingJob.PrepareAggregate]: { taskId: string };
    [PostProcessingJob.PrepareValidator]: { shardId: string };
  };
}

export type JobName<Q extends QueueName> = Extract<keyof JobPayloads[Q], string>;

/** One handler per job name of queue Q. */
export type JobHandlers<Q extends QueueName> = {
  [N in JobName<Q>]: (payload: JobPayloads[Q][N]) => Promise<unknown>;
};
