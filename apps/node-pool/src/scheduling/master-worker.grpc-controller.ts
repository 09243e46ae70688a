import { Controller, Logger, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { Readable } from 'node:stream';
import type { Metadata } from '@grpc/grpc-js';
import type {
  ReturnTaskResultRequest__Output,
  ReturnTaskResultResponse,
  StatusResponse,
  StoreLogsRequest__Output,
  StoreOutputRequest__Output,
  StoreResultRequest__Output,
  TaskCompletedRequest__Output,
} from '@hivemind/contracts/grpc';
import { AppExceptionFilter } from '../common/app-exception.filter';
import { reportedOutcome } from './attempt-outcome';
import { NodeAuthenticator } from './node-authenticator';
import {
  type AttemptNaming,
  type Fenced,
  WorkerReportsService,
  reportAnswer,
} from './worker-reports.service';

const SERVICE = 'MasterNodeService';

/**
 * The worker-side rpcs of the seed's gRPC `nodepool.MasterNodeService` (StoreLogs, StoreOutput,
 * StoreResult, ReturnTaskResult, TaskCompleted — with the node credential); its users' rpcs are
 * served by the tasks module (tasks/master.grpc-controller.ts): Nest routes each rpc by service and
 * method name, so two controllers share one service. Every answer is in the seed's style, a failed
 * credential included (`success: false`); a fenced-off report also says `stop: true`.
 */
@Controller()
@UseFilters(AppExceptionFilter)
export class MasterWorkerGrpcController {
  private readonly logger = new Logger(MasterWorkerGrpcController.name);

  constructor(
    private readonly nodes: NodeAuthenticator,
    private readonly reports: WorkerReportsService,
  ) {}

  @GrpcMethod(SERVICE, 'StoreLogs')
  storeLogs(req: StoreLogsRequest__Output, metadata: Metadata): Promise<StatusResponse> {
    return this.worker(metadata, req, async (ref) => {
      const { ackedSeq } = await this.reports.logs(ref, { seq: req.seq, stream: req.stream, data: req.logs });
      return { success: true, message: 'stored', acked_seq: ackedSeq };
    });
  }

  @GrpcMethod(SERVICE, 'StoreOutput')
  storeOutput(req: StoreOutputRequest__Output, metadata: Metadata): Promise<StatusResponse> {
    return this.worker(metadata, { task_id: req.task_id }, async (ref) => {
      const { ackedSeq } = await this.reports.logs(ref, { stream: 'stdout', data: req.output });
      return { success: true, message: 'stored', acked_seq: ackedSeq };
    });
  }

  @GrpcMethod(SERVICE, 'StoreResult')
  storeResult(req: StoreResultRequest__Output, metadata: Metadata): Promise<StatusResponse> {
    return this.worker(metadata, { task_id: req.task_id }, async (ref) => {
      await this.reports.output(
        ref,
        { name: 'result.zip', size: req.result_zip.length, sha256: '' },
        Readable.from([req.result_zip]),
      );
      return { success: true, message: 'stored' };
    });
  }

  @GrpcMethod(SERVICE, 'ReturnTaskResult')
  returnTaskResult(
    req: ReturnTaskResultRequest__Output,
    metadata: Metadata,
  ): Promise<ReturnTaskResultResponse> {
    return this.storeResult({ task_id: req.task_id, result_zip: req.result_zip }, metadata);
  }

  @GrpcMethod(SERVICE, 'TaskCompleted')
  taskCompleted(req: TaskCompletedRequest__Output, metadata: Metadata): Promise<StatusResponse> {
    return this.worker(metadata, req, async (ref) => {
      const result = await this.reports.completed(ref, reportedOutcome(req));
      return { success: true, message: result.message };
    });
  }

  /** A worker report: the node from its credential (inside the seed-style answer), then the attempt. */
  private worker<T extends { success?: boolean; message?: string; stop?: boolean }>(
    metadata: Metadata,
    req: AttemptNaming,
    work: (ref: Fenced) => Promise<T>,
  ): Promise<T> {
    return reportAnswer(this.logger, async () => {
      const { nodeId } = await this.nodes.authenticate(metadata);
      return work(await this.reports.attemptNamed(nodeId, req));
    });
  }
}
