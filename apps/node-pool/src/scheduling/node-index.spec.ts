import {
  DockerStatus,
  NodeStatus,
  PROBATION_RUN,
  TRUST_GROUP_ORDER,
  trustGroupOf,
} from '@hivemind/contracts';
import { FreeList, NodeIndex, hasFreeSlot } from './node-index';
import { type NodeCandidate, type Resources, type ShardDemand, loadOf, placeShard } from './placement';

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
    available: { ...BIG },
    runningAttempts: 0,
    maxConcurrent: 4,
    ownerId: `owner-${name}`,
    validRun: PROBATION_RUN,
    operator: false,
    recentFault: false,
    ...over,
  };
}

const demand = (over: Partial<ShardDemand> = {}): ShardDemand => ({
  resources: res({ cpuMillicores: 1000, memoryMb: 512 }),
  userTrust: 150,
  ...over,
});

/** A seeded source in [0, 1) (mulberry32): the property checks below are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A varied cluster: trust groups, Docker, GPUs, locations, load, probation, faults, owners. */
function cluster(size: number, random: () => number): NodeCandidate[] {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  return Array.from({ length: size }, (_, i) => {
    const maxConcurrent = pick([1, 2, 4, 8]);
    const running = Math.floor(random() * (maxConcurrent + 1));
    const cpu = pick([1000, 2000, 4000, 8000]);
    const memory = pick([1024, 4096, 16384]);
    return node(`n${String(i).padStart(5, '0')}`, {
      creditScore: pick([10, 40, 75, 90, 120, 150]),
      docker: random() < 0.9 ? DockerStatus.Enabled : DockerStatus.Disabled,
      gpuName: pick(['', '', 'RTX 4090', 'A100']),
      location: pick(['', 'eu', 'us', 'asia']),
      total: res({ cpuMillicores: cpu, memoryMb: memory, storageMb: 50000, cpuScore: 500 }),
      available: res({
        cpuMillicores: cpu - pick([0, 500, 1000]),
        memoryMb: memory - pick([0, 512, 1024]),
        storageMb: 50000,
        cpuScore: 500,
      }),
      maxConcurrent,
      runningAttempts: running,
      ownerId: `owner-${i % 37}`,
      validRun: random() < 0.8 ? PROBATION_RUN : 0,
      recentFault: random() < 0.1,
    });
  });
}

function demands(random: () => number): ShardDemand[] {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  return Array.from({ length: 200 }, () =>
    demand({
      resources: res({ cpuMillicores: pick([100, 1000, 3000]), memoryMb: pick([64, 512, 2048, 8192]) }),
      gpuName: pick([undefined, undefined, 'rtx 4090', 'H100']),
      location: pick([undefined, 'EU', 'asia']),
      userTrust: pick([10, 60, 150]),
      networkAllowed: random() < 0.2,
      excludedOwners: random() < 0.3 ? new Set([`owner-${Math.floor(random() * 37)}`]) : undefined,
    }),
  );
}

function indexOf(nodes: readonly NodeCandidate[], candidates: number, random = Math.random): NodeIndex {
  const index = new NodeIndex(candidates, random);
  for (const n of nodes) index.put(n);
  return index;
}

const rank = (n: NodeCandidate) => TRUST_GROUP_ORDER.indexOf(trustGroupOf(n.creditScore, n.docker));

describe(FreeList.name, () => {
  it('adds once, removes by swapping the last in, and stays consistent', () => {
    const list = new FreeList();
    for (const id of ['a', 'b', 'c', 'd']) list.add(id);
    list.add('b');
    expect(list.size).toBe(4);
    list.remove('b');
    list.remove('zz');
    expect(list.size).toBe(3);
    const ids = Array.from({ length: list.size }, (_, i) => list.get(i)).sort();
    expect(ids).toEqual(['a', 'c', 'd']);
    expect(list.has('b')).toBe(false);
    list.remove('d');
    list.remove('a');
    list.remove('c');
    expect(list.size).toBe(0);
  });
});

