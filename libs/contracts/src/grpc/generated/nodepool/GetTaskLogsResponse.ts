// Original file: libs/contracts/proto/nodepool.proto

import type { LogChunk as _nodepool_LogChunk, LogChunk__Output as _nodepool_LogChunk__Output } from '../nodepool/LogChunk';
import type { Long } from '@grpc/proto-loader';

export interface GetTaskLogsResponse {
  'success'?: (boolean);
  'message'?: (string);
  'logs'?: (string);
  /**
   * addition
   */
  'chunks'?: (_nodepool_LogChunk)[];
  /**
   * addition: pass as `after` to continue
   */
  'next_after'?: (number | string | Long);
}

export interface GetTaskLogsResponse__Output {
  'success': (boolean);
  'message': (string);
  'logs': (string);
  /**
   * addition
   */
  'chunks': (_nodepool_LogChunk__Output)[];
  /**
   * addition: pass as `after` to continue
   */
  'next_after': (string);
}
