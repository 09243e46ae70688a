import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { PlacementJob, QueueName } from './queue-names';

/** Requests closer together than this share one pass. */
export const COALESCE_MS = 50;

/**
 * Asks for a placement pass soon: called when capacity may have appeared (a node registers or comes
 * back online, an attempt ends) or work arrived (a task is submitted). When no pass runs on this
 * replica, the request's pass starts at once, here (a submission is placed without waiting out a
 * window or a trip through Bull); while one runs, requests become Bull jobs, coalesced: one per
 * COALESCE_MS window at most. At most one pass job is waiting at a time
 * (a deterministic job id per time slot), and a pass that is running when a request arrives is
 * followed by another, so no request is lost to the race.
 */
/** The placement processor of this replica, as the trigger sees it. */
export interface PassRunner {
  /** A pass runs (or is starting) on this replica. */
  busy(): boolean;
  /** Starts a pass here (true), or declines (false: placement is paused). */
  run(reason: string): Promise<boolean>;
}

@Injectable()
export class PlacementTrigger {
  private readonly logger = new Logger(PlacementTrigger.name);
  private timer?: NodeJS.Timeout;
  private reasons = new Set<string>();
  /** When this replica last asked for a pass (ms). */
  private lastAddedMs = -Infinity;
  /** Runs passes on this replica: `busy` while one runs; `run` starts one, or declines (false). */
  private runner?: PassRunner;

  constructor(@InjectQueue(QueueName.Placement) private readonly queue: Queue) {}

  /**
   * Lets an idle request run its pass on this replica at once, skipping the trip through Bull
   * (the placement processor registers itself); a busy or paused replica declines and the
   * request becomes a job as usual.
   */
  useRunner(runner: PassRunner): void {
    this.runner = runner;
  }

  request(reason: string, nowMs = Date.now()): void {
    this.reasons.add(reason);
    if (this.timer) return;
    const runner = this.runner;
    // idle: no pass runs on this replica, so this one starts now, here
    if (runner && !runner.busy()) {
      const why = [...this.reasons].join(', ').slice(0, 200);
      this.reasons.clear();
      this.lastAddedMs = nowMs;
      void this.runHereOrEnqueue(runner, why, nowMs);
      return;
    }
    // the last pass job was added a window ago or more, so this one gets a slot of its own
    if (nowMs - this.lastAddedMs >= COALESCE_MS) {
      this.reasons.clear();
      void this.enqueue(reason.slice(0, 200), nowMs);
      return;
    }
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        const reason = [...this.reasons].join(', ').slice(0, 200);
        this.reasons.clear();
        void this.enqueue(reason);
      },
      COALESCE_MS + 1 - (nowMs - this.lastAddedMs),
    );
    this.timer.unref();
  }

  private async runHereOrEnqueue(runner: PassRunner, reason: string, nowMs: number): Promise<void> {
    const ran = await runner.run(reason).catch(() => false);
    if (!ran) await this.enqueue(reason, nowMs);
  }

  /** Adds a pass job now (awaitable: tests and the reconciler use it). */
  async enqueue(reason: string, nowMs = Date.now()): Promise<void> {
    this.lastAddedMs = nowMs;
    try {
      await this.queue.add(
        PlacementJob.Pass,
        { reason },
        {
          jobId: `pass:${Math.floor(nowMs / COALESCE_MS)}`,
          removeOnComplete: true,
          removeOnFail: 100,
        },
      );
    } catch (error) {
      // the repeatable safety pass and the reconciler will place the shards
      this.logger.warn(`could not request a placement pass: ${(error as Error).message}`);
    }
  }
}
