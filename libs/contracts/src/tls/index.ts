export * from './pki';
export * from './default-cas';
