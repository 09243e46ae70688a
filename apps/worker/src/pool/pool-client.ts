import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import {
  GRPC_CHANNEL_OPTIONS,
  loadNodepool,
  type ExecuteTaskRequest__Output,
  type FileChunk__Output,
  type LoginResponse__Output,
  type RunningStatusResponse__Output,
  type MasterNodeServiceClient,
  type NodeManagerServiceClient,
  type RegisterWorkerNodeRequest,
  type StatusResponse__Output,
  type UserInfo__Output,
  type UserServiceClient,
  type WhoAmIResponse__Output,
  type WorkerCommand__Output,
  type WorkerNodeServiceClient,
} from '@hivemind/contracts/grpc';

/** The pool fenced this attempt off (lost, cancelled, reassigned): stop it, report nothing more. */
export class FencedOffError extends Error {
  constructor(reason: string) {
    super(reason || 'the pool no longer assigns this attempt to this node');
    this.name = 'FencedOffError';
  }
}

/** The pool refused a request for good (bad credentials, bad figures): retrying the same will not help. */
export class PoolRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoolRefusedError';
  }
}

/** The node's credit score and trust group as the pool last read them. */
export interface Trust {
  score: number | null;
  group: string | null;
}

/** What the pool said at registration about who owns the node and what it has earned. */
export interface NodeStanding {
  owner: { id: string; username: string };
  /** Whole CPT, as of the registration. */
  cptEarned: number;
}

/** An account as the pool describes it (WhoAmI). */
export interface PoolAccount {
  id: string;
  username: string;
  role: string;
}

/** The pool refused a login: wrong username or password, a disabled account, or too many tries. */
export class LoginRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoginRefusedError';
  }
}

/** The node's client certificate (mTLS) and when it expires. */
export interface NodeCertificate {
  certPem: string;
  expiresAtMs: number;
}

const certificateOf = (answer: StatusResponse__Output): { certificate?: NodeCertificate } =>
  answer.client_certificate
    ? {
        certificate: {
          certPem: answer.client_certificate,
          expiresAtMs: Number(answer.client_certificate_expires_at),
        },
      }
    : {};

const trustOf = (answer: StatusResponse__Output): Trust =>
  answer.trust_group
    ? { score: answer.credit_score, group: answer.trust_group }
    : { score: null, group: null };

/** The attempt fields every report carries. */
export interface AttemptRef {
  attempt_id: string;
  fencing_token: string;
  task_id: string;
}

export const refOf = (e: ExecuteTaskRequest__Output): AttemptRef => ({
  attempt_id: e.attempt_id,
  fencing_token: e.fencing_token,
  task_id: e.task_id,
});

export interface Completion {
  exitCode: number;
  oomKilled: boolean;
  durationMs: number;
  cpuSeconds: number;
  peakMemoryMb: number;
  error: string;
  /** 'node': the executor failed (the pool retries elsewhere); 'task': the task's own failure. */
  failureCause: '' | 'task' | 'node';
  outputSha256: string;
  /**
   * The result digest (execution/result-digest.ts) over the exit code and the uploaded files; ''
   * when nothing ran or the outputs could not be kept. Saved with the completion (attempt.json),
   * so a restarted worker resends it; absent from one a worker before it saved.
   */
  resultDigest?: string;
}

const UNARY_DEADLINE_MS = 15_000;
/** A person waits on a console sign-in: a pool that does not answer by then counts as unreachable. */
const SIGN_IN_DEADLINE_MS = 5_000;

export const isUnauthenticated = (error: unknown): boolean =>
  (error as grpc.ServiceError | undefined)?.code === grpc.status.UNAUTHENTICATED;

/** Errors worth retrying: the pool is away or busy, not a refusal of what was asked. */
export const isTransient = (error: unknown): boolean => {
  const code = (error as grpc.ServiceError | undefined)?.code;
  return (
    code === grpc.status.UNAVAILABLE ||
    code === grpc.status.DEADLINE_EXCEEDED ||
    code === grpc.status.RESOURCE_EXHAUSTED ||
    code === grpc.status.ABORTED ||
    code === grpc.status.INTERNAL ||
    code === grpc.status.UNKNOWN ||
    code === grpc.status.CANCELLED
  );
};

