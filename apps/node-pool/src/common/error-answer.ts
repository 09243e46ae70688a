import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { DomainError, GRPC_CODE, HTTP_STATUS } from './domain-error';

/** Seconds a client is told to wait when a store the pool depends on is down. */
export const UNAVAILABLE_RETRY_AFTER_S = 5;

/**
 * What any edge (REST, gRPC codes, the seed's `success: false` answers, the WebSocket upgrade)
 * answers for an error: the one mapping of docs/conventions.md "Typed errors, mapped once". A refusal keeps its message and
 * fields; an outage of PostgreSQL or Redis is 503 / UNAVAILABLE with a time to retry; anything else
 * is `unexpected`: the edge logs it once, with its stack and a request id, and answers 500 /
 * INTERNAL carrying that id and no details.
 */
export interface ErrorAnswer {
  status: number;
  grpcCode: GrpcStatus;
  message: string;
  errors?: { field: string; message: string }[];
  retryAfterS?: number;
  unexpected: boolean;
}

export function errorAnswer(exception: unknown): ErrorAnswer {
  if (exception instanceof DomainError) {
    const field = exception.details.field;
    return {
      status: HTTP_STATUS[exception.kind],
      grpcCode: GRPC_CODE[exception.kind],
      message: exception.message,
      ...(field ? { errors: [{ field, message: exception.message }] } : {}),
      ...(exception.details.retryAfterS !== undefined ? { retryAfterS: exception.details.retryAfterS } : {}),
      unexpected: false,
    };
  }
  if (exception instanceof HttpException) return fromHttpException(exception);
  if (exception instanceof RpcException) {
    const error = exception.getError();
    if (typeof error === 'object' && 'code' in error) {
      const { code, message } = error as { code: GrpcStatus; message: string };
      return { status: httpStatusOf(code), grpcCode: code, message, unexpected: false };
    }
    return refusal(400, typeof error === 'string' ? error : 'refused');
  }
  const httpError = clientHttpError(exception);
  if (httpError) return httpError;
  const store = unavailableStore(exception);
  if (store) {
    return {
      status: 503,
      grpcCode: GrpcStatus.UNAVAILABLE,
      message: `the node pool's ${store} is unavailable: try again in ${UNAVAILABLE_RETRY_AFTER_S} s`,
      retryAfterS: UNAVAILABLE_RETRY_AFTER_S,
      unexpected: false,
    };
  }
  return { status: 500, grpcCode: GrpcStatus.INTERNAL, message: 'internal error', unexpected: true };
}

/** A fresh id for an error answer that has no request id to carry (gRPC, WebSocket upgrades). */
export function newRequestId(): string {
  return randomUUID();
}

/** The log line of an unexpected error: its request id and stack. */
export function unexpectedLogLine(exception: unknown, requestId: string): string {
  const detail = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
  return `request ${requestId} failed: ${detail}`;
}

export function httpReason(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

function fromHttpException(exception: HttpException): ErrorAnswer {
  const status = exception.getStatus();
  const raw = exception.getResponse();
  const body =
    typeof raw === 'object' && raw !== null ? (raw as { message?: unknown; errors?: unknown }) : {};
  const message = Array.isArray(body.message)
    ? body.message.join('; ')
    : typeof body.message === 'string'
      ? body.message
      : exception.message;
  return {
    status,
    grpcCode: grpcCodeOf(status),
    message,
    ...(Array.isArray(body.errors) ? { errors: body.errors as ErrorAnswer['errors'] } : {}),
    unexpected: status >= 500 && status !== 503,
  };
}

function refusal(status: number, message: string): ErrorAnswer {
  return { status, grpcCode: grpcCodeOf(status), message, unexpected: false };
}

/**
 * Errors of Express middleware (body-parser, raw-body: http-errors objects) that describe the
 * client's request: `expose` marks a message safe to show.
 */
function clientHttpError(exception: unknown): ErrorAnswer | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const e = exception as {
    status?: unknown;
    statusCode?: unknown;
    expose?: unknown;
    type?: unknown;
    message?: unknown;
  };
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500 || e.expose !== true) return undefined;
  switch (e.type) {
    case 'entity.too.large':
      return refusal(413, 'the request body is too large');
    case 'entity.parse.failed':
      return refusal(400, 'the request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return refusal(415, String(e.message));
    default:
      return refusal(status, typeof e.message === 'string' ? e.message : httpReason(status));
  }
}

// PostgreSQL classes 08 (connection exception), 53300 (too many connections), 57P01–03 (shut down,
// crashed, starting up); node-postgres and ioredis describe lost connections in words only.
const PG_UNAVAILABLE = /^(08|53300|57P0[123])/;
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
const PG_WORDS =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/;
const REDIS_WORDS = /MaxRetriesPerRequest|Connection is closed|Stream isn't writeable|Redis connection/i;

/** Which store an error says is down (the database or Redis), or undefined. */
export function unavailableStore(exception: unknown): 'database' | 'queue store (Redis)' | undefined {
  for (let e: unknown = exception, hops = 0; e && typeof e === 'object' && hops < 4; hops++) {
    const { code, message, name } = e as { code?: unknown; message?: unknown; name?: unknown };
    const text = typeof message === 'string' ? message : '';
    if (name === 'MaxRetriesPerRequestError' || REDIS_WORDS.test(text)) return 'queue store (Redis)';
    if (typeof code === 'string' && (PG_UNAVAILABLE.test(code) || SOCKET_CODES.has(code))) return 'database';
    if (PG_WORDS.test(text)) return 'database';
    // TypeORM wraps the driver's error; Node wraps causes
    e = (e as { driverError?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const GRPC_BY_HTTP: Record<number, GrpcStatus> = {
  400: GrpcStatus.INVALID_ARGUMENT,
  401: GrpcStatus.UNAUTHENTICATED,
  402: GrpcStatus.FAILED_PRECONDITION,
  403: GrpcStatus.PERMISSION_DENIED,
  404: GrpcStatus.NOT_FOUND,
  409: GrpcStatus.ALREADY_EXISTS,
  410: GrpcStatus.FAILED_PRECONDITION,
  413: GrpcStatus.RESOURCE_EXHAUSTED,
  415: GrpcStatus.INVALID_ARGUMENT,
  422: GrpcStatus.INVALID_ARGUMENT,
  429: GrpcStatus.RESOURCE_EXHAUSTED,
  501: GrpcStatus.UNIMPLEMENTED,
  503: GrpcStatus.UNAVAILABLE,
};

function grpcCodeOf(status: number): GrpcStatus {
  return GRPC_BY_HTTP[status] ?? (status < 500 ? GrpcStatus.INVALID_ARGUMENT : GrpcStatus.INTERNAL);
}

function httpStatusOf(code: GrpcStatus): number {
  for (const [status, grpc] of Object.entries(GRPC_BY_HTTP)) if (grpc === code) return Number(status);
  return 500;
}
