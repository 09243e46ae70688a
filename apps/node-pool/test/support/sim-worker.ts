// A simulated worker node for integration tests: a real gRPC client of the pool that registers,
// heartbeats, keeps the push stream open and reports attempts as a real worker would — without
// running anything. Tests decide what each attempt "does".
import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  GRPC_CHANNEL_OPTIONS,
  type ExecuteTaskRequest__Output,
  type FileChunk__Output,
  type StatusResponse__Output,
  type UploadOutputResponse__Output,
  type WorkerCommand__Output,
  loadNodepool,
} from '@hivemind/contracts/grpc';

type Callback<T> = (error: grpc.ServiceError | null, value?: T) => void;

function unary<T>(client: grpc.Client, method: string, request: object, metadata: grpc.Metadata): Promise<T> {
  return new Promise((resolve, reject) => {
    (client as unknown as Record<string, (r: object, m: grpc.Metadata, cb: Callback<T>) => void>)[
      method
    ].call(client, request, metadata, (error: grpc.ServiceError | null, value?: T) =>
      error ? reject(error) : resolve(value as T),
    );
  });
}

export interface SimNodeSpec {
  name: string;
  cpuCores?: number;
  memoryGb?: number;
  storageGb?: number;
  maxConcurrent?: number;
  docker?: boolean;
  location?: string;
  gpuName?: string;
}

export class SimWorker {
  readonly commands: WorkerCommand__Output[] = [];
  nodeId = '';
  credential = '';
  private readonly nodeManager: grpc.Client;
  private readonly worker: grpc.Client;
  private readonly master: grpc.Client;
  private stream?: grpc.ClientReadableStream<WorkerCommand__Output>;
  private waiters: (() => void)[] = [];

  constructor(
    address: string,
    readonly spec: SimNodeSpec,
  ) {
    const pkg = loadNodepool().nodepool;
    const creds = grpc.credentials.createInsecure();
    this.nodeManager = new pkg.NodeManagerService(address, creds, GRPC_CHANNEL_OPTIONS);
    this.worker = new pkg.WorkerNodeService(address, creds, GRPC_CHANNEL_OPTIONS);
    this.master = new pkg.MasterNodeService(address, creds, GRPC_CHANNEL_OPTIONS);
  }

