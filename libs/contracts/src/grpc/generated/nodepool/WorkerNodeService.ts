// Original file: libs/contracts/proto/nodepool.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ExecuteTaskRequest as _nodepool_ExecuteTaskRequest, ExecuteTaskRequest__Output as _nodepool_ExecuteTaskRequest__Output } from '../nodepool/ExecuteTaskRequest';
import type { ExecuteTaskResponse as _nodepool_ExecuteTaskResponse, ExecuteTaskResponse__Output as _nodepool_ExecuteTaskResponse__Output } from '../nodepool/ExecuteTaskResponse';
import type { ReportOutputRequest as _nodepool_ReportOutputRequest, ReportOutputRequest__Output as _nodepool_ReportOutputRequest__Output } from '../nodepool/ReportOutputRequest';
import type { RunningStatusRequest as _nodepool_RunningStatusRequest, RunningStatusRequest__Output as _nodepool_RunningStatusRequest__Output } from '../nodepool/RunningStatusRequest';
import type { RunningStatusResponse as _nodepool_RunningStatusResponse, RunningStatusResponse__Output as _nodepool_RunningStatusResponse__Output } from '../nodepool/RunningStatusResponse';
import type { StatusResponse as _nodepool_StatusResponse, StatusResponse__Output as _nodepool_StatusResponse__Output } from '../nodepool/StatusResponse';
import type { StopTaskExecutionRequest as _nodepool_StopTaskExecutionRequest, StopTaskExecutionRequest__Output as _nodepool_StopTaskExecutionRequest__Output } from '../nodepool/StopTaskExecutionRequest';
import type { StopTaskExecutionResponse as _nodepool_StopTaskExecutionResponse, StopTaskExecutionResponse__Output as _nodepool_StopTaskExecutionResponse__Output } from '../nodepool/StopTaskExecutionResponse';

export interface WorkerNodeServiceClient extends grpc.Client {
  ExecuteTask(argument: _nodepool_ExecuteTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_ExecuteTaskResponse__Output>): grpc.ClientUnaryCall;
  ExecuteTask(argument: _nodepool_ExecuteTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_ExecuteTaskResponse__Output>): grpc.ClientUnaryCall;
  ExecuteTask(argument: _nodepool_ExecuteTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_ExecuteTaskResponse__Output>): grpc.ClientUnaryCall;
  ExecuteTask(argument: _nodepool_ExecuteTaskRequest, callback: grpc.requestCallback<_nodepool_ExecuteTaskResponse__Output>): grpc.ClientUnaryCall;
  executeTask(argument: _nodepool_ExecuteTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_ExecuteTaskResponse__Output>): grpc.ClientUnaryCall;
  executeTask(argument: _nodepool_ExecuteTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_ExecuteTaskResponse__Output>): grpc.ClientUnaryCall;
  executeTask(argument: _nodepool_ExecuteTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_ExecuteTaskResponse__Output>): grpc.ClientUnaryCall;
  executeTask(argument: _nodepool_ExecuteTaskRequest, callback: grpc.requestCallback<_nodepool_ExecuteTaskResponse__Output>): grpc.ClientUnaryCall;
  
