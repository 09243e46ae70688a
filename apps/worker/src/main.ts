import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@hivemind/config';
import { parseWorkerArgs, workerEnvironment } from './config/config-file';
import { WORKER_USAGE, parseWorkerConfig } from './config/worker.config';
import { WorkerModule } from './worker.module';

import { AGENT_VERSION as VERSION } from './version';

async function main(argv: string[]): Promise<void> {
  const args = parseWorkerArgs(argv);
  if (args.help) {
    process.stdout.write(WORKER_USAGE);
    return;
  }
  if (args.version) {
    process.stdout.write(`hivemind-worker ${VERSION}\n`);
    return;
  }
  if (args.unknown !== undefined) {
    process.stderr.write(`hivemind-worker: unknown option ${args.unknown} (see --help)\n`);
    process.exit(2);
  }
  const { env, file } = loadConfigOrExit(() =>
    workerEnvironment(args, process.env, process.getuid?.() === 0),
  );
  const config = loadConfigOrExit(() => parseWorkerConfig(env));
  if (file) new Logger('Worker').log(`configuration read from ${file} (the environment wins)`);
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
