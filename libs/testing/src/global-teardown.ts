import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const stack = globalThis.__HIVEMIND_TEST_STACK__;
  if (!stack) return;
  await Promise.allSettled([
    stack.postgres.stop(),
    stack.redis.stop(),
    stack.docker.kind === 'started' ? stack.docker.daemon.stop() : Promise.resolve(),
  ]);
  if (!process.env.HIVEMIND_TEST_KEEP) rmSync(stack.dir, { recursive: true, force: true });
}
