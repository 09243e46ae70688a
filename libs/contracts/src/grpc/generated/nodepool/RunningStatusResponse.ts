// Original file: libs/contracts/proto/nodepool.proto

import type { Long } from '@grpc/proto-loader';

export interface RunningStatusResponse {
  'success'?: (boolean);
  'message'?: (string);
  /**
   * accrued for this attempt so far
   */
  'cpt_reward'?: (number | string | Long);
  /**
   * addition: the attempt is fenced off; kill its container
   */
  'stop'?: (boolean);
}

export interface RunningStatusResponse__Output {
  'success': (boolean);
  'message': (string);
  /**
   * accrued for this attempt so far
   */
  'cpt_reward': (string);
  /**
   * addition: the attempt is fenced off; kill its container
   */
  'stop': (boolean);
}
