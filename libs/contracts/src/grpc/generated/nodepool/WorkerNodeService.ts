// Original file: libs/contracts/proto/nodepool.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ConnectRequest as _nodepool_ConnectRequest, ConnectRequest__Output as _nodepool_ConnectRequest__Output } from '../nodepool/ConnectRequest';
import type { DownloadInputRequest as _nodepool_DownloadInputRequest, DownloadInputRequest__Output as _nodepool_DownloadInputRequest__Output } from '../nodepool/DownloadInputRequest';
import type { ExecuteTaskRequest as _nodepool_ExecuteTaskRequest, ExecuteTaskRequest__Output as _nodepool_ExecuteTaskRequest__Output } from '../nodepool/ExecuteTaskRequest';
import type { ExecuteTaskResponse as _nodepool_ExecuteTaskResponse, ExecuteTaskResponse__Output as _nodepool_ExecuteTaskResponse__Output } from '../nodepool/ExecuteTaskResponse';
import type { FileChunk as _nodepool_FileChunk, FileChunk__Output as _nodepool_FileChunk__Output } from '../nodepool/FileChunk';
import type { ReportOutputRequest as _nodepool_ReportOutputRequest, ReportOutputRequest__Output as _nodepool_ReportOutputRequest__Output } from '../nodepool/ReportOutputRequest';
import type { RunningStatusRequest as _nodepool_RunningStatusRequest, RunningStatusRequest__Output as _nodepool_RunningStatusRequest__Output } from '../nodepool/RunningStatusRequest';
import type { RunningStatusResponse as _nodepool_RunningStatusResponse, RunningStatusResponse__Output as _nodepool_RunningStatusResponse__Output } from '../nodepool/RunningStatusResponse';
import type { StatusResponse as _nodepool_StatusResponse, StatusResponse__Output as _nodepool_StatusResponse__Output } from '../nodepool/StatusResponse';
import type { StopTaskExecutionRequest as _nodepool_StopTaskExecutionRequest, StopTaskExecutionRequest__Output as _nodepool_StopTaskExecutionRequest__Output } from '../nodepool/StopTaskExecutionRequest';
import type { StopTaskExecutionResponse as _nodepool_StopTaskExecutionResponse, StopTaskExecutionResponse__Output as _nodepool_StopTaskExecutionResponse__Output } from '../nodepool/StopTaskExecutionResponse';
import type { UploadOutputRequest as _nodepool_UploadOutputRequest, UploadOutputRequest__Output as _nodepool_UploadOutputRequest__Output } from '../nodepool/UploadOutputRequest';
import type { UploadOutputResponse as _nodepool_UploadOutputResponse, UploadOutputResponse__Output as _nodepool_UploadOutputResponse__Output } from '../nodepool/UploadOutputResponse';
import type { WorkerCommand as _nodepool_WorkerCommand, WorkerCommand__Output as _nodepool_WorkerCommand__Output } from '../nodepool/WorkerCommand';

