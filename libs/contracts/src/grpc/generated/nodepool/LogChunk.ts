// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface LogChunk {
  'id'?: (number | string | Long);
  'shard_index'?: (number);
  'attempt_id'?: (string);
  'seq'?: (number | string | Long);
  'stream'?: (string);
  'data'?: (string);
  'created_at'?: (string);
}

export interface LogChunk__Output {
  'id': (string);
  'shard_index': (number);
  'attempt_id': (string);
  'seq': (string);
  'stream': (string);
  'data': (string);
  'created_at': (string);
}
