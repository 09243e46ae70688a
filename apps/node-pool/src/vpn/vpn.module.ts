import { Module } from '@nestjs/common';
import { VpnAdminController, VpnController } from './vpn.controller';
import { VpnGrpcController } from './vpn.grpc-controller';
import { VpnService } from './vpn.service';

/** WireGuard VPN management: the server key pair, peers and their configs (REST and gRPC). */
@Module({
  controllers: [VpnController, VpnAdminController, VpnGrpcController],
  providers: [VpnService],
  exports: [VpnService],
})
export class VpnModule {}
