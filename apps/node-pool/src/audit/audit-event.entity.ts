import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AuditAction, AuditOutcome, AuditTargetType } from '@hivemind/contracts';

/**
 * One security-relevant event (docs/security.md "Audit trail"). Append-only for the application:
 * a trigger refuses UPDATE, TRUNCATE, and any DELETE but the retention job's (see the migration).
 * No foreign keys: an event outlives the user, node or task it names.
 */
@Entity('audit_events')
@Index('idx_audit_events_at', ['at'])
@Index('idx_audit_events_actor', ['actorUsername', 'id'], { where: 'actor_username IS NOT NULL' })
@Index('idx_audit_events_target', ['targetType', 'targetId', 'id'], { where: 'target_type IS NOT NULL' })
// `action LIKE 'auth.%'` needs text_pattern_ops, which TypeORM cannot express: the migration owns it
@Index('idx_audit_events_action', { synchronize: false })
@Check('chk_audit_events_outcome', `outcome IN ('ok', 'refused', 'failed')`)
export class AuditEvent {
  /** Ever-increasing: newest first is `ORDER BY id DESC`, and the page cursor is an id. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'pk_audit_events' })
  id: string;

  @CreateDateColumn({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'varchar', length: 64 })
  action: AuditAction;

  @Column({ type: 'varchar', length: 8 })
  outcome: AuditOutcome;

  @Column({ type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  actorUsername: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  address: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  targetType: AuditTargetType | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  targetId: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  detail: Record<string, unknown>;
}
