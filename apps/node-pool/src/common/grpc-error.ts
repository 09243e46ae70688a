import { type Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { DomainError, GRPC_CODE } from './domain-error';

/** What a gRPC caller receives for an error: a DomainError's code and message; INTERNAL otherwise. */
export function toGrpcError(exception: unknown, logger: Logger): { code: GrpcStatus; message: string } {
  if (exception instanceof DomainError)
    return { code: GRPC_CODE[exception.kind], message: exception.message };
  if (exception instanceof RpcException) {
    const error = exception.getError();
    if (typeof error === 'object' && 'code' in error) return error as { code: GrpcStatus; message: string };
    return { code: GrpcStatus.UNKNOWN, message: typeof error === 'string' ? error : 'error' };
  }
  logger.error(exception instanceof Error ? exception.stack : String(exception));
  return { code: GrpcStatus.INTERNAL, message: 'internal error' };
}
