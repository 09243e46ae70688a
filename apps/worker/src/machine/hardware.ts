import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import {
  availableParallelism,
  type CpuInfo,
  cpus,
  freemem,
  hostname,
  type NetworkInterfaceInfo,
  networkInterfaces,
  totalmem,
} from 'node:os';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/** Cores offered to tasks: MAX_CPU_CORES capped by what the OS lets this process use, whole, at least 1. */
export function usableCores(maxCores: number, parallelism = availableParallelism()): number {
  return Math.max(1, Math.floor(Math.min(maxCores, parallelism)));
}

/**
 * The benchmark kernel: a xorshift32 chain (3 shift+xor pairs, each waiting on the last) that
 * scatters into a 4 KiB table kept in L1. Latency-bound at ~6-7 cycles an iteration, its rate
 * follows a core's sustained clock, not its SIMD width or crypto extensions (SHA-256 would rate
 * SHA-NI CPUs several times higher). Only shifts and xors: V8 keeps those in int32 registers in
 * any context, whereas an add that may overflow, or Math.imul under Jest's vm context, falls to
 * paths ~3-100× slower that would measure the JIT instead of the core. The table writes are
 * side effects, so no optimiser may drop the loop.
 */
function benchmarkKernel(iterations: number, table: Int32Array): void {
  let a = 0x2545f491;
  for (let i = 0; i < iterations; i++) {
    a ^= a << 13;
    a ^= a >>> 17;
    a ^= a << 5;
    table[a & 1023] ^= a;
  }
}

const CHUNK_ITERATIONS = 100_000;

/**
 * Iterations a millisecond that score 100 a core: a 2020 desktop core at its 4.2 GHz single-core
 * boost (Ryzen 5 3600; an i5-10400 at 4.3 GHz lands about the same). Scaled by clock from a
 * Zen 3 EPYC cloud vCPU at ~3.2 GHz, which runs 462 000 and so scores ~77 a core; not measured
 * on such a desktop. Being clock-bound, the score under-rates newer, wider cores by up to ~20 %.
 */
const REFERENCE_ITERATIONS_PER_MS = 600_000;

/**
 * One core's speed on the scale above, from the fastest of the chunks run within durationMs
 * (the fastest one is the JIT-compiled, unpreempted run). Blocks the event loop for durationMs,
 * overshooting by at most one chunk (~0.2 ms on the reference core).
 */
export function measureCoreScore(durationMs = 300): number {
  const table = new Int32Array(1024);
  const start = performance.now();
  let best = 0;
  do {
    const chunkStart = performance.now();
    benchmarkKernel(CHUNK_ITERATIONS, table);
    best = Math.max(best, CHUNK_ITERATIONS / Math.max(performance.now() - chunkStart, 1e-3));
  } while (performance.now() - start < durationMs);
  return (best / REFERENCE_ITERATIONS_PER_MS) * 100;
}

/** cpu_score: per-core score × usable cores, so ~100 × cores for a 2020 desktop. */
export function measureCpuScore(maxCores: number, durationMs = 300): number {
  return Math.round(measureCoreScore(durationMs) * usableCores(maxCores));
}

export interface Gpu {
  name: string;
  memoryMb: number;
  score: number;
}

/** Runs a program and resolves with its stdout; rejects when it is missing, fails or times out. */
export type CommandRunner = (file: string, args: readonly string[], timeoutMs: number) => Promise<string>;

const execFileAsync = promisify(execFile);

export const runCommand: CommandRunner = async (file, args, timeoutMs) =>
  (await execFileAsync(file, args, { timeout: timeoutMs, encoding: 'utf8', windowsHide: true })).stdout;

const NVIDIA_SMI_ARGS = [
  '--query-gpu=name,memory.total,clocks.max.sm',
  '--format=csv,noheader,nounits',
] as const;
const NVIDIA_SMI_TIMEOUT_MS = 2_000;

/**
 * gpu_score heuristic: memory GB × 10 + max SM clock MHz / 100. Memory decides which models fit,
 * so it dominates; the clock separates cards of one size. An RTX 3080 (10 GB, 2100 MHz) scores 121.
 */
function gpuScore(memoryMb: number, maxSmClockMhz: number): number {
  return Math.round((memoryMb / 1024) * 10 + maxSmClockMhz / 100);
}

