// Node-only half of the contracts (proto files on disk, @grpc/* loaders). Browser code imports
// '@hivemind/contracts' instead, which has no server dependency.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/nodepool';
import { GRPC_LOADER_OPTIONS } from './loader-options';

export type * from './generated';
export type { ProtoGrpcType } from './generated/nodepool';
export * from './health';
export * from './loader-options';

/** The folder holding nodepool.proto; shipped next to the compiled code as a build asset. */
export const PROTO_DIR = join(__dirname, '..', '..', 'proto');
export const NODEPOOL_PROTO_PATH = join(PROTO_DIR, 'nodepool.proto');
export const NODEPOOL_PACKAGE = 'nodepool';

/** The seed's limit for one message (task zips in UploadTask); large payloads go in chunked streams. */
export const GRPC_MAX_MESSAGE_BYTES = 100 * 1024 * 1024;

/** Channel options shared by clients: message size limits and keep-alive as in the seed. */
export const GRPC_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': GRPC_MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': GRPC_MAX_MESSAGE_BYTES,
  'grpc.keepalive_time_ms': 10000,
  'grpc.keepalive_timeout_ms': 5000,
  'grpc.keepalive_permit_without_calls': 1,
};

export function loadNodepoolDefinition(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(NODEPOOL_PROTO_PATH, GRPC_LOADER_OPTIONS);
}

/** The typed `nodepool` package for building clients: `new loadNodepool().nodepool.UserService(addr, creds)`. */
export function loadNodepool(): ProtoGrpcType {
  return grpc.loadPackageDefinition(loadNodepoolDefinition()) as unknown as ProtoGrpcType;
}
