import * as grpc from '@grpc/grpc-js';
import { GRPC_CHANNEL_OPTIONS, loadNodepool } from '@hivemind/contracts/grpc';

export type GrpcService =
  'UserService' | 'NodeManagerService' | 'MasterNodeService' | 'WorkerNodeService' | 'VpnService';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read loosely typed answers
export type GrpcOutcome<T = any> =
  { ok: true; response: T } | { ok: false; code: grpc.status; details: string };

type UnaryMethod = (
  request: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response: unknown) => void,
) => void;

/** Clients of every `nodepool` service on one address, for calling any unary rpc by name. */
export class GrpcCaller {
  private readonly clients = new Map<GrpcService, grpc.Client>();

  constructor(
    private readonly address: string,
    private readonly credentials = grpc.credentials.createInsecure(),
  ) {}

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read loosely typed answers
  call<T = any>(
    service: GrpcService,
    method: string,
    request: object,
    metadata = new grpc.Metadata(),
  ): Promise<GrpcOutcome<T>> {
    const client = this.client(service) as unknown as Record<string, UnaryMethod>;
    return new Promise((resolve) => {
      client[method].call(client, request, metadata, { deadline: Date.now() + 30_000 }, (error, response) =>
        resolve(
          error
            ? { ok: false, code: error.code, details: error.details }
            : { ok: true, response: response as T },
        ),
      );
    });
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
  }

  private client(service: GrpcService): grpc.Client {
    let client = this.clients.get(service);
    if (!client) {
      const Client = loadNodepool().nodepool[service] as unknown as new (
        address: string,
        credentials: grpc.ChannelCredentials,
        options: grpc.ChannelOptions,
      ) => grpc.Client;
      client = new Client(this.address, this.credentials, GRPC_CHANNEL_OPTIONS);
      this.clients.set(service, client);
    }
    return client;
  }
}

export function bearer(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}
