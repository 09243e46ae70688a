import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { sendError } from './app-exception.filter';
import { isExemptPath, restCharges, uploadByteCharges } from './limit-keys';
import { RequestLimits } from './request-limits';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Every HTTP request (API, console files, Bull Board; not /health and /metrics) is counted before
 * it is handled: per address (`req.ip`, which TRUST_PROXY decides) and, with a bearer token, per
 * user — reads and writes in their own budgets; a request body's bytes against the upload budgets,
 * from its Content-Length before a byte is read (a chunked body is charged when it ends, so the
 * next one is refused). Over a budget: 429 with Retry-After and the usual error body.
 */
@Injectable()
export class RestLimitsMiddleware implements NestMiddleware {
  private readonly logger = new Logger(RestLimitsMiddleware.name);

  constructor(private readonly limits: RequestLimits) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const path = (req.originalUrl ?? req.url).split('?')[0] ?? '/';
    if (isExemptPath(path)) return next();
    const address = req.ip ?? 'unknown';
    const subject = this.limits.subjectOf(BEARER.exec(req.headers.authorization ?? '')?.[1]);
    try {
      const length = Number(req.headers['content-length'] ?? 0);
      await this.limits.charge([
        ...restCharges(req.method, address, subject),
        ...uploadByteCharges(Number.isFinite(length) ? length : 0, address, subject),
      ]);
    } catch (error) {
      return sendError(req, res, error, this.logger);
    }
    if (req.headers['transfer-encoding'] && req.headers['content-length'] === undefined) {
      const start = req.socket.bytesRead;
      req.once('end', () => {
        const bytes = req.socket.bytesRead - start;
        this.limits.charge(uploadByteCharges(bytes, address, subject)).catch(() => undefined);
      });
    }
    next();
  }
}
