import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { NodePoolConfig } from '../config/node-pool.config';
import { dataSourceOptions } from './data-source-options';
import { runMigrationsLocked } from './migration-runner';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [NodePoolConfig],
      useFactory: (config: NodePoolConfig) => ({
        ...dataSourceOptions(config.database.url, config.database.poolSize),
        // MIGRATIONS_RUN: applied below under an advisory lock, before anything else queries
        migrationsRun: config.database.migrationsRun,
        retryAttempts: 10,
        retryDelay: 3000,
      }),
      dataSourceFactory: async (options?: DataSourceOptions) => {
        if (!options) throw new Error('TypeORM options missing');
        const dataSource = await new DataSource({ ...options, migrationsRun: false }).initialize();
        if (options.migrationsRun) await runMigrationsLocked(dataSource);
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
