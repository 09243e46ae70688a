import { setTimeout as sleep } from 'node:timers/promises';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import pRetry from 'p-retry';
import type * as grpc from '@grpc/grpc-js';
import type { RegisterWorkerNodeRequest, WorkerCommand__Output } from '@hivemind/contracts/grpc';
import { WorkerConfig } from '../config/worker.config';
import { EXECUTOR, type Executor } from '../execution/executor';
import { Supervisor } from '../execution/supervisor.service';
import { MACHINE, type MachineDescription } from '../machine/hardware';
import { MachineMonitor } from '../machine/machine-monitor';
import { AGENT_VERSION } from '../version';
import { createKeyAndCsr } from '@hivemind/contracts/tls';
import { nextHeartbeatMs } from './heartbeat-interval';
import { type NodeCertificate, PoolClient, isUnauthenticated, type Trust } from './pool-client';
import { NodeIdentityRepository } from './node-identity.repository';
import { diagnoseTls, explainPoolError, poolCredentials } from './pool-tls';
import { VpnAgent } from '../vpn/vpn-agent.service';

const UNAVAILABLE = 14; // grpc.status.UNAVAILABLE

/** The pool pings every 15 s on the push stream; three missed pings and the stream is given up. */
const STREAM_SILENCE_MS = 45_000;
/** A stream that lived less than this counts as a failed connection for the backoff. */
const SHORT_LIVED_MS = 10_000;

/**
 * The node's session with the pool: logs in as the owner, registers (again after an
 * UNAUTHENTICATED), heartbeats at the interval the pool asks for (at least HEARTBEAT_INTERVAL_S,
 * at most HEARTBEAT_INTERVAL_MAX_S: nextHeartbeatMs), keeps the push stream open and hands its
 * commands to the supervisor. When the pool goes away it reconnects with exponential backoff and
 * jitter; the attempts keep running meanwhile and their reports wait and retry.
 */
