// Original file: libs/contracts/proto/nodepool.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetNodeListRequest as _nodepool_GetNodeListRequest, GetNodeListRequest__Output as _nodepool_GetNodeListRequest__Output } from '../nodepool/GetNodeListRequest';
import type { GetNodeListResponse as _nodepool_GetNodeListResponse, GetNodeListResponse__Output as _nodepool_GetNodeListResponse__Output } from '../nodepool/GetNodeListResponse';
import type { HealthCheckRequest as _nodepool_HealthCheckRequest, HealthCheckRequest__Output as _nodepool_HealthCheckRequest__Output } from '../nodepool/HealthCheckRequest';
import type { HealthCheckResponse as _nodepool_HealthCheckResponse, HealthCheckResponse__Output as _nodepool_HealthCheckResponse__Output } from '../nodepool/HealthCheckResponse';
import type { RegisterWorkerNodeRequest as _nodepool_RegisterWorkerNodeRequest, RegisterWorkerNodeRequest__Output as _nodepool_RegisterWorkerNodeRequest__Output } from '../nodepool/RegisterWorkerNodeRequest';
import type { RenewNodeCertificateRequest as _nodepool_RenewNodeCertificateRequest, RenewNodeCertificateRequest__Output as _nodepool_RenewNodeCertificateRequest__Output } from '../nodepool/RenewNodeCertificateRequest';
import type { ReportStatusRequest as _nodepool_ReportStatusRequest, ReportStatusRequest__Output as _nodepool_ReportStatusRequest__Output } from '../nodepool/ReportStatusRequest';
import type { StatusResponse as _nodepool_StatusResponse, StatusResponse__Output as _nodepool_StatusResponse__Output } from '../nodepool/StatusResponse';

export interface NodeManagerServiceClient extends grpc.Client {
  GetNodeList(argument: _nodepool_GetNodeListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetNodeListResponse__Output>): grpc.ClientUnaryCall;
  GetNodeList(argument: _nodepool_GetNodeListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_GetNodeListResponse__Output>): grpc.ClientUnaryCall;
  GetNodeList(argument: _nodepool_GetNodeListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetNodeListResponse__Output>): grpc.ClientUnaryCall;
  GetNodeList(argument: _nodepool_GetNodeListRequest, callback: grpc.requestCallback<_nodepool_GetNodeListResponse__Output>): grpc.ClientUnaryCall;
  getNodeList(argument: _nodepool_GetNodeListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetNodeListResponse__Output>): grpc.ClientUnaryCall;
  getNodeList(argument: _nodepool_GetNodeListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_GetNodeListResponse__Output>): grpc.ClientUnaryCall;
  getNodeList(argument: _nodepool_GetNodeListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetNodeListResponse__Output>): grpc.ClientUnaryCall;
  getNodeList(argument: _nodepool_GetNodeListRequest, callback: grpc.requestCallback<_nodepool_GetNodeListResponse__Output>): grpc.ClientUnaryCall;
  
  HealthCheck(argument: _nodepool_HealthCheckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_HealthCheckResponse__Output>): grpc.ClientUnaryCall;
  HealthCheck(argument: _nodepool_HealthCheckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_HealthCheckResponse__Output>): grpc.ClientUnaryCall;
  HealthCheck(argument: _nodepool_HealthCheckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_HealthCheckResponse__Output>): grpc.ClientUnaryCall;
  HealthCheck(argument: _nodepool_HealthCheckRequest, callback: grpc.requestCallback<_nodepool_HealthCheckResponse__Output>): grpc.ClientUnaryCall;
  healthCheck(argument: _nodepool_HealthCheckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_HealthCheckResponse__Output>): grpc.ClientUnaryCall;
  healthCheck(argument: _nodepool_HealthCheckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_HealthCheckResponse__Output>): grpc.ClientUnaryCall;
  healthCheck(argument: _nodepool_HealthCheckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_HealthCheckResponse__Output>): grpc.ClientUnaryCall;
  healthCheck(argument: _nodepool_HealthCheckRequest, callback: grpc.requestCallback<_nodepool_HealthCheckResponse__Output>): grpc.ClientUnaryCall;
  
