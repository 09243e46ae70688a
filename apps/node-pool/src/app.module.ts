import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AccountsModule } from './accounts/accounts.module';
import { AuditModule } from './audit/audit.module';
import type { Request } from 'express';
import { accessLogCaller, accessLogRequest } from './common/access-log';
import { RateLimitsModule } from './common/rate-limits';
import { requestIdFor } from './common/request-id';
import { RequestLimitsModule } from './common/request-limits.module';
import { ConfigModule } from './config/config.module';
import { NodePoolConfig } from './config/node-pool.config';
import { DatabaseModule } from './database/database.module';
import { FilesModule } from './files/files.module';
import { GrpcModule } from './grpc/grpc.module';
import { HealthModule } from './health/health.module';
import { LedgerModule } from './ledger/ledger.module';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { MetricsModule } from './metrics/metrics.module';
import { NodesModule } from './nodes/nodes.module';
import { QueuesModule } from './queues/queues.module';
import { PlacementTriggerModule } from './queues/placement-trigger.module';
import { StorageModule } from './storage/storage.module';
import { SystemModule } from './system/system.module';
import { TasksModule } from './tasks/tasks.module';
import { type ServerTls } from './tls/server-tls';
import { TlsModule } from './tls/tls.module';
import { TelemetryModule } from './telemetry/telemetry.module';
import { WalletModule } from './wallet/wallet.module';
import { VpnModule } from './vpn/vpn.module';
import { WebModule } from './web/web.module';

@Module({})
export class AppModule {
  static forRoot(config: NodePoolConfig, tls?: ServerTls): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TlsModule.forRoot(tls),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
            autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
            customProps: (req) => ({ service: 'node-pool', address: (req as Request).ip }),
            customSuccessObject: (req, _res, value: object) => ({ ...value, ...accessLogCaller(req) }),
            customErrorObject: (req, _res, _error, value: object) => ({ ...value, ...accessLogCaller(req) }),
            serializers: {
              req: accessLogRequest,
              res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
            },
            // the id createNodePool gave the request first (errors before this middleware carry it too)
            genReqId: requestIdFor,
          },
        }),
        RateLimitsModule,
        RequestLimitsModule,
        DatabaseModule,
        QueuesModule,
        StorageModule,
        TelemetryModule,
        PlacementTriggerModule,
        HealthModule,
        GrpcModule,
        MetricsModule,
        AuditModule,
        AccountsModule,
        LedgerModule,
        WalletModule,
        VpnModule,
        NodesModule,
        TasksModule,
        FilesModule,
        SystemModule,
        MaintenanceModule,
        WebModule.forRoot(config.webRoot),
      ],
    };
  }
}
