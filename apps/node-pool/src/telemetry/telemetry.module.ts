import { Global, Module } from '@nestjs/common';
import { TelemetryService } from './telemetry.service';

/** Live events for /ws/telemetry; global so every feature can publish. */
@Global()
@Module({
  providers: [TelemetryService],
  exports: [TelemetryService],
})
export class TelemetryModule {}
