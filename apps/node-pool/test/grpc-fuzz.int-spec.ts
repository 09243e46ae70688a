// A fuzzer driven by nodepool.proto: every rpc of the pool, called with generated messages (every
// field at its type's extremes, attacker strings, ids of things that exist) as nobody, a user, an
// admin and a registered node. Whatever the input, no answer is INTERNAL or UNKNOWN, and no
// seed-style answer says "internal error".
import * as grpc from '@grpc/grpc-js';
import { GRPC_CHANNEL_OPTIONS, loadNodepool, loadNodepoolDefinition } from '@hivemind/contracts/grpc';
import { waitFor } from '@hivemind/testing';
import { bearer } from './support/grpc-call';
import { STRONG_PASSWORD, call, loginAs, newUser } from './support/http';
import { seedOf } from './support/openapi-fuzz';
import { type RpcMethod, fuzzMessages, rpcMethodsOf, systematicMessages } from './support/proto-fuzz';
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
type Caller = 'nobody' | 'user' | 'admin' | 'node';

/** What exists when the fuzzing starts: a user, their node, a task and its attempt on that node. */
interface Known {
  username: string;
  victim: string;
  refreshToken: string;
  taskId: string;
  attemptId: string;
  fencingToken: string;
  nodeId: string;
}

/**
 * A request each rpc would accept, and who sends it: the systematic messages change one field of
 * it at a time. An rpc not named here starts from an empty message.
 */
const BASES: Record<string, { caller: Caller; message: (k: Known) => Record<string, unknown> }> = {
  'UserService/Login': {
    caller: 'nobody',
    message: (k) => ({ username: k.username, password: STRONG_PASSWORD }),
  },
  'UserService/Register': {
    caller: 'nobody',
    message: () => ({ username: 'fresh', password: STRONG_PASSWORD }),
  },
  'UserService/Transfer': {
    caller: 'user',
    message: (k) => ({ receiver_username: k.victim, amount: '1', idempotency_key: 'fuzz-1' }),
  },
  'UserService/GetBalance': { caller: 'user', message: () => ({}) },
  'UserService/RefreshToken': { caller: 'nobody', message: (k) => ({ refresh_token: k.refreshToken }) },
  'UserService/WhoAmI': { caller: 'user', message: () => ({}) },
  'NodeManagerService/RegisterWorkerNode': {
    caller: 'user',
    message: () => ({
      node_id: 'fuzz-reg',
      hostname: '127.0.0.1',
      cpu_cores: 2,
      memory_gb: 4,
      storage_gb: 10,
      cpu_score: 10,
      docker_status: 'enabled',
      max_concurrent_tasks: 1,
    }),
  },
  'NodeManagerService/ReportStatus': {
    caller: 'node',
    message: (k) => ({ node_id: 'fuzz-node', status_message: 'ok', running_attempt_ids: [k.attemptId] }),
  },
  'NodeManagerService/GetNodeList': { caller: 'admin', message: () => ({}) },
  'MasterNodeService/UploadTask': {
    caller: 'user',
    message: () => ({ image: 'busybox', command: ['true'], timeout_s: 60 }),
  },
  'MasterNodeService/PollTaskStatus': { caller: 'user', message: (k) => ({ task_id: k.taskId }) },
  'MasterNodeService/GetTaskLogs': { caller: 'user', message: (k) => ({ task_id: k.taskId }) },
  'MasterNodeService/GetTaskResult': { caller: 'user', message: (k) => ({ task_id: k.taskId }) },
  'MasterNodeService/GetAllTasks': { caller: 'user', message: () => ({ limit: 10 }) },
  'MasterNodeService/StoreLogs': {
    caller: 'node',
    message: (k) => ({
      task_id: k.taskId,
      attempt_id: k.attemptId,
      fencing_token: k.fencingToken,
      seq: '1',
      logs: 'hello',
      stream: 'stdout',
    }),
  },
  'MasterNodeService/StoreOutput': { caller: 'node', message: (k) => ({ task_id: k.taskId, output: 'x' }) },
  'MasterNodeService/StoreResult': { caller: 'node', message: (k) => ({ task_id: k.taskId }) },
  'MasterNodeService/ReturnTaskResult': { caller: 'node', message: (k) => ({ task_id: k.taskId }) },
  'WorkerNodeService/ReportOutput': {
    caller: 'node',
    message: (k) => ({
      task_id: k.taskId,
      attempt_id: k.attemptId,
      fencing_token: k.fencingToken,
      output: 'x',
    }),
  },
  'WorkerNodeService/ReportRunningStatus': {
    caller: 'node',
    message: (k) => ({ task_id: k.taskId, attempt_id: k.attemptId, fencing_token: k.fencingToken }),
  },
  'WorkerNodeService/DownloadInput': {
    caller: 'node',
    message: (k) => ({ attempt_id: k.attemptId, fencing_token: k.fencingToken }),
  },
  'VpnService/CreatePeer': { caller: 'user', message: () => ({ name: 'phone' }) },
  'VpnService/ListPeers': { caller: 'user', message: () => ({}) },
  // last: completing the attempt fences every later report about it
  'MasterNodeService/TaskCompleted': {
    caller: 'node',
    message: (k) => ({
      task_id: k.taskId,
      attempt_id: k.attemptId,
      fencing_token: k.fencingToken,
      success: false,
      exit_code: 1,
      duration_ms: '10',
    }),
  },
};

describe('proto fuzzer: no message makes any rpc fail internally', () => {
  let pool: TestNodePool;
  let worker: SimWorker;
  const clients = new Map<string, grpc.Client>();
  const callers = new Map<Caller, grpc.Metadata | undefined>();
  const known: string[] = [];
  let facts: Known;

  beforeAll(async () => {
    pool = await startTestNodePool({ ADMIN_USERNAME: 'root', ADMIN_PASSWORD });
    const admin = await loginAs(pool, 'root', ADMIN_PASSWORD);
    const user = await newUser(pool, 'fuzz');
    const victim = await newUser(pool, 'victim');
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
    facts = {
      username: user.username,
      victim: victim.username,
      refreshToken: user.refreshToken,
      taskId: String(task.body.task.id),
      attemptId: attempt.attempt_id,
      fencingToken: attempt.fencing_token,
      nodeId: worker.nodeId,
    };
    callers
      .set('nobody', undefined)
      .set('user', bearer(user.token))
      .set('admin', bearer(admin))
      .set('node', bearer(worker.credential));
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

  // in the order of BASES (TaskCompleted last), then the rest
  const ordered = [...methods].sort(
    (a, b) => rank(`${a.service}/${a.name}`) - rank(`${b.service}/${b.name}`),
  );

  it.each(ordered.map((m) => [`${m.service}/${m.name}`, m] as const))('%s', async (name, method) => {
    const base = BASES[name];
    const systematic = systematicMessages(method, base?.message(facts) ?? {}, known);
    const random = fuzzMessages(definition, method, { count: MESSAGES, seed: seedOf(name), known });
    const order = [...callers.keys()];
    const failures: string[] = [];
    for (const [i, message] of [...systematic, ...random].entries()) {
      // the systematic messages from the base's caller; the random ones from each caller in turn
      const caller = i < systematic.length ? (base?.caller ?? 'user') : order[i % order.length];
      const outcome = await invoke(clients.get(method.service)!, method, message, callers.get(caller));
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

function rank(name: string): number {
  const i = Object.keys(BASES).indexOf(name);
  return i === -1 ? Object.keys(BASES).length - 0.5 : i;
}

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
