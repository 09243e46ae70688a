import {
  type LogLineView,
  type WorkerNodeView,
  type ResourcesView,
  type StatusView,
  type TasksView,
} from '@hivemind/contracts';
import { statfs } from 'node:fs/promises';
import {
  BadRequestException,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { type Response } from 'express';
import { OpenRoute } from '../console/console-session.guard';
import { WorkerConfig } from '../config/worker.config';
import { DockerRepository } from '../docker/docker.repository';
import { Supervisor } from '../execution/supervisor.service';
import { MachineMonitor } from '../machine/machine-monitor';
import { MACHINE, type MachineDescription } from '../machine/hardware';
import { NodeIdentityRepository } from '../pool/node-identity.repository';
import { PoolProbe } from '../pool/pool-probe';
import { PoolSession } from '../pool/pool-session.service';
import { VpnAgent } from '../vpn/vpn-agent.service';

const DEFAULT_TAIL = 100;
const MAX_TAIL = 500;
const gb = (bytes: number) => Math.round((bytes / 1024 ** 3) * 10) / 10;

/**
 * The seed's local API (worker-node.md "RESTful API Endpoints") and the worker console's reads, on
 * 127.0.0.1 by default. Every route needs a console session (ConsoleSessionGuard) but /health.
 */
@Controller()
export class StatusController {
  constructor(
    private readonly config: WorkerConfig,
    private readonly docker: DockerRepository,
    private readonly pool: PoolProbe,
    private readonly session: PoolSession,
    private readonly supervisor: Supervisor,
    private readonly monitor: MachineMonitor,
    @Inject(MACHINE) private readonly machine: MachineDescription,
    private readonly vpn: VpnAgent,
    private readonly identity: NodeIdentityRepository,
  ) {}

  private resources() {
    // what the node registered with
    const total = {
      cpu_cores: this.machine.cpu_cores,
      memory_gb: Math.round((this.machine.memory_mb / 1024) * 10) / 10,
    };
    const held = this.supervisor.held();
    const available = {
      cpu_cores: Math.max(0, Math.round((total.cpu_cores - held.cpuMillicores / 1000) * 100) / 100),
      memory_gb: Math.max(0, Math.round((total.memory_gb - held.memoryMb / 1024) * 10) / 10),
    };
    return { total, available };
  }

  @Get('api/status')
  async status(): Promise<StatusView> {
    const { total, available } = this.resources();
    const running = this.supervisor.running;
    return {
      node_id: this.config.nodeId,
      status: !this.session.connected ? 'Disconnected' : running > 0 ? 'Running' : 'Idle',
      is_registered: this.session.registered,
      connected: this.session.connected,
      last_error: this.session.lastError || null,
      executor: this.supervisor.executor.kind,
      storage_quota: this.supervisor.quota.mode,
      docker_available: await this.docker.ping(),
      ...this.monitor.current(),
      available_resources: available,
      total_resources: total,
      running_tasks: running,
      max_concurrent_tasks: this.config.limits.concurrentTasks,
      trust_score: this.session.trust.score,
      trust_group: this.session.trust.group,
      last_heartbeat: this.session.lastHeartbeatAt?.toISOString() ?? null,
      pool_address: this.session.poolAddress,
      vpn: this.vpn.state,
    };
  }

  @Get('api/tasks')
  tasks(): TasksView {
    return { tasks: this.supervisor.list(), history: this.supervisor.history.list() };
  }

  /** The last `tail` lines of a running or recent attempt's output, by attempt id or task id. */
  @Get('api/tasks/:id/logs')
  logs(@Param('id') id: string, @Query('tail') tail?: string): { lines: LogLineView[] } {
    const n = tail === undefined ? DEFAULT_TAIL : Number(tail);
    if (!/^\d{1,4}$/.test(tail ?? '100') || !Number.isInteger(n) || n < 1 || n > MAX_TAIL)
      throw new BadRequestException({
        error: `tail must be a whole number from 1 to ${MAX_TAIL}`,
        field: 'tail',
      });
    const lines = id.length <= 128 ? this.supervisor.history.lines(id, n) : undefined;
    if (!lines)
      throw new NotFoundException({ error: `no running or recent attempt ${id.slice(0, 128)} on this node` });
    return { lines };
  }

  /** The seed's /api/resources: what the node offers, what is free, and the machine's use. */
  @Get('api/resources')
  async resourcesView(): Promise<ResourcesView> {
    const { total, available } = this.resources();
    const [disk, dockerVersion] = await Promise.all([
      statfs(this.config.workDir).then(
        (s) => ({ total_gb: gb(s.blocks * s.bsize), free_gb: gb(s.bavail * s.bsize) }),
        () => ({ total_gb: null, free_gb: null }),
      ),
      this.docker.version(),
    ]);
    return {
      total,
      available,
      ...this.monitor.current(),
      gpu: this.machine.gpus.map((g) => ({
        name: g.name,
        memory_gb: Math.round((g.memoryMb / 1024) * 10) / 10,
        score: g.score,
      })),
      disk: { ...disk, path: this.config.workDir },
      docker: {
        available: dockerVersion !== undefined,
        ...(dockerVersion ? { version: dockerVersion } : {}),
      },
      running_tasks: this.supervisor.running,
    };
  }

  /** Who this node is, as the pool last said (kept on disk: answers while the pool is unreachable). */
  @Get('api/node')
  node(): WorkerNodeView {
    const id = this.identity.identity;
    return {
      node_id: id.node_id,
      node_uuid: id.node_uuid || null,
      owner: id.owner?.username ?? this.config.owner.username,
      owner_id: id.owner?.id || null,
      trust_score: this.session.trust.group ? this.session.trust.score : id.trust_score,
      trust_group: this.session.trust.group ?? id.trust_group,
      cpt_earned: id.cpt_earned,
      pool: {
        address: this.session.poolAddress,
        connected: this.session.connected,
        last_heartbeat: this.session.lastHeartbeatAt?.toISOString() ?? id.last_heartbeat,
        last_error: this.session.lastError || null,
      },
      vpn: this.vpn.state,
      cached_at: id.cached_at,
    };
  }

  /** Stops an attempt (by attempt id or task id); the pool runs its shard elsewhere. */
  @Post('api/stop_task/:id')
  @HttpCode(HttpStatus.OK)
  stopTask(@Param('id') id: string) {
    if (!this.supervisor.stopLocally(id))
      throw new NotFoundException({ success: false, error: `Task ${id} is not running on this node` });
    return { success: true, message: `Task ${id} stopped` };
  }

  /** 200 when every check is healthy, 503 otherwise (as the seed's /health); open to health checks. */
  @Get('health')
  @OpenRoute()
  async health(@Res({ passthrough: true }) res: Response) {
    const [dockerUp, poolStatus] = await Promise.all([
      this.docker.ping(),
      this.pool.status(this.session.poolAddress),
    ]);
    const vpn = this.vpn.state;
    const usesDocker = this.supervisor.executor.kind === 'docker';
    const { available } = this.resources();
    const checks = {
      docker: {
        status: dockerUp || !usesDocker ? 'healthy' : 'unhealthy',
        message: dockerUp
          ? 'engine answers'
          : usesDocker
            ? 'the Docker engine does not answer'
            : 'no engine: process executor (low trust)',
      },
      grpc: {
        status: poolStatus === 'SERVING' && this.session.connected ? 'healthy' : 'unhealthy',
        message: `node pool ${this.session.poolAddress}: ${poolStatus}${this.session.connected ? ', push stream open' : `, not connected${this.session.lastError ? `: ${this.session.lastError}` : ''}`}`,
        // what the message says, as fields: a worker that never reached its pool can be diagnosed
        // without a console session (nobody can sign in before the pool first answers)
        connected: this.session.connected,
        registered: this.session.registered,
        last_error: this.session.lastError || null,
      },
      // informational: accounting still enforces storage_gb, less tightly (docs/worker.md)
      storage: {
        status: 'healthy',
        message: `storage quota: ${this.supervisor.quota.mode} (${this.supervisor.quota.why})`,
      },
      resources: {
        status: available.memory_gb >= 0 ? 'healthy' : 'unhealthy',
        message: `${available.cpu_cores} cores and ${available.memory_gb} GB free of what this node offers`,
      },
      // VPN_AUTO_JOIN asked for a tunnel: not having one is unhealthy, though tasks still run
      vpn: {
        status: vpn.state === 'up' || vpn.state === 'disabled' ? 'healthy' : 'unhealthy',
        message:
          vpn.state === 'disabled'
            ? 'VPN_AUTO_JOIN is off'
            : vpn.state === 'up'
              ? `${vpn.interface} up (${vpn.implementation}), this node ${vpn.address}, pool ${vpn.pool_address ?? this.config.nodePoolAddress}`
              : `${vpn.interface} ${vpn.state}${vpn.error ? `: ${vpn.error}` : ''}`,
        ...vpn,
      },
    };
    const healthy = Object.values(checks).every((c) => c.status === 'healthy');
    res.status(healthy ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: healthy ? 'healthy' : 'unhealthy', checks, timestamp: new Date().toISOString() };
  }
}
