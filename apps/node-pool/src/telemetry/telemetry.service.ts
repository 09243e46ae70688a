import { Injectable } from '@nestjs/common';
import { type TelemetryEvent } from './telemetry-events';

/**
 * Publishes live events to every node-pool replica's /ws/telemetry clients (Redis pub/sub).
 * Fire and forget: a lost event is never a lost fact (the REST API has the truth).
 */
@Injectable()
export class TelemetryService {
  publish(_event: TelemetryEvent): void {
    // implemented with Redis pub/sub in telemetry.module (issue 4, step 7)
  }
}
