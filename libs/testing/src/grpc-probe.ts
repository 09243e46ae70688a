import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { GRPC_LOADER_OPTIONS, HealthClient } from '@hivemind/contracts/grpc';

function serviceClient(
  protoFile: string,
  servicePath: string,
  address: string,
  credentials: grpc.ChannelCredentials,
): grpc.Client & Record<string, unknown> {
  const definition = grpc.loadPackageDefinition(protoLoader.loadSync(protoFile, GRPC_LOADER_OPTIONS));
  const Ctor = servicePath
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], definition);
  return new (Ctor as grpc.ServiceClientConstructor)(address, credentials);
}

/** grpc.health.v1 Check: the serving status name, e.g. 'SERVING'. */
export async function grpcHealthStatus(
  address: string,
  service = '',
  credentials = grpc.credentials.createInsecure(),
): Promise<string> {
  const client = new HealthClient(address, credentials);
  try {
    return await client.check(service);
  } finally {
    client.close();
  }
}

/** Server reflection (v1): the fully qualified names of every service the server offers. */
export async function grpcListServices(
  address: string,
  credentials = grpc.credentials.createInsecure(),
): Promise<string[]> {
  const reflectionProto = join(
    dirname(require.resolve('@grpc/reflection/package.json')),
    'build/proto/grpc/reflection/v1/reflection.proto',
  );
  const client = serviceClient(reflectionProto, 'grpc.reflection.v1.ServerReflection', address, credentials);
  try {
    const stream = (
      client.ServerReflectionInfo as () => grpc.ClientDuplexStream<object, Record<string, unknown>>
    ).call(client);
    const response = await new Promise<Record<string, unknown>>((resolve, reject) => {
      stream.once('data', resolve);
      stream.once('error', reject);
      stream.write({ list_services: '' });
      stream.end();
    });
    const list = response.list_services_response as { service: { name: string }[] } | undefined;
    if (!list) throw new Error(`unexpected reflection response: ${JSON.stringify(response)}`);
    return list.service.map((s) => s.name).sort();
  } finally {
    client.close();
  }
}
