import {
  isExemptPath,
  limitSubject,
  requestKind,
  restCharges,
  rpcByteCharges,
  rpcCharges,
  upgradeCharges,
  uploadByteCharges,
} from './limit-keys';

const alice = { kind: 'user' as const, id: 'u-1' };
const node = { kind: 'node' as const, id: 'n-1' };

describe(requestKind.name, () => {
  it.each([
    ['GET', 'read'],
    ['head', 'read'],
    ['OPTIONS', 'read'],
    ['POST', 'write'],
    ['PATCH', 'write'],
    ['DELETE', 'write'],
  ])('%s is a %s', (method, kind) => expect(requestKind(method)).toBe(kind));
});

describe(limitSubject.name, () => {
  it.each([
    ['an access token: its user', { typ: 'access', sub: 'u-1' }, alice],
    ['a node credential: its node', { typ: 'node', sub: 'n-1' }, node],
    ['a refresh token: nobody', { typ: 'refresh', sub: 'u-1' }, undefined],
    ['no subject', { typ: 'access' }, undefined],
    ['not claims', 'x', undefined],
  ])('%s', (_, claims, expected) => expect(limitSubject(claims)).toEqual(expected));
});

describe(restCharges.name, () => {
  it.each([
    ['anonymous read: the address only', 'GET', '10.0.0.1', undefined, [['rest-read-addr', '10.0.0.1']]],
    [
      'a signed-in write: address and user',
      'POST',
      '10.0.0.1',
      alice,
      [
        ['rest-write-addr', '10.0.0.1'],
        ['rest-write-subject', 'user:u-1'],
      ],
    ],
    ['IPv6: its /64', 'GET', '2001:db8:1:2::99', undefined, [['rest-read-addr', '2001:db8:1:2::/64']]],
  ])('%s', (_, method, address, subject, expected) => {
    expect(restCharges(method, address, subject).map((c) => [c.bucket, c.key])).toEqual(expected);
  });
});

describe(rpcCharges.name, () => {
  it.each([
    ['no credential', undefined, [['rpc-addr', '10.0.0.1']]],
    [
      'a node credential: per node',
      node,
      [
        ['rpc-addr', '10.0.0.1'],
        ['rpc-subject', 'node:n-1'],
      ],
    ],
  ])('%s', (_, subject, expected) => {
    expect(rpcCharges('10.0.0.1', subject).map((c) => [c.bucket, c.key])).toEqual(expected);
  });
});

describe(rpcByteCharges.name, () => {
  it.each([
    [
      'log text per node',
      '/nodepool.MasterNodeService/StoreLogs',
      node,
      [['log-bytes-subject', 'node:n-1', 500]],
    ],
    [
      'log text without a credential: per address',
      '/nodepool.WorkerNodeService/ReportOutput',
      undefined,
      [['log-bytes-subject', 'addr:10.0.0.1', 500]],
    ],
    [
      'a task zip: upload bytes per address and user',
      '/nodepool.MasterNodeService/UploadTask',
      alice,
      [
        ['upload-bytes-addr', '10.0.0.1', 500],
        ['upload-bytes-subject', 'user:u-1', 500],
      ],
    ],
    ['any other rpc: none', '/nodepool.UserService/WhoAmI', alice, []],
  ])('%s', (_, path, subject, expected) => {
    expect(rpcByteCharges(path, 500, '10.0.0.1', subject).map((c) => [c.bucket, c.key, c.points])).toEqual(
      expected,
    );
  });
});

describe(uploadByteCharges.name, () => {
  it('charges nothing for an empty body', () => expect(uploadByteCharges(0, '10.0.0.1', alice)).toEqual([]));
});

describe(upgradeCharges.name, () => {
  it.each([
    ['before the token: per address', undefined, [['upgrade-addr', '10.0.0.1']]],
    ['after: per user', alice, [['upgrade-subject', 'user:u-1']]],
  ])('%s', (_, subject, expected) => {
    expect(upgradeCharges('10.0.0.1', subject).map((c) => [c.bucket, c.key])).toEqual(expected);
  });
});

describe(isExemptPath.name, () => {
  it.each([
    ['/health', true],
    ['/metrics', true],
    ['/api/me', false],
    ['/', false],
  ])('%s → %s', (path, exempt) => expect(isExemptPath(path)).toBe(exempt));
});
