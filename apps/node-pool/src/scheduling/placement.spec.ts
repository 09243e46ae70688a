import {
  DockerStatus,
  NodeStatus,
  PROBATION_RUN,
  PROBATION_SLOTS,
  TrustGroup,
  trustGroupOf,
} from '@hivemind/contracts';
import {
  type NodeCandidate,
  type Resources,
  type ShardDemand,
  canRunOn,
  loadOf,
  placeShard,
  trustAllows,
  whyWaiting,
} from './placement';

const res = (r: Partial<Resources> = {}): Resources => ({
  cpuMillicores: 0,
  memoryMb: 0,
  storageMb: 0,
  cpuScore: 0,
  gpuScore: 0,
  gpuMemoryMb: 0,
  ...r,
});

const BIG = res({ cpuMillicores: 8000, memoryMb: 16384, storageMb: 100000, cpuScore: 1000 });

function node(name: string, over: Partial<NodeCandidate> = {}): NodeCandidate {
  return {
    id: `id-${name}`,
    name,
    status: NodeStatus.Online,
    docker: DockerStatus.Enabled,
    creditScore: 75,
    location: '',
    gpuName: '',
    total: BIG,
    available: BIG,
    runningAttempts: 0,
    maxConcurrent: 4,
    ownerId: `owner-${name}`,
    // past probation: the rules below are about resources and trust groups
    validRun: PROBATION_RUN,
    operator: false,
    recentFault: false,
    ...over,
  };
}

const demand = (over: Partial<ShardDemand> = {}): ShardDemand => ({
  resources: res({ cpuMillicores: 1000, memoryMb: 512 }),
  userTrust: 50,
  ...over,
});

describe(trustGroupOf.name, () => {
  it.each([
    [150, DockerStatus.Enabled, TrustGroup.High],
    [100, DockerStatus.Enabled, TrustGroup.High],
    [99, DockerStatus.Enabled, TrustGroup.Normal],
    [50, DockerStatus.Enabled, TrustGroup.Normal],
    [49, DockerStatus.Enabled, TrustGroup.Low],
    [150, DockerStatus.Disabled, TrustGroup.Low],
  ])('credit %i with Docker %s → %s', (credit, docker, group) => {
    expect(trustGroupOf(credit, docker)).toBe(group);
  });
});

describe(trustAllows.name, () => {
  it.each([
    ['normal node, default user', 75, DockerStatus.Enabled, 50, true],
    ['high node, low-trust user', 120, DockerStatus.Enabled, 0, true],
    ['low node, default user', 40, DockerStatus.Enabled, 50, false],
    ['low node, user at 99', 40, DockerStatus.Enabled, 99, false],
    ['low node, high-trust user', 40, DockerStatus.Enabled, 100, true],
    ['no Docker, user at 50', 120, DockerStatus.Disabled, 50, false],
    ['no Docker, user at 51 (still low group)', 120, DockerStatus.Disabled, 51, false],
    ['no Docker, high-trust user', 120, DockerStatus.Disabled, 100, true],
  ])('%s → %s', (_name, credit, docker, userTrust, allowed) => {
    expect(trustAllows({ creditScore: credit, docker }, userTrust)).toBe(allowed);
  });
});

describe(canRunOn.name, () => {
  it.each<[string, Partial<NodeCandidate>, Partial<ShardDemand>, boolean]>([
    ['fits', {}, {}, true],
    ['offline', { status: NodeStatus.Offline }, {}, false],
    ['draining', { status: NodeStatus.Draining }, {}, false],
    ['at its concurrency limit', { runningAttempts: 4 }, {}, false],
    ['too little free memory', { available: res({ ...BIG, memoryMb: 256 }) }, {}, false],
    ['exactly enough', { available: res({ cpuMillicores: 1000, memoryMb: 512 }) }, {}, true],
    ['GPU name matches in any case', { gpuName: 'NVIDIA A100' }, { gpuName: 'nvidia a100' }, true],
    ['GPU name differs', { gpuName: 'NVIDIA T4' }, { gpuName: 'NVIDIA A100' }, false],
    ['GPU asked, node has none', {}, { gpuName: 'NVIDIA A100' }, false],
    [
      'GPU memory short',
      { available: res({ ...BIG, gpuMemoryMb: 4096 }) },
      { resources: res({ gpuMemoryMb: 8192 }) },
      false,
    ],
    ['trust excludes', { creditScore: 10 }, {}, false],
  ])('%s → %s', (_name, nodeOver, demandOver, expected) => {
    expect(canRunOn(node('n', nodeOver), demand(demandOver))).toBe(expected);
  });
});

