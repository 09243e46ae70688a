import { type CpuInfo, type NetworkInterfaceInfo, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CommandRunner,
  CpuSampler,
  describeMachine,
  detectGpus,
  freeDiskBytes,
  type Gpu,
  type MachineProbes,
  type MachineReaders,
  measureCoreScore,
  measureCpuScore,
  preferredAddress,
  usableCores,
} from './hardware';

const GIB = 1024 ** 3;

describe(usableCores.name, () => {
  it.each([
    [8, 4, 4],
    [2, 16, 2],
    [2.5, 16, 2],
    [0.5, 16, 1],
    [Infinity, 1, 1],
  ])('MAX_CPU_CORES %d on %d usable cores offers %d', (max, parallelism, expected) => {
    expect(usableCores(max, parallelism)).toBe(expected);
  });
});

describe(measureCoreScore.name, () => {
  it('scores a JIT-compiled core within about its duration', () => {
    const start = performance.now();
    const score = measureCoreScore(100);
    expect(performance.now() - start).toBeLessThan(250);
    // Any core since ~2010 scores 40 or more; an interpreted kernel would score about 1.
    expect(score).toBeGreaterThan(10);
    expect(score).toBeLessThan(1000);
  });

  it('multiplies by the usable cores and rounds for the proto int32', () => {
    const score = measureCpuScore(1, 30);
    expect(Number.isInteger(score)).toBe(true);
    expect(score).toBeGreaterThan(0);
  });
});

