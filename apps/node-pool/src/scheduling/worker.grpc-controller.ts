import { Controller, Logger, UseFilters } from '@nestjs/common';
import { GrpcMethod, GrpcStreamCall } from '@nestjs/microservices';
import type { Metadata, ServerReadableStream, sendUnaryData } from '@grpc/grpc-js';
import { Observable, Subject } from 'rxjs';
import { PassThrough } from 'node:stream';
import type {
  ConnectRequest__Output,
  DownloadInputRequest__Output,
  FileChunk,
  ReportOutputRequest__Output,
  RunningStatusRequest__Output,
  RunningStatusResponse,
  StatusResponse,
  UploadOutputRequest__Output,
  UploadOutputResponse,
  WorkerCommand,
} from '@hivemind/contracts/grpc';
import { AppExceptionFilter } from '../common/app-exception.filter';
import { DomainError } from '../common/domain-error';
import { toGrpcError } from '../common/grpc-error';
import { DispatchService } from './dispatch.service';
import { LifecycleService } from './lifecycle.service';
import { NodeAuthenticator } from './node-authenticator';
import { FencedOff, WorkerReportsService, reportAnswer } from './worker-reports.service';

const SERVICE = 'WorkerNodeService';
const CHUNK_BYTES = 256 * 1024;

/**
 * gRPC `nodepool.WorkerNodeService`, the worker's side of the protocol: the push stream (Connect),
 * reports about attempts, input download and output upload. Every call carries the node credential;
 * every report names the attempt and its fencing token.
 */
@Controller()
@UseFilters(AppExceptionFilter)
export class WorkerGrpcController {
  private readonly logger = new Logger(WorkerGrpcController.name);

  constructor(
    private readonly nodes: NodeAuthenticator,
    private readonly dispatch: DispatchService,
    private readonly lifecycle: LifecycleService,
    private readonly reports: WorkerReportsService,
  ) {}

  @GrpcMethod(SERVICE, 'Connect')
  async connect(req: ConnectRequest__Output, metadata: Metadata): Promise<Observable<WorkerCommand>> {
    const { nodeId } = await this.nodes.authenticate(metadata);
    if (req.node_id && req.node_id !== nodeId) {
      throw new DomainError('forbidden', 'node_id is not the node this credential belongs to');
    }
    // what the pool thinks this node runs, against what the node says it runs
    const running = new Set(req.running_attempt_ids);
    const live = await this.dispatch.liveAttemptsFor(nodeId);
    const liveIds = new Set(live.map((l) => l.attemptId));
    // started here before, but the node no longer has it (it restarted): lost, re-queued
    const forgotten = live.filter((l) => l.started && !running.has(l.attemptId)).map((l) => l.attemptId);
    return new Observable<WorkerCommand>((subscriber) => {
      const stream = new Subject<WorkerCommand>();
      const subscription = stream.subscribe(subscriber);
      const detach = this.dispatch.attach(nodeId, stream);
      this.logger.log(`node ${nodeId} connected (runs ${running.size}, pool has ${live.length} live)`);
      for (const id of running) {
        if (!liveIds.has(id)) {
          stream.next({
            stop: {
              task_id: '',
              attempt_id: id,
              fencing_token: '0',
              reason: 'the pool no longer assigns this attempt to this node',
            },
          });
        }
      }
      for (const l of live) {
        if (!running.has(l.attemptId) && !l.started) stream.next({ execute: l.execute });
      }
      if (forgotten.length) {
        void this.lifecycle
          .loseAttempts(forgotten, 'the node reconnected without this attempt (restarted)')
          .catch((error: Error) => this.logger.warn(error.message));
      }
      return () => {
        detach();
        subscription.unsubscribe();
        this.logger.log(`node ${nodeId} disconnected`);
      };
    });
  }

  @GrpcMethod(SERVICE, 'ReportOutput')
  async reportOutput(req: ReportOutputRequest__Output, metadata: Metadata): Promise<StatusResponse> {
    const { nodeId } = await this.nodes.authenticate(metadata);
    return reportAnswer(this.logger, async () => {
      const ref = await this.reports.attemptNamed(nodeId, req);
      const { ackedSeq } = await this.reports.logs(ref, {
        seq: req.seq,
        stream: req.stream,
        data: req.output,
      });
      return { success: true, message: 'stored', acked_seq: ackedSeq };
    });
  }

