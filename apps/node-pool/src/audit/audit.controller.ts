import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  PAGE_SIZE_DEFAULT,
  auditActionFilter,
  auditTargetFilter,
  toPage,
  type AuditEventView,
  type Page,
} from '@hivemind/contracts';
import { AuditQueryDto } from '@hivemind/contracts/dto';
import { AdminOnly } from '../accounts/auth.guards';
import { DomainError } from '../common/domain-error';
import { AuditService } from './audit.service';
import { AuditPageResponse, toAuditEventView } from './audit.views';

@ApiTags('admin')
@AdminOnly()
@Controller('api/admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    summary: 'The audit trail, newest first: logins, transfers, tasks, admin changes, nodes, VPN peers',
  })
  @ApiOkResponse({ type: AuditPageResponse })
  async list(@Query() query: AuditQueryDto): Promise<Page<AuditEventView>> {
    const limit = query.limit ?? PAGE_SIZE_DEFAULT;
    const since = timeOf(query.since, 'since');
    const until = timeOf(query.until, 'until');
    if (since && until && since >= until) {
      throw new DomainError('invalid', 'since must be before until', { field: 'since' });
    }
    const events = await this.audit.page({
      action: query.action === undefined ? undefined : auditActionFilter(query.action),
      actor: query.actor,
      outcome: query.outcome,
      target: query.target === undefined ? undefined : auditTargetFilter(query.target),
      since,
      until,
      beforeId: query.cursor,
      limit,
    });
    return toPage(events, limit, toAuditEventView, (e) => String(e.id));
  }
}

/**
 * An ISO 8601 filter as a time PostgreSQL can hold: `0000-01-01` is valid ISO but no year of
 * PostgreSQL's, and no audit event is older than the Unix epoch anyway.
 */
function timeOf(value: string | undefined, field: 'since' | 'until'): Date | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value);
  const year = time.getUTCFullYear();
  if (Number.isNaN(time.getTime()) || year < 1970 || year > 9999) {
    throw new DomainError('invalid', `${field} must be a time between 1970 and 9999`, { field });
  }
  return time;
}
