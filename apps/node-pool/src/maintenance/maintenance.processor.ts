import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { NodePoolConfig } from '../config/node-pool.config';
import { LedgerService } from '../ledger/ledger.service';
import { type JobHandlers, type JobName, MaintenanceJob, QueueName } from '../queues/queue-names';

/**
 * The maintenance queue's repeatable jobs. Each replica registers the same repeat schedule under
 * a deterministic id, so Bull keeps one schedule however many replicas run, and one replica runs
 * each occurrence.
 */
@Processor(QueueName.Maintenance)
export class MaintenanceProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceProcessor.name);
  private readonly handlers: JobHandlers<QueueName.Maintenance>;

  constructor(
    @InjectQueue(QueueName.Maintenance) private readonly queue: Queue,
    private readonly config: NodePoolConfig,
    ledger: LedgerService,
  ) {
    this.handlers = {
      [MaintenanceJob.LedgerAudit]: async () => {
        const report = await ledger.audit();
        if (!report.ok) throw new Error(`ledger audit failed: ${report.problems.join('; ')}`);
        return report;
      },
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const every = this.config.ledger.auditIntervalS * 1000;
    // a schedule left by an earlier LEDGER_AUDIT_INTERVAL_S would run beside the new one
    for (const repeatable of await this.queue.getRepeatableJobs()) {
      if (repeatable.name === String(MaintenanceJob.LedgerAudit) && Number(repeatable.every) !== every) {
        await this.queue.removeRepeatableByKey(repeatable.key);
      }
    }
    await this.queue.add(
      MaintenanceJob.LedgerAudit,
      {},
      {
        jobId: MaintenanceJob.LedgerAudit,
        repeat: { every },
        removeOnComplete: 100,
        removeOnFail: 100,
      },
    );
  }

  @Process({ name: '*' })
  async run(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as JobName<QueueName.Maintenance>];
    if (!handler) throw new Error(`no handler for maintenance job "${job.name}"`);
    this.logger.debug(`running ${job.name}`);
    return handler(job.data as Record<string, never>);
  }
}
