import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { NodesModule } from '../nodes/nodes.module';
import { SchedulingModule } from '../scheduling/scheduling.module';
import { MaintenanceProcessor } from './maintenance.processor';

@Module({
  imports: [LedgerModule, NodesModule, SchedulingModule],
  providers: [MaintenanceProcessor],
})
export class MaintenanceModule {}
