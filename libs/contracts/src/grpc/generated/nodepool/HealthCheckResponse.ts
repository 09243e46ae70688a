// Original file: libs/contracts/proto/nodepool.proto


export interface HealthCheckResponse {
  'success'?: (boolean);
  'message'?: (string);
}

export interface HealthCheckResponse__Output {
  'success': (boolean);
  'message': (string);
}
