import { Controller, Logger, UseFilters, UseGuards } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type {
  GetNodeListRequest__Output,
  GetNodeListResponse,
  HealthCheckRequest__Output,
  HealthCheckResponse,
  RegisterWorkerNodeRequest__Output,
  RenewNodeCertificateRequest__Output,
  ReportStatusRequest__Output,
  StatusResponse,
} from '@hivemind/contracts/grpc';
import { trustGroupOf } from '@hivemind/contracts';
import { AppExceptionFilter } from '../common/app-exception.filter';
import { DomainError } from '../common/domain-error';
import { seedAnswer } from '../common/seed-answer';
import { Authenticated, rpcCaller } from '../accounts/auth.guards';
import { SystemHealthService } from '../health/system-health.service';
import { CurrentNode, NodeAuthGuard } from './node-auth.guard';
import { NodeCertificates } from './node-certificates';
import { type NodeIdentity } from './node-credential.service';
import { toWorkerNodeInfo } from './node.views';
import { NodesService } from './nodes.service';

const SERVICE = 'NodeManagerService';

/**
 * gRPC `nodepool.NodeManagerService`. Who may call: RegisterWorkerNode and GetNodeList need a
 * user's access token, ReportStatus the node credential RegisterWorkerNode returned; a missing or
 * bad one answers UNAUTHENTICATED (the worker's cue to register again). Refusals of the request
 * itself (bad figures, a name taken) answer `success: false` with a message, as the seed does.
 */
@Controller()
@UseFilters(AppExceptionFilter)
export class NodeManagerGrpcController {
  private readonly logger = new Logger(NodeManagerGrpcController.name);

  constructor(
    private readonly nodes: NodesService,
    private readonly health: SystemHealthService,
    private readonly certificates: NodeCertificates,
  ) {}

  /** node_id is the node's name; the caller (its owner) authenticates with an access token. */
  @GrpcMethod(SERVICE, 'RegisterWorkerNode')
  @Authenticated()
  registerWorkerNode(req: RegisterWorkerNodeRequest__Output, metadata: Metadata): Promise<StatusResponse> {
    return seedAnswer(this.logger, async () => {
      // the CSR is checked before anything is written
      const csr = await this.certificates.acceptCsr(req.csr_pem);
      const owner = rpcCaller(metadata);
      const result = await this.nodes.register(owner, req);
      const certificate = csr
        ? await this.certificates.issue(
            { nodeId: result.node.id, credentialHash: result.credentialHash },
            csr,
          )
        : undefined;
      return {
        success: true,
        message: `${result.created ? 'registered' : 'registered again'} node ${result.node.name}`,
        node_credential: result.credential,
        node_uuid: result.node.id,
        ...(certificate
          ? {
              client_certificate: certificate.certPem,
              client_certificate_expires_at: certificate.expiresAtMs,
            }
          : {}),
        credit_score: result.node.creditScore,
        trust_group: trustGroupOf(result.node.creditScore, result.node.dockerStatus),
        heartbeat_interval_s: result.heartbeatIntervalS,
        owner_id: owner.id,
        owner_username: owner.username,
        cpt_earned: result.cptEarned,
      };
    });
  }

  /** A heartbeat. node_id may be left empty; when set it must be this node's name or uuid. */
  @GrpcMethod(SERVICE, 'ReportStatus')
  @UseGuards(NodeAuthGuard)
  reportStatus(
    @Payload() req: ReportStatusRequest__Output,
    @CurrentNode() node: NodeIdentity,
  ): Promise<StatusResponse> {
    return seedAnswer(this.logger, async () => {
      if (req.node_id && req.node_id !== node.name && req.node_id !== node.nodeId) {
        throw new DomainError(
          'invalid',
          `node_id ${req.node_id} is not the node this credential belongs to (${node.name})`,
        );
      }
      const { cameOnline, trust, heartbeatIntervalS, heartbeatTimeoutS } = await this.nodes.heartbeat(
        node.nodeId,
        {
          cpuPercent: req.cpu_percent,
          memoryPercent: req.memory_percent,
          runningAttempts: req.running_attempt_ids.length,
          runningAttemptIds: req.running_attempt_ids,
        },
      );
      return {
        success: true,
        message: cameOnline ? 'back online' : 'ok',
        heartbeat_interval_s: heartbeatIntervalS,
        heartbeat_timeout_s: heartbeatTimeoutS,
        ...(trust ? { credit_score: trust.creditScore, trust_group: trust.group } : {}),
      };
    });
  }

  /** A new client certificate for the calling node, bound to the credential it calls with. */
  @GrpcMethod(SERVICE, 'RenewNodeCertificate')
  @UseGuards(NodeAuthGuard)
  renewNodeCertificate(
    @Payload() req: RenewNodeCertificateRequest__Output,
    @CurrentNode() node: NodeIdentity,
  ): Promise<StatusResponse> {
    return seedAnswer(this.logger, async () => {
      const csr = await this.certificates.acceptCsr(req.csr_pem);
      if (!csr) throw new DomainError('invalid', 'csr_pem is required', { field: 'csr_pem' });
      const certificate = await this.certificates.issue(
        { nodeId: node.nodeId, credentialHash: node.credentialHash ?? '' },
        csr,
      );
      return {
        success: true,
        message: `certificate renewed until ${new Date(certificate.expiresAtMs).toISOString()}`,
        client_certificate: certificate.certPem,
        client_certificate_expires_at: certificate.expiresAtMs,
      };
    });
  }

  @GrpcMethod(SERVICE, 'GetNodeList')
  @Authenticated()
  getNodeList(_req: GetNodeListRequest__Output): Promise<GetNodeListResponse> {
    return seedAnswer(this.logger, async () => {
      const nodes = (await this.nodes.all()).map(toWorkerNodeInfo);
      return { success: true, message: `${nodes.length} node(s)`, nodes };
    });
  }

  /** The seed's liveness probe: success when PostgreSQL and Redis answer. */
  @GrpcMethod(SERVICE, 'HealthCheck')
  async healthCheck(_req: HealthCheckRequest__Output): Promise<HealthCheckResponse> {
    const healthy = await this.health.isHealthy();
    return healthy
      ? { success: true, message: 'node pool is healthy' }
      : { success: false, message: 'node pool is unhealthy: PostgreSQL or Redis does not answer' };
  }
}
