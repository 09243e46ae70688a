import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditActionFilter, AuditOutcome } from '@hivemind/contracts';
import { type ComposedStatement } from '../common/composed-statement';
import { updateReturning } from '../common/transaction';
import { AuditEvent } from './audit-event.entity';

export type NewAuditEvent = Omit<AuditEvent, 'id' | 'at'>;

export interface AuditFilter {
  action?: AuditActionFilter;
  actor?: string;
  outcome?: AuditOutcome;
  target?: { type: string; id?: string };
  since?: Date;
  until?: Date;
  /** Events older than this id (the previous page's last). */
  beforeId?: string;
  limit: number;
}

const INSERT_COLUMNS =
  '(action, outcome, actor_id, actor_username, address, request_id, target_type, target_id, detail)';
const INSERT_PARAMS = '$1, $2, $3, $4, $5, $6, $7, $8, $9';

function valuesOf(e: NewAuditEvent): unknown[] {
  return [
    e.action,
    e.outcome,
    e.actorId,
    e.actorUsername,
    e.address,
    e.requestId,
    e.targetType,
    e.targetId,
    JSON.stringify(e.detail),
  ];
}

/** The only code that reads and writes `audit_events`. */
@Injectable()
export class AuditEventsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Appends one event, inside the caller's transaction when one is given. */
  async insert(e: NewAuditEvent, manager?: EntityManager): Promise<void> {
    await (manager ?? this.db).query(
      `INSERT INTO audit_events ${INSERT_COLUMNS} VALUES (${INSERT_PARAMS})`,
      valuesOf(e),
    );
  }

  /** Appends one event as a part (`audit_event`) of the caller's statement, if `when` holds. */
  addInsert(statement: ComposedStatement, e: NewAuditEvent, when: string): void {
    statement.with(
      'audit_event',
      `INSERT INTO audit_events ${INSERT_COLUMNS} SELECT ${INSERT_PARAMS} WHERE ${when}`,
      valuesOf(e),
    );
  }

  /** A page of events, newest first. */
  page(filter: AuditFilter): Promise<AuditEvent[]> {
    const q = this.db
      .getRepository(AuditEvent)
      .createQueryBuilder('e')
      .orderBy('e.id', 'DESC')
      .limit(filter.limit);
    const action = filter.action;
    if (action && 'exact' in action) q.andWhere('e.action = :action', { action: action.exact });
    // the filter's pattern allows only [a-z_.]: no LIKE wildcard but `_`, escaped here
    if (action && 'prefix' in action) {
      q.andWhere(`e.action LIKE :prefix ESCAPE '\\'`, { prefix: `${action.prefix.replace(/_/g, '\\_')}%` });
    }
    if (filter.actor) q.andWhere('e.actorUsername = :actor', { actor: filter.actor });
    if (filter.outcome) q.andWhere('e.outcome = :outcome', { outcome: filter.outcome });
    if (filter.target) q.andWhere('e.targetType = :type', { type: filter.target.type });
    if (filter.target?.id) q.andWhere('e.targetId = :targetId', { targetId: filter.target.id });
    if (filter.since) q.andWhere('e.at >= :since', { since: filter.since });
    if (filter.until) q.andWhere('e.at < :until', { until: filter.until });
    if (filter.beforeId) q.andWhere('e.id < :beforeId', { beforeId: filter.beforeId });
    return q.getMany();
  }

  /**
   * Deletes up to `batch` events older than `cutoff`, in a transaction that tells the append-only
   * trigger so (SET LOCAL: the permission ends with the transaction). Returns how many went.
   */
  pruneBatch(cutoff: Date, batch: number): Promise<number> {
    return this.db.transaction(async (m) => {
      await m.query(`SELECT set_config('hivemind.audit_prune_before', $1, true)`, [cutoff.toISOString()]);
      const deleted = await updateReturning<{ id: string }>(
        m,
        `DELETE FROM audit_events
          WHERE id IN (SELECT id FROM audit_events WHERE at < $1 ORDER BY id LIMIT $2)
          RETURNING id`,
        [cutoff, batch],
      );
      return deleted.length;
    });
  }
}
