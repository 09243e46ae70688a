import { InjectQueue, Process, Processor } from '@nestjs/bull';

import type { Job, Queue } from 'bull';
import { type JobHandlers, type JobName, PlacementJob, QueueName } from '../queues/queue-names';
import { SchedulerService } from './scheduler.service';

/**
 * Runs placement passes from the placement queue, one at a time per replica (Bull's default
 * concurrency of 1); replicas run theirs side by side, which the pass is built for. The safety
 * pass every few seconds is scheduled with the maintenance jobs.
 */
@Processor(QueueName.Placement)
export class PlacementProcessor {
  private readonly handlers: JobHandlers<QueueName.Placement>;

  constructor(
    @InjectQueue(QueueName.Placement) private readonly queue: Queue,
    scheduler: SchedulerService,
  ) {
    this.handlers = {
      [PlacementJob.Pass]: async () => {
        const report = await scheduler.runPass();
        if (report.raced > 0) {
          // another replica took capacity this pass counted on: look again
          await this.queue.add(PlacementJob.Pass, { reason: 'raced' }, { removeOnComplete: true, delay: 20 });
        }
        return report;
      },
    };
  }

  @Process({ name: '*' })
  async run(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as JobName<QueueName.Placement>];
    if (!handler) throw new Error(`no handler for placement job "${job.name}"`);
    return handler(job.data as { reason: string });
  }
}
