import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditController } from './audit.controller';
import { AuditEventsRepository } from './audit-events.repository';
import { AuditService } from './audit.service';
import { RequestOriginInterceptor } from './request-origin.interceptor';

/**
 * The audit trail: `AuditService` for every feature (global, so that recording an event needs no
 * import), the request-origin interceptor on every REST route and rpc, and `GET /api/admin/audit`.
 */
@Global()
@Module({
  controllers: [AuditController],
  providers: [
    AuditEventsRepository,
    AuditService,
    { provide: APP_INTERCEPTOR, useClass: RequestOriginInterceptor },
  ],
  exports: [AuditService],
})
export class AuditModule {}
