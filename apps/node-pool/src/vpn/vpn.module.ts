import { Module } from '@nestjs/common';
import { VpnAdminController, VpnController } from './vpn.controller';
import { VpnGrpcController } from './vpn.grpc-controller';
import { VpnPeerIssuer } from './vpn-peer-issuer.service';
import { VpnPeersRepository } from './vpn-peers.repository';
import { VpnRateLimiter } from './vpn-rate-limiter';
import { VpnService } from './vpn.service';

/** WireGuard VPN management: the server key pair, peers under quotas and rate limits, their configs (REST and gRPC). */
@Module({
  controllers: [VpnController, VpnAdminController, VpnGrpcController],
  providers: [VpnService, VpnPeerIssuer, VpnPeersRepository, VpnRateLimiter],
  exports: [VpnService],
})
export class VpnModule {}
