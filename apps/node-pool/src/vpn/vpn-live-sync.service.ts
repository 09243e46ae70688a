import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { NodePoolConfig } from '../config/node-pool.config';
import { VpnPeersRepository } from './vpn-peers.repository';
import { VpnService } from './vpn.service';
import { WgInterfaceRepository } from './wg-interface.repository';
import { planSync } from './wg-sync-plan';

/**
 * VPN_APPLY=live: keeps the WireGuard interface VPN_SERVER_INTERFACE (on this replica's machine)
 * holding exactly the database's active peers — at start, after each peer is issued or revoked,
 * and every VPN_SYNC_INTERVAL_S (which also catches what other replicas changed). It gives the
 * interface the server's key and port when it has another one. Passes never overlap; a failed
 * pass is one log line (repeated only when the reason changes) and the next pass tries again.
 */
@Injectable()
export class VpnLiveSync implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(VpnLiveSync.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private lastProblem = '';

  constructor(
    private readonly config: NodePoolConfig,
    private readonly peers: VpnPeersRepository,
    private readonly vpn: VpnService,
    private readonly wg: WgInterfaceRepository,
  ) {}

  get enabled(): boolean {
    return this.config.vpn.apply === 'live';
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    await this.sync();
    this.timer = setInterval(() => void this.sync(), this.config.vpn.syncIntervalS * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /**
   * One pass, or — when one is running — one more right after it (so a peer issued during a pass
   * is applied). Never rejects: the API answer does not depend on the interface.
   */
  sync(): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.pass().catch((error: unknown) => this.problem((error as Error).message));
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    const { interface: iface, subnet, listenPort } = this.config.vpn;
    const current = await this.wg.show(iface);
    const server = await this.vpn.serverKeyPair();
    const desired = (await this.peers.active()).map((p) => ({ publicKey: p.public_key, address: p.address }));
    const plan = planSync(iface, current, desired, { publicKey: server.publicKey, subnet });
    if (plan.setServerKey) {
      await this.wg.setServerKey(iface, server.privateKey, listenPort);
      this.logger.log(`VPN interface ${iface}: set the server's key and port ${listenPort}`);
    }
    for (const args of plan.calls) await this.wg.set(args);
    if (plan.added || plan.removed)
      this.logger.log(`VPN interface ${iface}: ${plan.added} peer(s) set, ${plan.removed} removed`);
    if (plan.skipped.length)
      this.problem(
        `VPN interface ${iface}: ${plan.skipped.length} active peer(s) not applied (an address outside VPN_SUBNET ${subnet.cidr} or a malformed key), e.g. ${plan.skipped[0].address}`,
      );
    else this.lastProblem = '';
  }

  private problem(message: string): void {
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    this.logger.error(`VPN_APPLY=live: ${message}`);
  }
}
