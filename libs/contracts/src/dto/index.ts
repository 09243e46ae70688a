// Validated REST DTOs (class-validator / class-transformer). Server code imports them as values;
// the console imports them with `import type` only.
export * from './credentials.dto';
export * from './page-query.dto';
