// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface RunningStatusResponse {
  'success'?: (boolean);
  'message'?: (string);
  'cpt_reward'?: (number | string | Long);
}

export interface RunningStatusResponse__Output {
  'success': (boolean);
  'message': (string);
  'cpt_reward': (string);
}