export interface WorkerNodeServiceClient extends grpc.Client {
  /**
   * HiveMind additions. Workers dial out: Connect is the stream on which the pool pushes
   * ExecuteTaskRequest and StopTaskExecutionRequest to the calling node (authenticated with its
   * node credential). ExecuteTask and StopTaskExecution above are the pool's own to call and are
   * answered UNIMPLEMENTED by the pool.
   */
  Connect(argument: _nodepool_ConnectRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_nodepool_WorkerCommand__Output>;
  Connect(argument: _nodepool_ConnectRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_nodepool_WorkerCommand__Output>;
  /**
   * HiveMind additions. Workers dial out: Connect is the stream on which the pool pushes
   * ExecuteTaskRequest and StopTaskExecutionRequest to the calling node (authenticated with its
   * node credential). ExecuteTask and StopTaskExecution above are the pool's own to call and are
   * answered UNIMPLEMENTED by the pool.
   */
  connect(argument: _nodepool_ConnectRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_nodepool_WorkerCommand__Output>;
  connect(argument: _nodepool_ConnectRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_nodepool_WorkerCommand__Output>;
  
  /**
   * An attempt's input, in chunks; the first carries total_size and sha256.
   */
  DownloadInput(argument: _nodepool_DownloadInputRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_nodepool_FileChunk__Output>;
  DownloadInput(argument: _nodepool_DownloadInputRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_nodepool_FileChunk__Output>;
  /**
   * An attempt's input, in chunks; the first carries total_size and sha256.
   */
  downloadInput(argument: _nodepool_DownloadInputRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_nodepool_FileChunk__Output>;
  downloadInput(argument: _nodepool_DownloadInputRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_nodepool_FileChunk__Output>;
  
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
  
  /**
   * An attempt's output (a zip of /workspace/output): a header, then data chunks.
   */
  UploadOutput(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_UploadOutputResponse__Output>): grpc.ClientWritableStream<_nodepool_UploadOutputRequest>;
  UploadOutput(metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_UploadOutputResponse__Output>): grpc.ClientWritableStream<_nodepool_UploadOutputRequest>;
  UploadOutput(options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_UploadOutputResponse__Output>): grpc.ClientWritableStream<_nodepool_UploadOutputRequest>;
  UploadOutput(callback: grpc.requestCallback<_nodepool_UploadOutputResponse__Output>): grpc.ClientWritableStream<_nodepool_UploadOutputRequest>;
  /**
   * An attempt's output (a zip of /workspace/output): a header, then data chunks.
   */
  uploadOutput(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_UploadOutputResponse__Output>): grpc.ClientWritableStream<_nodepool_UploadOutputRequest>;
  uploadOutput(metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_UploadOutputResponse__Output>): grpc.ClientWritableStream<_nodepool_UploadOutputRequest>;
  uploadOutput(options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_UploadOutputResponse__Output>): grpc.ClientWritableStream<_nodepool_UploadOutputRequest>;
  uploadOutput(callback: grpc.requestCallback<_nodepool_UploadOutputResponse__Output>): grpc.ClientWritableStream<_nodepool_UploadOutputRequest>;
  
}

export interface WorkerNodeServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * HiveMind additions. Workers dial out: Connect is the stream on which the pool pushes
   * ExecuteTaskRequest and StopTaskExecutionRequest to the calling node (authenticated with its
   * node credential). ExecuteTask and StopTaskExecution above are the pool's own to call and are
   * answered UNIMPLEMENTED by the pool.
   */
  Connect: grpc.handleServerStreamingCall<_nodepool_ConnectRequest__Output, _nodepool_WorkerCommand>;
  
  /**
   * An attempt's input, in chunks; the first carries total_size and sha256.
   */
  DownloadInput: grpc.handleServerStreamingCall<_nodepool_DownloadInputRequest__Output, _nodepool_FileChunk>;
  
  ExecuteTask: grpc.handleUnaryCall<_nodepool_ExecuteTaskRequest__Output, _nodepool_ExecuteTaskResponse>;
  
  ReportOutput: grpc.handleUnaryCall<_nodepool_ReportOutputRequest__Output, _nodepool_StatusResponse>;
  
  ReportRunningStatus: grpc.handleUnaryCall<_nodepool_RunningStatusRequest__Output, _nodepool_RunningStatusResponse>;
  
  StopTaskExecution: grpc.handleUnaryCall<_nodepool_StopTaskExecutionRequest__Output, _nodepool_StopTaskExecutionResponse>;
  
  /**
   * An attempt's output (a zip of /workspace/output): a header, then data chunks.
   */
  UploadOutput: grpc.handleClientStreamingCall<_nodepool_UploadOutputRequest__Output, _nodepool_UploadOutputResponse>;
  
}

export interface WorkerNodeServiceDefinition extends grpc.ServiceDefinition {
  Connect: MethodDefinition<_nodepool_ConnectRequest, _nodepool_WorkerCommand, _nodepool_ConnectRequest__Output, _nodepool_WorkerCommand__Output>
  DownloadInput: MethodDefinition<_nodepool_DownloadInputRequest, _nodepool_FileChunk, _nodepool_DownloadInputRequest__Output, _nodepool_FileChunk__Output>
  ExecuteTask: MethodDefinition<_nodepool_ExecuteTaskRequest, _nodepool_ExecuteTaskResponse, _nodepool_ExecuteTaskRequest__Output, _nodepool_ExecuteTaskResponse__Output>
  ReportOutput: MethodDefinition<_nodepool_ReportOutputRequest, _nodepool_StatusResponse, _nodepool_ReportOutputRequest__Output, _nodepool_StatusResponse__Output>
  ReportRunningStatus: MethodDefinition<_nodepool_RunningStatusRequest, _nodepool_RunningStatusResponse, _nodepool_RunningStatusRequest__Output, _nodepool_RunningStatusResponse__Output>
  StopTaskExecution: MethodDefinition<_nodepool_StopTaskExecutionRequest, _nodepool_StopTaskExecutionResponse, _nodepool_StopTaskExecutionRequest__Output, _nodepool_StopTaskExecutionResponse__Output>
  UploadOutput: MethodDefinition<_nodepool_UploadOutputRequest, _nodepool_UploadOutputResponse, _nodepool_UploadOutputRequest__Output, _nodepool_UploadOutputResponse__Output>
}
