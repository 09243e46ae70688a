import { join } from 'node:path';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { WorkerConfig } from './config/worker.config';
import { ConsoleAuth } from './console/console-auth.service';
import { ConsoleSessionGuard } from './console/console-session.guard';
import { ConsoleStaticModule } from './console/console-static.module';
import { SessionController } from './console/session.controller';
import { VerifierCache } from './console/verifier-cache.repository';
import { DockerExecutor } from './docker/docker-executor';
import { DockerRepository } from './docker/docker.repository';
import { EXECUTOR, type Executor } from './execution/executor';
import { ProcessExecutor } from './execution/process-executor';
import { Supervisor } from './execution/supervisor.service';
import { WorkspaceQuota } from './execution/workspace-quota.repository';
import { MACHINE, describeMachine } from './machine/hardware';
import { MachineMonitor } from './machine/machine-monitor';
import { poolCredentials } from './pool/pool-tls';
import { NodeIdentityRepository } from './pool/node-identity.repository';
import { PoolClient } from './pool/pool-client';
import { PoolProbe } from './pool/pool-probe';
import { PoolSession } from './pool/pool-session.service';
import { StatusController } from './status/status.controller';
import { VpnAgent } from './vpn/vpn-agent.service';

/**
 * Docker when DOCKER_ENABLED allows it and an engine answers; otherwise the process executor, and
 * the node registers as docker_status=disabled (the low trust group). DOCKER_ENABLED=true without an
 * engine is a start-up error rather than a silent downgrade.
 */
async function chooseExecutor(config: WorkerConfig, docker: DockerRepository): Promise<Executor> {
  const logger = new Logger('Executor');
  if (config.docker !== 'false') {
    if (await docker.ping()) {
      logger.log('tasks run in Docker containers');
      return new DockerExecutor(docker.engine, {
        user: config.tasks.user,
        network: config.tasks.network,
        pullTimeoutS: config.tasks.pullTimeoutS,
      });
    }
    if (config.docker === 'true')
      throw new Error(
        `DOCKER_ENABLED=true but no Docker engine answers (${process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'}): start Docker, or set DOCKER_ENABLED=auto or false`,
      );
    logger.warn('no Docker engine answers: tasks run as processes and this node is in the low trust group');
  }
  return new ProcessExecutor({ stateDir: join(config.workDir, 'processes') });
}

@Module({})
export class WorkerModule {
  /** `consoleRoot`: the built worker console, or undefined when it is not built (a 503 at /). */
  static forRoot(config: WorkerConfig, consoleRoot?: string): DynamicModule {
    // the console's state (cached identity, offline verifiers) beside the attempts, 0700
    const consoleDir = join(config.workDir, 'console');
    return {
      module: WorkerModule,
      imports: [ConsoleStaticModule.forRoot(consoleRoot)],
      controllers: [StatusController, SessionController],
      providers: [
        { provide: WorkerConfig, useValue: config },
        {
          provide: NodeIdentityRepository,
          useFactory: async () => {
            const identity = new NodeIdentityRepository(consoleDir, config.nodeId, config.nodePoolAddress);
            await identity.load();
            return identity;
          },
        },
        { provide: VerifierCache, useFactory: () => new VerifierCache(consoleDir) },
        ConsoleAuth,
        // every route needs a console session unless marked OpenRoute; CSRF rule on all of them
        { provide: APP_GUARD, useClass: ConsoleSessionGuard },
        DockerRepository,
        PoolProbe,
        {
          provide: PoolClient,
          useFactory: () => new PoolClient(config.nodePoolAddress, poolCredentials(config)),
        },
        {
          provide: EXECUTOR,
          inject: [WorkerConfig, DockerRepository],
          useFactory: chooseExecutor,
        },
        // measured once (a 300 ms CPU benchmark, GPUs, free disk): registration and the status API
        // both report these figures
        {
          provide: MACHINE,
          inject: [WorkerConfig],
          useFactory: (c: WorkerConfig) => describeMachine(c.limits, c.workDir),
        },
        // probed once (a small image made and mounted); the mode is logged and shown by the status API
        {
          provide: WorkspaceQuota,
          inject: [WorkerConfig],
          useFactory: (c: WorkerConfig) => WorkspaceQuota.create(c.tasks.storageQuota, c.workDir),
        },
        MachineMonitor,
        Supervisor,
        VpnAgent,
        PoolSession,
      ],
    };
  }
}
