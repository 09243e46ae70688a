import { type DynamicModule, Global, Module } from '@nestjs/common';
import { NodePoolConfig } from './node-pool.config';

/** Makes the validated configuration injectable everywhere as `NodePoolConfig`. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: NodePoolConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: NodePoolConfig, useValue: config }],
      exports: [NodePoolConfig],
    };
  }
}
