import {
  Metadata,
  ResponderBuilder,
  ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  ServerListenerBuilder,
  status as GrpcStatus,
} from '@grpc/grpc-js';
import type * as protoLoader from '@grpc/proto-loader';
import { Reader } from 'protobufjs/minimal';
import { GRPC_MAX_MESSAGE_BYTES } from '@hivemind/contracts/grpc';

/** What one request message of an rpc may weigh unless RPC_MESSAGE_LIMITS says otherwise. */
export const DEFAULT_RPC_MESSAGE_BYTES = 64 * 1024;

export interface RpcMessageLimit {
  /** The whole message. */
  bytes: number;
  /** A `bytes` field (by number) that may carry a large payload; everything else is `restBytes`. */
  bulkField?: number;
  restBytes?: number;
}

/** What an rpc's fields other than its payload may weigh (UploadTask: env and secret_env are 100 × 4 KiB each at most). */
const REST_OF_A_PAYLOAD_MESSAGE = 1024 * 1024;

/**
 * The rpcs whose messages carry payloads, and what they may weigh. The server-wide ceiling stays the
 * seed's 100 MB (task zips travel whole in UploadTask and StoreResult), but an rpc is refused as
 * soon as its message passes its own limit, before protobuf decodes it; in a payload message,
 * only the payload field may be large (10 MB of tiny env entries would take protobuf seconds).
 */
export const RPC_MESSAGE_LIMITS: Readonly<Record<string, RpcMessageLimit>> = {
  '/nodepool.MasterNodeService/UploadTask': {
    bytes: GRPC_MAX_MESSAGE_BYTES,
    bulkField: 2, // task_zip
    restBytes: REST_OF_A_PAYLOAD_MESSAGE,
  },
  '/nodepool.MasterNodeService/StoreResult': {
    bytes: GRPC_MAX_MESSAGE_BYTES,
    bulkField: 2, // result_zip
    restBytes: DEFAULT_RPC_MESSAGE_BYTES,
  },
  '/nodepool.MasterNodeService/ReturnTaskResult': {
    bytes: GRPC_MAX_MESSAGE_BYTES,
    bulkField: 2, // result_zip
    restBytes: DEFAULT_RPC_MESSAGE_BYTES,
  },
  // logs: the worker sends batches of at most 64 KiB of text, the seed's clients whole outputs
  '/nodepool.MasterNodeService/StoreLogs': { bytes: 1024 * 1024 },
  '/nodepool.MasterNodeService/StoreOutput': { bytes: 1024 * 1024 },
  '/nodepool.WorkerNodeService/ReportOutput': { bytes: 1024 * 1024 },
  // output chunks of 256 KiB (pool-client's read size) with room to spare
  '/nodepool.WorkerNodeService/UploadOutput': { bytes: 1024 * 1024 },
};

/** Rpcs carrying a task's log text, which may hold NUL: their handler stores it as U+FFFD. */
const LOG_RPCS = new Set([
  '/nodepool.MasterNodeService/StoreLogs',
  '/nodepool.MasterNodeService/StoreOutput',
  '/nodepool.WorkerNodeService/ReportOutput',
]);

/** What each decoded request message weighed on the wire (for the byte budgets of rpc-edge.ts). */
const messageBytes = new WeakMap<object, number>();

export function wireBytesOf(message: unknown): number {
  return message && typeof message === 'object' ? (messageBytes.get(message) ?? 0) : 0;
}

export function rpcMessageLimit(path: string): RpcMessageLimit {
  return RPC_MESSAGE_LIMITS[path] ?? { bytes: DEFAULT_RPC_MESSAGE_BYTES };
}

/** Stands in for a message that was not decoded: too large, or not protobuf of its type. */
class UndecodedMessage {
  constructor(readonly refusal: { code: GrpcStatus; details: string }) {}
}

type MethodDefinition = protoLoader.MethodDefinition<object, object>;

/**
 * Wraps every method's request decoder in the package definition (before the server registers it)
 * so that a message over its rpc's limits is not decoded, and one that does not decode is refused
 * as INVALID_ARGUMENT: the decoder hands on an UndecodedMessage, which rpcMessageGuard answers.
 * (Throwing from a decoder would answer INTERNAL.)
 */
