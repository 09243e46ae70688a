import { Controller, Logger, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type {
  GetBalanceRequest__Output,
  GetBalanceResponse,
  LoginResponse,
  RefreshTokenRequest__Output,
  TransferRequest__Output,
  TransferResponse,
  WhoAmIRequest__Output,
  WhoAmIResponse,
} from '@hivemind/contracts/grpc';
import { AppExceptionFilter } from '../common/app-exception.filter';
import { DomainError } from '../common/domain-error';
import { idempotencyKeyOf } from '../common/idempotency-key';
import { seedAnswer } from '../common/seed-answer';
import { toLoginAnswer, toUserInfo } from '../accounts/account.views';
import { AccountsService } from '../accounts/accounts.service';
import { Authenticated, rpcCaller, rpcToken } from '../accounts/auth.guards';
import { type AuthUser } from '../accounts/auth-user';
import { WalletService } from './wallet.service';

const SERVICE = 'UserService';

/**
 * gRPC `nodepool.UserService`, as the seed's clients call it, but for `Login` and `Register`
 * (served from accounts/, `auth.grpc-controller.ts`): refusals answer `success: false` with a
 * message (never a crash); the token comes from `authorization: Bearer` metadata or from the
 * message's `token` field.
 */
@Controller()
@UseFilters(AppExceptionFilter)
export class UserGrpcController {
  private readonly logger = new Logger(UserGrpcController.name);

  constructor(
    private readonly accounts: AccountsService,
    private readonly wallets: WalletService,
  ) {}

  @GrpcMethod(SERVICE, 'Transfer')
  transfer(req: TransferRequest__Output, metadata: Metadata): Promise<TransferResponse> {
    return this.seed(async () => {
      const sender = await this.caller(metadata, req.token);
      const amount = parseAmount(req.amount);
      const result = await this.wallets.transfer(sender, req.receiver_username, amount, {
        idempotencyKey: idempotencyKeyOf(req.idempotency_key || undefined),
      });
      return {
        success: true,
        message: `transferred ${amount} CPT to ${req.receiver_username.toLowerCase()}`,
        transaction_id: result.transactionId,
        balance: result.wallet.available,
      };
    });
  }

  @GrpcMethod(SERVICE, 'GetBalance')
  getBalance(req: GetBalanceRequest__Output, metadata: Metadata): Promise<GetBalanceResponse> {
    return this.seed(async () => {
      const wallet = await this.wallets.walletOf(await this.caller(metadata, req.token), req.username.trim());
      return {
        success: true,
        message: '',
        balance: wallet.balance,
        held: wallet.held,
        available: wallet.available,
      };
    });
  }

  @GrpcMethod(SERVICE, 'RefreshToken')
  refreshToken(req: RefreshTokenRequest__Output): Promise<LoginResponse> {
    return this.seed(async () => toLoginAnswer(await this.accounts.refresh(req.refresh_token)));
  }

  /** Guarded like every later rpc: a missing or bad token answers UNAUTHENTICATED. */
  @GrpcMethod(SERVICE, 'WhoAmI')
  @Authenticated()
  async whoAmI(_req: WhoAmIRequest__Output, metadata: Metadata): Promise<WhoAmIResponse> {
    const user = await this.accounts.profile(rpcCaller(metadata).id);
    return { success: true, message: '', user: toUserInfo(user) };
  }

  private async caller(metadata: Metadata, token: string): Promise<AuthUser> {
    const bearer = rpcToken(metadata, token);
    if (!bearer) throw new DomainError('unauthenticated', 'not logged in: send a token (log in first)');
    return this.accounts.authenticate(bearer);
  }

  /** The seed's style: a refusal is `success: false` and its message. */
  private seed<T extends { success?: boolean; message?: string }>(work: () => Promise<T>): Promise<T> {
    return seedAnswer(this.logger, work);
  }
}

/** int64 arrives as a decimal string (longs: String): a positive whole number or a clear refusal. */
function parseAmount(raw: string): number {
  const amount = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new DomainError(
      'invalid',
      `amount must be a positive whole number of CPT (got ${raw || 'nothing'})`,
    );
  }
  return amount;
}
