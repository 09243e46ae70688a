export * from './built';
export * from './database';
export * from './grpc-probe';
export * from './stack-info';
export * from './wait-for';
export * from './remove-tree';
export * from './s3-server';
