// npm run generate:openapi — writes docs/openapi.json from the controllers, without connecting to
// anything: Nest's preview mode scans the modules but instantiates no provider.
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { parseNodePoolConfig } from '../config/node-pool.config';
import { buildOpenApiDocument } from './openapi';

/** The OpenAPI document as checked in: stable key order, trailing newline. */
export async function renderOpenApi(): Promise<string> {
  const config = parseNodePoolConfig({
    DATABASE_URL: 'postgres://preview@127.0.0.1:1/preview',
    REDIS_URL: 'redis://127.0.0.1:1',
    JWT_SECRET: 'preview-mode-never-signs-anything-000000',
    WEB_ROOT: '/nonexistent',
    LOG_LEVEL: 'silent',
    // preview mode listens nowhere: no certificate is needed to describe the routes
    INSECURE_PLAINTEXT: 'true',
  });
  const app: INestApplication = await NestFactory.create(AppModule.forRoot(config), {
    preview: true,
    logger: false,
  });
  try {
    return JSON.stringify(buildOpenApiDocument(app), null, 2) + '\n';
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  const target = join(process.cwd(), 'docs', 'openapi.json');
  renderOpenApi()
    .then((text) => {
      writeFileSync(target, text);
      process.stdout.write(`wrote ${target}\n`);
    })
    .catch((error: Error) => {
      process.stderr.write(`generate:openapi failed: ${error.message}\n`);
      process.exit(1);
    });
}
