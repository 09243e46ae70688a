import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  NotFoundException,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import { type Response } from 'express';
import { WorkerConfig } from '../config/worker.config';
import { DockerRepository } from '../docker/docker.repository';
import { Supervisor } from '../execution/supervisor.service';
import { MachineMonitor } from '../machine/machine-monitor';
import { MACHINE, type MachineDescription } from '../machine/hardware';
import { PoolProbe } from '../pool/pool-probe';
import { PoolSession } from '../pool/pool-session.service';
import { VpnAgent } from '../vpn/vpn-agent.service';

/** The seed's local status API (worker-node.md "RESTful API Endpoints"), on 127.0.0.1 by default. */
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
  async status() {
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
  tasks() {
    return { tasks: this.supervisor.list() };
  }

  /** Stops an attempt (by attempt id or task id); the pool runs its shard elsewhere. */
  @Post('api/stop_task/:id')
  @HttpCode(HttpStatus.OK)
  stopTask(@Param('id') id: string) {
    if (!this.supervisor.stopLocally(id))
      throw new NotFoundException({ success: false, error: `Task ${id} is not running on this node` });
    return { success: true, message: `Task ${id} stopped` };
  }

  /** 200 when every check is healthy, 503 otherwise (as the seed's /health). */
  @Get('health')
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