/** A number from nvidia-smi, where "[N/A]" (e.g. no clock reported) reads as 0. */
function smiNumber(field: string): number | undefined {
  if (field === '[N/A]') return 0;
  const value = Number(field);
  return field !== '' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** One "name, memory MiB, max SM MHz" line; the numbers are taken from the right in case a name holds a comma. */
function parseGpuLine(line: string): Gpu | undefined {
  const fields = line.split(',').map((f) => f.trim());
  if (fields.length < 3) return undefined;
  const memoryMb = smiNumber(fields[fields.length - 2] ?? '');
  const clockMhz = smiNumber(fields[fields.length - 1] ?? '');
  const name = fields.slice(0, -2).join(', ');
  if (name === '' || memoryMb === undefined || memoryMb === 0 || clockMhz === undefined) return undefined;
  return { name, memoryMb, score: gpuScore(memoryMb, clockMhz) };
}

/**
 * NVIDIA GPUs as nvidia-smi reports them. A machine without nvidia-smi, or where it fails or hangs
 * past 2 s, has no GPU to offer: that is the normal case, so it yields [] rather than an error.
 */
export async function detectGpus(run: CommandRunner = runCommand): Promise<Gpu[]> {
  let stdout: string;
  try {
    stdout = await run('nvidia-smi', NVIDIA_SMI_ARGS, NVIDIA_SMI_TIMEOUT_MS);
  } catch {
    return [];
  }
  return stdout.split('\n').flatMap((line) => parseGpuLine(line) ?? []);
}

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

function externalIpv4(addresses: NetworkInterfaceInfo[] | undefined): string[] {
  return (addresses ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.address);
}

/** The VPN ranges a worker's address may come from: the seed's, and the node pool's default (docs/vpn.md). */
const VPN_RANGES = [
  { prefix: '10.0.0.', gateway: '10.0.0.1' },
  { prefix: '10.128.', gateway: '10.128.0.1' },
];

/**
 * The address the node pool should know this worker by, as the seed's _get_local_ip: a WireGuard
 * interface's IPv4 address (`wg*`, `hm*` as docs/vpn.md names it, or "WireGuard" in the name), else
 * an address in a HiveMind VPN range (the seed's 10.0.0.0/24, the pool's default 10.128.0.0/16)
 * other than its gateway. Failing both we answer the hostname, not the seed's 127.0.0.1: loopback
 * names no machine to the pool, while a hostname at least tells an operator which machine registered.
 */
export function preferredAddress(
  interfaces: Interfaces = networkInterfaces(),
  host: string = hostname(),
): string {
  const names = Object.keys(interfaces);
  const wireGuard = names
    .filter((n) => /^(wg|hm)\d|wireguard/i.test(n))
    .flatMap((n) => externalIpv4(interfaces[n]));
  const vpnSubnet = names
    .flatMap((n) => externalIpv4(interfaces[n]))
    .filter((ip) => VPN_RANGES.some((r) => ip.startsWith(r.prefix) && ip !== r.gateway));
  return wireGuard[0] ?? vpnSubnet[0] ?? host;
}

export interface Utilization {
  cpu_percent: number;
  memory_percent: number;
}

/** Where a CpuSampler reads the machine; meminfo answers /proc/meminfo's text, or undefined off Linux. */
export interface MachineReaders {
  cpus(): CpuInfo[];
  meminfo(): string | undefined;
  totalmem(): number;
  freemem(): number;
}

function readMeminfo(): string | undefined {
  try {
    return readFileSync('/proc/meminfo', 'utf8');
  } catch {
    return undefined; // no procfs (macOS, Windows): the caller falls back to os.freemem()
  }
}

export const machineReaders: MachineReaders = { cpus, meminfo: readMeminfo, totalmem, freemem };

const round1 = (n: number): number => Math.round(n * 10) / 10;

function cpuTicks(infos: CpuInfo[]): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of infos) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

function meminfoBytes(text: string | undefined, key: string): number | undefined {
  const match = text === undefined ? null : new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text);
  return match ? Number(match[1]) * 1024 : undefined;
}

/**
 * CPU and memory in use, in percent to 0.1, for the heartbeat. CPU is measured between calls
 * (the first call covers the time since boot). Memory counts reclaimable page cache as available,
 * as MemAvailable does; MemFree would make a machine look full after any large file read.
 */
export class CpuSampler {
  private previous = { busy: 0, total: 0 };
  private lastCpuPercent = 0;

  constructor(private readonly readers: MachineReaders = machineReaders) {}