describe(NodeIndex.name, () => {
  it('chooses exactly what the full scan chooses when the sample holds every node that fits', () => {
    const random = seeded(1);
    const nodes = cluster(300, random);
    const index = indexOf(nodes, 10_000, random);
    for (const d of demands(random)) {
      const full = placeShard(d, nodes);
      const sampled = index.place(d);
      if ('waiting' in full) expect(sampled).toEqual(full);
      else expect('node' in sampled && sampled.node.id).toBe(full.node.id);
    }
  });

  it.each([1, 2, 16])(
    'with a sample of %i, never places below the best trust group that fits, nor on a node that does not fit',
    (k) => {
      const random = seeded(k);
      const nodes = cluster(2000, random);
      const index = indexOf(nodes, k, random);
      for (const d of demands(random)) {
        const full = placeShard(d, nodes);
        const sampled = index.place(d);
        if ('waiting' in full) {
          expect(sampled).toEqual(full);
          continue;
        }
        if (!('node' in sampled))
          throw new Error(`placed by the full scan, not by the sample: ${sampled.waiting}`);
        expect(rank(sampled.node)).toBe(rank(full.node));
        expect(placeShard(d, [sampled.node])).toEqual({ node: sampled.node });
      }
    },
  );

  it('looks at a bounded number of nodes per shard, whatever the cluster size', () => {
    const nodes = Array.from({ length: 20_000 }, (_, i) => node(`n${i}`, { creditScore: 120 }));
    const index = indexOf(nodes, 16);
    for (let i = 0; i < 100; i++) index.place(demand());
    expect(index.examined).toBe(100 * 16);
  });

  it('keeps full nodes out of the search, and files a node again as it fills and frees', () => {
    const a = node('a', { maxConcurrent: 1 });
    const index = indexOf([a, node('b', { runningAttempts: 4 })], 16);
    expect(index.place(demand())).toEqual({ node: a });
    a.runningAttempts = 1;
    index.refile(a);
    expect(hasFreeSlot(a)).toBe(false);
    expect(index.hasFree()).toBe(false);
    index.examined = 0;
    expect(index.place(demand())).toEqual({
      waiting: 'waiting for capacity: the 2 node(s) that fit are busy',
    });
    expect(index.examined).toBe(0);
    index.put({ ...a, runningAttempts: 0 });
    expect(index.hasFree()).toBe(true);
    expect('node' in index.place(demand())).toBe(true);
  });

  it('answers an empty reason when not asked to explain (no look at every node)', () => {
    const index = indexOf([node('a', { runningAttempts: 4 })], 16);
    expect(index.place(demand(), false)).toEqual({ waiting: '' });
    expect(index.place(demand())).toEqual({
      waiting: 'waiting for capacity: the 1 node(s) that fit are busy',
    });
  });

  it('drops a node that is no longer online', () => {
    const index = indexOf([node('a')], 16);
    index.put(node('a', { status: NodeStatus.Offline }));
    expect(index.size).toBe(0);
    expect(index.place(demand())).toEqual({ waiting: 'no node is online' });
  });

  it('searches only the nodes with the GPU asked for (any case)', () => {
    const gpu = node('g', { gpuName: 'RTX 4090' });
    const index = indexOf([...Array.from({ length: 50 }, (_, i) => node(`p${i}`)), gpu], 16);
    index.examined = 0;
    expect(index.place(demand({ gpuName: 'rtx 4090' }))).toEqual({ node: gpu });
    expect(index.examined).toBe(1);
  });

  it('prefers the location asked for, and a node elsewhere over a faulty one there', () => {
    const eu = node('eu', { location: 'EU' });
    const others = Array.from({ length: 50 }, (_, i) => node(`x${i}`, { location: 'us' }));
    expect(indexOf([...others, eu], 4).place(demand({ location: 'eu' }))).toEqual({ node: eu });
    const faulty = node('eu', { location: 'EU', recentFault: true });
    const placed = indexOf([...others, faulty], 4).place(demand({ location: 'eu' }));
    expect('node' in placed && placed.node.location).toBe('us');
  });

  it('with 0 candidates scores every node (the exact order, least load first)', () => {
    const nodes = Array.from({ length: 40 }, (_, i) => node(`n${i}`, { runningAttempts: i % 4 }));
    const placed = indexOf(nodes, 0).place(demand());
    expect('node' in placed && loadOf(placed.node)).toBe(0);
    expect(placed).toEqual(placeShard(demand(), nodes));
  });
});
