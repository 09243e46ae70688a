import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/** HSTS's max-age: 180 days, long enough to matter, short enough to undo a mistaken TLS rollout. */
export const HSTS_MAX_AGE_S = 180 * 24 * 3600;

/**
 * The security headers of every HTTP answer (helmet), for a request that came over TLS or not.
 * The Content-Security-Policy lets the console (its own scripts only; Angular Material and chart.js
 * set inline styles; QR codes are data: images) and Bull Board (its own scripts, Google's fonts
 * stylesheet) work, and nothing else run: no inline script, no plug-in, no framing, no foreign
 * connection. HSTS and `upgrade-insecure-requests` only under TLS: over plain HTTP they would send
 * browsers to an https:// the pool may not serve. Pure: a policy, checked by its spec.
 */
export function securityHeaderOptions(tls: boolean): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'base-uri': ["'self'"],
        // 'self' covers ws:/wss: to the same host (CSP level 3)
        'connect-src': ["'self'"],
        'font-src': ["'self'", 'https:', 'data:'],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'object-src': ["'none'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'", 'https:', "'unsafe-inline'"],
        ...(tls ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    strictTransportSecurity: tls ? { maxAge: HSTS_MAX_AGE_S, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' },
  };
}

/**
 * helmet with the header policy of the request's transport, decided per request: `req.secure` is
 * the socket's own TLS, or a trusted proxy's `X-Forwarded-Proto: https` (TRUST_PROXY).
 */
export function securityHeaders(): RequestHandler {
  const plain = helmet(securityHeaderOptions(false));
  const tls = helmet(securityHeaderOptions(true));
  return (req: Request, res: Response, next: NextFunction) => (req.secure ? tls : plain)(req, res, next);
}
