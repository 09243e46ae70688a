export * from './env';
export * from './exit-on-config-error';
export * from './env-file';
export * from './worker-config-file';
export * from './node-flags';
