import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { LedgerModule } from '../ledger/ledger.module';
import { AccountsService } from './accounts.service';
import { AdminUsersController } from './admin-users.controller';
import { AuthGrpcController } from './auth.grpc-controller';
import { AuthController } from './auth.controller';
import { JwtAuthGuard, RolesGuard } from './auth.guards';
import { BullBoardAuthMiddleware } from './bull-board-auth.middleware';
import { LoginRateLimiter } from './login-rate-limiter';
import { PasswordHasher } from './password-hasher';
import { PasswordStrength } from './password-strength';
import { TokenService } from './token.service';
import { UsersRepository } from './users.repository';

/**
 * Users, passwords, tokens and the guards every API uses; sign-up and log-in over REST and gRPC
 * (UserService `Login`, `Register`). Global, so that any feature module's
 * controllers (and Bull Board's middleware) can use @Authenticated() / @AdminOnly().
 */
@Global()
@Module({
  imports: [JwtModule.register({}), LedgerModule],
  controllers: [AuthController, AdminUsersController, AuthGrpcController],
  providers: [
    UsersRepository,
    PasswordHasher,
    PasswordStrength,
    TokenService,
    LoginRateLimiter,
    AccountsService,
    JwtAuthGuard,
    RolesGuard,
    BullBoardAuthMiddleware,
  ],
  exports: [AccountsService, JwtAuthGuard, RolesGuard, BullBoardAuthMiddleware],
})
export class AccountsModule {}
