import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@hivemind/config';
import { parseWorkerArgs, workerEnvironment } from './config/config-file';
import { WORKER_USAGE, parseWorkerConfig } from './config/worker.config';
import { consoleRootCandidates, findConsoleRoot } from './console/console-static.module';
import { useRequestBounds } from './console/request-bounds';
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
  const consoleRoot = findConsoleRoot(
    config.console.root ? [config.console.root] : consoleRootCandidates(__dirname),
  );
  const app = await NestFactory.create(WorkerModule.forRoot(config, consoleRoot), {
    logger: config.logLevel === 'silent' ? false : undefined,
    bodyParser: false,
  });
  useRequestBounds(app);
  app.enableShutdownHooks();
  await app.listen(config.http.port, config.http.host);
  const logger = new Logger('Worker');
  logger.log(
    `worker ${config.nodeId} ready: console and API on http://${config.http.host}:${config.http.port}, node pool ${config.nodePoolAddress}`,
  );
  if (!consoleRoot)
    logger.warn(
      `the worker console is not built${config.console.root ? ` in ${config.console.root}` : ''}: its API works, / answers 503 (npm run build:worker-console)`,
    );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`worker failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
