import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { GrpcHealthService } from './grpc-health.service';

@Module({
  imports: [HealthModule],
  providers: [GrpcHealthService],
  exports: [GrpcHealthService],
})
export class GrpcModule {}
