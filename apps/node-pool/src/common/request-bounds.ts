import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type NextFunction, type Request, type Response, json, urlencoded } from 'express';
import { sendError } from './app-exception.filter';
import { DomainError } from './domain-error';
import { MAX_JSON_BODY_BYTES, describeJsonShapeProblem, jsonShapeProblem } from './json-shape';

/** The longest URL (path and query) a request may have. */
export const MAX_URL_LENGTH = 8 * 1024;

/**
 * Bounds on every HTTP request before any handler works on it: the URL's length and no NUL in it
 * (PostgreSQL text cannot hold one: `?cursor=%00` used to reach a query); JSON bodies up to
 * MAX_JSON_BODY_BYTES whose shape (depth, number of values, NUL characters) is checked on the raw
 * text before it is parsed; url-encoded forms flat. Their refusals (414, 413, 400, 415) go through
 * the same mapping as every other error, as JSON — Express would answer them with an HTML page.
 */
export function useRequestBounds(app: NestExpressApplication): void {
  app.use(refuseHostileUrls);
  // express's own parsers (Nest's useBodyParser keeps `verify` for itself)
  app.use(json({ limit: MAX_JSON_BODY_BYTES, verify: verifyJsonShape }));
  app.use(urlencoded({ extended: false, limit: MAX_JSON_BODY_BYTES, parameterLimit: 100 }));
  const logger = new Logger('RequestBounds');
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    sendError(req, res, error, logger);
  });
}

function refuseHostileUrls(req: Request, _res: Response, next: NextFunction): void {
  const url = req.originalUrl;
  if (url.length > MAX_URL_LENGTH) {
    return next(new DomainError('invalid', `the URL is longer than ${MAX_URL_LENGTH} characters`));
  }
  // %00 anywhere (path or query), or a raw NUL: no field of ours accepts it
  if (/%00/i.test(url) || url.includes('\0')) {
    return next(new DomainError('invalid', 'the URL holds a NUL character (%00), which no field accepts'));
  }
  next();
}

function verifyJsonShape(_req: unknown, _res: unknown, body: Buffer, encoding: string): void {
  const problem = jsonShapeProblem(body.toString(encoding as BufferEncoding));
  if (problem) {
    // body-parser turns a thrown error with a status into that status (an http-errors refusal)
    throw Object.assign(new Error(describeJsonShapeProblem(problem, 'the request body')), {
      status: 400,
      type: 'entity.verify.failed',
    });
  }
}
