import { join } from 'node:path';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { WorkerConfig } from '../config/worker.config';
import { PoolClient } from '../pool/pool-client';
import { poolCredentials } from '../pool/pool-tls';
import { parsePeerConfig, poolAddressInTunnel, renderNodeConfig } from './peer-config';
import { VpnPeerClient, isNotFound } from './vpn-peer.client';
import { initialVpnState, nextVpnState, type VpnEvent, type VpnState, watchdogAction } from './vpn-state';
import { WireGuardRepository } from './wireguard.repository';

/** Registers the node with the pool over the direct address (the first join of a new node). */
export type RegisterNode = (client: PoolClient, ownerToken: string) => Promise<void>;

/**
 * VPN_AUTO_JOIN: the node's WireGuard tunnel to the pool (docs/vpn.md "Worker nodes join").
 * Bootstrap over the direct address (NODE_POOL_ADDRESS, TLS): log in as the owner, get the node's
 * peer for a key made here (the private key never leaves WORK_DIR/vpn), write the config, wg-quick
 * up. PoolSession then dials the pool's gRPC through the tunnel. A periodic check brings the
 * tunnel back when it drops, asks the pool again when it is dead (a revoked peer) or the join
 * failed; shutdown takes it down. Every failure is one log line and the `vpn` state in /health; the
 * worker meanwhile uses the direct address.
 */
@Injectable()
export class VpnAgent implements OnApplicationShutdown {
  private readonly logger = new Logger('Vpn');
  private readonly wg: WireGuardRepository;
  private current: VpnState;
  private timer?: NodeJS.Timeout;
  private busy?: Promise<void>;
  private register?: RegisterNode;
  private publicKey = '';
  private closing = false;
  /** The last join failure logged: the same one again is not repeated every check. */
  private lastFailure = '';

  constructor(private readonly config: WorkerConfig) {
    this.wg = new WireGuardRepository(join(config.workDir, 'vpn'));
    this.current = initialVpnState(config.vpn.autoJoin, config.vpn.interface, new Date());
  }

  get state(): VpnState {
    return this.current;
  }

  /** Where the session dials the pool: inside the tunnel while it is up, else the direct address. */
  get poolAddress(): string {
    return (this.current.state === 'up' && this.current.pool_address) || this.config.nodePoolAddress;
  }

  /** This node's VPN address while the tunnel is up (registered as its hostname). */
  get address(): string | undefined {
    return this.current.state === 'up' ? (this.current.address ?? undefined) : undefined;
  }

  /**
   * The first join (never rejects: a failure leaves the state `error` and the direct address in
   * use), then the periodic check.
   */
  async start(register: RegisterNode): Promise<void> {
    if (!this.config.vpn.autoJoin) return;
    this.register = register;
    await this.serialized(() => this.join());
    this.timer = setInterval(
      () => void this.serialized(() => this.check()),
      this.config.vpn.checkIntervalS * 1000,
    );
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    await this.busy;
    if (!this.config.vpn.autoJoin || this.current.state === 'error') return;
    try {
      if (await this.wg.show(this.config.vpn.interface)) await this.wg.remove(this.config.vpn.interface);
      this.move({ kind: 'left' });
      this.logger.log(`VPN ${this.config.vpn.interface} taken down`);
    } catch (error) {
      this.logger.warn(
        `VPN ${this.config.vpn.interface}: could not take it down: ${(error as Error).message}`,
      );
    }
  }

  private serialized(work: () => Promise<void>): Promise<void> {
    if (this.busy || this.closing) return this.busy ?? Promise.resolve();
    this.busy = work().finally(() => {
      this.busy = undefined;
    });
    return this.busy;
  }

