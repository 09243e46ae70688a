import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import { BullBoardAuthMiddleware } from '../accounts/bull-board-auth.middleware';
import { NodePoolConfig } from '../config/node-pool.config';
import { QUEUE_NAMES } from './queue-names';

export const BULL_BOARD_ROUTE = '/admin/queues';

/** The Bull queues on REDIS_URL (prefix QUEUE_PREFIX) and the Bull Board admin page. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [NodePoolConfig],
      useFactory: (config: NodePoolConfig) => ({
        redis: config.redis.url,
        prefix: config.redis.queuePrefix,
        defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 5000 },
      }),
    }),
    BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
    // admins only: an Express router outside Nest's guards, so a middleware checks the token
    BullBoardModule.forRoot({
      route: BULL_BOARD_ROUTE,
      adapter: ExpressAdapter,
      middleware: BullBoardAuthMiddleware,
    }),
    ...QUEUE_NAMES.map((name) => BullBoardModule.forFeature({ name, adapter: BullAdapter })),
  ],
  exports: [BullModule],
})
export class QueuesModule {}
