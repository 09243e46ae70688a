import { type INestApplication } from '@nestjs/common';
import { type NextFunction, type Request, type Response, json } from 'express';
import helmet from 'helmet';

/** The largest JSON body the worker reads (a sign-in is well under 1 KiB). */
export const MAX_BODY_BYTES = 16 * 1024;
/** The longest URL (path and query). */
export const MAX_URL_LENGTH = 2048;

/**
 * Bounds and headers of every request to the worker's HTTP server, before any handler: the URL's
 * length, JSON bodies up to MAX_BODY_BYTES (only `application/json` is parsed), their refusals as
 * JSON naming the field (express would answer an HTML page), and the console's security headers:
 * its own scripts only, inline styles (Angular Material), no framing, no foreign connection.
 */
export function useRequestBounds(app: INestApplication): void {
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          'default-src': ["'self'"],
          'base-uri': ["'self'"],
          'connect-src': ["'self'"],
          'font-src': ["'self'", 'data:'],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          'object-src': ["'none'"],
          'script-src': ["'self'"],
          'script-src-attr': ["'none'"],
          'style-src': ["'self'", "'unsafe-inline'"],
        },
      },
      frameguard: { action: 'deny' },
      strictTransportSecurity: false,
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.originalUrl.length <= MAX_URL_LENGTH) return next();
    res.status(414).json({ error: `the URL is longer than ${MAX_URL_LENGTH} characters`, field: 'url' });
  });
  app.use(json({ limit: MAX_BODY_BYTES, type: 'application/json' }));
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const e = error as { type?: string; status?: number };
    if (res.headersSent || typeof e?.status !== 'number' || e.status >= 500) return next(error);
    if (e.type === 'entity.too.large')
      return void res
        .status(413)
        .json({ error: `the body is larger than ${MAX_BODY_BYTES / 1024} KiB`, field: 'body' });
    res.status(400).json({
      error: e.type === 'entity.parse.failed' ? 'the body is not valid JSON' : 'the body cannot be read',
      field: 'body',
    });
  });
}
