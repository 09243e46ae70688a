import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { AuditService } from '../audit/audit.service';
import { NodePoolConfig } from '../config/node-pool.config';
import { LedgerService } from '../ledger/ledger.service';
import { NodeLivenessService } from '../nodes/node-liveness.service';
import { NodeUtilizationService } from '../nodes/node-utilization.service';
import {
  type JobHandlers,
  type JobName,
  MaintenanceJob,
  PlacementJob,
  QueueName,
} from '../queues/queue-names';
import { LifecycleService } from '../scheduling/lifecycle.service';
import { ReconcilerService } from '../scheduling/reconciler.service';

/** Each replica checks this often that the repeatable schedules still exist (Redis may have lost them). */
const WATCHDOG_MS = 30_000;
const SAFETY_PASS_MS = 5_000;

interface Schedule {
  queue: Queue;
  name: string;
  every: number;
}

/**
 * The repeatable jobs: liveness sweep, reconciler, utilization flush, ledger audit, audit-trail
 * retention (maintenance queue) and the placement safety pass. Each replica registers the same schedules under
 * deterministic ids, so Bull keeps one of each however many replicas run, and one replica runs each
 * occurrence. A watchdog on every replica puts back schedules that vanished with Redis's data, so
 * a flushed Redis heals itself without a restart.
 */
@Processor(QueueName.Maintenance)
export class MaintenanceProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MaintenanceProcessor.name);
  private readonly handlers: JobHandlers<QueueName.Maintenance>;
  private readonly schedules: Schedule[];
  private watchdog?: NodeJS.Timeout;

  constructor(
    @InjectQueue(QueueName.Maintenance) private readonly queue: Queue,
    @InjectQueue(QueueName.Placement) placementQueue: Queue,
    config: NodePoolConfig,
    ledger: LedgerService,
    liveness: NodeLivenessService,
    utilization: NodeUtilizationService,
    lifecycle: LifecycleService,
    reconciler: ReconcilerService,
    audit: AuditService,
  ) {
    const sweepEvery = Math.min(5_000, Math.max(1_000, (config.scheduling.heartbeatTimeoutS * 1000) / 3));
    this.schedules = [
      { queue, name: MaintenanceJob.LedgerAudit, every: config.ledger.auditIntervalS * 1000 },
      { queue, name: MaintenanceJob.LivenessSweep, every: sweepEvery },
      { queue, name: MaintenanceJob.Reconcile, every: 60_000 },
      { queue, name: MaintenanceJob.UtilizationFlush, every: 60_000 },
      { queue, name: MaintenanceJob.AuditPrune, every: 3_600_000 },
      { queue: placementQueue, name: PlacementJob.Pass, every: SAFETY_PASS_MS },
    ];
    this.handlers = {
      [MaintenanceJob.LedgerAudit]: async () => {
        const report = await ledger.audit();
        if (!report.ok) throw new Error(`ledger audit failed: ${report.problems.join('; ')}`);
        return report;
      },
      [MaintenanceJob.LivenessSweep]: async () => {
        const offline = await liveness.sweep();
        const lost = await lifecycle.nodesLost(offline);
        return { offline: offline.length, lost };
      },
      [MaintenanceJob.Reconcile]: () => reconciler.reconcile(),
      [MaintenanceJob.UtilizationFlush]: async () => ({
        flushed: await utilization.flushUtilization(),
        pruned: await utilization.pruneUtilization(),
      }),
      [MaintenanceJob.AuditPrune]: async () => ({ deleted: await audit.prune() }),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    // a schedule left by an earlier interval setting would run beside the new one
    for (const s of this.schedules) {
      for (const repeatable of await s.queue.getRepeatableJobs()) {
        if (repeatable.name === s.name && Number(repeatable.every) !== s.every) {
          await s.queue.removeRepeatableByKey(repeatable.key);
        }
      }
    }
    await this.ensureSchedules();
    this.watchdog = setInterval(() => void this.ensureSchedules(), WATCHDOG_MS);
    this.watchdog.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.watchdog);
  }

  /** Adds any missing schedule (adding an existing one is a no-op in Bull). */
  async ensureSchedules(): Promise<void> {
    for (const s of this.schedules) {
      try {
        await s.queue.add(s.name, s.name === String(PlacementJob.Pass) ? { reason: 'safety pass' } : {}, {
          jobId: `${s.name}-schedule`,
          repeat: { every: s.every },
          removeOnComplete: 100,
          removeOnFail: 100,
        });
      } catch (error) {
        this.logger.warn(`could not schedule ${s.name}: ${(error as Error).message}`);
      }
    }
  }

  @Process({ name: '*' })
  async run(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as JobName<QueueName.Maintenance>];
    if (!handler) throw new Error(`no handler for maintenance job "${job.name}"`);
    return handler(job.data as Record<string, never>);
  }
}
