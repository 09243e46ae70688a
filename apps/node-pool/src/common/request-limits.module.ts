import { Global, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { RequestLimits } from './request-limits';
import { RestLimitsMiddleware } from './rest-limits.middleware';

/**
 * The pool-wide rate limits: RequestLimits for the gRPC interceptor and the WebSocket upgrade, and
 * the REST middleware on every route. Imported after the logger so that a 429 is in the access log.
 */
@Global()
@Module({ providers: [RequestLimits, RestLimitsMiddleware], exports: [RequestLimits] })
export class RequestLimitsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RestLimitsMiddleware).forRoutes({ path: '{/*splat}', method: RequestMethod.ALL });
  }
}
