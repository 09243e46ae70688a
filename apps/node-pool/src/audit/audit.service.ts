import { Injectable, Logger } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import type { AuditAction, AuditOutcome, AuditTargetType } from '@hivemind/contracts';
import { type ComposedStatement } from '../common/composed-statement';
import { DomainError } from '../common/domain-error';
import { NodePoolConfig } from '../config/node-pool.config';
import { boundedDetail } from './audit-detail';
import { AuditEventsRepository, type AuditFilter } from './audit-events.repository';
import { type AuditEvent } from './audit-event.entity';
import { type AuditActor, currentOrigin } from './request-origin';

/** What a caller tells `AuditService.record`; the request's origin fills in the rest. */
export interface AuditRecord {
  action: AuditAction;
  /** `ok` when left out. */
  outcome?: AuditOutcome;
  /**
   * Who acted: by default the request's authenticated caller; given where the service knows better
   * (a login names the user it logged in; `null` for a refused one).
   */
  actor?: AuditActor | null;
  target?: { type: AuditTargetType; id: string } | null;
  /** Small and flat; keys that name a secret are dropped, strings cut (audit-detail.ts). */
  detail?: Record<string, unknown>;
}

/** Old events are deleted this many at a time, each batch its own short transaction. */
const PRUNE_BATCH = 5_000;
/** One run deletes at most this many batches; the next run goes on. */
const PRUNE_BATCHES_PER_RUN = 200;

/** The audit trail (docs/security.md "Audit trail"): record events, read them, forget old ones. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(
    private readonly events: AuditEventsRepository,
    private readonly config: NodePoolConfig,
  ) {}

  /**
   * Appends one event. With `manager` it is part of the caller's transaction (a transfer, an admin
   * change): it commits with it, and a failed insert fails the transaction. Without, it never
   * fails the caller's action: a failed insert is logged as a warning.
   */
  async record(event: AuditRecord, manager?: EntityManager): Promise<void> {
    const row = this.rowOf(event);
    if (manager) return this.events.insert(row, manager);
    try {
      await this.events.insert(row);
    } catch (error) {
      this.logger.warn(
        `could not record audit event ${event.action} (${row.outcome}): ${(error as Error).message}`,
      );
    }
  }

  /**
   * record() as a part of the caller's statement (`ComposedStatement`), written only if `when` holds:
   * it commits with the rows the statement writes.
   */
  recordIn(statement: ComposedStatement, event: AuditRecord, when: string): void {
    this.events.addInsert(statement, this.rowOf(event), when);
  }

  /**
   * Records that `error` ended the action: `refused` for a refusal (a DomainError: wrong password,
   * too little CPT, no such user), `failed` for anything else. Never throws; the caller rethrows.
   */
  recordFailure(event: Omit<AuditRecord, 'outcome'>, error: unknown): Promise<void> {
    const refused = error instanceof DomainError;
    return this.record({
      ...event,
      outcome: refused ? 'refused' : 'failed',
      detail: {
        ...event.detail,
        reason: refused ? error.kind : 'error',
        ...(refused ? { message: error.message } : {}),
      },
    });
  }

  /** Runs `work`, recording its refusal or failure (not its success: `work` records that itself). */
  async refusalsOf<T>(event: Omit<AuditRecord, 'outcome'>, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      await this.recordFailure(event, error);
      throw error;
    }
  }

  page(filter: AuditFilter): Promise<AuditEvent[]> {
    return this.events.page(filter);
  }

  /** Deletes events older than AUDIT_RETENTION_DAYS, in batches; returns how many went. */
  async prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.audit.retentionDays * 86_400_000);
    let total = 0;
    for (let i = 0; i < PRUNE_BATCHES_PER_RUN; i++) {
      const deleted = await this.events.pruneBatch(cutoff, PRUNE_BATCH);
      total += deleted;
      if (deleted < PRUNE_BATCH) break;
    }
    if (total) this.logger.log(`deleted ${total} audit event(s) older than ${cutoff.toISOString()}`);
    return total;
  }

  private rowOf(event: AuditRecord): Omit<AuditEvent, 'id' | 'at'> {
    const origin = currentOrigin();
    const actor = event.actor === undefined ? (origin?.actor ?? null) : event.actor;
    return {
      action: event.action,
      outcome: event.outcome ?? 'ok',
      actorId: actor?.id ?? null,
      actorUsername: actor?.username.slice(0, 32) ?? null,
      address: origin?.address ?? null,
      requestId: origin?.requestId ?? null,
      targetType: event.target?.type ?? null,
      targetId: event.target?.id.slice(0, 128) ?? null,
      detail: boundedDetail(event.detail),
    };
  }
}