  RegisterWorkerNode(argument: _nodepool_RegisterWorkerNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  RegisterWorkerNode(argument: _nodepool_RegisterWorkerNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  RegisterWorkerNode(argument: _nodepool_RegisterWorkerNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  RegisterWorkerNode(argument: _nodepool_RegisterWorkerNodeRequest, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  registerWorkerNode(argument: _nodepool_RegisterWorkerNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  registerWorkerNode(argument: _nodepool_RegisterWorkerNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  registerWorkerNode(argument: _nodepool_RegisterWorkerNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  registerWorkerNode(argument: _nodepool_RegisterWorkerNodeRequest, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * HiveMind addition: a new client certificate for the calling node (node credential; mTLS)
   */
  RenewNodeCertificate(argument: _nodepool_RenewNodeCertificateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  RenewNodeCertificate(argument: _nodepool_RenewNodeCertificateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  RenewNodeCertificate(argument: _nodepool_RenewNodeCertificateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  RenewNodeCertificate(argument: _nodepool_RenewNodeCertificateRequest, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  /**
   * HiveMind addition: a new client certificate for the calling node (node credential; mTLS)
   */
  renewNodeCertificate(argument: _nodepool_RenewNodeCertificateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  renewNodeCertificate(argument: _nodepool_RenewNodeCertificateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  renewNodeCertificate(argument: _nodepool_RenewNodeCertificateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  renewNodeCertificate(argument: _nodepool_RenewNodeCertificateRequest, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  ReportStatus(argument: _nodepool_ReportStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  ReportStatus(argument: _nodepool_ReportStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  ReportStatus(argument: _nodepool_ReportStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  ReportStatus(argument: _nodepool_ReportStatusRequest, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  reportStatus(argument: _nodepool_ReportStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  reportStatus(argument: _nodepool_ReportStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  reportStatus(argument: _nodepool_ReportStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  reportStatus(argument: _nodepool_ReportStatusRequest, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface NodeManagerServiceHandlers extends grpc.UntypedServiceImplementation {
  GetNodeList: grpc.handleUnaryCall<_nodepool_GetNodeListRequest__Output, _nodepool_GetNodeListResponse>;
  
  HealthCheck: grpc.handleUnaryCall<_nodepool_HealthCheckRequest__Output, _nodepool_HealthCheckResponse>;
  
  RegisterWorkerNode: grpc.handleUnaryCall<_nodepool_RegisterWorkerNodeRequest__Output, _nodepool_StatusResponse>;
  
  /**
   * HiveMind addition: a new client certificate for the calling node (node credential; mTLS)
   */
  RenewNodeCertificate: grpc.handleUnaryCall<_nodepool_RenewNodeCertificateRequest__Output, _nodepool_StatusResponse>;
  
  ReportStatus: grpc.handleUnaryCall<_nodepool_ReportStatusRequest__Output, _nodepool_StatusResponse>;
  
}

export interface NodeManagerServiceDefinition extends grpc.ServiceDefinition {
  GetNodeList: MethodDefinition<_nodepool_GetNodeListRequest, _nodepool_GetNodeListResponse, _nodepool_GetNodeListRequest__Output, _nodepool_GetNodeListResponse__Output>
  HealthCheck: MethodDefinition<_nodepool_HealthCheckRequest, _nodepool_HealthCheckResponse, _nodepool_HealthCheckRequest__Output, _nodepool_HealthCheckResponse__Output>
  RegisterWorkerNode: MethodDefinition<_nodepool_RegisterWorkerNodeRequest, _nodepool_StatusResponse, _nodepool_RegisterWorkerNodeRequest__Output, _nodepool_StatusResponse__Output>
  RenewNodeCertificate: MethodDefinition<_nodepool_RenewNodeCertificateRequest, _nodepool_StatusResponse, _nodepool_RenewNodeCertificateRequest__Output, _nodepool_StatusResponse__Output>
  ReportStatus: MethodDefinition<_nodepool_ReportStatusRequest, _nodepool_StatusResponse, _nodepool_ReportStatusRequest__Output, _nodepool_StatusResponse__Output>
}
