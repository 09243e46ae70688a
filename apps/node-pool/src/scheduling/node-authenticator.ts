import type { Metadata } from '@grpc/grpc-js';

/** The node a worker rpc comes from, proven by its node credential. */
export interface NodeCaller {
  nodeId: string;
  ownerId: string;
}

/**
 * Checks the node credential in a call's `authorization: Bearer` metadata (issued by
 * RegisterWorkerNode). An abstract class so the worker protocol does not depend on how the nodes
 * module issues credentials; the scheduling module binds it to the nodes module's implementation.
 */
export abstract class NodeAuthenticator {
  /** The calling node; DomainError('unauthenticated') when the credential is missing or invalid. */
  abstract authenticate(metadata: Metadata): Promise<NodeCaller>;
}
