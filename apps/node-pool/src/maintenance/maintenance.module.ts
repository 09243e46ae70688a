import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { MaintenanceProcessor } from './maintenance.processor';

@Module({
  imports: [LedgerModule],
  providers: [MaintenanceProcessor],
})
export class MaintenanceModule {}
