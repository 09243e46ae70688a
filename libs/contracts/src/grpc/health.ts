import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { GRPC_LOADER_OPTIONS } from './loader-options';

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

interface HealthStub extends grpc.Client {
  Check(
    request: { service: string },
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response?: { status: ServingStatus }) => void,
  ): grpc.ClientUnaryCall;
}

/** A grpc.health.v1 client, for any HiveMind component that needs to know whether a server serves. */
export class HealthClient {
  private readonly stub: HealthStub;

  constructor(address: string, credentials = grpc.credentials.createInsecure()) {
    const pkg = grpc.loadPackageDefinition(
      protoLoader.loadSync(healthProtoPath, GRPC_LOADER_OPTIONS),
    ) as unknown as {
      grpc: {
        health: { v1: { Health: new (address: string, credentials: grpc.ChannelCredentials) => HealthStub } };
      };
    };
    this.stub = new pkg.grpc.health.v1.Health(address, credentials);
  }

  /** The serving status of `service` ('' = the whole server); rejects when the server cannot be asked. */
  check(service = '', timeoutMs = 2000): Promise<ServingStatus> {
    return new Promise((resolve, reject) =>
      this.stub.Check({ service }, { deadline: Date.now() + timeoutMs }, (error, response) =>
        error || !response ? reject(error ?? new Error('empty health response')) : resolve(response.status),
      ),
    );
  }

  close(): void {
    this.stub.close();
  }
}
