// Browser-safe contracts shared by every app: domain enums and constants, REST DTOs.
// The Angular console imports DTO classes with `import type` only, so class-validator stays out of
// its bundle; gRPC loaders and proto paths live in '@hivemind/contracts/grpc' (Node only).
export * from './domain/states';
export * from './domain/accounts';
export * from './dto/credentials.dto';
export * from './dto/page-query.dto';