  sample(): Utilization {
    return { cpu_percent: this.cpuPercent(), memory_percent: this.memoryPercent() };
  }

  private cpuPercent(): number {
    const now = cpuTicks(this.readers.cpus());
    const total = now.total - this.previous.total;
    const busy = now.busy - this.previous.busy;
    this.previous = now;
    // No tick elapsed (two calls within ~10 ms) or a core went offline: repeat the last reading.
    if (total <= 0 || busy < 0) return this.lastCpuPercent;
    this.lastCpuPercent = round1(Math.min(100, (busy / total) * 100));
    return this.lastCpuPercent;
  }

  private memoryPercent(): number {
    const text = this.readers.meminfo();
    const total = meminfoBytes(text, 'MemTotal') ?? this.readers.totalmem();
    const available = meminfoBytes(text, 'MemAvailable') ?? this.readers.freemem();
    if (total <= 0) return 0;
    return round1(Math.min(100, Math.max(0, ((total - available) / total) * 100)));
  }
}

/** What describeMachine measures with; the real machine by default, fakes in tests. */
export interface MachineProbes {
  parallelism(): number;
  /** Bytes of memory this process may use: RAM, or a smaller cgroup limit. */
  memoryBytes(): number;
  coreScore(): number;
  gpus(): Promise<Gpu[]>;
  freeDiskBytes(dir: string): Promise<number>;
  address(): string;
}

/** Free bytes for an unprivileged user on the disk holding dir, or its nearest existing parent. */
export async function freeDiskBytes(dir: string): Promise<number> {
  try {
    const stats = await statfs(dir);
    return stats.bavail * stats.bsize;
  } catch (error) {
    const parent = dirname(dir);
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === dir) throw error;
    return freeDiskBytes(parent); // WORK_DIR is created on first use, after registration
  }
}

function memoryBytes(): number {
  const constrained = process.constrainedMemory();
  return constrained > 0 ? Math.min(totalmem(), constrained) : totalmem();
}

export const machineProbes: MachineProbes = {
  parallelism: availableParallelism,
  memoryBytes,
  coreScore: () => measureCoreScore(),
  gpus: () => detectGpus(),
  freeDiskBytes,
  address: () => preferredAddress(),
};

export interface MachineLimits {
  cpuCores: number;
  memoryGb: number;
  storageGb?: number;
}

/** The RegisterWorkerNode resource fields (whole numbers, as the proto's int32s). */
/** Nest injection token of this machine's MachineDescription, measured once at start-up. */
export const MACHINE = Symbol('MACHINE');

export interface MachineDescription {
  cpu_cores: number;
  memory_mb: number;
  /** Whole GB, rounded down so it never promises more than memory_mb; 0 below 1 GB. */
  memory_gb: number;
  cpu_score: number;
  gpus: Gpu[];
  /** The best GPU's (by score); "" and 0s without one. */
  gpu_name: string;
  gpu_score: number;
  gpu_memory_gb: number;
  storage_gb: number;
  hostname: string;
}

function bestGpu(gpus: Gpu[]): Gpu | undefined {
  return gpus.reduce<Gpu | undefined>(
    (best, gpu) => (best && best.score >= gpu.score ? best : gpu),
    undefined,
  );
}

/** Everything registration needs about this machine, capped by the owner's limits. */
export async function describeMachine(
  limits: MachineLimits,
  workDir: string,
  probes: MachineProbes = machineProbes,
): Promise<MachineDescription> {
  const cores = usableCores(limits.cpuCores, probes.parallelism());
  const memoryMb = Math.floor(Math.min(limits.memoryGb * 1024, probes.memoryBytes() / MIB));
  const [gpus, freeBytes] = await Promise.all([probes.gpus(), probes.freeDiskBytes(workDir)]);
  const gpu = bestGpu(gpus);
  const freeGb = Math.floor(freeBytes / GIB);
  return {
    cpu_cores: cores,
    memory_mb: memoryMb,
    memory_gb: Math.floor(memoryMb / 1024),
    cpu_score: Math.round(probes.coreScore() * cores),
    gpus,
    gpu_name: gpu?.name ?? '',
    gpu_score: gpu?.score ?? 0,
    gpu_memory_gb: gpu ? Math.round(gpu.memoryMb / 1024) : 0,
    storage_gb: limits.storageGb === undefined ? freeGb : Math.min(freeGb, Math.floor(limits.storageGb)),
    hostname: probes.address(),
  };
}
