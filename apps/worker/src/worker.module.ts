import { type DynamicModule, Module } from '@nestjs/common';
import { WorkerConfig } from './config/worker.config';
import { DockerRepository } from './docker/docker.repository';
import { PoolProbe } from './pool/pool-probe';
import { StatusController } from './status/status.controller';

@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      controllers: [StatusController],
      providers: [{ provide: WorkerConfig, useValue: config }, DockerRepository, PoolProbe],
    };
  }
}
