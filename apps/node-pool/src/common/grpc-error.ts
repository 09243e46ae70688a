import { type Logger } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { errorAnswer, newRequestId, unexpectedLogLine } from './error-answer';

/**
 * What a gRPC caller receives for an error (errorAnswer's code and message); an unexpected error is
 * logged once and answered INTERNAL with the request id quoted in that log line.
 */
export function toGrpcError(exception: unknown, logger: Logger): { code: GrpcStatus; message: string } {
  const answer = errorAnswer(exception);
  if (!answer.unexpected) return { code: answer.grpcCode, message: answer.message };
  const requestId = newRequestId();
  logger.error(unexpectedLogLine(exception, requestId));
  return { code: GrpcStatus.INTERNAL, message: `internal error (request id ${requestId})` };
}
