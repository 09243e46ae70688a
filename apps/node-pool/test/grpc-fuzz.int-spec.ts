// A fuzzer driven by nodepool.proto: every rpc of the pool, called with generated messages (every
// field at its type's extremes, attacker strings, ids of things that exist) as nobody, a user, an
// admin and a registered node. Whatever the input, no answer is INTERNAL or UNKNOWN, and no
// seed-style answer says "internal error".
import * as grpc from '@grpc/grpc-js';
import { GRPC_CHANNEL_OPTIONS, loadNodepool, loadNodepoolDefinition } from '@hivemind/contracts/grpc';
import { waitFor } from '@hivemind/testing';
import { bearer } from './support/grpc-call';
import { call, loginAs, newUser } from './support/http';
import { seedOf } from './support/openapi-fuzz';
import { type RpcMethod, fuzzMessages, rpcMethodsOf } from './support/proto-fuzz';
import { SimWorker } from './support/sim-worker';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';

const ADMIN_PASSWORD = 'amber-quartz-lantern-58';
/** Messages per rpc, shared by the four callers. */
const MESSAGES = 60;
/** The pool's own rpcs to call, which it answers UNIMPLEMENTED by design (docs/scheduling.md). */
const POOL_CALLS_THESE = new Set(['WorkerNodeService/ExecuteTask', 'WorkerNodeService/StopTaskExecution']);
const BROKEN = new Set([grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.DATA_LOSS]);

const definition = loadNodepoolDefinition();
const methods = rpcMethodsOf(definition);

type Outcome = { code: grpc.status; details: string; message?: string };

describe('proto fuzzer: no message makes any rpc fail internally', () => {
  let pool: TestNodePool;
  let worker: SimWorker;
  const clients = new Map<string, grpc.Client>();
  const callers: (grpc.Metadata | undefined)[] = [];
  const known: string[] = [];

  beforeAll(async () => {
    pool = await startTestNodePool({ ADMIN_USERNAME: 'root', ADMIN_PASSWORD });
    const admin = await loginAs(pool, 'root', ADMIN_PASSWORD);
    const user = await newUser(pool, 'fuzz');
    worker = new SimWorker(pool.grpc, { name: 'fuzz-node' });
    await worker.register(user.token);
    worker.connect();
    const task = await call(pool, 'POST', '/api/tasks', {
      token: user.token,
      body: { image: 'busybox', command: ['true'], timeout_s: 60 },
    });
    await waitFor('the attempt pushed to the node', () => Promise.resolve(worker.executes().length > 0));
    const attempt = worker.executes()[0];
    known.push(
      String(task.body.task.id),
      attempt.attempt_id,
      attempt.fencing_token,
      worker.nodeId,
      'fuzz-node',
      user.username,
      user.token,
    );
    callers.push(undefined, bearer(user.token), bearer(admin), bearer(worker.credential));
    const pkg = loadNodepool().nodepool as unknown as Record<
      string,
      new (address: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions) => grpc.Client
    >;
    for (const service of new Set(methods.map((m) => m.service))) {
      clients.set(
        service,
        new pkg[service](pool.grpc, grpc.credentials.createInsecure(), GRPC_CHANNEL_OPTIONS),
      );
    }
  });
  afterAll(async () => {
    worker?.disconnect();
    for (const client of clients.values()) client.close();
    await pool?.close();
  });

  it('covers every rpc of the proto', () => {
    expect(methods.length).toBeGreaterThanOrEqual(32);
  });

  it.each(methods.map((m) => [`${m.service}/${m.name}`, m] as const))('%s', async (name, method) => {
    const messages = fuzzMessages(definition, method, { count: MESSAGES, seed: seedOf(name), known });
    const failures: string[] = [];
    for (const [i, message] of messages.entries()) {
      const outcome = await invoke(
        clients.get(method.service)!,
        method,
        message,
        callers[i % callers.length],
      );
      const expectedUnimplemented = POOL_CALLS_THESE.has(name) && outcome.code === grpc.status.UNIMPLEMENTED;
      const broken =
        (BROKEN.has(outcome.code) && !expectedUnimplemented) ||
        (outcome.code === grpc.status.UNIMPLEMENTED && !expectedUnimplemented) ||
        /internal error/.test(outcome.message ?? '');
      if (broken) {
        failures.push(
          `${grpc.status[outcome.code]} ${outcome.details} ${outcome.message ?? ''} ← ${preview(message)}`,
        );
      }
    }
    expect(failures).toEqual([]);
  });
});

/** Calls one rpc of any kind; a stream is read until its status or for a second, then cancelled. */
function invoke(
  client: grpc.Client,
  method: RpcMethod,
  message: Record<string, unknown>,
  metadata = new grpc.Metadata(),
): Promise<Outcome> {
  const rpc = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[method.name].bind(
    client,
  );
  const options = { deadline: Date.now() + 20_000 };
  const { requestStream, responseStream } = method.definition;
  return new Promise((resolve) => {
    const done = (error: grpc.ServiceError | null, response?: { message?: string }) =>
      resolve(
        error
          ? { code: error.code, details: error.details }
          : { code: grpc.status.OK, details: '', message: response?.message },
      );
    if (!requestStream && !responseStream) {
      rpc(message, metadata, options, done);
    } else if (requestStream) {
      const stream = rpc(metadata, options, done) as grpc.ClientWritableStream<object>;
      stream.write(message);
      stream.end();
    } else {
      const stream = rpc(message, metadata, options) as grpc.ClientReadableStream<object>;
      const timer = setTimeout(() => {
        stream.cancel();
        resolve({ code: grpc.status.OK, details: 'still streaming after 1 s' });
      }, 1000);
      stream.on('data', () => undefined);
      stream.on('error', (error: grpc.ServiceError) => {
        clearTimeout(timer);
        done(error.code === grpc.status.CANCELLED ? null : error);
      });
      stream.on('status', (status: grpc.StatusObject) => {
        clearTimeout(timer);
        resolve({ code: status.code, details: status.details });
      });
    }
  });
}

function preview(message: Record<string, unknown>): string {
  return JSON.stringify(message, (_, v: unknown) =>
    typeof v === 'string' && v.length > 80 ? `${v.slice(0, 80)}…(${v.length})` : v,
  ).slice(0, 400);
}
