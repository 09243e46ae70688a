// Validated REST DTOs (class-validator / class-transformer, documented with @nestjs/swagger).
// Server code imports them as values; the console and the CLI import them with `import type` only.
export * from './admin.dto';
export * from './auth.dto';
export * from './credentials.dto';
export * from './nodes.dto';
export * from './page-query.dto';
export * from './wallet.dto';
export * from './task.dto';
export * from './vpn.dto';
export * from './audit.dto';