@Injectable()
export class PoolSession implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PoolSession.name);
  private readonly closing = new AbortController();
  private stream?: grpc.ClientReadableStream<WorkerCommand__Output>;
  private heartbeatTimer?: NodeJS.Timeout;
  /** The interval the pool asked for last (seconds; 0 until it says). */
  heartbeatIntervalS = 0;
  connected = false;
  registered = false;
  lastError = '';
  lastHeartbeatAt?: Date;
  trust: Trust = { score: null, group: null };
  /** When the node's client certificate expires (mTLS), once it has one. */
  certificateExpiresAt?: Date;
  private renewTimer?: NodeJS.Timeout;
  /** The hostname the current credential was registered with (the VPN address while it is up). */
  private registeredHostname = '';

  constructor(
    private readonly config: WorkerConfig,
    private readonly pool: PoolClient,
    private readonly supervisor: Supervisor,
    private readonly monitor: MachineMonitor,
    @Inject(EXECUTOR) private readonly executor: Executor,
    @Inject(MACHINE) private readonly machine: MachineDescription,
    private readonly vpn: VpnAgent,
    private readonly identity: NodeIdentityRepository,
  ) {}

  onApplicationBootstrap(): void {
    // with VPN_AUTO_JOIN the first join (bounded, never rejects) comes before the first dial
    void this.vpn
      .start(async (client, ownerToken) => {
        await client.register(ownerToken, { ...this.registration(), csr_pem: '' });
      })
      .then(() => this.loop());
    this.scheduleBeat();
  }

  /** Where the session dials the pool now: through the VPN while it is up, else directly. */
  get poolAddress(): string {
    return this.pool.target;
  }

  /** The next heartbeat, after the interval the pool asked for (re-read after every beat). */
  private scheduleBeat(): void {
    if (this.closing.signal.aborted) return;
    const delayMs = nextHeartbeatMs(
      this.config.pool.heartbeatIntervalMs,
      this.heartbeatIntervalS,
      Math.random(),
    );
    this.heartbeatTimer = setTimeout(
      () =>
        void this.beat()
          .catch(() => undefined)
          .finally(() => this.scheduleBeat()),
      delayMs,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing.abort();
    clearTimeout(this.renewTimer);
    clearTimeout(this.heartbeatTimer);
    this.stream?.cancel();
    this.pool.close();
    await this.identity
      .flush()
      .catch((error: Error) => this.logger.warn(`could not keep the node's identity: ${error.message}`));
  }

  private async loop(): Promise<void> {
    let quickFailures = 0;
    while (!this.closing.signal.aborted) {
      try {
        await pRetry(() => this.establish(), {
          retries: Infinity,
          minTimeout: 500,
          maxTimeout: this.config.pool.reconnectMaxMs,
          randomize: true,
          signal: this.closing.signal,
          onFailedAttempt: async ({ error, attemptNumber }) => {
            // gRPC says only "Failed to connect": one handshake of our own tells a TLS problem
            const tls =
              (error as { code?: number }).code === UNAVAILABLE &&
              (attemptNumber === 1 || attemptNumber % 10 === 0)
                ? await diagnoseTls({ ...this.config, nodePoolAddress: this.pool.target })
                : undefined;
            const at = { ...this.config, nodePoolAddress: this.pool.target };
            this.lastError = explainPoolError(tls ?? error.message, at);
            if (attemptNumber === 1 || attemptNumber % 10 === 0)
              this.logger.warn(`node pool ${this.pool.target}: ${this.lastError} (try ${attemptNumber})`);
          },
        });
      } catch {
        return; // shutting down
      }
      const opened = Date.now();
      await this.streamClosed();
      this.connected = false;
      if (this.closing.signal.aborted) return;
      quickFailures = Date.now() - opened < SHORT_LIVED_MS ? quickFailures + 1 : 0;
      if (quickFailures > 0) {
        const ceiling = Math.min(this.config.pool.reconnectMaxMs, 500 * 2 ** quickFailures);
        await sleep(ceiling / 2 + Math.random() * (ceiling / 2), undefined, {
          signal: this.closing.signal,
        }).catch(() => undefined);
      }
    }
  }

  /** Registers if need be, proves the credential with a heartbeat, opens the push stream. */
  private async establish(): Promise<void> {
    this.followVpn();
    if (!this.pool.credential) await this.register();
    await this.beat();
    const stream = this.pool.connect(this.supervisor.runningAttemptIds(), AGENT_VERSION);
    this.stream = stream;
    this.connected = true;
    this.lastError = '';
    this.logger.log(`connected to the node pool at ${this.pool.target}`);
  }

  /**
   * Dials the pool where the VPN says (inside the tunnel while it is up) and registers again when
   * the node's address changed, so that the pool always has the address it is reached at.
   */
  private followVpn(): void {
    const target = this.vpn.poolAddress;
    if (target !== this.pool.target) {
      this.logger.log(`dialing the node pool at ${target} from now on`);
      this.pool.retarget(target);
    }
    if (this.registered && this.registeredHostname !== this.hostname()) {
      this.pool.credential = '';
      this.registered = false;
    }
  }

  private hostname(): string {
    return this.vpn.address ?? this.machine.hostname;
  }

  private async register(): Promise<void> {
    const { username, password } = this.config.owner;
    const ownerToken = await this.pool.login(username, password);
    // over TLS the node asks for a client certificate for a key that never leaves this process
    const key = this.config.poolTls.kind === 'tls' ? await createKeyAndCsr(this.config.nodeId) : undefined;
    const answer = await this.pool.register(ownerToken, {
      ...this.registration(),
      csr_pem: key?.csrPem ?? '',
    });
    this.trust = answer.trust;
    if (answer.heartbeatIntervalS > 0) this.heartbeatIntervalS = answer.heartbeatIntervalS;
    if (key && answer.certificate) this.useCertificate(key.keyPem, answer.certificate);
    this.registered = true;
    this.registeredHostname = this.hostname();
    this.remember({
      node_uuid: this.pool.nodeUuid,
      pool_address: this.pool.target,
      ...(answer.trust.group ? { trust_score: answer.trust.score, trust_group: answer.trust.group } : {}),
      ...(answer.standing
        ? { owner: answer.standing.owner, cpt_earned: answer.standing.cptEarned }
        : { owner: { id: '', username } }),
    });
    this.logger.log(`registered as ${this.config.nodeId} (${this.pool.nodeUuid}), owner ${username}`);
  }

  /** Keeps what the pool said on disk for the console (a failed write is logged, never fatal). */
  private remember(change: Parameters<NodeIdentityRepository['update']>[0]): void {
    this.identity
      .update(change)
      .catch((error: Error) => this.logger.warn(`could not keep the node's identity: ${error.message}`));
  }

  /** Dials the pool presenting this certificate from now on, and renews it after 2/3 of its life. */
  private useCertificate(keyPem: string, certificate: NodeCertificate): void {
    this.pool.dial(poolCredentials(this.config, { keyPem, certPem: certificate.certPem }));
    this.certificateExpiresAt = new Date(certificate.expiresAtMs);
    clearTimeout(this.renewTimer);
    const renewInMs = Math.max(5_000, ((certificate.expiresAtMs - Date.now()) * 2) / 3);
    this.renewTimer = setTimeout(() => void this.renewCertificate(), renewInMs);
    this.renewTimer.unref();
  }

  private async renewCertificate(): Promise<void> {
    try {
      const key = await createKeyAndCsr(this.config.nodeId);
      const certificate = await this.pool.renewCertificate(key.csrPem);
      this.useCertificate(key.keyPem, certificate);
      this.logger.log(`client certificate renewed until ${new Date(certificate.expiresAtMs).toISOString()}`);
    } catch (error) {
      // tried again in a minute; past its expiry the pool refuses the node, which registers again
      this.logger.warn(`could not renew the client certificate: ${(error as Error).message}`);
      this.renewTimer = setTimeout(() => void this.renewCertificate(), 60_000);
      this.renewTimer.unref();
    }
  }

  private registration(): RegisterWorkerNodeRequest {
    const m = this.machine;
    return {
      node_id: this.config.nodeId,
      hostname: this.hostname(),
      cpu_cores: m.cpu_cores,
      memory_gb: m.memory_gb,
      memory_mb: m.memory_mb,
      storage_gb: m.storage_gb,
      cpu_score: m.cpu_score,
      gpu_name: m.gpu_name,
      gpu_score: m.gpu_score,
      gpu_memory_gb: m.gpu_memory_gb,
      location: this.config.location,
      port: this.config.http.port,
      docker_status: this.executor.kind === 'docker' ? 'enabled' : 'disabled',
      max_concurrent_tasks: this.config.limits.concurrentTasks,
      agent_version: AGENT_VERSION,
    };
  }

  /** One heartbeat; an UNAUTHENTICATED answer drops the credential so the loop registers again. */
  private async beat(): Promise<void> {
    if (!this.pool.credential) return;
    const now = this.monitor.current();
    try {
      const { trust, heartbeatIntervalS } = await this.pool.heartbeat({
        nodeName: this.config.nodeId,
        cpuPercent: now.cpu_percent,
        memoryPercent: now.memory_percent,
        runningAttemptIds: this.supervisor.runningAttemptIds(),
      });
      this.lastHeartbeatAt = new Date();
      if (trust.group) this.trust = trust;
      this.remember({
        last_heartbeat: this.lastHeartbeatAt.toISOString(),
        pool_address: this.pool.target,
        ...(trust.group ? { trust_score: trust.score, trust_group: trust.group } : {}),
      });
      if (heartbeatIntervalS > 0) this.heartbeatIntervalS = heartbeatIntervalS;
    } catch (error) {
      if (isUnauthenticated(error)) {
        this.logger.warn('the pool no longer knows this node credential: registering again');
        this.pool.credential = '';
        this.registered = false;
        this.stream?.cancel();
      }
      throw error;
    }
  }

  /** Resolves when the push stream ends, fails or falls silent; commands go to the supervisor. */
  private streamClosed(): Promise<void> {
    const stream = this.stream!;
    return new Promise((resolve) => {
      let silence: NodeJS.Timeout;
      const quiet = () => {
        clearTimeout(silence);
        silence = setTimeout(() => {
          this.logger.warn('the push stream fell silent: reconnecting');
          stream.cancel();
        }, STREAM_SILENCE_MS);
      };
      quiet();
      stream.on('data', (command: WorkerCommand__Output) => {
        quiet();
        if (command.command === 'execute' && command.execute) this.supervisor.execute(command.execute);
        else if (command.command === 'stop' && command.stop) this.supervisor.stop(command.stop);
      });
      const end = (error?: grpc.ServiceError) => {
        clearTimeout(silence);
        if (error && isUnauthenticated(error)) this.pool.credential = '';
        if (error && !this.closing.signal.aborted) {
          this.lastError = error.details || error.message;
          this.logger.warn(`push stream closed: ${this.lastError}`);
        }
        resolve();
      };
      stream.once('error', end);
      stream.once('end', () => end());
    });
  }
}
