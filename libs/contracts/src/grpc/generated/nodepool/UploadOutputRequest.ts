// Original file: libs/contracts/proto/nodepool.proto

import type { OutputHeader as _nodepool_OutputHeader, OutputHeader__Output as _nodepool_OutputHeader__Output } from '../nodepool/OutputHeader';

export interface UploadOutputRequest {
  'header'?: (_nodepool_OutputHeader | null);
  'data'?: (Buffer | Uint8Array | string);
  'part'?: "header"|"data";
}

export interface UploadOutputRequest__Output {
  'header'?: (_nodepool_OutputHeader__Output | null);
  'data'?: (Buffer);
  'part'?: "header"|"data";
}
