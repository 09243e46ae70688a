import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';

/** Prometheus metrics at /metrics: process and Node.js defaults now; features add their own. */
@Module({
  imports: [
    PrometheusModule.register({
      path: '/metrics',
      defaultMetrics: { enabled: true, config: { prefix: 'hivemind_' } },
    }),
  ],
})
export class MetricsModule {}
