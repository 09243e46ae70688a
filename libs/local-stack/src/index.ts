export * from './child-process';
export * from './docker-engine';
export * from './free-port';
export * from './postgres-server';
export * from './redis-server';
export * from './system-packages';
export * from './system-user';
