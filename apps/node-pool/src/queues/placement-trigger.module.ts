import { Global, Module } from '@nestjs/common';
import { PlacementTrigger } from './placement-trigger';

/** The placement trigger, global so nodes and tasks can ask for a pass without importing the scheduler. */
@Global()
@Module({
  providers: [PlacementTrigger],
  exports: [PlacementTrigger],
})
export class PlacementTriggerModule {}
