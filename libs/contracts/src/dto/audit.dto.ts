import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import {
  AUDIT_ACTION_FILTER_PATTERN,
  AUDIT_ACTION_FILTER_RULE,
  AUDIT_OUTCOMES,
  AUDIT_TARGET_FILTER_PATTERN,
  AUDIT_TARGET_FILTER_RULE,
  type AuditOutcome,
} from '../domain/audit';
import { USERNAME_PATTERN, USERNAME_RULE } from '../domain/accounts';
import { PAGE_SIZE_MAX } from '../domain/page';
import { Optional } from './optional';

/** The filters of `GET /api/admin/audit`; every one is checked before the query (400 naming it). */
export class AuditQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: PAGE_SIZE_MAX, default: 50 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_SIZE_MAX)
  limit?: number;

  @ApiPropertyOptional({ description: AUDIT_ACTION_FILTER_RULE, example: 'auth.login' })
  @Optional()
  @IsString()
  @MaxLength(66)
  @Matches(AUDIT_ACTION_FILTER_PATTERN, { message: `action must be ${AUDIT_ACTION_FILTER_RULE}` })
  action?: string;

  @ApiPropertyOptional({ description: 'the acting user’s username' })
  @Optional()
  @IsString()
  @MaxLength(32)
  @Matches(USERNAME_PATTERN, { message: `actor must be a username: ${USERNAME_RULE}` })
  actor?: string;

  @ApiPropertyOptional({ enum: AUDIT_OUTCOMES })
  @Optional()
  @IsIn(AUDIT_OUTCOMES, { message: `outcome must be one of ${AUDIT_OUTCOMES.join(', ')}` })
  outcome?: AuditOutcome;

  @ApiPropertyOptional({ description: AUDIT_TARGET_FILTER_RULE })
  @Optional()
  @IsString()
  @MaxLength(161)
  @Matches(AUDIT_TARGET_FILTER_PATTERN, { message: `target must be ${AUDIT_TARGET_FILTER_RULE}` })
  target?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'events at or after this time' })
  @Optional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date-time' })
  since?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'events before this time' })
  @Optional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 date-time' })
  until?: string;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @Optional()
  @IsString()
  @Matches(/^[1-9]\d{0,17}$/, { message: 'cursor must be the next_cursor of an earlier page' })
  cursor?: string;
}
