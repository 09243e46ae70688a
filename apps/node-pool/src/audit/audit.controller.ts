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
    const since = query.since === undefined ? undefined : new Date(query.since);
    const until = query.until === undefined ? undefined : new Date(query.until);
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
