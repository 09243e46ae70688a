import {
  type ArgumentsHost,
  BadRequestException,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
  type ValidationError,
} from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import { type Observable, throwError } from 'rxjs';
import { DomainError, HTTP_STATUS } from './domain-error';
import { toGrpcError } from './grpc-error';

/** The JSON body of every HTTP error: `{statusCode, error, message}`, plus the fields concerned. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errors?: { field: string; message: string }[];
}

/**
 * The one place errors become answers. HTTP: DomainErrors and Nest's HttpExceptions become
 * ErrorBody; anything else is a bug, logged with its stack and answered 500 without details.
 * gRPC: see toGrpcError.
 */
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(AppExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | undefined {
    if (host.getType() === 'rpc') return throwError(() => toGrpcError(exception, this.logger));
    const response = host.switchToHttp().getResponse<Response>();
    // a payload that is not an error message (terminus's /health report) goes out as it is
    if (exception instanceof HttpException && isReport(exception.getResponse())) {
      response.status(exception.getStatus()).json(exception.getResponse());
      return undefined;
    }
    const body = this.toBody(exception);
    if (exception instanceof DomainError && exception.details.retryAfterS !== undefined) {
      response.setHeader('Retry-After', String(exception.details.retryAfterS));
    }
    response.status(body.statusCode).json(body);
    return undefined;
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) return domainErrorBody(exception);
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const raw = exception.getResponse();
      const fromRaw = typeof raw === 'object' ? (raw as Partial<ErrorBody>) : {};
      const message = Array.isArray(fromRaw.message)
        ? fromRaw.message.join('; ')
        : (fromRaw.message ?? exception.message);
      return {
        statusCode,
        error: STATUS_CODES[statusCode] ?? 'Error',
        message: String(message),
        ...(fromRaw.errors ? { errors: fromRaw.errors } : {}),
      };
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return { statusCode: 500, error: 'Internal Server Error', message: 'internal error' };
  }
}

/** The HTTP body of a refusal; also used by middleware that answers outside Nest's filters. */
export function domainErrorBody(error: DomainError): ErrorBody {
  const statusCode = HTTP_STATUS[error.kind];
  const field = error.details.field;
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message: error.message,
    ...(field ? { errors: [{ field, message: error.message }] } : {}),
  };
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