describe(placeShard.name, () => {
  const pick = (nodes: NodeCandidate[], d: Partial<ShardDemand> = {}) => {
    const placement = placeShard(demand(d), nodes);
    return 'node' in placement ? placement.node.name : placement.waiting;
  };

  it('prefers the high trust group, then normal, then low', () => {
    const nodes = [
      node('low', { creditScore: 20 }),
      node('normal', { creditScore: 60 }),
      node('high', { creditScore: 140 }),
    ];
    expect(pick(nodes, { userTrust: 100 })).toBe('high');
    expect(pick(nodes.slice(0, 2), { userTrust: 100 })).toBe('normal');
    expect(pick(nodes.slice(0, 1), { userTrust: 100 })).toBe('low');
  });

  it('within a group prefers the asked location, then the least loaded', () => {
    const idle = node('idle');
    const busyHere = node('busy-here', { location: 'eu-west', runningAttempts: 3 });
    const half = node('half', { runningAttempts: 2 });
    expect(pick([half, idle, busyHere])).toBe('idle');
    expect(pick([half, idle, busyHere], { location: 'EU-West' })).toBe('busy-here');
    expect(pick([half, busyHere])).toBe('half');
  });

  it('counts memory and cores in the load, not only attempts', () => {
    const memoryBound = node('memory-bound', { available: res({ ...BIG, memoryMb: 1024 }) });
    const twoAttempts = node('two-attempts', { runningAttempts: 2 });
    expect(loadOf(memoryBound)).toBeGreaterThan(loadOf(twoAttempts));
    expect(pick([memoryBound, twoAttempts])).toBe('two-attempts');
  });

  it('never picks a node that cannot run the shard, even in a better group', () => {
    const highButFull = node('high-full', { creditScore: 200, available: res() });
    expect(pick([highButFull, node('normal')])).toBe('normal');
  });

  it('is deterministic: equal nodes are taken in name order', () => {
    expect(pick([node('b'), node('c'), node('a')])).toBe('a');
  });

  it('round-robin takes the next fitting node by name after the last one, wrapping around', () => {
    const nodes = [node('a'), node('b', { status: NodeStatus.Offline }), node('c')];
    const next = (last: string) => {
      const p = placeShard(demand(), nodes, 'round-robin', last);
      return 'node' in p ? p.node.name : p.waiting;
    };
    expect(next('')).toBe('a');
    expect(next('a')).toBe('c');
    expect(next('c')).toBe('a');
  });
});

describe(whyWaiting.name, () => {
  it.each<[string, NodeCandidate[], Partial<ShardDemand>, RegExp]>([
    ['no nodes', [], {}, /^no node is online$/],
    ['only offline nodes', [node('a', { status: NodeStatus.Offline })], {}, /^no node is online$/],
    [
      'GPU nobody has',
      [node('a', { gpuName: 'T4' })],
      { gpuName: 'A100' },
      /no online node has the GPU "A100"/,
    ],
    [
      'more memory than any node has',
      [node('a')],
      { resources: res({ memoryMb: 65536 }) },
      /no online node offers 65536 MB of memory/,
    ],
    [
      'cores on one node, memory on another',
      [
        node('cores', { total: res({ cpuMillicores: 16000, memoryMb: 1024 }) }),
        node('mem', { total: res({ cpuMillicores: 1000, memoryMb: 65536 }) }),
      ],
      { resources: res({ cpuMillicores: 8000, memoryMb: 32768 }) },
      /no online node offers 8 CPU cores and 32768 MB of memory together/,
    ],
    [
      'only low-trust nodes fit',
      [node('a', { creditScore: 10 }), node('b', { docker: DockerStatus.Disabled })],
      { userTrust: 50 },
      /your trust score \(50\) excludes the nodes that would fit/,
    ],
    [
      'fitting nodes are busy',
      [node('a', { runningAttempts: 4 })],
      {},
      /waiting for capacity: the 1 node\(s\) that fit are busy$/,
    ],
    [
      'fitting nodes on probation hold their few slots',
      [node('a', { validRun: 0, runningAttempts: 2 }), node('b', { runningAttempts: 4 })],
      {},
      /^waiting for capacity: the 2 node\(s\) that fit are busy \(1 of them on probation, 2 attempts at a time until they earn trust\)$/,
    ],
  ])('%s', (_name, nodes, d, reason) => {
    const placement = placeShard(demand(d), nodes);
    expect('waiting' in placement && placement.waiting).toMatch(reason);
  });
});

describe('earned trust in placement', () => {
  const newcomer = (name: string, over: Partial<NodeCandidate> = {}) => node(name, { validRun: 0, ...over });

  it.each<[string, NodeCandidate, ShardDemand, boolean]>([
    ['a node on probation takes an ordinary task', newcomer('n'), demand(), true],
    ['… but not one with network access', newcomer('n'), demand({ networkAllowed: true }), false],
    ['… nor one with secret env values', newcomer('n'), demand({ hasSecrets: true }), false],
    [
      '… and only up to its probation slots',
      newcomer('n', { runningAttempts: PROBATION_SLOTS }),
      demand(),
      false,
    ],
    ['a node past probation takes secrets', node('n'), demand({ hasSecrets: true }), true],
    [
      'the operator’s node is never on probation',
      newcomer('n', { operator: true }),
      demand({ hasSecrets: true }),
      true,
    ],
    [
      'a node of an owner that already holds a replica of the shard: no',
      node('n'),
      demand({ excludedOwners: new Set(['owner-n']) }),
      false,
    ],
  ])('%s', (_name, n, d, ok) => {
    expect(canRunOn(n, d)).toBe(ok);
  });

  it('a recent fault places the node after its trust group’s others, not out of reach', () => {
    const faulty = node('a', { recentFault: true });
    const steady = node('b', { runningAttempts: 3 });
    expect(placeShard(demand(), [faulty, steady])).toEqual({ node: steady });
    expect(placeShard(demand(), [faulty])).toEqual({ node: faulty });
  });

  it.each<[string, NodeCandidate[], ShardDemand, string]>([
    [
      'only nodes on probation fit a task with secrets',
      [newcomer('a'), newcomer('b')],
      demand({ hasSecrets: true }),
      'the 2 node(s) that would fit are on probation (new, or a result refused lately), and a task with secret env values runs only on nodes that have earned trust',
    ],
    [
      'only owners that already ran the shard',
      [node('a', { ownerId: 'o' }), node('b', { ownerId: 'o' })],
      demand({ excludedOwners: new Set(['o']) }),
      'a replica needs a node of another owner: the 2 node(s) that fit belong to owners that already ran this shard (one owner’s nodes never form a quorum)'.replace(
        '’',
        "'",
      ),
    ],
  ])('why pending: %s', (_name, nodes, d, why) => {
    expect(whyWaiting(d, nodes)).toBe(why);
  });
});
