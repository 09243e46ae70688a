import { ApiProperty } from '@nestjs/swagger';
import {
  DockerStatus,
  NodeStatus,
  type NodeResourcesView,
  type NodeStandingView,
  type NodeUtilizationPointView,
  type NodeUtilizationView,
  type NodeView,
  type Page,
  TrustGroup,
  onProbation,
  trustGroupOf,
} from '@hivemind/contracts';
import type { WorkerNodeInfo } from '@hivemind/contracts/grpc';
import { type UtilizationHistory } from './node-utilization.service';
import { type LiveNode } from './nodes.service';

export class NodeResourcesResponse implements NodeResourcesView {
  @ApiProperty({ description: '1000 per core' }) cpu_millicores!: number;
  @ApiProperty() memory_mb!: number;
  @ApiProperty() storage_mb!: number;
  @ApiProperty() cpu_score!: number;
  @ApiProperty() gpu_score!: number;
  @ApiProperty() gpu_memory_mb!: number;
}

export class NodeStandingResponse implements NodeStandingView {
  @ApiProperty({ description: 'consecutive valid results for other owners’ tasks' }) valid_run!: number;
  @ApiProperty() valid_results!: number;
  @ApiProperty() invalid_results!: number;
  @ApiProperty({ description: 'few slots, no network access or secrets, results replicated' })
  probation!: boolean;
  @ApiProperty({ description: 'its owner is an admin' }) operator!: boolean;
  @ApiProperty({ description: 'lost attempts and failures it caused' }) node_faults!: number;
  @ApiProperty({ description: 'claims a task disproved' }) disproved_claims!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_fault_at!: string | null;
}

export class NodeResponse implements NodeView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'the worker’s NODE_ID, unique' }) name!: string;
  @ApiProperty({ description: 'the owner’s username' }) owner!: string;
  @ApiProperty({ enum: NodeStatus }) status!: NodeStatus;
  @ApiProperty({ enum: DockerStatus }) docker_status!: DockerStatus;
  @ApiProperty() credit_score!: number;
  @ApiProperty({ enum: TrustGroup }) trust_group!: TrustGroup;
  @ApiProperty() hostname!: string;
  @ApiProperty() port!: number;
  @ApiProperty() location!: string;
  @ApiProperty() gpu_name!: string;
  @ApiProperty() agent_version!: string;
  @ApiProperty({ type: NodeResourcesResponse, description: 'what the node offers' })
  total!: NodeResourcesResponse;
  @ApiProperty({ type: NodeResourcesResponse, description: 'what its live attempts leave free' })
  available!: NodeResourcesResponse;
  @ApiProperty() running_attempts!: number;
  @ApiProperty({ description: 'attempt slots' }) max_concurrent!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_heartbeat_at!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'seconds since the last heartbeat' })
  heartbeat_age_s!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'latest heartbeat; null when not heartbeating' })
  cpu_percent!: number | null;
  @ApiProperty({ type: Number, nullable: true }) memory_percent!: number | null;
  @ApiProperty({ format: 'date-time' }) registered_at!: string;
  @ApiProperty({ type: () => NodeStandingResponse, description: 'earned trust and reliability' })
  standing!: NodeStandingResponse;
}

export class NodePageResponse implements Page<NodeView> {
  @ApiProperty({ type: [NodeResponse] }) items!: NodeResponse[];
  @ApiProperty({ type: String, nullable: true }) next_cursor!: string | null;
}

export class NodeUtilizationPointResponse implements NodeUtilizationPointView {
  @ApiProperty({ format: 'date-time', description: 'the bucket’s start' }) at!: string;
  @ApiProperty({ description: 'average, 0–100' }) cpu_percent!: number;
  @ApiProperty({ description: 'average, 0–100' }) memory_percent!: number;
  @ApiProperty({ description: 'average' }) running_attempts!: number;
  @ApiProperty({ description: 'heartbeats averaged' }) samples!: number;
}

export class NodeUtilizationResponse implements NodeUtilizationView {
  @ApiProperty({ format: 'uuid' }) node_id!: string;
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ description: 'bucket width in seconds (60 up to 12 hours, wider beyond)' }) step_s!: number;
  @ApiProperty({ type: [NodeUtilizationPointResponse] }) points!: NodeUtilizationPointResponse[];
}

