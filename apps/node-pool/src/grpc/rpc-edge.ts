import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import {
  Metadata,
  ResponderBuilder,
  ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  ServerListenerBuilder,
  status as GrpcStatus,
} from '@grpc/grpc-js';
import { type TrustFunction, clientAddress } from '../common/client-address';
import { toGrpcError } from '../common/grpc-error';
import { HEARTBEAT_RPC } from '../common/heartbeat-meter';
import { type LimitSubject, rpcByteCharges, rpcCharges } from '../common/limit-keys';
import { noteRpcAddress, peerAddressOf } from '../common/peer-address';
import { givenOrNewRequestId } from '../common/request-id';
import { type RequestLimits } from '../common/request-limits';
import { wireBytesOf } from './rpc-message-guard';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** One JSON access-log line per rpc (through the pino logger). */
export interface RpcAccessLine {
  rpc: string;
  code: string;
  duration_ms: number;
  address: string;
  request_id: string;
  user_id?: string;
  node_id?: string;
}

/** The access-log line of a finished rpc. Pure. */
export function rpcAccessLine(
  path: string,
  code: GrpcStatus,
  durationMs: number,
  address: string,
  requestId: string,
  subject?: LimitSubject,
): RpcAccessLine {
  return {
    rpc: path,
    code: GrpcStatus[code] ?? String(code),
    duration_ms: Math.round(durationMs * 10) / 10,
    address,
    request_id: requestId,
    ...(subject?.kind === 'user' ? { user_id: subject.id } : {}),
    ...(subject?.kind === 'node' ? { node_id: subject.id } : {}),
  };
}

/**
 * The gRPC edge every call passes first (docs/security.md): its request id (the caller's
 * `x-request-id` when plain, else a new one), sent back in the answer's metadata and trailers; its
 * rate limits — one call per address and per credential (a user's token or a node's, from the
 * `authorization` metadata or the message's `token`), and the bytes of log and payload messages —
 * refused RESOURCE_EXHAUSTED saying when to retry; and one JSON access-log line when it ends.
 * A heartbeat with a node credential is counted per node in memory instead (RequestLimits.heartbeats).
 * The count is charged at the first message, where a seed-style call's token is.
 */
export function rpcEdge(
  limits: RequestLimits,
  trust: TrustFunction,
  logger = new Logger('GrpcAccess'),
): ServerInterceptor {
  return (method, call: ServerInterceptingCallInterface) => {
    const started = performance.now();
    let requestId = givenOrNewRequestId(undefined);
    let address = peerAddressOf(call.getPeer());
    let bearer: string | undefined;
    let subject: LimitSubject | undefined;
    let counted = false;
    let ended = false;

    const refuse = (error: unknown): void => {
      if (ended) return;
      const { code, message } = toGrpcError(error, logger);
      intercepted.sendStatus({ code, details: message, metadata: new Metadata() });
    };

    const intercepted: ServerInterceptingCall = new ServerInterceptingCall(
      call,
      new ResponderBuilder()
        .withStart((next) =>
          next(
            new ServerListenerBuilder()
              .withOnReceiveMetadata((metadata, pass) => {
                requestId = givenOrNewRequestId(metadata.get('x-request-id')[0]);
                // handlers and the audit trail read the same id the answer carries
                metadata.set('x-request-id', requestId);
                const forwarded = metadata.get('x-forwarded-for').map(String);
                address = clientAddress(address, forwarded.length ? forwarded : undefined, trust);
                noteRpcAddress(metadata, address);
                const header = metadata.get('authorization')[0];
                bearer = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
                pass(metadata);
              })
              .withOnReceiveMessage((message: unknown, pass) => {
                const first = !counted;
                if (first) {
                  counted = true;
                  subject = limits.subjectOf(bearer ?? messageToken(message));
                  // a node's heartbeat: its own budget in memory, no Redis (RequestLimits.heartbeats)
                  if (subject?.kind === 'node' && method.path === HEARTBEAT_RPC) {
                    try {
                      limits.admitHeartbeat(subject.id);
                    } catch (error) {
                      return refuse(error);
                    }
                    return pass(message);
                  }
                }
                const charges = [
                  ...(first ? rpcCharges(address, subject) : []),
                  ...rpcByteCharges(method.path, wireBytesOf(message), address, subject),
                ];
                if (charges.length === 0) return pass(message);
                limits.charge(charges).then(() => pass(message), refuse);
              })
              .build(),
          ),
        )
        .withSendMetadata((metadata, next) => {
          metadata.set('x-request-id', requestId);
          next(metadata);
        })
        .withSendStatus((status, next) => {
          ended = true;
          const metadata = status.metadata ?? new Metadata();
          metadata.set('x-request-id', requestId);
          // a node's answered heartbeat is the one line not logged: 20,000 nodes would write
          // thousands a second, each costing the pool more than the heartbeat itself
          if (!(status.code === GrpcStatus.OK && subject?.kind === 'node' && method.path === HEARTBEAT_RPC))
            logger.log(
              rpcAccessLine(
                method.path,
                status.code,
                performance.now() - started,
                address,
                requestId,
                subject,
              ),
            );
          next({ ...status, metadata });
        })
        .build(),
    );
    return intercepted;
  };
}

function messageToken(message: unknown): string | undefined {
  const token = message && typeof message === 'object' ? (message as { token?: unknown }).token : undefined;
  return typeof token === 'string' && token ? token : undefined;
}