  private async join(): Promise<void> {
    const { interface: iface } = this.config.vpn;
    this.move({ kind: 'joining' });
    try {
      const implementation = this.wg.implementation();
      const keys = await this.wg.privateKey();
      this.publicKey = keys.publicKey;
      const peer = parsePeerConfig(await this.fetchPeerConfig(keys.publicKey));
      const file = await this.wg.writeConfig(iface, renderNodeConfig(peer, keys.privateKey));
      await this.bringUp(file, implementation);
      const poolAddress =
        poolAddressInTunnel(peer, this.config.nodePoolAddress, this.config.vpn.poolAddress) ?? null;
      this.move({ kind: 'up', address: peer.address, poolAddress, implementation });
      this.lastFailure = '';
      this.logger.log(
        `VPN ${iface} up (${implementation}): this node is ${peer.address}, the pool's gRPC ${poolAddress ?? `stays at ${this.config.nodePoolAddress} (set VPN_POOL_ADDRESS)`}`,
      );
    } catch (error) {
      const message = describe(error);
      this.move({ kind: 'failed', error: message });
      if (message !== this.lastFailure)
        this.logger.error(
          `VPN_AUTO_JOIN: could not join the VPN: ${message} — working over ${this.config.nodePoolAddress} meanwhile; trying again every ${this.config.vpn.checkIntervalS} s`,
        );
      this.lastFailure = message;
    }
  }

  /** wg-quick up, after removing an interface of that name a crashed earlier run left. */
  private async bringUp(file: string, implementation: 'kernel' | 'wireguard-go'): Promise<void> {
    const { interface: iface } = this.config.vpn;
    if (await this.wg.show(iface)) await this.wg.remove(iface);
    await this.wg.up(file, implementation);
  }

  /**
   * The node's peer config from the pool over the direct address: its active peer when it has our
   * key, else a new one (revoking one with another key, e.g. after WORK_DIR was wiped). A node the
   * pool does not know yet is registered first.
   */
  private async fetchPeerConfig(publicKey: string): Promise<string> {
    const creds = poolCredentials(this.config);
    const pool = new PoolClient(this.config.nodePoolAddress, creds);
    const vpn = new VpnPeerClient(this.config.nodePoolAddress, creds);
    try {
      const token = await pool.login(this.config.owner.username, this.config.owner.password);
      const mine = (await vpn.list(token)).find((p) => p.node_name === this.config.nodeId && !p.revoked_at);
      if (mine?.public_key === publicKey) return await vpn.config(token, mine.id);
      if (mine) {
        this.logger.warn(`the node's VPN peer ${mine.name} (${mine.address}) has another key: replacing it`);
        await vpn.revoke(token, mine.id);
      }
      try {
        return await vpn.create(token, this.config.nodeId, publicKey);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        await this.register!(pool, token);
        return await vpn.create(token, this.config.nodeId, publicKey);
      }
    } finally {
      vpn.close();
      pool.close();
    }
  }

  private async check(): Promise<void> {
    const { interface: iface } = this.config.vpn;
    const seen = await this.wg.show(iface);
    const action = watchdogAction(this.current, seen, { publicKey: this.publicKey }, Date.now() / 1000);
    if (action.kind === 'ok') return;
    if (action.kind === 'rejoin') {
      if (this.current.state !== 'error')
        this.logger.warn(`VPN ${iface}: ${action.why}: asking the pool for the node's peer again`);
      await this.join();
      return;
    }
    this.move({ kind: 'dropped', error: action.why });
    this.logger.warn(`VPN ${iface}: ${action.why}: bringing it back up`);
    try {
      const implementation = this.wg.implementation();
      await this.bringUp(this.wg.configPath(iface), implementation);
      this.move({
        kind: 'up',
        address: this.current.address!,
        poolAddress: this.current.pool_address,
        implementation,
      });
      this.logger.log(`VPN ${iface} back up`);
    } catch (error) {
      this.move({ kind: 'dropped', error: `${action.why}; bringing it back failed: ${describe(error)}` });
      this.logger.error(`VPN ${iface}: bringing it back failed: ${describe(error)}`);
    }
  }

  private move(event: VpnEvent): void {
    this.current = nextVpnState(this.current, event, new Date());
  }
}

function describe(error: unknown): string {
  const e = error as { details?: string; message?: string };
  return (e.details || e.message || String(error)).split('\n')[0];
}
