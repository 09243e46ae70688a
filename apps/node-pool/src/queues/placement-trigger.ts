import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { PlacementJob, QueueName } from './queue-names';

/** Requests closer together than this share one pass. */
const COALESCE_MS = 50;

/**
 * Asks for a placement pass soon: called when capacity may have appeared (a node registers or comes
 * back online, an attempt ends) or work arrived (a task is submitted). Requests are coalesced: at
 * most one pass job is waiting at a time (a deterministic job id per time slot), and a pass that is
 * running when a request arrives is followed by another, so no request is lost to the race.
 */
@Injectable()
export class PlacementTrigger {
  private readonly logger = new Logger(PlacementTrigger.name);
  private timer?: NodeJS.Timeout;
  private reasons = new Set<string>();

  constructor(@InjectQueue(QueueName.Placement) private readonly queue: Queue) {}

  request(reason: string): void {
    this.reasons.add(reason);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const reason = [...this.reasons].join(', ').slice(0, 200);
      this.reasons.clear();
      void this.enqueue(reason);
    }, COALESCE_MS);
    this.timer.unref();
  }

  /** Adds a pass job now (awaitable: tests and the reconciler use it). */
  async enqueue(reason: string): Promise<void> {
    try {
      await this.queue.add(
        PlacementJob.Pass,
        { reason },
        {
          jobId: `pass:${Math.floor(Date.now() / COALESCE_MS)}`,
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
