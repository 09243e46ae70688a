// What a worker may register as: the rules for RegisterWorkerNode's fields, as a pure function
// (no Nest, no database) so that every refusal is table-tested (node-registration.spec.ts).
import { DockerStatus, type ResourceVector, TASK_LIMITS } from '@hivemind/contracts';
import type { RegisterWorkerNodeRequest__Output } from '@hivemind/contracts/grpc';
import { DomainError } from '../common/domain-error';

/** A node's name (the worker's NODE_ID): the same rule the worker's configuration applies. */
export const NODE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const NODE_NAME_RULE = '1 to 64 letters, digits, "_", "." or "-", starting with a letter or digit';

const isDockerStatus = (value: string): value is DockerStatus =>
  (Object.values(DockerStatus) as string[]).includes(value);

/** Attempt slots a node may offer (the worker's MAX_CONCURRENT_TASKS allows as many). */
export const MAX_CONCURRENT_LIMIT = 256;

/**
 * Upper bounds that keep every derived figure inside the integer columns (millicores and MB are
 * int4) while leaving room for any real machine.
 */
const LIMITS = {
  cpuCores: 65_536,
  memoryGb: 65_536,
  memoryMb: 65_536 * 1024,
  storageGb: 1_048_576,
  gpuMemoryGb: 65_536,
  score: 2_000_000_000,
} as const;

/** A registration, validated, in the units the pool stores (millicores, MB). */
export interface NodeSpec extends ResourceVector {
  name: string;
  hostname: string;
  port: number;
  location: string;
  dockerStatus: DockerStatus;
  agentVersion: string;
  maxConcurrent: number;
  gpuName: string;
}

/**
 * The storage of a node registered with the seed's message, which has no `storage_gb` (nor
 * `agent_version`, which every HiveMind worker sends): a task's default quota per slot, so that the
 * seed's tasks (which ask for no storage, so the default) fit. A HiveMind worker that reports 0 GB
 * free offers none.
 */
function seedStorageMb(agentVersion: string, slots: number): number {
  return agentVersion ? 0 : TASK_LIMITS.storage_gb.default * 1024 * slots;
}

/** The request as the gRPC loader delivers it (defaults filled in). */
export type RegistrationRequest = RegisterWorkerNodeRequest__Output;

/**
 * Checks a RegisterWorkerNode request and converts it to a NodeSpec. Every problem is named in one
 * DomainError('invalid') (joined with "; "), so a worker's owner fixes them all at once.
 */
export function parseRegistration(req: RegistrationRequest): NodeSpec {
  const problems: { field: string; message: string }[] = [];
  const refuse = (field: string, message: string) => problems.push({ field, message });

  const name = (req.node_id ?? '').trim();
  if (!name) refuse('node_id', `node_id (the node's name) is required: ${NODE_NAME_RULE}`);
  else if (!NODE_NAME_PATTERN.test(name)) refuse('node_id', `node_id must be ${NODE_NAME_RULE}`);

  const whole = (field: string, value: number, min: number, max: number, rule: string) => {
    if (!Number.isInteger(value) || value < min || value > max) refuse(field, `${field} must be ${rule}`);
    return value;
  };
  const cpuCores = whole('cpu_cores', req.cpu_cores, 1, LIMITS.cpuCores, `at least 1 (whole cores)`);
  whole('memory_gb', req.memory_gb, 0, LIMITS.memoryGb, `a whole number of GB, 0 or more`);
  whole('memory_mb', req.memory_mb, 0, LIMITS.memoryMb, `a whole number of MB, 0 or more`);
  const memoryMb = req.memory_mb > 0 ? req.memory_mb : req.memory_gb * 1024;
  if (req.memory_mb === 0 && req.memory_gb === 0) {
    refuse('memory_gb', 'memory_gb (or memory_mb) must be more than 0');
  }
  const storageGb = whole(
    'storage_gb',
    req.storage_gb,
    0,
    LIMITS.storageGb,
    `a whole number of GB, 0 or more`,
  );
  const cpuScore = whole('cpu_score', req.cpu_score, 0, LIMITS.score, '0 or more');
  const gpuScore = whole('gpu_score', req.gpu_score, 0, LIMITS.score, '0 or more');
  const gpuMemoryGb = whole('gpu_memory_gb', req.gpu_memory_gb, 0, LIMITS.gpuMemoryGb, '0 or more');
  const port = whole('port', req.port, 0, 65_535, 'a port number (0 to 65535)');
  const slots = whole(
    'max_concurrent_tasks',
    req.max_concurrent_tasks,
    0,
    MAX_CONCURRENT_LIMIT,
    `from 1 to ${MAX_CONCURRENT_LIMIT} (0: the default, 1)`,
  );

  const docker = (req.docker_status ?? '').trim().toLowerCase();
  if (!isDockerStatus(docker)) {
    refuse(
      'docker_status',
      `docker_status must be "enabled" or "disabled" (got ${docker ? `"${req.docker_status}"` : 'nothing'})`,
    );
  }

  const text = (field: string, value: string, max: number) => {
    const trimmed = (value ?? '').trim();
    if (trimmed.length > max) refuse(field, `${field} must be at most ${max} characters`);
    // eslint-disable-next-line no-control-regex -- the point is to refuse control characters
    else if (/[\x00-\x1f\x7f]/.test(trimmed)) refuse(field, `${field} must not contain control characters`);
    return trimmed;
  };
  const hostname = text('hostname', req.hostname, 255);
  const location = text('location', req.location, 64);
  const gpuName = text('gpu_name', req.gpu_name, 128);
  const agentVersion = text('agent_version', req.agent_version, 32);

  if (problems.length) {
    throw new DomainError('invalid', problems.map((p) => p.message).join('; '), { field: problems[0].field });
  }
  return {
    name,
    hostname,
    port,
    location,
    dockerStatus: docker as DockerStatus, // checked above: a bad one is among the problems
    agentVersion,
    maxConcurrent: slots || 1,
    cpuMillicores: cpuCores * 1000,
    memoryMb,
    storageMb: storageGb * 1024 || seedStorageMb(agentVersion, slots || 1),
    cpuScore,
    gpuScore,
    gpuMemoryMb: gpuMemoryGb * 1024,
    gpuName,
  };
}
