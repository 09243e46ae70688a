import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { UserGrpcController } from './user.grpc-controller';
import { WalletController } from './wallet.controller';
import { WalletService } from './wallet.service';

/**
 * The user's wallet over REST, and gRPC UserService (accounts + wallet, as the seed groups them)
 * but for `Login` and `Register`, which accounts/ serves.
 */
@Module({
  imports: [LedgerModule],
  controllers: [WalletController, UserGrpcController],
  providers: [WalletService],
})
export class WalletModule {}
