import { type Logger } from '@nestjs/common';
import { errorAnswer, newRequestId, unexpectedLogLine } from './error-answer';

/**
 * The seed's style for its rpcs: a refusal answers `success: false` and a message a person can act
 * on (never a gRPC error, never a crash) — whatever refused it (a DomainError, a validation
 * failure, an outage of the database); anything unexpected is logged once and answered
 * "internal error" with the request id of that log line.
 */
export async function seedAnswer<T extends { success?: boolean; message?: string }>(
  logger: Logger,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const answer = errorAnswer(error);
    if (!answer.unexpected) {
      // the message names the fields it is about; add those it does not
      const unnamed = (answer.errors ?? []).map((e) => e.field).filter((f) => !answer.message.includes(f));
      const message = unnamed.length
        ? `${answer.message} (${[...new Set(unnamed)].join(', ')})`
        : answer.message;
      return { success: false, message } as T;
    }
    const requestId = newRequestId();
    logger.error(unexpectedLogLine(error, requestId));
    return { success: false, message: `internal error (request id ${requestId})` } as T;
  }
}