  private auth(): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${this.credential}`);
    return md;
  }

  /** RegisterWorkerNode as the owner (a user access token). */
  async register(ownerToken: string): Promise<void> {
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${ownerToken}`);
    const s = this.spec;
    const res = await unary<StatusResponse__Output>(
      this.nodeManager,
      'RegisterWorkerNode',
      {
        node_id: s.name,
        hostname: '127.0.0.1',
        cpu_cores: s.cpuCores ?? 4,
        memory_gb: s.memoryGb ?? 8,
        storage_gb: s.storageGb ?? 50,
        cpu_score: 100,
        location: s.location ?? '',
        gpu_name: s.gpuName ?? '',
        docker_status: s.docker === false ? 'disabled' : 'enabled',
        max_concurrent_tasks: s.maxConcurrent ?? 2,
        agent_version: 'sim',
      },
      md,
    );
    if (!res.success) throw new Error(`register ${s.name}: ${res.message}`);
    this.nodeId = res.node_uuid;
    this.credential = res.node_credential;
  }

  heartbeat(runningAttemptIds: string[] = []): Promise<StatusResponse__Output> {
    return unary(
      this.nodeManager,
      'ReportStatus',
      {
        node_id: this.spec.name,
        status_message: 'ok',
        cpu_percent: 12.5,
        memory_percent: 40,
        running_attempt_ids: runningAttemptIds,
      },
      this.auth(),
    );
  }

  /** Opens the push stream; commands accumulate in `commands`. */
  connect(runningAttemptIds: string[] = []): void {
    this.stream = (
      this.worker as unknown as {
        Connect(r: object, m: grpc.Metadata): grpc.ClientReadableStream<WorkerCommand__Output>;
      }
    ).Connect(
      { node_id: this.nodeId, running_attempt_ids: runningAttemptIds, agent_version: 'sim' },
      this.auth(),
    );
    this.stream.on('data', (command: WorkerCommand__Output) => {
      if (command.command === 'ping') return;
      this.commands.push(command);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.stream.on('error', () => undefined);
  }

  disconnect(): void {
    this.stream?.cancel();
    this.stream = undefined;
  }

  executes(): ExecuteTaskRequest__Output[] {
    return this.commands.filter((c) => c.command === 'execute').map((c) => c.execute!);
  }

  stops(): string[] {
    return this.commands.filter((c) => c.command === 'stop').map((c) => c.stop!.attempt_id);
  }

  /** Waits until `predicate` holds over the received commands. */
  async until(predicate: (w: SimWorker) => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline)
        throw new Error(
          `${this.spec.name}: timed out waiting for commands (${JSON.stringify(this.commands.map((c) => c.command))})`,
        );
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  report(e: ExecuteTaskRequest__Output) {
    const ref = { attempt_id: e.attempt_id, fencing_token: e.fencing_token };
    return {
      running: () =>
        unary<{ success: boolean; message: string; cpt_reward: string; stop: boolean }>(
          this.worker,
          'ReportRunningStatus',
          { node_id: this.nodeId, task_id: e.task_id, cpu_usage: 50, memory_usage: 20, ...ref },
          this.auth(),
        ),
      log: (seq: number, data: string, stream = 'stdout') =>
        unary<StatusResponse__Output>(
          this.worker,
          'ReportOutput',
          { node_id: this.nodeId, task_id: e.task_id, output: data, seq, stream, ...ref },
          this.auth(),
        ),
      upload: (content: Buffer, name = 'output.zip') => this.upload(e, content, name),
      download: () => this.download(e),
      completed: (result: {
        exitCode?: number;
        success?: boolean;
        oom?: boolean;
        outputSha256?: string;
        durationMs?: number;
        cause?: string;
        /** The digest the node claims; the pool computes its own from the upload. */
        resultDigest?: string;
      }) =>
        unary<StatusResponse__Output>(
          this.master,
          'TaskCompleted',
          {
            task_id: e.task_id,
            node_id: this.nodeId,
            success: result.success ?? (result.exitCode ?? 0) === 0,
            exit_code: result.exitCode ?? 0,
            oom_killed: result.oom ?? false,
            duration_ms: result.durationMs ?? 30_000,
            output_sha256: result.outputSha256 ?? '',
            failure_cause: result.cause ?? '',
            result_digest: result.resultDigest ?? '',
            ...ref,
          },
          this.auth(),
        ),
    };
  }

  private upload(
    e: ExecuteTaskRequest__Output,
    content: Buffer,
    name: string,
  ): Promise<UploadOutputResponse__Output & { sha256: string }> {
    const sha256 = createHash('sha256').update(content).digest('hex');
    return new Promise((resolve, reject) => {
      const call = (
        this.worker as unknown as {
          UploadOutput(
            m: grpc.Metadata,
            cb: Callback<UploadOutputResponse__Output>,
          ): grpc.ClientWritableStream<object>;
        }
      ).UploadOutput(this.auth(), (error, value) => (error ? reject(error) : resolve({ ...value!, sha256 })));
      call.write({
        header: {
          attempt_id: e.attempt_id,
          fencing_token: e.fencing_token,
          name,
          size: content.length,
          sha256,
        },
      });
      for (let i = 0; i < content.length; i += 64 * 1024)
        call.write({ data: content.subarray(i, i + 64 * 1024) });
      call.end();
    });
  }

  private download(
    e: ExecuteTaskRequest__Output,
  ): Promise<{ data: Buffer; sha256: string; declared: string }> {
    return new Promise((resolve, reject) => {
      const parts: Buffer[] = [];
      let declared = '';
      const call = (
        this.worker as unknown as {
          DownloadInput(r: object, m: grpc.Metadata): grpc.ClientReadableStream<FileChunk__Output>;
        }
      ).DownloadInput({ attempt_id: e.attempt_id, fencing_token: e.fencing_token, offset: 0 }, this.auth());
      call.on('data', (chunk: FileChunk__Output) => {
        if (chunk.sha256) declared = chunk.sha256;
        parts.push(chunk.data);
      });
      call.on('error', reject);
      call.on('end', () => {
        const data = Buffer.concat(parts);
        resolve({ data, sha256: createHash('sha256').update(data).digest('hex'), declared });
      });
    });
  }

  close(): void {
    this.disconnect();
    for (const c of [this.nodeManager, this.worker, this.master]) c.close();
  }
}
