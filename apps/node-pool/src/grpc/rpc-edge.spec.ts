import { status as GrpcStatus } from '@grpc/grpc-js';
import { rpcAccessLine } from './rpc-edge';

describe(rpcAccessLine.name, () => {
  it.each([
    ['a user’s call', GrpcStatus.OK, { kind: 'user' as const, id: 'u-1' }, { code: 'OK', user_id: 'u-1' }],
    [
      'a node’s refused call',
      GrpcStatus.RESOURCE_EXHAUSTED,
      { kind: 'node' as const, id: 'n-1' },
      { code: 'RESOURCE_EXHAUSTED', node_id: 'n-1' },
    ],
    ['nobody', GrpcStatus.UNAUTHENTICATED, undefined, { code: 'UNAUTHENTICATED' }],
  ])('%s', (_, code, subject, expected) => {
    expect(rpcAccessLine('/nodepool.UserService/WhoAmI', code, 12.345, '10.0.0.1', 'r-1', subject)).toEqual({
      rpc: '/nodepool.UserService/WhoAmI',
      duration_ms: 12.3,
      address: '10.0.0.1',
      request_id: 'r-1',
      ...expected,
    });
  });
});
