import { type GrpcOptions, Transport } from '@nestjs/microservices';
import type { Server } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import {
  GRPC_LOADER_OPTIONS,
  GRPC_MAX_MESSAGE_BYTES,
  NODEPOOL_PACKAGE,
  NODEPOOL_PROTO_PATH,
} from '@hivemind/contracts/grpc';
import { trustFunction } from '../common/client-address';
import { type RequestLimits } from '../common/request-limits';
import { type NodePoolConfig } from '../config/node-pool.config';
import { type ServerTls } from '../tls/server-tls';
import { type GrpcHealthService } from './grpc-health.service';
import { rpcEdge } from './rpc-edge';
import { limitRequestMessages, rpcMessageGuard } from './rpc-message-guard';

/**
 * The gRPC half of the hybrid app: the four `nodepool` services (rpcs without a handler answer
 * UNIMPLEMENTED), grpc.health.v1 and server reflection (v1 and v1alpha), on GRPC_SERVER_HOST:PORT;
 * every request message bounded by its rpc's limit and free of NUL characters before a handler runs,
 * every call rate-limited, given a request id and access-logged (rpc-edge.ts).
 */
export function grpcServerOptions(
  config: NodePoolConfig,
  health: GrpcHealthService,
  limits: RequestLimits,
  tls?: ServerTls,
): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      url: `${config.grpc.host}:${config.grpc.port}`,
      // TLS when the pool has a certificate (re-read when it changes), plain text otherwise
      ...(tls ? { credentials: tls.grpcCredentials() } : {}),
      package: NODEPOOL_PACKAGE,
      protoPath: NODEPOOL_PROTO_PATH,
      loader: GRPC_LOADER_OPTIONS,
      // the seed's ceiling for one message; each rpc has its own, smaller limit (rpc-message-guard)
      maxReceiveMessageLength: GRPC_MAX_MESSAGE_BYTES,
      maxSendMessageLength: GRPC_MAX_MESSAGE_BYTES,
      // the first is innermost: every status passes rpcEdge on its way out (the guard's refusals too)
      channelOptions: {
        interceptors: [rpcEdge(limits, trustFunction(config.http.trustProxy)), rpcMessageGuard],
      },
      keepalive: {
        keepaliveTimeMs: 10000,
        keepaliveTimeoutMs: 5000,
        keepalivePermitWithoutCalls: 1,
        http2MinPingIntervalWithoutDataMs: 5000,
      },
      onLoadPackageDefinition: (nodepool: protoLoader.PackageDefinition, server: Server) => {
        limitRequestMessages(nodepool);
        health.implementation.addToServer(server);
        // reflection describes both our package and the health service
        const healthDefinition = protoLoader.loadSync(healthProtoPath, GRPC_LOADER_OPTIONS);
        new ReflectionService({ ...nodepool, ...healthDefinition }).addToServer(server);
      },
    },
  };
}