describe(detectGpus.name, () => {
  const answering =
    (stdout: string): CommandRunner =>
    (file, args, timeoutMs) => {
      expect([file, ...args, timeoutMs]).toEqual([
        'nvidia-smi',
        '--query-gpu=name,memory.total,clocks.max.sm',
        '--format=csv,noheader,nounits',
        2000,
      ]);
      return Promise.resolve(stdout);
    };

  it('parses every well-formed line, scoring memory GB × 10 + max SM MHz / 100', async () => {
    const stdout = [
      'NVIDIA GeForce RTX 3080, 10240, 2100',
      'NVIDIA A100-SXM4-40GB, 40960, 1410',
      'Tesla K80, 11441, [N/A]',
      '',
    ].join('\n');
    await expect(detectGpus(answering(stdout))).resolves.toEqual<Gpu[]>([
      { name: 'NVIDIA GeForce RTX 3080', memoryMb: 10240, score: 121 },
      { name: 'NVIDIA A100-SXM4-40GB', memoryMb: 40960, score: 414 },
      { name: 'Tesla K80', memoryMb: 11441, score: 112 },
    ]);
  });

  it('skips malformed lines and keeps the rest', async () => {
    const stdout = [
      'NVIDIA GeForce RTX 4090, 24564, 3105',
      'garbage without fields',
      'NVIDIA T4, lots, 1590',
      ', 8192, 1500',
      'No devices were found',
    ].join('\n');
    await expect(detectGpus(answering(stdout))).resolves.toEqual<Gpu[]>([
      { name: 'NVIDIA GeForce RTX 4090', memoryMb: 24564, score: 271 },
    ]);
  });

  it('keeps a comma inside a GPU name', async () => {
    await expect(detectGpus(answering('Acme GPU, rev 2, 4096, 1000\n'))).resolves.toEqual<Gpu[]>([
      { name: 'Acme GPU, rev 2', memoryMb: 4096, score: 50 },
    ]);
  });

  it.each([
    ['nvidia-smi is missing', Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' })],
    ['the driver fails', new Error('NVIDIA-SMI has failed because it could not communicate with the driver')],
    ['it times out', Object.assign(new Error('timed out'), { killed: true, signal: 'SIGTERM' })],
  ])('offers no GPU when %s', async (_case, error) => {
    await expect(detectGpus(() => Promise.reject(error))).resolves.toEqual([]);
  });
});

describe(preferredAddress.name, () => {
  const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({
    address,
    netmask: '255.255.255.0',
    family: 'IPv4',
    mac: '02:00:00:00:00:01',
    internal,
    cidr: `${address}/24`,
  });
  const v6 = (address: string): NetworkInterfaceInfo => ({
    address,
    netmask: 'ffff:ffff:ffff:ffff::',
    family: 'IPv6',
    mac: '02:00:00:00:00:01',
    internal: false,
    cidr: `${address}/64`,
    scopeid: 0,
  });
  const lo = [v4('127.0.0.1', true)];

  it.each<[string, NodeJS.Dict<NetworkInterfaceInfo[]>, string]>([
    [
      'a wg interface first',
      { lo, eth0: [v4('10.0.0.9')], wg0: [v6('fd00::5'), v4('10.8.0.4')] },
      '10.8.0.4',
    ],
    [
      'a WireGuard-named interface in any case',
      { eth0: [v4('192.168.1.5')], MyWireGuard: [v4('172.16.0.2')] },
      '172.16.0.2',
    ],
    ['an hm interface (docs/vpn.md)', { eth0: [v4('192.168.1.5')], hm0: [v4('10.128.3.9')] }, '10.128.3.9'],
    ['else a 10.0.0.x address', { lo, eth0: [v4('192.168.1.5')], tun0: [v4('10.0.0.7')] }, '10.0.0.7'],
    [
      "else an address in the pool's default 10.128.0.0/16",
      { eth0: [v4('192.168.1.5')], tun0: [v4('10.128.1.7')] },
      '10.128.1.7',
    ],
    ['not the 10.128.0.1 gateway', { eth0: [v4('10.128.0.1')] }, 'worker-7.lan'],
    ['not the 10.0.0.1 gateway', { eth0: [v4('10.0.0.1')], eth1: [v4('10.0.0.12')] }, '10.0.0.12'],
    ['any other 10.0.0.x host', { eth0: [v4('192.168.1.5'), v4('10.0.0.100')] }, '10.0.0.100'],
    ['not 10.0.0.x look-alikes', { eth0: [v4('10.0.1.5')], eth1: [v4('110.0.0.5')] }, 'worker-7.lan'],
    [
      'not an interface merely containing "wg" or "hm"',
      { shmem: [v4('172.16.0.3')], bwg: [v4('172.16.0.4')] },
      'worker-7.lan',
    ],
    [
      'a wg interface with only IPv6 falls through',
      { wg0: [v6('fd00::5')], eth0: [v4('10.0.0.3')] },
      '10.0.0.3',
    ],
    [
      'internal addresses never count',
      { wg0: [v4('10.0.0.5', true)], lo: [v4('10.0.0.6', true)] },
      'worker-7.lan',
    ],
    ['else the hostname, not 127.0.0.1', { lo, eth0: [v4('192.168.1.5')] }, 'worker-7.lan'],
  ])('%s', (_case, interfaces, expected) => {
    expect(preferredAddress(interfaces, 'worker-7.lan')).toBe(expected);
  });
});

describe(CpuSampler.name, () => {
  const core = (busy: number, idle: number): CpuInfo => ({
    model: 'test',
    speed: 3000,
    times: { user: busy, nice: 0, sys: 0, irq: 0, idle },
  });
  const meminfo = (totalKb: number, availableKb: number) =>
    `MemTotal:       ${totalKb} kB\nMemFree:         1000 kB\nMemAvailable:   ${availableKb} kB\n`;

  const unexpected = (call: string): never => {
    throw new Error(`unexpected ${call}`);
  };

  function sampler(snapshots: CpuInfo[][], readers: Partial<MachineReaders> = {}): CpuSampler {
    const queue = [...snapshots];
    return new CpuSampler({
      cpus: () => queue.shift() ?? unexpected('cpus()'),
      meminfo: () => meminfo(1000, 250),
      totalmem: () => unexpected('totalmem() despite /proc/meminfo'),
      freemem: () => unexpected('freemem() despite /proc/meminfo'),
      ...readers,
    });
  }

  it('measures CPU since boot first, then between calls, across all cores', () => {
    const s = sampler([
      [core(100, 300), core(100, 300)],
      [core(190, 310), core(100, 400)],
    ]);
    expect(s.sample().cpu_percent).toBe(25);
    expect(s.sample().cpu_percent).toBe(45);
  });

  it('rounds to 0.1 and repeats the last reading when no tick elapsed', () => {
    const s = sampler([[core(1, 2)], [core(1, 2)]]);
    expect(s.sample().cpu_percent).toBe(33.3);
    expect(s.sample().cpu_percent).toBe(33.3);
  });

  it('takes memory from MemTotal and MemAvailable', () => {
    expect(sampler([[core(0, 1)]]).sample().memory_percent).toBe(75);
  });

  it('falls back to os totals without /proc/meminfo', () => {
    const s = sampler([[core(0, 1)]], {
      meminfo: () => undefined,
      totalmem: () => 8 * GIB,
      freemem: () => 3 * GIB,
    });
    expect(s.sample()).toEqual({ cpu_percent: 0, memory_percent: 62.5 });
  });

  it('uses os.freemem() when the kernel has no MemAvailable line', () => {
    const s = sampler([[core(0, 1)]], {
      meminfo: () => 'MemTotal:       1000 kB\nMemFree:         100 kB\n',
      freemem: () => 512_000,
    });
    expect(s.sample().memory_percent).toBe(50);
  });
});

describe(describeMachine.name, () => {
  const probes = (changes: Partial<MachineProbes> = {}): MachineProbes => ({
    parallelism: () => 16,
    memoryBytes: () => 32 * GIB,
    coreScore: () => 98.6,
    gpus: () => Promise.resolve([]),
    freeDiskBytes: () => Promise.resolve(500.7 * GIB),
    address: () => '10.0.0.7',
    ...changes,
  });

  it('describes the machine within the owner’s limits', async () => {
    const rtx3080 = { name: 'RTX 3080', memoryMb: 10240, score: 121 };
    const gtx1650 = { name: 'GTX 1650', memoryMb: 4096, score: 59 };
    const described = await describeMachine(
      { cpuCores: 4, memoryGb: 12.5, storageGb: 100 },
      '/work',
      probes({ gpus: () => Promise.resolve([gtx1650, rtx3080]) }),
    );
    expect(described).toEqual({
      cpu_cores: 4,
      memory_mb: 12800,
      memory_gb: 12,
      cpu_score: 394,
      gpus: [gtx1650, rtx3080],
      gpu_name: 'RTX 3080',
      gpu_score: 121,
      gpu_memory_gb: 10,
      storage_gb: 100,
      hostname: '10.0.0.7',
    });
  });

  it('offers what the machine has when the limits are higher, and no GPU without one', async () => {
    const described = await describeMachine(
      { cpuCores: 64, memoryGb: 1024 },
      '/work',
      probes({ memoryBytes: () => 0.75 * GIB + 123 }),
    );
    expect(described).toMatchObject({
      cpu_cores: 16,
      memory_mb: 768,
      memory_gb: 0,
      cpu_score: 1578,
      gpus: [],
      gpu_name: '',
      gpu_score: 0,
      gpu_memory_gb: 0,
      storage_gb: 500,
    });
  });

  it('measures free disk in the work dir', async () => {
    const dirs: string[] = [];
    await describeMachine(
      { cpuCores: 1, memoryGb: 1 },
      '/srv/hivemind',
      probes({
        freeDiskBytes: (dir) => {
          dirs.push(dir);
          return Promise.resolve(GIB);
        },
      }),
    );
    expect(dirs).toEqual(['/srv/hivemind']);
  });
});

describe(freeDiskBytes.name, () => {
  it('measures a work dir that does not exist yet on its nearest existing parent', async () => {
    const missing = join(tmpdir(), `hivemind-missing-${process.pid}`, 'a', 'b');
    const [parentFree, missingFree] = await Promise.all([freeDiskBytes(tmpdir()), freeDiskBytes(missing)]);
    expect(parentFree).toBeGreaterThan(0);
    expect(Math.abs(missingFree - parentFree)).toBeLessThan(GIB);
  });

  it('reports other errors instead of guessing', async () => {
    await expect(freeDiskBytes(join(__filename, 'not-a-dir'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});
