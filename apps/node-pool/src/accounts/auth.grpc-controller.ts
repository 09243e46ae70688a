import { Controller, Logger, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import type {
  LoginRequest__Output,
  LoginResponse,
  RegisterRequest__Output,
  RegisterResponse,
} from '@hivemind/contracts/grpc';
import { AppExceptionFilter } from '../common/app-exception.filter';
import { peerAddress } from '../common/peer-address';
import { seedAnswer } from '../common/seed-answer';
import { toLoginAnswer, toUserInfo } from './account.views';
import { AccountsService } from './accounts.service';

const SERVICE = 'UserService';

/**
 * gRPC `nodepool.UserService` `Login` and `Register`: the rpcs that need no token. Nest routes gRPC
 * by service and method, so this controller and the wallet's (`wallet/user.grpc-controller.ts`, the
 * rest of UserService) serve one service. Refusals answer `success: false` with a message, as the
 * seed's clients expect.
 */
@Controller()
@UseFilters(AppExceptionFilter)
export class AuthGrpcController {
  private readonly logger = new Logger(AuthGrpcController.name);

  constructor(private readonly accounts: AccountsService) {}

  @GrpcMethod(SERVICE, 'Login')
  login(
    req: LoginRequest__Output,
    _metadata: Metadata,
    call: ServerUnaryCall<unknown, unknown>,
  ): Promise<LoginResponse> {
    return seedAnswer(this.logger, async () =>
      toLoginAnswer(await this.accounts.login(req.username, req.password, peerAddress(call))),
    );
  }

  @GrpcMethod(SERVICE, 'Register')
  register(
    req: RegisterRequest__Output,
    _metadata: Metadata,
    call: ServerUnaryCall<unknown, unknown>,
  ): Promise<RegisterResponse> {
    return seedAnswer(this.logger, async () => {
      const session = await this.accounts.register(req.username, req.password, peerAddress(call));
      return {
        success: true,
        message: `registered ${session.user.username}`,
        user: toUserInfo(session.user),
      };
    });
  }
}
