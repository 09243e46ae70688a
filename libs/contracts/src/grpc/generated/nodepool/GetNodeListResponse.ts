// Original file: libs/contracts/proto/nodepool.proto

import type { WorkerNodeInfo as _nodepool_WorkerNodeInfo, WorkerNodeInfo__Output as _nodepool_WorkerNodeInfo__Output } from '../nodepool/WorkerNodeInfo';

export interface GetNodeListResponse {
  'success'?: (boolean);
  'message'?: (string);
  'nodes'?: (_nodepool_WorkerNodeInfo)[];
}

export interface GetNodeListResponse__Output {
  'success': (boolean);
  'message': (string);
  'nodes': (_nodepool_WorkerNodeInfo__Output)[];
}