type Callback<Res> = (error: grpc.ServiceError | null, value?: Res) => void;

/** One unary call with a deadline, as a promise. */
function unary<Res>(
  start: (options: grpc.CallOptions, callback: Callback<Res>) => unknown,
  deadlineMs = UNARY_DEADLINE_MS,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    start({ deadline: Date.now() + deadlineMs }, (error, value) =>
      error || !value ? reject(error ?? new Error('empty answer from the node pool')) : resolve(value),
    );
  });
}

function bearer(token: string): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  return md;
}

/** A report's answer: fenced off → FencedOffError; any other refusal → PoolRefusedError. */
function accepted<T extends { success: boolean; message: string; stop?: boolean }>(answer: T): T {
  if (answer.success) return answer;
  if (answer.stop) throw new FencedOffError(answer.message);
  throw new PoolRefusedError(answer.message);
}

/**
 * The worker's gRPC client of the node pool: one channel per service, typed calls that resolve to
 * what the worker needs and reject with FencedOffError / PoolRefusedError / the gRPC error.
 */
export class PoolClient {
  private users!: UserServiceClient;
  private manager!: NodeManagerServiceClient;
  private workers!: WorkerNodeServiceClient;
  private master!: MasterNodeServiceClient;
  /** The node credential from RegisterWorkerNode; empty until registered. */
  credential = '';
  nodeUuid = '';
  private creds!: grpc.ChannelCredentials;

  constructor(
    private address: string,
    creds: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
  ) {
    this.dial(creds);
  }

  /** The address the channels dial. */
  get target(): string {
    return this.address;
  }

  /** Dials `address` from now on, with the same credentials (the VPN came up or went away). */
  retarget(address: string): void {
    this.address = address;
    this.dial(this.creds);
  }

  /**
   * (Re)opens the channels with `creds`: at start, and when the node's client certificate is
   * issued or renewed (calls in flight on the old channels end, and are retried by their callers).
   */
  dial(creds: grpc.ChannelCredentials): void {
    const old = [this.users, this.manager, this.workers, this.master].filter(Boolean);
    this.creds = creds;
    const address = this.address;
    const pkg = loadNodepool().nodepool;
    this.users = new pkg.UserService(address, creds, GRPC_CHANNEL_OPTIONS);
    this.manager = new pkg.NodeManagerService(address, creds, GRPC_CHANNEL_OPTIONS);
    this.workers = new pkg.WorkerNodeService(address, creds, GRPC_CHANNEL_OPTIONS);
    this.master = new pkg.MasterNodeService(address, creds, GRPC_CHANNEL_OPTIONS);
    for (const client of old) client.close();
  }

  private node(): grpc.Metadata {
    return bearer(this.credential);
  }

  /** The owner's access token. */
  async login(username: string, password: string): Promise<string> {
    const answer = await unary<LoginResponse__Output>((o, cb) =>
      this.users.Login({ username, password }, new grpc.Metadata(), o, cb),
    );
    if (!answer.success) throw new PoolRefusedError(`login as ${username} refused: ${answer.message}`);
    return answer.token;
  }

  /**
   * Checks an account's password for the worker's console: Login, then WhoAmI with its token.
   * LoginRefusedError when the pool says no; the gRPC error when it cannot be asked.
   */
  async whoIs(username: string, password: string): Promise<PoolAccount> {
    const login = await unary<LoginResponse__Output>(
      (o, cb) => this.users.Login({ username, password }, new grpc.Metadata(), o, cb),
      SIGN_IN_DEADLINE_MS,
    );
    if (!login.success) throw new LoginRefusedError(login.message);
    const answer = await unary<WhoAmIResponse__Output>(
      (o, cb) => this.users.WhoAmI({ token: login.token }, bearer(login.token), o, cb),
      SIGN_IN_DEADLINE_MS,
    );
    const user: UserInfo__Output | null = answer.success ? answer.user : null;
    if (!user) throw new LoginRefusedError(answer.message || 'the pool did not say who this is');
    return { id: user.id, username: user.username, role: user.role };
  }

