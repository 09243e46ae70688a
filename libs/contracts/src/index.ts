// Browser-safe contracts shared by every app: domain enums, constants and plain API types.
// Nothing here may import a decorator library or a Node module (a test checks): the Angular console
// bundles this entry. Validated REST DTO classes live in '@hivemind/contracts/dto' (the console may
// `import type` them), gRPC loaders and proto paths in '@hivemind/contracts/grpc' (Node only).
export * from './domain/states';
export * from './domain/accounts';
export * from './domain/page';
export * from './domain/views';
export * from './domain/trust';
export * from './domain/task-views';
export * from './domain/bytes';
export * from './domain/pricing';
export * from './domain/vpn';
export * from './domain/telemetry';
export * from './domain/task-limits';
export * from './domain/task-refs';
export * from './domain/resources';
export * from './domain/result-digest';
export * from './domain/secret-env';
export * from './domain/audit';
export * from './domain/worker-console';
