import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Controller, type DynamicModule, Get, Header, HttpCode, HttpStatus, Module } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import { type Response } from 'express';
import { OpenRoute } from './console-session.guard';

/** Paths that belong to the worker's API, never to the console's deep-link fallback. */
export const NON_CONSOLE_PATHS = ['/api/{*path}', '/health'];

export const NOT_BUILT = 'the worker console is not built: npm run build:worker-console\n';

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
  const name = basename(path);
  if (name === 'index.html') res.setHeader('Cache-Control', 'no-cache');
  else if (/-[A-Z0-9]{8}\.(js|css|mjs)$/.test(name))
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
}

@Controller()
class ConsoleNotBuiltController {
  @Get(['', 'login', 'dashboard', 'tasks', 'monitor'])
  @OpenRoute()
  @HttpCode(HttpStatus.SERVICE_UNAVAILABLE)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  notBuilt(): string {
    return NOT_BUILT;
  }
}

/**
 * Serves the built Angular worker console at / (deep links such as /dashboard fall back to its
 * index.html; /api and /health are never shadowed), or, when it is not built, a 503 saying so at
 * / and the console's pages — the JSON API works either way.
 */
@Module({})
export class ConsoleStaticModule {
  static forRoot(root: string | undefined): DynamicModule {
    if (!root) return { module: ConsoleStaticModule, controllers: [ConsoleNotBuiltController] };
    return {
      module: ConsoleStaticModule,
      imports: [
        ServeStaticModule.forRoot({
          rootPath: root,
          exclude: NON_CONSOLE_PATHS,
          serveStaticOptions: { index: 'index.html', fallthrough: true, setHeaders: cacheHeaders },
        }),
      ],
    };
  }
}
