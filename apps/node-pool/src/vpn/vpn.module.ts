import { Module } from '@nestjs/common';
import { VpnAdminController, VpnController } from './vpn.controller';
import { VpnGrpcController } from './vpn.grpc-controller';
import { VpnPeerIssuer } from './vpn-peer-issuer.service';
import { VpnPeersRepository } from './vpn-peers.repository';
import { VpnRateLimiter } from './vpn-rate-limiter';
import { VpnService } from './vpn.service';
import { VpnLiveSync } from './vpn-live-sync.service';
import { WgInterfaceRepository } from './wg-interface.repository';

/**
 * WireGuard VPN management: the server key pair, peers under quotas and rate limits, their configs
 * (REST and gRPC), and with VPN_APPLY=live the peers kept on a live interface.
 */
@Module({
  controllers: [VpnController, VpnAdminController, VpnGrpcController],
  providers: [
    VpnService,
    VpnPeerIssuer,
    VpnPeersRepository,
    VpnRateLimiter,
    VpnLiveSync,
    WgInterfaceRepository,
  ],
  exports: [VpnService],
})
export class VpnModule {}
