import { status as GrpcStatus } from '@grpc/grpc-js';
import type * as protoLoader from '@grpc/proto-loader';
import { loadNodepoolDefinition } from '@hivemind/contracts/grpc';
import {
  fieldWithNul,
  limitRequestMessages,
  oversize,
  refusalOf,
  rpcMessageLimit,
} from './rpc-message-guard';

const UPLOAD_TASK = '/nodepool.MasterNodeService/UploadTask';

function method(definition: protoLoader.PackageDefinition, service: string, name: string) {
  return (definition[`nodepool.${service}`] as protoLoader.ServiceDefinition)[name];
}

describe('rpc message limits', () => {
  const definition = loadNodepoolDefinition();
  const uploadTask = method(definition, 'MasterNodeService', 'UploadTask');
  const encode = (message: object) => uploadTask.requestSerialize(message);

  it('lets a task zip of many megabytes through UploadTask', () => {
    const message = encode({ token: 't', image: 'x', task_zip: Buffer.alloc(20 * 1024 * 1024) });
    expect(oversize(message, rpcMessageLimit(UPLOAD_TASK))).toBeUndefined();
  });

  it('refuses UploadTask when its other fields pass 1 MiB, without decoding it', () => {
    const env = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`V${i}`, 'x']));
    const message = encode({ token: 't', env, task_zip: Buffer.alloc(1024) });
    expect(oversize(message, rpcMessageLimit(UPLOAD_TASK))).toBe(
      "the message's fields other than its payload take more than the 1048576 bytes this rpc accepts",
    );
  });

  it('gives every other rpc 64 KiB', () => {
    const login = method(definition, 'UserService', 'Login');
    const message = login.requestSerialize({ username: 'u'.repeat(70_000), password: 'p' });
    expect(oversize(message, rpcMessageLimit(login.path))).toMatch(/more than the 65536 this rpc accepts/);
  });

  it('decodes a message within its limits; one over them is not decoded', () => {
    const wrapped = loadNodepoolDefinition();
    limitRequestMessages(wrapped);
    const login = method(wrapped, 'UserService', 'Login');
    const fine = login.requestDeserialize(login.requestSerialize({ username: 'alice', password: 'p' }));
    expect(fine).toMatchObject({ username: 'alice' });
    expect(refusalOf(login.path, fine)).toBeUndefined();
    const big = login.requestDeserialize(Buffer.alloc(100_000));
    expect(refusalOf(login.path, big)).toEqual({
      code: GrpcStatus.RESOURCE_EXHAUSTED,
      details: 'Login: the message is 100000 bytes, more than the 65536 this rpc accepts',
    });
  });
});

describe(fieldWithNul.name, () => {
  it.each([
    [{ username: 'alice', env: { A: 'b' } }, undefined],
    [{ username: 'al\u0000ice' }, 'username'],
    [{ env: { A: 'b\u0000' } }, 'env.A'],
    [{ env: { 'A\u0000': 'b' } }, 'env'],
    [{ command: ['ls', '-l\u0000'] }, 'command[1]'],
    [{ task_zip: Buffer.from([0, 0, 0]) }, undefined],
  ])('%j → %s', (message, field) => {
    expect(fieldWithNul(message)).toBe(field);
  });

  it('lets log text carry NUL (its handler replaces it)', () => {
    expect(refusalOf('/nodepool.MasterNodeService/StoreLogs', { logs: 'a\u0000b' })).toBeUndefined();
    expect(refusalOf(UPLOAD_TASK, { name: 'a\u0000b' })?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
  });
});
