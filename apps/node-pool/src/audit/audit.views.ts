import { ApiProperty } from '@nestjs/swagger';
import {
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
  AUDIT_TARGET_TYPES,
  type AuditAction,
  type AuditEventView,
  type AuditOutcome,
  type AuditTargetType,
  type Page,
} from '@hivemind/contracts';
import { type AuditEvent } from './audit-event.entity';

export class AuditEventResponse implements AuditEventView {
  @ApiProperty({ description: 'ever-increasing' }) id!: string;
  @ApiProperty({ format: 'date-time', description: 'the pool’s clock' }) at!: string;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action!: AuditAction;
  @ApiProperty({ enum: AUDIT_OUTCOMES }) outcome!: AuditOutcome;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) actor_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) actor_username!: string | null;
  @ApiProperty({ type: String, nullable: true }) address!: string | null;
  @ApiProperty({ type: String, nullable: true }) request_id!: string | null;
  @ApiProperty({ enum: AUDIT_TARGET_TYPES, nullable: true }) target_type!: AuditTargetType | null;
  @ApiProperty({ type: String, nullable: true }) target_id!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) detail!: Record<string, unknown>;
}

export class AuditPageResponse implements Page<AuditEventView> {
  @ApiProperty({ type: [AuditEventResponse] }) items!: AuditEventResponse[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export const toAuditEventView = (e: AuditEvent): AuditEventView => ({
  id: String(e.id),
  at: e.at.toISOString(),
  action: e.action,
  outcome: e.outcome,
  actor_id: e.actorId,
  actor_username: e.actorUsername,
  address: e.address,
  request_id: e.requestId,
  target_type: e.targetType,
  target_id: e.targetId,
  detail: e.detail,
});
