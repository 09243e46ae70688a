import { type Server as HttpsServer } from 'node:https';
import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type MicroserviceOptions } from '@nestjs/microservices';
import { type NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppExceptionFilter, validationException } from './common/app-exception.filter';
import { expressTrustProxy } from './common/client-address';
import { corsPolicy } from './common/cors-policy';
import { useRequestBounds } from './common/request-bounds';
import { requestIdFor } from './common/request-id';
import { RequestLimits } from './common/request-limits';
import { securityHeaders } from './common/security-headers';
import { type NodePoolConfig } from './config/node-pool.config';
import { GrpcHealthService } from './grpc/grpc-health.service';
import { grpcServerOptions } from './grpc/grpc-server.options';
import { serveOpenApi } from './openapi/openapi';
import { ServerTls } from './tls/server-tls';
import { PoolTls } from './tls/tls.module';

/**
 * Builds the hybrid node pool (HTTP + gRPC) without listening; `startNodePool` listens.
 * Tests use the same two calls with their own configuration.
 */
export async function createNodePool(config: NodePoolConfig): Promise<INestApplication> {
  const tls = config.tls ? new ServerTls(config.tls) : undefined;
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, tls), {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: false,
    ...(tls ? { httpsOptions: tls.httpsOptions() } : {}),
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  // which address a request comes from (req.ip), and whether over TLS (req.secure): TRUST_PROXY
  app.set('trust proxy', expressTrustProxy(config.http.trustProxy));
  // before anything can answer: every answer carries its request id and the security headers
  app.use((req: Request & { id?: string }, res: Response, next: NextFunction) => {
    req.id = requestIdFor(req, res);
    next();
  });
  app.use(securityHeaders());
  app.use(corsPolicy(config.http.corsOrigins));
  useRequestBounds(app);
  app.enableShutdownHooks();
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
      exceptionFactory: validationException,
    }),
  );
  app.useGlobalFilters(new AppExceptionFilter());
  serveOpenApi(app);
  app.connectMicroservice<MicroserviceOptions>(
    grpcServerOptions(config, app.get(GrpcHealthService), app.get(RequestLimits), tls),
    { inheritAppConfig: true },
  );
  return app;
}

export async function startNodePool(app: INestApplication, config: NodePoolConfig): Promise<void> {
  await app.startAllMicroservices();
  await app.listen(config.http.port, config.http.host);
  const tls = app.get(PoolTls).tls;
  if (tls) tls.follow(app.getHttpServer() as HttpsServer);
}
