import { DockerStatus } from '@hivemind/contracts';
import { DomainError } from '../common/domain-error';
import { type RegistrationRequest, parseRegistration } from './node-registration';

const request = (changes: Partial<RegistrationRequest> = {}): RegistrationRequest => ({
  node_id: 'worker-001',
  hostname: '10.0.0.7',
  cpu_cores: 8,
  memory_gb: 16,
  cpu_score: 1000,
  gpu_score: 2000,
  gpu_memory_gb: 8,
  location: 'Asia/Taipei',
  port: 50052,
  gpu_name: 'RTX 4090',
  docker_status: 'enabled',
  memory_mb: 0,
  storage_gb: 100,
  max_concurrent_tasks: 4,
  agent_version: '0.1.0',
  csr_pem: '',
  ...changes,
});

const refusal = (changes: Partial<RegistrationRequest>): DomainError => {
  try {
    parseRegistration(request(changes));
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('accepted');
};

describe(parseRegistration.name, () => {
  it('converts the seed’s units to the pool’s (millicores, MB)', () => {
    expect(parseRegistration(request())).toEqual({
      name: 'worker-001',
      hostname: '10.0.0.7',
      port: 50052,
      location: 'Asia/Taipei',
      dockerStatus: DockerStatus.Enabled,
      agentVersion: '0.1.0',
      maxConcurrent: 4,
      cpuMillicores: 8000,
      memoryMb: 16 * 1024,
      storageMb: 100 * 1024,
      cpuScore: 1000,
      gpuScore: 2000,
      gpuMemoryMb: 8 * 1024,
      gpuName: 'RTX 4090',
    });
  });

  it.each([
    ['memory_mb wins over memory_gb', { memory_mb: 3000, memory_gb: 16 }, { memoryMb: 3000 }],
    ['memory_gb alone', { memory_mb: 0, memory_gb: 2 }, { memoryMb: 2048 }],
    ['no max_concurrent_tasks: one slot', { max_concurrent_tasks: 0 }, { maxConcurrent: 1 }],
    ['docker_status in any case', { docker_status: ' Disabled ' }, { dockerStatus: DockerStatus.Disabled }],
    [
      'no GPU, no storage',
      { gpu_score: 0, gpu_memory_gb: 0, gpu_name: '', storage_gb: 0, agent_version: '1.0.0' },
      { gpuMemoryMb: 0, storageMb: 0 },
    ],
    [
      "the seed's message (no storage_gb, no agent_version): a task's default storage per slot",
      { storage_gb: 0, agent_version: '', max_concurrent_tasks: 0 },
      { storageMb: 1024 },
    ],
    [
      'no agent_version but a storage_gb: as reported',
      { storage_gb: 5, agent_version: '', max_concurrent_tasks: 2 },
      { storageMb: 5 * 1024 },
    ],
    ['names are trimmed', { node_id: '  Box.1_a ' }, { name: 'Box.1_a' }],
  ])('accepts %s', (_name, changes, expected) => {
    expect(parseRegistration(request(changes))).toMatchObject(expected);
  });

  it.each([
    ['no name', { node_id: '' }, 'node_id', /node_id \(the node's name\) is required/],
    ['a name with a space', { node_id: 'my box' }, 'node_id', /node_id must be 1 to 64 letters/],
    ['a name starting with "-"', { node_id: '-box' }, 'node_id', /node_id must be/],
    ['a name of 65 characters', { node_id: 'a'.repeat(65) }, 'node_id', /node_id must be/],
    ['no cores', { cpu_cores: 0 }, 'cpu_cores', /cpu_cores must be at least 1/],
    ['negative cores', { cpu_cores: -4 }, 'cpu_cores', /cpu_cores must be at least 1/],
    [
      'no memory',
      { memory_gb: 0, memory_mb: 0 },
      'memory_gb',
      /memory_gb \(or memory_mb\) must be more than 0/,
    ],
    ['negative memory', { memory_gb: -1 }, 'memory_gb', /memory_gb must be a whole number of GB, 0 or more/],
    [
      'no docker_status',
      { docker_status: '' },
      'docker_status',
      /docker_status must be "enabled" or "disabled" \(got nothing\)/,
    ],
    ['a bad docker_status', { docker_status: 'yes' }, 'docker_status', /\(got "yes"\)/],
    ['too many slots', { max_concurrent_tasks: 1000 }, 'max_concurrent_tasks', /from 1 to 256/],
    ['a negative score', { gpu_score: -1 }, 'gpu_score', /gpu_score must be 0 or more/],
    ['a bad port', { port: 70000 }, 'port', /port must be a port number/],
    ['a huge storage', { storage_gb: 10_000_000 }, 'storage_gb', /storage_gb must be/],
    ['a long location', { location: 'x'.repeat(65) }, 'location', /location must be at most 64 characters/],
    ['a control character', { hostname: 'a\nb' }, 'hostname', /hostname must not contain control characters/],
  ])('refuses %s, naming the field', (_name, changes, field, message) => {
    const error = refusal(changes);
    expect(error.kind).toBe('invalid');
    expect(error.details.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('names every problem at once', () => {
    const error = refusal({ cpu_cores: 0, memory_gb: 0, docker_status: 'maybe' });
    expect(error.message.split('; ')).toHaveLength(3);
    expect(error.details.field).toBe('cpu_cores');
  });
});
