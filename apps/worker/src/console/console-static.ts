import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { type NextFunction, type Request, type Response, static as serveStatic } from 'express';

export const NOT_BUILT = 'the worker console is not built: npm run build:worker-console\n';

/** The console's pages: answered 503 with NOT_BUILT when there is no build. */
const CONSOLE_PAGES = new Set(['/', '/login', '/dashboard', '/tasks', '/monitor']);

/** Paths that belong to the worker's API, never to the console. */
const isApi = (path: string): boolean => path === '/health' || path === '/api' || path.startsWith('/api/');

/**
 * Where the built worker console may be, given the folder of the running main.js: beside the
 * bundle in the packed worker (`<package>/worker-console`, from `lib/bundle`), else the
 * repository's build (`dist/apps/worker-console/browser`, from `dist/apps/worker/apps/worker/src`).
 */
export function consoleRootCandidates(mainDir: string): string[] {
  return [
    join(mainDir, '..', '..', 'worker-console'),
    join(mainDir, '..', '..', '..', '..', 'worker-console', 'browser'),
  ];
}

/** The first folder holding an index.html, or undefined when the console is not built. */
export function findConsoleRoot(candidates: readonly string[]): string | undefined {
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/** Angular's hashed file names (main-ABCD1234.js) never change content: cached for a year. */
function cacheHeaders(res: Response, path: string): void {
  if (basename(path) === 'index.html') res.setHeader('Cache-Control', 'no-cache');
  else if (/-[A-Z0-9]{8}\.(js|mjs|css)$/.test(basename(path)))
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
}

/**
 * Serves the built Angular worker console at / with express.static (deep links such as /dashboard
 * that accept HTML fall back to its index.html; /api and /health are never shadowed), or, when it
 * is not built, a 503 saying so at / and the console's pages — the JSON API works either way.
 * Plain express rather than @nestjs/serve-static, whose loader cannot run inside the packed
 * worker's CommonJS bundle (it calls createRequire(import.meta.url)).
 */
export function serveConsole(app: INestApplication, root: string | undefined): void {
  if (!root) {
    app.use((req: Request, res: Response, next: NextFunction) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || !CONSOLE_PAGES.has(req.path)) return next();
      res.status(503).type('text/plain').send(NOT_BUILT);
    });
    return;
  }
  const files = serveStatic(root, { index: false, fallthrough: true, setHeaders: cacheHeaders });
  const index = join(root, 'index.html');
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApi(req.path)) return next();
    files(req, res, () => {
      // not a file: a deep link of the single-page app when a browser asks for a page
      if (!req.accepts('html')) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index, (error?: Error) => error && next(error));
    });
  });
}
