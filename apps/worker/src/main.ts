import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@hivemind/config';
import { WORKER_USAGE, parseWorkerConfig } from './config/worker.config';
import { WorkerModule } from './worker.module';

import { AGENT_VERSION as VERSION } from './version';

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(WORKER_USAGE);
    return;
  }
  if (argv.includes('--version') || argv.includes('-v')) {
    process.stdout.write(`hivemind-worker ${VERSION}\n`);
    return;
  }
  const unknown = argv.filter((a) => a.startsWith('-'));
  if (unknown.length > 0) {
    process.stderr.write(`hivemind-worker: unknown option ${unknown[0]} (see --help)\n`);
    process.exit(2);
  }
  const config = loadConfigOrExit(() => parseWorkerConfig(process.env));
  const app = await NestFactory.create(WorkerModule.forRoot(config), {
    logger: config.logLevel === 'silent' ? false : undefined,
  });
  app.enableShutdownHooks();
  await app.listen(config.http.port, config.http.host);
  new Logger('Worker').log(
    `worker ${config.nodeId} ready: status API on http://${config.http.host}:${config.http.port}, node pool ${config.nodePoolAddress}`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`worker failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
