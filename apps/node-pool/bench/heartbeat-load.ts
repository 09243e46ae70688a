// The load generator of npm run bench:heartbeats, in a process of its own (this file, forked): it
// plays `nodes` workers heartbeating through gRPC (ReportStatus with each node's credential) to
// the replicas, each node obeying the interval the pool answers as the worker does
// (apps/worker/src/pool/heartbeat-interval.ts: at least 5 s, at most 300 s, up to 10 % early), with
// at most `inFlight` calls outstanding. Loopback only. Benchmark code: never imported by the platform.
import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { JwtService } from '@nestjs/jwt';
import {
  GRPC_CHANNEL_OPTIONS,
  GRPC_LOADER_OPTIONS,
  NODEPOOL_PROTO_PATH,
  type NodeManagerServiceClient,
  type ProtoGrpcType,
  type StatusResponse__Output,
} from '@hivemind/contracts/grpc';

export interface LoadSetup {
  /** 127.0.0.1:<port> of each replica; node i heartbeats to replica i mod n. */
  targets: string[];
  jwtSecret: string;
  nodes: { id: string; name: string; ownerId: string }[];
  inFlight: number;
  /** The worker's own HEARTBEAT_INTERVAL_S. */
  ownIntervalS: number;
  /** Nodes join (their first heartbeat) at this rate, as workers started over time would. */
  joinPerS: number;
}

/** What the generator saw between two `take`s. */
export interface LoadWindow {
  seconds: number;
  ok: number;
  failed: number;
  errors: Record<string, number>;
  /** Heartbeats answered "back online" after the node had joined: it had been declared lost. */
  backOnline: number;
  joined: number;
  latencyMs: number[];
  /** How late calls left (due → sent): the generator's own backlog. */
  lagMs: number[];
  intervals: Record<string, number>;
}

export type ToLoad = { kind: 'start'; setup: LoadSetup } | { kind: 'take' } | { kind: 'stop' };
export type FromLoad =
  { kind: 'started' } | { kind: 'window'; window: LoadWindow } | { kind: 'error'; message: string };

/** The jti of node `id`'s benchmark credential; the pool stores sha256(jti) (credential_hash). */
export const benchJti = (id: string): string => `bench-${id}`;
export const benchCredentialHash = (id: string): string =>
  createHash('sha256').update(benchJti(id)).digest('hex');

const MAX_INTERVAL_MS = 300_000;
const TICK_MS = 10;

function run(setup: LoadSetup, send: (m: FromLoad) => void): { take: () => LoadWindow; stop: () => void } {
  const definition = protoLoader.loadSync(NODEPOOL_PROTO_PATH, GRPC_LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  const clients: NodeManagerServiceClient[] = setup.targets.map(
    (target) =>
      new pkg.nodepool.NodeManagerService(target, grpc.credentials.createInsecure(), GRPC_CHANNEL_OPTIONS),
  );
  const own = setup.ownIntervalS * 1000;
  const n = setup.nodes.length;
  const signer = new JwtService({ secret: setup.jwtSecret });
  const metadata = setup.nodes.map((node) => {
    const m = new grpc.Metadata();
    const token = signer.sign(
      { typ: 'node', sub: node.id, own: node.ownerId, name: node.name, jti: benchJti(node.id) },
      { algorithm: 'HS256', expiresIn: 86400 },
    );
    m.set('authorization', `Bearer ${token}`);
    return m;
  });
  const dueAt = new Float64Array(n);
  const intervalS = new Int32Array(n).fill(setup.ownIntervalS);
  // nodes join in turn at joinPerS (at least over one interval), as workers started over time do
  const t0 = performance.now();
  const joinMs = Math.max(own, (n / setup.joinPerS) * 1000);
  for (let i = 0; i < n; i++) dueAt[i] = t0 + ((i + Math.random()) / n) * joinMs;
  const joined = new Uint8Array(n);
  // a time wheel of TICK_MS slots: which nodes are due when
  const wheel = new Map<number, number[]>();
  const slot = (t: number) => Math.floor(t / TICK_MS);
  const schedule = (i: number) => {
    const s = slot(dueAt[i]);
    const list = wheel.get(s);
    if (list) list.push(i);
    else wheel.set(s, [i]);
  };
  for (let i = 0; i < n; i++) schedule(i);
  let nextSlot = slot(t0);
  const ready: number[] = [];
  let readyHead = 0;
  let inFlight = 0;
  let stopped = false;

  const fresh = (): LoadWindow => ({
    seconds: 0,
    ok: 0,
    failed: 0,
    errors: {},
    backOnline: 0,
    joined: 0,
    latencyMs: [],
    lagMs: [],
    intervals: {},
  });
  let window = fresh();
  let windowStart = performance.now();

  const pump = () => {
    while (!stopped && inFlight < setup.inFlight && readyHead < ready.length) {
      const i = ready[readyHead++];
      const sentAt = performance.now();
      window.lagMs.push(sentAt - dueAt[i]);
      inFlight++;
      clients[i % clients.length].ReportStatus(
        { node_id: setup.nodes[i].name, cpu_percent: 12.5, memory_percent: 40, running_attempt_ids: [] },
        metadata[i],
        (error: grpc.ServiceError | null, answer?: StatusResponse__Output) => {
          inFlight--;
          const now = performance.now();
          window.latencyMs.push(now - sentAt);
          if (error || !answer?.success) {
            window.failed++;
            const key = error
              ? (grpc.status[error.code] ?? String(error.code))
              : `refused: ${answer?.message}`;
            window.errors[key] = (window.errors[key] ?? 0) + 1;
          } else {
            window.ok++;
            if (!joined[i]) {
              joined[i] = 1;
              window.joined++;
            } else if (answer.message === 'back online') window.backOnline++;
            if (answer.heartbeat_interval_s > 0) intervalS[i] = answer.heartbeat_interval_s;
            window.intervals[intervalS[i]] = (window.intervals[intervalS[i]] ?? 0) + 1;
          }
          // as the worker: the pool's interval within [own, 300 s], up to 10 % early
          const base = Math.min(MAX_INTERVAL_MS, Math.max(own, intervalS[i] * 1000));
          dueAt[i] = now + Math.max(Math.min(own, base), base * (1 - Math.random() * 0.1));
          schedule(i);
          pump();
        },
      );
    }
    if (readyHead > 100_000) {
      ready.splice(0, readyHead);
      readyHead = 0;
    }
  };
  const timer = setInterval(() => {
    const now = slot(performance.now());
    for (; nextSlot <= now; nextSlot++) {
      const list = wheel.get(nextSlot);
      if (!list) continue;
      wheel.delete(nextSlot);
      for (const i of list) ready.push(i);
    }
    pump();
  }, TICK_MS);
  send({ kind: 'started' });
  return {
    take: () => {
      const taken = window;
      taken.seconds = (performance.now() - windowStart) / 1000;
      window = fresh();
      windowStart = performance.now();
      return taken;
    },
    stop: () => {
      stopped = true;
      clearInterval(timer);
      for (const client of clients) client.close();
    },
  };
}

function serve(): void {
  let load: ReturnType<typeof run> | undefined;
  const send = (message: FromLoad) => process.send?.(message);
  process.on('message', (message: ToLoad) => {
    try {
      if (message.kind === 'start') load = run(message.setup, send);
      else if (message.kind === 'take') send({ kind: 'window', window: load!.take() });
      else {
        load?.stop();
        process.exit(0);
      }
    } catch (error) {
      send({ kind: 'error', message: (error as Error).stack ?? String(error) });
    }
  });
  process.on('disconnect', () => process.exit(1));
}

if (require.main === module) serve();
