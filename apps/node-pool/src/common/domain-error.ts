import { status as GrpcStatus } from '@grpc/grpc-js';

/** What kind of refusal a DomainError is; mapped once to an HTTP status and a gRPC code. */
export type RefusalKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'exhausted'
  | 'insufficient_funds'
  | 'rate_limited'
  | 'too_large'
  | 'unavailable';

/**
 * A refusal with a message a person can act on (docs/conventions.md "Typed errors, mapped once"). Services throw it; the edges
 * (HTTP filter, gRPC filter, the seed's `success: false` answers) turn it into their own form.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
    readonly details: { field?: string; retryAfterS?: number } = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const HTTP_STATUS: Record<RefusalKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  exhausted: 409,
  insufficient_funds: 402,
  rate_limited: 429,
  too_large: 413,
  unavailable: 503,
};

export const GRPC_CODE: Record<RefusalKind, GrpcStatus> = {
  invalid: GrpcStatus.INVALID_ARGUMENT,
  unauthenticated: GrpcStatus.UNAUTHENTICATED,
  forbidden: GrpcStatus.PERMISSION_DENIED,
  not_found: GrpcStatus.NOT_FOUND,
  conflict: GrpcStatus.ALREADY_EXISTS,
  gone: GrpcStatus.FAILED_PRECONDITION,
  exhausted: GrpcStatus.RESOURCE_EXHAUSTED,
  insufficient_funds: GrpcStatus.FAILED_PRECONDITION,
  rate_limited: GrpcStatus.RESOURCE_EXHAUSTED,
  too_large: GrpcStatus.RESOURCE_EXHAUSTED,
  unavailable: GrpcStatus.UNAVAILABLE,
};
