import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { SchedulingModule } from '../scheduling/scheduling.module';
import { SystemController } from './system.controller';
import { SystemRepository } from './system.repository';
import { SystemService } from './system.service';

/** The pool as a whole: `/api/system/status`, the placement queue view, the admins' reconcile. */
@Module({
  imports: [HealthModule, SchedulingModule],
  controllers: [SystemController],
  providers: [SystemRepository, SystemService],
})
export class SystemModule {}