  ReportOutput(argument: _nodepool_ReportOutputRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  ReportOutput(argument: _nodepool_ReportOutputRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  ReportOutput(argument: _nodepool_ReportOutputRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  ReportOutput(argument: _nodepool_ReportOutputRequest, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  reportOutput(argument: _nodepool_ReportOutputRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  reportOutput(argument: _nodepool_ReportOutputRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  reportOutput(argument: _nodepool_ReportOutputRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  reportOutput(argument: _nodepool_ReportOutputRequest, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  ReportRunningStatus(argument: _nodepool_RunningStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_RunningStatusResponse__Output>): grpc.ClientUnaryCall;
  ReportRunningStatus(argument: _nodepool_RunningStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_RunningStatusResponse__Output>): grpc.ClientUnaryCall;
  ReportRunningStatus(argument: _nodepool_RunningStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_RunningStatusResponse__Output>): grpc.ClientUnaryCall;
  ReportRunningStatus(argument: _nodepool_RunningStatusRequest, callback: grpc.requestCallback<_nodepool_RunningStatusResponse__Output>): grpc.ClientUnaryCall;
  reportRunningStatus(argument: _nodepool_RunningStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_RunningStatusResponse__Output>): grpc.ClientUnaryCall;
  reportRunningStatus(argument: _nodepool_RunningStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_RunningStatusResponse__Output>): grpc.ClientUnaryCall;
  reportRunningStatus(argument: _nodepool_RunningStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_RunningStatusResponse__Output>): grpc.ClientUnaryCall;
  reportRunningStatus(argument: _nodepool_RunningStatusRequest, callback: grpc.requestCallback<_nodepool_RunningStatusResponse__Output>): grpc.ClientUnaryCall;
  
  StopTaskExecution(argument: _nodepool_StopTaskExecutionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StopTaskExecutionResponse__Output>): grpc.ClientUnaryCall;
  StopTaskExecution(argument: _nodepool_StopTaskExecutionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StopTaskExecutionResponse__Output>): grpc.ClientUnaryCall;
  StopTaskExecution(argument: _nodepool_StopTaskExecutionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StopTaskExecutionResponse__Output>): grpc.ClientUnaryCall;
  StopTaskExecution(argument: _nodepool_StopTaskExecutionRequest, callback: grpc.requestCallback<_nodepool_StopTaskExecutionResponse__Output>): grpc.ClientUnaryCall;
  stopTaskExecution(argument: _nodepool_StopTaskExecutionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StopTaskExecutionResponse__Output>): grpc.ClientUnaryCall;
  stopTaskExecution(argument: _nodepool_StopTaskExecutionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StopTaskExecutionResponse__Output>): grpc.ClientUnaryCall;
  stopTaskExecution(argument: _nodepool_StopTaskExecutionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StopTaskExecutionResponse__Output>): grpc.ClientUnaryCall;
  stopTaskExecution(argument: _nodepool_StopTaskExecutionRequest, callback: grpc.requestCallback<_nodepool_StopTaskExecutionResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface WorkerNodeServiceHandlers extends grpc.UntypedServiceImplementation {
  ExecuteTask: grpc.handleUnaryCall<_nodepool_ExecuteTaskRequest__Output, _nodepool_ExecuteTaskResponse>;
  
  ReportOutput: grpc.handleUnaryCall<_nodepool_ReportOutputRequest__Output, _nodepool_StatusResponse>;
  
  ReportRunningStatus: grpc.handleUnaryCall<_nodepool_RunningStatusRequest__Output, _nodepool_RunningStatusResponse>;
  
  StopTaskExecution: grpc.handleUnaryCall<_nodepool_StopTaskExecutionRequest__Output, _nodepool_StopTaskExecutionResponse>;
  
}

export interface WorkerNodeServiceDefinition extends grpc.ServiceDefinition {
  ExecuteTask: MethodDefinition<_nodepool_ExecuteTaskRequest, _nodepool_ExecuteTaskResponse, _nodepool_ExecuteTaskRequest__Output, _nodepool_ExecuteTaskResponse__Output>
  ReportOutput: MethodDefinition<_nodepool_ReportOutputRequest, _nodepool_StatusResponse, _nodepool_ReportOutputRequest__Output, _nodepool_StatusResponse__Output>
  ReportRunningStatus: MethodDefinition<_nodepool_RunningStatusRequest, _nodepool_RunningStatusResponse, _nodepool_RunningStatusRequest__Output, _nodepool_RunningStatusResponse__Output>
  StopTaskExecution: MethodDefinition<_nodepool_StopTaskExecutionRequest, _nodepool_StopTaskExecutionResponse, _nodepool_StopTaskExecutionRequest__Output, _nodepool_StopTaskExecutionResponse__Output>
}
