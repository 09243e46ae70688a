import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck } from '@nestjs/terminus';
import { SystemHealthService } from './system-health.service';

@ApiTags('system')
@Controller('health')
export class HealthController {
  constructor(private readonly health: SystemHealthService) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness and readiness: 200 when PostgreSQL and Redis answer, 503 otherwise' })
  check() {
    return this.health.check();
  }
}
