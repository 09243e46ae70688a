import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { RedisHealthIndicator } from './redis.health';
import { ReplicaRegistry } from './replica-registry.service';
import { SystemHealthService } from './system-health.service';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty', logger: false })],
  controllers: [HealthController],
  providers: [RedisHealthIndicator, SystemHealthService, ReplicaRegistry],
  exports: [SystemHealthService, ReplicaRegistry],
})
export class HealthModule {}
