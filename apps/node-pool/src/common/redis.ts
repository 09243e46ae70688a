import Redis from 'ioredis';

/** How long a clean QUIT may take at shutdown before the connection is simply dropped. */
const QUIT_WAIT_MS = 2_000;

/**
 * A connection for SUBSCRIBE. Without a ready check: ioredis's check (INFO) fails on a connection
 * that is already in subscriber mode when it reconnects, which makes it drop the connection again
 * and lose messages meanwhile. Commands wait for Redis however long it takes, and ioredis renews the
 * subscriptions on every reconnect.
 */
export function subscriberConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: false });
}

/** Closes a connection at shutdown: QUIT if Redis answers soon, else drop it. Never throws. */
export async function quitRedis(redis: Redis): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    redis.quit().catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, QUIT_WAIT_MS))),
  ]);
  clearTimeout(timer);
  redis.disconnect();
}
