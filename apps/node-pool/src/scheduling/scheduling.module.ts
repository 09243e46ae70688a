import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { NodeCredentialService } from '../nodes/node-credential.service';
import { NodesModule } from '../nodes/nodes.module';
import { DispatchService } from './dispatch.service';
import { LifecycleService } from './lifecycle.service';
import { NodeAuthenticator } from './node-authenticator';
import { PlacementProcessor } from './placement.processor';
import { PostProcessingProcessor } from './post-processing.processor';
import { ReconcilerService } from './reconciler.service';
import { SchedulerService } from './scheduler.service';
import { WorkerGrpcController } from './worker.grpc-controller';
import { WorkerReportsService } from './worker-reports.service';

/** Placement, dispatch to workers, the attempt life cycle, the worker protocol and the reconciler. */
@Module({
  imports: [LedgerModule, NodesModule],
  controllers: [WorkerGrpcController],
  providers: [
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
  exports: [
    SchedulerService,
    DispatchService,
    LifecycleService,
    WorkerReportsService,
    ReconcilerService,
    NodeAuthenticator,
  ],
})
export class SchedulingModule {}
