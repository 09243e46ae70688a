import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { HealthModule } from '../health/health.module';
import { HeartbeatRepository } from './heartbeat.repository';
import { HeartbeatPacer } from './heartbeat-pacer';
import { NodeAuthGuard } from './node-auth.guard';
import { NodeCapacityRepository } from './node-capacity.repository';
import { NodeCertificates } from './node-certificates';
import { NodeCredentialService } from './node-credential.service';
import { NodeDirectory } from './node-directory';
import { NodeLivenessService } from './node-liveness.service';
import { NodeRevocations } from './node-revocations';
import { NodeManagerGrpcController } from './node-manager.grpc-controller';
import { NodeUtilizationService } from './node-utilization.service';
import { NodesController } from './nodes.controller';
import { NodesRepository } from './nodes.repository';
import { NodesService } from './nodes.service';

/**
 * Worker nodes: registration and node credentials, heartbeats (Redis), liveness, utilization
 * history, the REST API and gRPC NodeManagerService. Exports what the scheduler needs: the
 * liveness sweep and utilization flush/prune for its maintenance jobs, NodeAuthGuard /
 * NodeCredentialService for the gRPC services workers call with their node credential, and
 * NodeCapacityRepository for placement and settlement to take and give back node capacity.
 */
@Module({
  imports: [JwtModule.register({}), HealthModule],
  controllers: [NodesController, NodeManagerGrpcController],
  providers: [
    NodesRepository,
    NodeCapacityRepository,
    HeartbeatRepository,
    HeartbeatPacer,
    NodeDirectory,
    NodeRevocations,
    NodeCredentialService,
    NodeCertificates,
    NodeAuthGuard,
    NodesService,
    NodeLivenessService,
    NodeUtilizationService,
  ],
  exports: [
    HeartbeatPacer,
    NodeRevocations,
    NodeCredentialService,
    NodeCertificates,
    NodeAuthGuard,
    NodesService,
    NodeLivenessService,
    NodeUtilizationService,
    NodeCapacityRepository,
  ],
})
export class NodesModule {}
