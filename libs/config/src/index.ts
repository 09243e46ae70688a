export * from './env';
export * from './exit-on-config-error';
