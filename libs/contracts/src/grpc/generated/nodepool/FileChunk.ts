// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface FileChunk {
  'data'?: (Buffer | Uint8Array | string);
  'offset'?: (number | string | Long);
  'total_size'?: (number | string | Long);
  'sha256'?: (string);
}

export interface FileChunk__Output {
  'data': (Buffer);
  'offset': (string);
  'total_size': (string);
  'sha256': (string);
}
