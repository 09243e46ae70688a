import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { PlacementTrigger } from '../queues/placement-trigger';
import { type JobHandlers, type JobName, PlacementJob, QueueName } from '../queues/queue-names';
import { type PassReport, SchedulerService } from './scheduler.service';

/**
 * Runs placement passes, one at a time per replica: from the placement queue (Bull's default
 * concurrency of 1), or at once when an idle replica is asked for one (PlacementTrigger's runner,
 * which skips the trip through Bull); replicas run theirs side by side, which the pass is built
 * for. The safety pass every few seconds is scheduled with the maintenance jobs.
 */
@Processor(QueueName.Placement)
export class PlacementProcessor {
  private readonly logger = new Logger(PlacementProcessor.name);
  private readonly handlers: JobHandlers<QueueName.Placement>;
  /** The pass running on this replica, if any. */
  private current?: Promise<PassReport>;

  constructor(
    @InjectQueue(QueueName.Placement) private readonly queue: Queue,
    private readonly scheduler: SchedulerService,
    trigger: PlacementTrigger,
  ) {
    this.handlers = {
      [PlacementJob.Pass]: () => this.runExclusive(),
    };
    trigger.useRunner({
      busy: () => this.current !== undefined,
      run: async () => {
        // Placement paused (by a test, a benchmark, an admin)? Asked of Redis while the pass begins
        // its transaction and locks the queued shards: the pass writes nothing before the answer,
        // and when it is "paused" the pass rolls back and the request waits in Bull. The round trip
        // is not in the submission's way.
        const go = this.isPaused().then(
          (paused) => !paused,
          () => false, // Redis unreachable: the request becomes a job (which fails to be added, and says so)
        );
        // no await before this: runExclusive marks the pass at once (busy)
        const pass = this.runExclusive(go);
        if (!(await go)) {
          await pass.catch(() => undefined); // rolled back (PlacementPaused), nothing placed
          return false;
        }
        pass.catch((error: Error) => {
          this.logger.warn(`placement pass failed: ${error.message}; asking again through the queue`);
          void trigger.enqueue('after a failed pass');
        });
        return true;
      },
    });
  }

  /** Paused on this replica, or for every replica (in Redis). */
  private async isPaused(): Promise<boolean> {
    return (await this.queue.isPaused(true)) || (await this.queue.isPaused());
  }

  @Process({ name: '*' })
  async run(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as JobName<QueueName.Placement>];
    if (!handler) throw new Error(`no handler for placement job "${job.name}"`);
    return handler(job.data as { reason: string });
  }

  /** One pass, after the one running on this replica (if any) has ended. */
  private async runExclusive(go?: Promise<boolean>): Promise<PassReport> {
    while (this.current) await this.current.catch(() => undefined);
    const pass = this.pass(go);
    this.current = pass;
    try {
      return await pass;
    } finally {
      if (this.current === pass) this.current = undefined;
    }
  }

  private async pass(go?: Promise<boolean>): Promise<PassReport> {
    const report = await this.scheduler.runPass(go);
    if (report.raced > 0) {
      // another replica took capacity this pass counted on: look again
      await this.queue.add(PlacementJob.Pass, { reason: 'raced' }, { removeOnComplete: true, delay: 20 });
    }
    return report;
  }
}
