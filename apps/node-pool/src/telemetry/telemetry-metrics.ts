import { makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';

export const TELEMETRY_DROPPED = 'hivemind_telemetry_events_dropped_total';
export const TELEMETRY_CONNECTIONS = 'hivemind_telemetry_connections';

/** Why an event did not reach a client. */
export type DropReason = 'publish_backlog' | 'publish_failed' | 'slow_client';

export const telemetryMetrics = [
  makeCounterProvider({
    name: TELEMETRY_DROPPED,
    help: 'Live telemetry events dropped: Redis too slow or down (publish_*), or a client not reading (slow_client)',
    labelNames: ['reason'],
  }),
  makeGaugeProvider({
    name: TELEMETRY_CONNECTIONS,
    help: 'Open /ws/telemetry connections on this node-pool replica',
  }),
];
