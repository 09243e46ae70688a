import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { SchedulingModule } from '../scheduling/scheduling.module';
import { MasterGrpcController } from './master.grpc-controller';
import { TasksController } from './tasks.controller';
import { TasksRepository } from './tasks.repository';
import { TaskEndWaiter } from './task-end-waiter';
import { TasksService } from './tasks.service';

/** Tasks as users see them: REST `/api/tasks` and the seed's MasterNodeService. */
@Module({
  imports: [LedgerModule, SchedulingModule],
  controllers: [TasksController, MasterGrpcController],
  providers: [TasksRepository, TasksService, TaskEndWaiter],
  exports: [TasksService],
})
export class TasksModule {}
