import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, type DynamicModule, Get, Header, HttpCode, HttpStatus, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ServeStaticModule } from '@nestjs/serve-static';

/** Paths that belong to the APIs, never to the single-page app's fallback. */
export const NON_CONSOLE_PATHS = [
  '/api/{*path}',
  '/admin/queues{/*path}',
  '/health',
  '/metrics',
  '/ws/{*path}',
];

@ApiExcludeController()
@Controller()
class ConsoleNotBuiltController {
  @Get()
  @HttpCode(HttpStatus.SERVICE_UNAVAILABLE)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  notBuilt(): string {
    return 'The HiveMind web console is not built on this node pool: run `npm run build:web` (or `npm run up`), or set WEB_ROOT.\n';
  }
}

/** Serves the built Angular console at / (deep links fall back to index.html). */
@Module({})
export class WebModule {
  static forRoot(webRoot: string): DynamicModule {
    if (!existsSync(join(webRoot, 'index.html'))) {
      return { module: WebModule, controllers: [ConsoleNotBuiltController] };
    }
    return {
      module: WebModule,
      imports: [
        ServeStaticModule.forRoot({
          rootPath: webRoot,
          exclude: NON_CONSOLE_PATHS,
          serveStaticOptions: { index: 'index.html', maxAge: '1h', fallthrough: true },
        }),
      ],
    };
  }
}
