import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { LedgerModule } from '../ledger/ledger.module';
import { SchedulingModule } from '../scheduling/scheduling.module';
import { FilesController } from './files.controller';
import { MasterGrpcController } from './master.grpc-controller';
import { SystemController } from './system.controller';
import { TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';

/** Tasks as users see them: REST, the seed's MasterNodeService, system status and the queue. */
@Module({
  imports: [HealthModule, LedgerModule, SchedulingModule],
  controllers: [TasksController, FilesController, SystemController, MasterGrpcController],
  providers: [TasksService],
  exports: [TasksService],
})
export class TasksModule {}
