import { Global, Module } from '@nestjs/common';
import { TaskOwnersRepository } from './task-owners.repository';
import { TelemetryGateway } from './telemetry.gateway';
import { TelemetryHub } from './telemetry-hub';
import { telemetryMetrics } from './telemetry-metrics';
import { TelemetryService } from './telemetry.service';

/**
 * Live events: TelemetryService publishes them through Redis (global, so every feature can
 * publish); the gateway serves them at /ws/telemetry on the HTTP port (docs/telemetry.md).
 */
@Global()
@Module({
  providers: [TelemetryService, TelemetryHub, TelemetryGateway, TaskOwnersRepository, ...telemetryMetrics],
  exports: [TelemetryService],
})
export class TelemetryModule {}
