// Original file: libs/contracts/proto/nodepool.proto


export interface HealthCheckRequest {
}

export interface HealthCheckRequest__Output {
}
