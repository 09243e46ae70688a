import { Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type QueueView, type ReconcileReportView, type SystemStatusView } from '@hivemind/contracts';
import { AdminOnly, Authenticated } from '../accounts/auth.guards';
import { ReconcilerService } from '../scheduling/reconciler.service';
import { SystemService } from './system.service';

@ApiTags('system')
@Authenticated()
@Controller('api')
export class SystemController {
  constructor(
    private readonly system: SystemService,
    private readonly reconciler: ReconcilerService,
  ) {}

  @Get('system/status')
  @ApiOperation({
    summary: 'The pool at a glance: stores, nodes by status and trust group, tasks by status, the queue',
  })
  status(): Promise<SystemStatusView> {
    return this.system.status();
  }

  @Get('queue')
  @ApiOperation({
    summary:
      'The placement queue: counts and the first 50 queued shards in placement order, with why they wait',
  })
  queue(): Promise<QueueView> {
    return this.system.queue();
  }

  @Post('admin/reconcile')
  @AdminOnly()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Admins: rebuild node allocations from live attempts and re-issue lost work (fix-resources)',
  })
  reconcile(): Promise<ReconcileReportView> {
    return this.reconciler.reconcile();
  }
}