export function limitRequestMessages(definition: protoLoader.PackageDefinition): void {
  for (const service of Object.values(definition)) {
    if (!isServiceDefinition(service)) continue;
    for (const method of Object.values(service) as MethodDefinition[]) {
      const decode = method.requestDeserialize;
      const name = rpcName(method.path);
      const limit = rpcMessageLimit(method.path);
      method.requestDeserialize = (buffer: Buffer): object => {
        const tooLarge = oversize(buffer, limit);
        if (tooLarge) {
          return new UndecodedMessage({
            code: GrpcStatus.RESOURCE_EXHAUSTED,
            details: `${name}: ${tooLarge}`,
          });
        }
        try {
          const message = decode(buffer);
          messageBytes.set(message, buffer.length);
          return message;
        } catch {
          return new UndecodedMessage({
            code: GrpcStatus.INVALID_ARGUMENT,
            details: `${name}: the message is not a valid ${name} request`,
          });
        }
      };
    }
  }
}

/** Why a message is over its rpc's limits, or undefined. Exported for its unit spec. */
export function oversize(buffer: Buffer, limit: RpcMessageLimit): string | undefined {
  if (buffer.length > limit.bytes) {
    return `the message is ${buffer.length} bytes, more than the ${limit.bytes} this rpc accepts`;
  }
  const rest = limit.restBytes ?? limit.bytes;
  if (limit.bulkField === undefined || buffer.length <= rest) return undefined;
  const outside = bytesOutside(buffer, limit.bulkField, rest);
  return outside > rest
    ? `the message's fields other than its payload take more than the ${rest} bytes this rpc accepts`
    : undefined;
}

/**
 * What a message spends outside its bulk field (tags and lengths included), read from the wire
 * format without decoding; counting stops past `budget`. A malformed message counts as over it.
 */
function bytesOutside(buffer: Buffer, bulkField: number, budget: number): number {
  const reader = Reader.create(buffer);
  let outside = 0;
  try {
    while (reader.pos < reader.len && outside <= budget) {
      const start = reader.pos;
      const tag = reader.uint32();
      if (tag >>> 3 === bulkField && (tag & 7) === 2) {
        reader.skip(reader.uint32());
        continue;
      }
      reader.skipType(tag & 7);
      outside += reader.pos - start;
    }
  } catch {
    return Infinity;
  }
  return outside;
}

/**
 * A server interceptor that refuses, before any handler runs: a message over its rpc's limit
 * (RESOURCE_EXHAUSTED, naming the rpc and the limit), and a message with a NUL character in a
 * string (INVALID_ARGUMENT, naming the field: PostgreSQL text cannot store one).
 */
export const rpcMessageGuard: ServerInterceptor = (method, call: ServerInterceptingCallInterface) => {
  const intercepted: ServerInterceptingCall = new ServerInterceptingCall(
    call,
    new ResponderBuilder()
      .withStart((next) =>
        next(
          new ServerListenerBuilder()
            .withOnReceiveMessage((message: unknown, pass) => {
              const refusal = refusalOf(method.path, message);
              if (!refusal) return pass(message);
              intercepted.sendStatus({ ...refusal, metadata: new Metadata() });
            })
            .build(),
        ),
      )
      .build(),
  );
  return intercepted;
};

/** Why a decoded message is refused, or undefined. Exported for its unit spec. */
export function refusalOf(path: string, message: unknown): { code: GrpcStatus; details: string } | undefined {
  if (message instanceof UndecodedMessage) return message.refusal;
  if (LOG_RPCS.has(path)) return undefined;
  const field = fieldWithNul(message);
  return field === undefined
    ? undefined
    : {
        code: GrpcStatus.INVALID_ARGUMENT,
        details: `${field || 'the message'} holds a NUL character (\\u0000), which no field accepts`,
      };
}

/** The path of the first string holding a NUL in a decoded message (bytes fields are Buffers). */
export function fieldWithNul(message: unknown): string | undefined {
  // iterative: a message is bounded by its size limit, its nesting by the proto
  const stack: [unknown, string][] = [[message, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\0')) return path;
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push([item, `${path}[${i}]`]));
    } else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
      for (const [key, item] of Object.entries(value)) stack.push([item, path ? `${path}.${key}` : key]);
      // a map<string, string>'s keys are strings too
      for (const key of Object.keys(value)) if (key.includes('\0')) return path || key;
    }
  }
  return undefined;
}

function rpcName(path: string): string {
  return path.split('/').pop() ?? path;
}

function isServiceDefinition(value: unknown): value is protoLoader.ServiceDefinition {
  if (!value || typeof value !== 'object' || 'format' in value) return false;
  return Object.values(value).every(
    (m) => typeof m === 'object' && m !== null && typeof (m as { path?: unknown }).path === 'string',
  );
}
