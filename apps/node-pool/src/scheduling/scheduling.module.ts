import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { NodeCredentialService } from '../nodes/node-credential.service';
import { NodesModule } from '../nodes/nodes.module';
import { AttemptLogsRepository } from './attempt-logs.repository';
import { AttemptsRepository } from './attempts.repository';
import { DispatchService } from './dispatch.service';
import { LifecycleService } from './lifecycle.service';
import { MasterWorkerGrpcController } from './master-worker.grpc-controller';
import { NodeAuthenticator } from './node-authenticator';
import { PlacementNodes } from './placement-nodes';
import { PlacementProcessor } from './placement.processor';
import { PostProcessingProcessor } from './post-processing.processor';
import { ReconcilerService } from './reconciler.service';
import { SchedulerService } from './scheduler.service';
import { ShardsRepository } from './shards.repository';
import { TaskEvents } from './task-events';
import { TaskSecrets } from './task-secrets';
import { TaskStateRepository } from './task-state.repository';
import { Transactions } from './transactions';
import { WorkerGrpcController } from './worker.grpc-controller';
import { WorkerReportsService } from './worker-reports.service';

/**
 * Placement, dispatch to workers, the attempt life cycle and its settlement, the worker protocol
 * (WorkerNodeService and the worker rpcs of MasterNodeService) and the reconciler. README.md here
 * draws the pipeline.
 */
@Module({
  imports: [LedgerModule, NodesModule],
  controllers: [WorkerGrpcController, MasterWorkerGrpcController],
  providers: [
    Transactions,
    AttemptsRepository,
    AttemptLogsRepository,
    ShardsRepository,
    TaskStateRepository,
    TaskEvents,
    TaskSecrets,
    PlacementNodes,
    SchedulerService,
    DispatchService,
    LifecycleService,
    WorkerReportsService,
    ReconcilerService,
    PlacementProcessor,
    PostProcessingProcessor,
    // node credentials as the nodes module issues and checks them
    { provide: NodeAuthenticator, useExisting: NodeCredentialService },
  ],
  exports: [SchedulerService, DispatchService, LifecycleService, ReconcilerService, TaskSecrets, TaskEvents],
})
export class SchedulingModule {}
