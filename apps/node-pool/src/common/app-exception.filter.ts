import {
  type ArgumentsHost,
  BadRequestException,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
  type ValidationError,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { type Observable, throwError } from 'rxjs';
import { type DomainError } from './domain-error';
import { type ErrorAnswer, errorAnswer, httpReason, newRequestId, unexpectedLogLine } from './error-answer';
import { toGrpcError } from './grpc-error';

/** The JSON body of every HTTP error: `{statusCode, error, message}`, plus the fields concerned. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errors?: { field: string; message: string }[];
  /**
   * On 5xx answers: the request's id (also in the X-Request-Id header of every answer), quoted in
   * the pool's log next to an unexpected error.
   */
  request_id?: string;
}

/**
 * The one place errors become HTTP and gRPC answers (the mapping itself is errorAnswer). An
 * unexpected error is logged once, with its stack and the request id that the answer carries.
 */
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(AppExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | undefined {
    if (host.getType() === 'rpc') return throwError(() => toGrpcError(exception, this.logger));
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    // a payload that is not an error message (terminus's /health report) goes out as it is
    if (exception instanceof HttpException && isReport(exception.getResponse())) {
      response.status(exception.getStatus()).json(exception.getResponse());
      return undefined;
    }
    sendError(http.getRequest<Request>(), response, exception, this.logger);
    return undefined;
  }
}

/** Answers `exception` on an Express response (the filter, and middleware outside Nest's filters). */
export function sendError(req: Request, res: Response, exception: unknown, logger: Logger): void {
  const requestId = requestIdOf(req);
  const answer = errorAnswer(exception);
  if (answer.unexpected) logger.error(unexpectedLogLine(exception, requestId));
  if (res.headersSent) {
    // a stream failed after its first byte: all that can be done is to cut it short
    res.destroy();
    return;
  }
  if (answer.retryAfterS !== undefined) res.setHeader('Retry-After', String(answer.retryAfterS));
  res.status(answer.status).json(errorBody(answer, requestId));
}

/** The request id pino-http gave the request (see app.module), or a new one. */
export function requestIdOf(req: Request): string {
  const id = (req as Request & { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : newRequestId();
}

export function errorBody(answer: ErrorAnswer, requestId?: string): ErrorBody {
  return {
    statusCode: answer.status,
    error: httpReason(answer.status),
    message: answer.message,
    ...(answer.errors ? { errors: answer.errors } : {}),
    ...(requestId && answer.status >= 500 ? { request_id: requestId } : {}),
  };
}

/** The HTTP body of a refusal; also used by middleware that answers outside Nest's filters. */
export function domainErrorBody(error: DomainError): ErrorBody {
  return errorBody(errorAnswer(error));
}

function isReport(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && !('message' in raw);
}

/** ValidationPipe's exceptionFactory: one 400 naming every bad field. */
export function validationException(errors: ValidationError[]): BadRequestException {
  const flat: { field: string; message: string }[] = [];
  const walk = (list: ValidationError[], prefix: string): void => {
    for (const error of list) {
      const field = prefix ? `${prefix}.${error.property}` : error.property;
      for (const message of Object.values(error.constraints ?? {})) flat.push({ field, message });
      walk(error.children ?? [], field);
    }
  };
  walk(errors, '');
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: flat.map((e) => e.message).join('; ') || 'invalid request',
    errors: flat,
  });
}