/** The last heartbeat: Redis's when it has one (live), else the one PostgreSQL recorded. */
const lastHeartbeatMs = ({ node, live }: LiveNode): number | undefined =>
  live.lastSeenMs ?? node.lastHeartbeatAt?.getTime();

export function toNodeView(entry: LiveNode, nowMs = Date.now()): NodeView {
  const { node, live } = entry;
  const last = lastHeartbeatMs(entry);
  return {
    id: node.id,
    name: node.name,
    owner: node.ownerUsername,
    status: node.status,
    docker_status: node.dockerStatus,
    credit_score: node.creditScore,
    trust_group: trustGroupOf(node.creditScore, node.dockerStatus),
    hostname: node.hostname,
    port: node.port,
    location: node.location,
    gpu_name: node.gpuName,
    agent_version: node.agentVersion,
    total: {
      cpu_millicores: node.cpuMillicores,
      memory_mb: node.memoryMb,
      storage_mb: node.storageMb,
      cpu_score: node.cpuScore,
      gpu_score: node.gpuScore,
      gpu_memory_mb: node.gpuMemoryMb,
    },
    available: {
      cpu_millicores: node.availCpuMillicores,
      memory_mb: node.availMemoryMb,
      storage_mb: node.availStorageMb,
      cpu_score: node.availCpuScore,
      gpu_score: node.availGpuScore,
      gpu_memory_mb: node.availGpuMemoryMb,
    },
    running_attempts: node.runningAttempts,
    max_concurrent: node.maxConcurrent,
    last_heartbeat_at: last === undefined ? null : new Date(last).toISOString(),
    heartbeat_age_s: last === undefined ? null : Math.max(0, Math.floor((nowMs - last) / 1000)),
    cpu_percent: node.status === NodeStatus.Offline ? null : (live.cpuPercent ?? null),
    memory_percent: node.status === NodeStatus.Offline ? null : (live.memoryPercent ?? null),
    registered_at: node.createdAt.toISOString(),
    standing: {
      valid_run: node.validRun,
      valid_results: node.validResults,
      invalid_results: node.invalidResults,
      probation: onProbation(node),
      operator: node.operator,
      node_faults: node.nodeFaults,
      disproved_claims: node.disprovedClaims,
      last_fault_at: iso(node.lastFaultAt),
    },
  };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The seed's WorkerNodeInfo (node_id is the node's name) with our additions. */
export function toWorkerNodeInfo(entry: LiveNode): WorkerNodeInfo {
  const { node } = entry;
  const last = lastHeartbeatMs(entry);
  return {
    node_id: node.name,
    hostname: node.hostname,
    cpu_cores: Math.floor(node.cpuMillicores / 1000),
    memory_gb: Math.floor(node.memoryMb / 1024),
    status: node.status,
    last_heartbeat: last === undefined ? 0 : last / 1000,
    cpu_score: node.cpuScore,
    gpu_score: node.gpuScore,
    gpu_memory_gb: Math.floor(node.gpuMemoryMb / 1024),
    location: node.location,
    port: node.port,
    gpu_name: node.gpuName,
    id: node.id,
    docker_status: node.dockerStatus,
    credit_score: node.creditScore,
    trust_group: trustGroupOf(node.creditScore, node.dockerStatus),
    running_attempts: node.runningAttempts,
    max_concurrent_tasks: node.maxConcurrent,
    owner: node.ownerUsername,
  };
}

export function toUtilizationView(history: UtilizationHistory): NodeUtilizationView {
  return {
    node_id: history.nodeId,
    from: new Date(history.fromMs).toISOString(),
    to: new Date(history.toMs).toISOString(),
    step_s: history.stepMs / 1000,
    points: history.points.map((p) => ({
      at: new Date(p.atMs).toISOString(),
      cpu_percent: p.cpuPercent,
      memory_percent: p.memoryPercent,
      running_attempts: p.runningAttempts,
      samples: p.samples,
    })),
  };
}