  /** Registers; with a CSR in the request, the pool may answer the node's client certificate. */
  async register(
    ownerToken: string,
    request: RegisterWorkerNodeRequest,
  ): Promise<{
    trust: Trust;
    certificate?: NodeCertificate;
    heartbeatIntervalS: number;
    standing?: NodeStanding;
  }> {
    const answer = await unary<StatusResponse__Output>((o, cb) =>
      this.manager.RegisterWorkerNode(request, bearer(ownerToken), o, cb),
    );
    if (!answer.success) throw new PoolRefusedError(`registration refused: ${answer.message}`);
    this.credential = answer.node_credential;
    this.nodeUuid = answer.node_uuid;
    return {
      trust: trustOf(answer),
      ...certificateOf(answer),
      heartbeatIntervalS: answer.heartbeat_interval_s,
      // an older pool says nothing of the owner
      ...(answer.owner_id
        ? {
            standing: {
              owner: { id: answer.owner_id, username: answer.owner_username },
              cptEarned: Number(answer.cpt_earned) || 0,
            },
          }
        : {}),
    };
  }

  /** A new client certificate for a new key (its CSR), bound to the current credential. */
  async renewCertificate(csrPem: string): Promise<NodeCertificate> {
    const answer = accepted(
      await unary<StatusResponse__Output>((o, cb) =>
        this.manager.RenewNodeCertificate({ csr_pem: csrPem }, this.node(), o, cb),
      ),
    );
    const { certificate } = certificateOf(answer);
    if (!certificate) throw new PoolRefusedError('the pool answered no certificate');
    return certificate;
  }

  async heartbeat(figures: {
    nodeName: string;
    cpuPercent: number;
    memoryPercent: number;
    runningAttemptIds: string[];
  }): Promise<{ trust: Trust; heartbeatIntervalS: number }> {
    const answer = accepted(
      await unary<StatusResponse__Output>((o, cb) =>
        this.manager.ReportStatus(
          {
            node_id: figures.nodeName,
            status_message: 'ok',
            cpu_percent: figures.cpuPercent,
            memory_percent: figures.memoryPercent,
            running_attempt_ids: figures.runningAttemptIds,
          },
          this.node(),
          o,
          cb,
        ),
      ),
    );
    // 0 from a pool that does not pace heartbeats
    return { trust: trustOf(answer), heartbeatIntervalS: answer.heartbeat_interval_s };
  }

  /** The push stream. */
  connect(
    runningAttemptIds: string[],
    agentVersion: string,
  ): grpc.ClientReadableStream<WorkerCommand__Output> {
    return this.workers.Connect(
      { node_id: this.nodeUuid, running_attempt_ids: runningAttemptIds, agent_version: agentVersion },
      this.node(),
    );
  }

  /** Marks the attempt running (first call) and answers the CPT it has earned so far. */
  async running(ref: AttemptRef, usage: { cpuPercent: number; memoryPercent: number }): Promise<string> {
    const answer = accepted(
      await unary<RunningStatusResponse__Output>((o, cb) =>
        this.workers.ReportRunningStatus(
          {
            node_id: this.nodeUuid,
            cpu_usage: Math.round(usage.cpuPercent),
            memory_usage: Math.round(usage.memoryPercent),
            ...ref,
          },
          this.node(),
          o,
          cb,
        ),
      ),
    );
    return answer.cpt_reward;
  }

  /** One numbered log batch; answers the last sequence number the pool has stored. */
  async log(ref: AttemptRef, batch: { seq: number; stream: string; data: string }): Promise<number> {
    const answer: StatusResponse__Output = accepted(
      await unary<StatusResponse__Output>((o, cb) =>
        this.workers.ReportOutput(
          { node_id: this.nodeUuid, output: batch.data, seq: batch.seq, stream: batch.stream, ...ref },
          this.node(),
          o,
          cb,
        ),
      ),
    );
    return Number(answer.acked_seq);
  }

