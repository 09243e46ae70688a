// Typed jobs (CONVENTIONS.md §6): every queue and job name in one place, each job's payload typed.
// Redis + Bull carries dispatch only; PostgreSQL is the truth, and the reconciler rebuilds these
// queues from it if Redis loses its data.

export enum QueueName {
  /** "place this shard" jobs. */
  Placement = 'placement',
  /** Repeatable jobs: liveness sweep, reconciler, ledger audit. */
  Maintenance = 'maintenance',
  /** After a task's shards finish: aggregate step, settlement. */
  PostProcessing = 'post-processing',
}

export const QUEUE_NAMES: readonly QueueName[] = Object.values(QueueName);

/**
 * Job names per queue with their payloads. Each feature adds its jobs here and exactly one handler
 * for each (checked at start-up by JobHandlerRegistry).
 */
export interface JobPayloads {
  [QueueName.Placement]: Record<never, never>;
  [QueueName.Maintenance]: Record<never, never>;
  [QueueName.PostProcessing]: Record<never, never>;
}

export type JobName<Q extends QueueName> = Extract<keyof JobPayloads[Q], string>;
