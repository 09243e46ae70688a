import { Controller, Get, HttpCode, HttpStatus, NotFoundException, Param, Post, Res } from '@nestjs/common';
import { type Response } from 'express';
import { WorkerConfig } from '../config/worker.config';
import { DockerRepository } from '../docker/docker.repository';
import { offeredResources, utilization } from '../machine/machine';
import { PoolProbe } from '../pool/pool-probe';

/** The seed's local status API (worker-node.md "RESTful API Endpoints"). */
@Controller()
export class StatusController {
  constructor(
    private readonly config: WorkerConfig,
    private readonly docker: DockerRepository,
    private readonly pool: PoolProbe,
  ) {}

  @Get('api/status')
  async status() {
    const total = offeredResources(this.config.limits);
    return {
      node_id: this.config.nodeId,
      status: 'Idle',
      is_registered: false,
      docker_available: await this.docker.ping(),
      ...utilization(),
      available_resources: total,
      total_resources: total,
      running_tasks: 0,
      max_concurrent_tasks: this.config.limits.concurrentTasks,
      trust_score: null,
      trust_group: null,
    };
  }

  @Get('api/tasks')
  tasks() {
    return { tasks: [] };
  }

  @Post('api/stop_task/:id')
  @HttpCode(HttpStatus.OK)
  stopTask(@Param('id') id: string): never {
    throw new NotFoundException({ success: false, error: `Task ${id} is not running on this node` });
  }

  /** 200 when every check is healthy, 503 otherwise (as the seed's /health). */
  @Get('health')
  async health(@Res({ passthrough: true }) res: Response) {
    const [dockerUp, poolStatus] = await Promise.all([this.docker.ping(), this.pool.status()]);
    const dockerRequired = this.config.docker === 'true';
    const checks = {
      docker: {
        status: dockerUp || !dockerRequired ? 'healthy' : 'unhealthy',
        message: dockerUp
          ? 'engine answers'
          : dockerRequired
            ? 'no Docker engine answers'
            : 'no engine: process executor (low trust)',
      },
      grpc: {
        status: poolStatus === 'SERVING' ? 'healthy' : 'unhealthy',
        message: `node pool ${this.config.nodePoolAddress}: ${poolStatus}`,
      },
      resources: { status: 'healthy', message: JSON.stringify(offeredResources(this.config.limits)) },
    };
    const healthy = Object.values(checks).every((c) => c.status === 'healthy');
    res.status(healthy ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: healthy ? 'healthy' : 'unhealthy', checks, timestamp: new Date().toISOString() };
  }
}
