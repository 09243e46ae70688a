import { type Logger } from '@nestjs/common';
import { DomainError } from './domain-error';

/**
 * The seed's style for its rpcs: a refusal answers `success: false` and a message a person can act
 * on (never a gRPC error, never a crash); anything unexpected is logged and answered "internal error".
 */
export async function seedAnswer<T extends { success?: boolean; message?: string }>(
  logger: Logger,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError) return { success: false, message: error.message } as T;
    logger.error(error instanceof Error ? error.stack : String(error));
    return { success: false, message: 'internal error' } as T;
  }
}
