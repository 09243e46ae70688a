import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfigOrExit, missingNodeFlags } from '@hivemind/config';
import { createNodePool, startNodePool } from './app.factory';
import { parseNodePoolConfig } from './config/node-pool.config';
import { applyHeapPolicy } from './heap-policy';

async function main(): Promise<void> {
  const config = loadConfigOrExit(() => parseNodePoolConfig(process.env));
  applyHeapPolicy(config);
  const missing = missingNodeFlags();
  if (missing.length)
    new Logger('NodePool').warn(
      `started without ${missing.join(' ')} (node ${missing.join(' ')} …/main.js, or NODE_OPTIONS): ` +
        'expect a larger memory footprint (docs/scheduling.md "Memory")',
    );
  const app = await createNodePool(config);
  await startNodePool(app, config);
  new Logger('NodePool').log(
    `node pool ready: HTTP on ${config.http.host}:${config.http.port}, gRPC on ${config.grpc.host}:${config.grpc.port}`,
  );
}

main().catch((error: unknown) => {
  const err = error as NodeJS.ErrnoException;
  const reason = err.code === 'EADDRINUSE' ? `address already in use (${err.message})` : err.message;
  process.stderr.write(`node pool failed to start: ${reason}\n`);
  process.exit(1);
});
