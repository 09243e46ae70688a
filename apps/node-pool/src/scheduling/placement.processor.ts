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
  /** A local run is checking whether this replica's placement is paused. */
  private starting = false;

  constructor(
    @InjectQueue(QueueName.Placement) private readonly queue: Queue,
    private readonly scheduler: SchedulerService,
    trigger: PlacementTrigger,
  ) {
    this.handlers = {
      [PlacementJob.Pass]: () => this.runExclusive(),
    };
    trigger.useRunner({
      busy: () => this.current !== undefined || this.starting,
      run: async () => {
        this.starting = true;
        try {
          // paused on this replica (by a test, a benchmark): no pass begins
          if (await this.queue.isPaused(true)) return false;
        } finally {
          this.starting = false;
        }
        // Paused for every replica (in Redis, by an admin, a test)? Asked while the pass begins its
        // transaction and locks the queued shards: the pass writes nothing before the answer, and on
        // "paused" it rolls back and the request waits in Bull. The round trip is not in the
        // submission's way.
        const go = this.queue.isPaused().then(
          (paused) => !paused,
          () => false, // Redis unreachable: the request becomes a job (which fails to be added, and says so)
        );
        // no await since the check above: runExclusive marks the pass at once (busy)
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