  /**
   * Streams the attempt's input into `file`, resuming after what the file already holds, and checks
   * the whole file against the sha256 the pool declares. `signal` cancels the call (a stop).
   */
  async download(
    ref: AttemptRef,
    file: string,
    expectedSha256: string,
    signal?: AbortSignal,
  ): Promise<{ size: number }> {
    signal?.throwIfAborted();
    const have = await stat(file).then(
      (s) => s.size,
      () => 0,
    );
    // hashed as it is written; a resumed download hashes what is already on disk first
    const hash = createHash('sha256');
    if (have) await pipeline(createReadStream(file), hash, { end: false });
    let size = have;
    const call = this.workers.DownloadInput(
      { attempt_id: ref.attempt_id, fencing_token: ref.fencing_token, offset: String(have) },
      this.node(),
    );
    const cancel = () => call.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    const sink = createWriteStream(file, { flags: have ? 'a' : 'w' });
    try {
      await pipeline(
        call,
        new Writable({
          objectMode: true,
          write(chunk: FileChunk__Output, _encoding, done) {
            hash.update(chunk.data);
            size += chunk.data.length;
            if (sink.write(chunk.data)) done();
            else sink.once('drain', () => done());
          },
          final(done) {
            sink.end(done);
          },
        }),
      );
    } catch (error) {
      sink.destroy();
      const details = (error as grpc.ServiceError).details ?? '';
      if ((error as grpc.ServiceError).code === grpc.status.PERMISSION_DENIED && details.startsWith('stop:'))
        throw new FencedOffError(details.slice(5).trim());
      throw error;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    const sha256 = hash.digest('hex');
    if (expectedSha256 && sha256 !== expectedSha256)
      throw new Error(`the input downloaded has sha256 ${sha256}, the pool declared ${expectedSha256}`);
    return { size };
  }

  /**
   * Streams `file` to the pool as the attempt's output; answers the stored file's id. `signal`
   * cancels the call (a stop).
   */
  upload(
    ref: AttemptRef,
    file: { path: string; name: string; size: number; sha256: string },
    signal?: AbortSignal,
  ): Promise<string> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const call = this.workers.UploadOutput(this.node(), (error, answer) => {
        signal?.removeEventListener('abort', cancel);
        if (error || !answer) return reject(error ?? new Error('empty answer to UploadOutput'));
        try {
          resolve(accepted(answer).file_id);
        } catch (refused) {
          reject(refused instanceof Error ? refused : new Error(String(refused)));
        }
      });
      call.write({
        header: {
          attempt_id: ref.attempt_id,
          fencing_token: ref.fencing_token,
          name: file.name,
          size: String(file.size),
          sha256: file.sha256,
        },
      });
      const source = createReadStream(file.path, { highWaterMark: 256 * 1024 });
      const cancel = () => {
        source.destroy();
        call.cancel();
      };
      signal?.addEventListener('abort', cancel, { once: true });
      source.on('data', (data) => {
        if (!call.write({ data })) {
          source.pause();
          call.once('drain', () => source.resume());
        }
      });
      source.on('end', () => call.end());
      source.on('error', (error) => {
        call.cancel();
        reject(error);
      });
    });
  }

  async completed(ref: AttemptRef, c: Completion): Promise<void> {
    accepted(
      await unary<StatusResponse__Output>((o, cb) =>
        this.master.TaskCompleted(
          {
            node_id: this.nodeUuid,
            success: c.exitCode === 0 && !c.oomKilled && !c.error,
            exit_code: c.exitCode,
            oom_killed: c.oomKilled,
            duration_ms: String(Math.round(c.durationMs)),
            cpu_seconds: c.cpuSeconds,
            peak_memory_mb: Math.round(c.peakMemoryMb),
            error: c.error,
            failure_cause: c.failureCause,
            output_sha256: c.outputSha256,
            result_digest: c.resultDigest ?? '',
            ...ref,
          },
          this.node(),
          o,
          cb,
        ),
      ),
    );
  }

  close(): void {
    for (const client of [this.users, this.manager, this.workers, this.master]) client.close();
  }
}