  @GrpcMethod(SERVICE, 'ReportRunningStatus')
  async reportRunningStatus(
    req: RunningStatusRequest__Output,
    metadata: Metadata,
  ): Promise<RunningStatusResponse> {
    const { nodeId } = await this.nodes.authenticate(metadata);
    return reportAnswer(this.logger, async () => {
      const ref = await this.reports.attemptNamed(nodeId, req);
      const { cptReward } = await this.reports.running(ref);
      return { success: true, message: 'running', cpt_reward: cptReward };
    });
  }

  @GrpcMethod(SERVICE, 'DownloadInput')
  async downloadInput(req: DownloadInputRequest__Output, metadata: Metadata): Promise<Observable<FileChunk>> {
    const { nodeId } = await this.nodes.authenticate(metadata);
    let input;
    try {
      input = await this.reports.input(
        { nodeId, attemptId: req.attempt_id, fencingToken: req.fencing_token },
        Number(req.offset),
      );
    } catch (error) {
      if (error instanceof FencedOff) throw new DomainError('forbidden', `stop: ${error.reason}`);
      throw error;
    }
    const { sha256, size, stream } = input;
    let offset = Number(req.offset);
    return new Observable<FileChunk>((subscriber) => {
      let first = true;
      const send = (data: Buffer) => {
        subscriber.next({
          data,
          offset: String(offset),
          total_size: first ? String(size) : '0',
          sha256: first ? sha256 : '',
        });
        first = false;
        offset += data.length;
      };
      (async () => {
        let pending: Buffer = Buffer.alloc(0);
        for await (const piece of stream as AsyncIterable<Buffer>) {
          pending = pending.length ? Buffer.concat([pending, piece]) : piece;
          while (pending.length >= CHUNK_BYTES) {
            send(pending.subarray(0, CHUNK_BYTES));
            pending = pending.subarray(CHUNK_BYTES);
          }
        }
        if (pending.length || first) send(pending);
        subscriber.complete();
      })().catch((error: Error) => subscriber.error(error));
      return () => stream.destroy();
    });
  }

  @GrpcStreamCall(SERVICE, 'UploadOutput')
  uploadOutput(
    call: ServerReadableStream<UploadOutputRequest__Output, UploadOutputResponse>,
    callback: sendUnaryData<UploadOutputResponse>,
  ): void {
    const body = new PassThrough();
    let started: Promise<UploadOutputResponse> | undefined;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      body.destroy();
      call.destroy();
      if (error instanceof FencedOff) {
        callback(null, { success: false, message: error.reason, stop: true });
        return;
      }
      const { code, message } = toGrpcError(error, this.logger);
      callback({ code, details: message, name: 'UploadOutput', message });
    };
    call.on('data', (part: UploadOutputRequest__Output) => {
      if (failed) return;
      if (!started) {
        if (part.part !== 'header' || !part.header)
          return fail(new DomainError('invalid', 'the first message must be the header'));
        const h = part.header;
        started = (async () => {
          const { nodeId } = await this.nodes.authenticate(call.metadata);
          const { fileId } = await this.reports.output(
            { nodeId, attemptId: h.attempt_id, fencingToken: h.fencing_token },
            { name: h.name, size: Number(h.size), sha256: h.sha256 },
            body,
          );
          return { success: true, message: 'stored', file_id: fileId };
        })();
        started.then((response) => !failed && callback(null, response), fail);
        return;
      }
      if (part.part !== 'data' || !part.data)
        return fail(new DomainError('invalid', 'after the header only data chunks may follow'));
      // back-pressure: stop reading the call while storage catches up
      if (!body.write(part.data)) {
        call.pause();
        body.once('drain', () => call.resume());
      }
    });
    call.on('end', () => {
      if (!started) return fail(new DomainError('invalid', 'no header was sent'));
      body.end();
    });
    call.on('error', (error) => fail(error));
  }

  // ExecuteTask and StopTaskExecution have no handler: the pool pushes them on Connect, so a call
  // answers UNIMPLEMENTED.
}
