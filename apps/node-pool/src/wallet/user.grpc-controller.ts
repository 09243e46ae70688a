import { Controller, Logger, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import type {
  GetBalanceRequest__Output,
  GetBalanceResponse,
  LoginRequest__Output,
  LoginResponse,
  RefreshTokenRequest__Output,
  RegisterRequest__Output,
  RegisterResponse,
  TransferRequest__Output,
  TransferResponse,
  UserInfo,
  WhoAmIRequest__Output,
  WhoAmIResponse,
} from '@hivemind/contracts/grpc';
import { AppExceptionFilter } from '../common/app-exception.filter';
import { DomainError } from '../common/domain-error';
import { idempotencyKeyOf } from '../common/idempotency-key';
import { peerAddress } from '../common/peer-address';
import { seedAnswer } from '../common/seed-answer';
import { AccountsService, type Session } from '../accounts/accounts.service';
import { Authenticated, rpcCaller, rpcToken } from '../accounts/auth.guards';
import { type AuthUser } from '../accounts/auth-user';
import { type User } from '../accounts/user.entity';
import { WalletService } from './wallet.service';

const SERVICE = 'UserService';

/**
 * gRPC `nodepool.UserService`, as the seed's clients call it: refusals of its four rpcs answer
 * `success: false` with a message (never a crash); the token comes from `authorization: Bearer`
 * metadata or from the message's `token` field.
 */
@Controller()
@UseFilters(AppExceptionFilter)
export class UserGrpcController {
  private readonly logger = new Logger(UserGrpcController.name);

  constructor(
    private readonly accounts: AccountsService,
    private readonly wallets: WalletService,
  ) {}

  @GrpcMethod(SERVICE, 'Login')
  login(
    req: LoginRequest__Output,
    _metadata: Metadata,
    call: ServerUnaryCall<unknown, unknown>,
  ): Promise<LoginResponse> {
    return this.seed(async () =>
      this.session(await this.accounts.login(req.username, req.password, peerAddress(call))),
    );
  }

  @GrpcMethod(SERVICE, 'Register')
  register(
    req: RegisterRequest__Output,
    _metadata: Metadata,
    call: ServerUnaryCall<unknown, unknown>,
  ): Promise<RegisterResponse> {
    return this.seed(async () => {
      const session = await this.accounts.register(req.username, req.password, peerAddress(call));
      return { success: true, message: `registered ${session.user.username}`, user: userInfo(session.user) };
    });
  }

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
    return this.seed(async () => this.session(await this.accounts.refresh(req.refresh_token)));
  }

  /** Guarded like every later rpc: a missing or bad token answers UNAUTHENTICATED. */
  @GrpcMethod(SERVICE, 'WhoAmI')
  @Authenticated()
  async whoAmI(_req: WhoAmIRequest__Output, metadata: Metadata): Promise<WhoAmIResponse> {
    const user = await this.accounts.profile(rpcCaller(metadata).id);
    return { success: true, message: '', user: userInfo(user) };
  }

  private async caller(metadata: Metadata, token: string): Promise<AuthUser> {
    const bearer = rpcToken(metadata, token);
    if (!bearer) throw new DomainError('unauthenticated', 'not logged in: send a token (log in first)');
    return this.accounts.authenticate(bearer);
  }

  private session(session: Session): LoginResponse {
    return {
      success: true,
      message: `logged in as ${session.user.username}`,
      token: session.accessToken,
      refresh_token: session.refreshToken,
      expires_at: session.expiresAt.toISOString(),
      user: userInfo(session.user),
    };
  }

  /** The seed's style: a refusal is `success: false` and its message. */
  private seed<T extends { success?: boolean; message?: string }>(work: () => Promise<T>): Promise<T> {
    return seedAnswer(this.logger, work);
  }
}

function userInfo(user: User): UserInfo {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    trust_score: user.trustScore,
    created_at: user.createdAt.toISOString(),
  };
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
