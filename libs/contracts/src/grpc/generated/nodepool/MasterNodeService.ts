// Original file: libs/contracts/proto/nodepool.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetAllTasksRequest as _nodepool_GetAllTasksRequest, GetAllTasksRequest__Output as _nodepool_GetAllTasksRequest__Output } from '../nodepool/GetAllTasksRequest';
import type { GetAllTasksResponse as _nodepool_GetAllTasksResponse, GetAllTasksResponse__Output as _nodepool_GetAllTasksResponse__Output } from '../nodepool/GetAllTasksResponse';
import type { GetTaskLogsRequest as _nodepool_GetTaskLogsRequest, GetTaskLogsRequest__Output as _nodepool_GetTaskLogsRequest__Output } from '../nodepool/GetTaskLogsRequest';
import type { GetTaskLogsResponse as _nodepool_GetTaskLogsResponse, GetTaskLogsResponse__Output as _nodepool_GetTaskLogsResponse__Output } from '../nodepool/GetTaskLogsResponse';
import type { GetTaskResultRequest as _nodepool_GetTaskResultRequest, GetTaskResultRequest__Output as _nodepool_GetTaskResultRequest__Output } from '../nodepool/GetTaskResultRequest';
import type { GetTaskResultResponse as _nodepool_GetTaskResultResponse, GetTaskResultResponse__Output as _nodepool_GetTaskResultResponse__Output } from '../nodepool/GetTaskResultResponse';
import type { PollTaskStatusRequest as _nodepool_PollTaskStatusRequest, PollTaskStatusRequest__Output as _nodepool_PollTaskStatusRequest__Output } from '../nodepool/PollTaskStatusRequest';
import type { PollTaskStatusResponse as _nodepool_PollTaskStatusResponse, PollTaskStatusResponse__Output as _nodepool_PollTaskStatusResponse__Output } from '../nodepool/PollTaskStatusResponse';
import type { ReturnTaskResultRequest as _nodepool_ReturnTaskResultRequest, ReturnTaskResultRequest__Output as _nodepool_ReturnTaskResultRequest__Output } from '../nodepool/ReturnTaskResultRequest';
import type { ReturnTaskResultResponse as _nodepool_ReturnTaskResultResponse, ReturnTaskResultResponse__Output as _nodepool_ReturnTaskResultResponse__Output } from '../nodepool/ReturnTaskResultResponse';
import type { StatusResponse as _nodepool_StatusResponse, StatusResponse__Output as _nodepool_StatusResponse__Output } from '../nodepool/StatusResponse';
import type { StopTaskRequest as _nodepool_StopTaskRequest, StopTaskRequest__Output as _nodepool_StopTaskRequest__Output } from '../nodepool/StopTaskRequest';
import type { StopTaskResponse as _nodepool_StopTaskResponse, StopTaskResponse__Output as _nodepool_StopTaskResponse__Output } from '../nodepool/StopTaskResponse';
import type { StoreLogsRequest as _nodepool_StoreLogsRequest, StoreLogsRequest__Output as _nodepool_StoreLogsRequest__Output } from '../nodepool/StoreLogsRequest';
import type { StoreOutputRequest as _nodepool_StoreOutputRequest, StoreOutputRequest__Output as _nodepool_StoreOutputRequest__Output } from '../nodepool/StoreOutputRequest';
import type { StoreResultRequest as _nodepool_StoreResultRequest, StoreResultRequest__Output as _nodepool_StoreResultRequest__Output } from '../nodepool/StoreResultRequest';
import type { TaskCompletedRequest as _nodepool_TaskCompletedRequest, TaskCompletedRequest__Output as _nodepool_TaskCompletedRequest__Output } from '../nodepool/TaskCompletedRequest';
import type { UploadTaskRequest as _nodepool_UploadTaskRequest, UploadTaskRequest__Output as _nodepool_UploadTaskRequest__Output } from '../nodepool/UploadTaskRequest';
import type { UploadTaskResponse as _nodepool_UploadTaskResponse, UploadTaskResponse__Output as _nodepool_UploadTaskResponse__Output } from '../nodepool/UploadTaskResponse';

export interface MasterNodeServiceClient extends grpc.Client {
  GetAllTasks(argument: _nodepool_GetAllTasksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetAllTasksResponse__Output>): grpc.ClientUnaryCall;
  GetAllTasks(argument: _nodepool_GetAllTasksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_GetAllTasksResponse__Output>): grpc.ClientUnaryCall;
  GetAllTasks(argument: _nodepool_GetAllTasksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetAllTasksResponse__Output>): grpc.ClientUnaryCall;
  GetAllTasks(argument: _nodepool_GetAllTasksRequest, callback: grpc.requestCallback<_nodepool_GetAllTasksResponse__Output>): grpc.ClientUnaryCall;
  getAllTasks(argument: _nodepool_GetAllTasksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetAllTasksResponse__Output>): grpc.ClientUnaryCall;
  getAllTasks(argument: _nodepool_GetAllTasksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_GetAllTasksResponse__Output>): grpc.ClientUnaryCall;
  getAllTasks(argument: _nodepool_GetAllTasksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetAllTasksResponse__Output>): grpc.ClientUnaryCall;
  getAllTasks(argument: _nodepool_GetAllTasksRequest, callback: grpc.requestCallback<_nodepool_GetAllTasksResponse__Output>): grpc.ClientUnaryCall;
  
  GetTaskLogs(argument: _nodepool_GetTaskLogsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetTaskLogsResponse__Output>): grpc.ClientUnaryCall;
  GetTaskLogs(argument: _nodepool_GetTaskLogsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_GetTaskLogsResponse__Output>): grpc.ClientUnaryCall;
  GetTaskLogs(argument: _nodepool_GetTaskLogsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetTaskLogsResponse__Output>): grpc.ClientUnaryCall;
  GetTaskLogs(argument: _nodepool_GetTaskLogsRequest, callback: grpc.requestCallback<_nodepool_GetTaskLogsResponse__Output>): grpc.ClientUnaryCall;
  getTaskLogs(argument: _nodepool_GetTaskLogsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetTaskLogsResponse__Output>): grpc.ClientUnaryCall;
  getTaskLogs(argument: _nodepool_GetTaskLogsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_GetTaskLogsResponse__Output>): grpc.ClientUnaryCall;
  getTaskLogs(argument: _nodepool_GetTaskLogsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetTaskLogsResponse__Output>): grpc.ClientUnaryCall;
  getTaskLogs(argument: _nodepool_GetTaskLogsRequest, callback: grpc.requestCallback<_nodepool_GetTaskLogsResponse__Output>): grpc.ClientUnaryCall;
  
  GetTaskResult(argument: _nodepool_GetTaskResultRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetTaskResultResponse__Output>): grpc.ClientUnaryCall;
  GetTaskResult(argument: _nodepool_GetTaskResultRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_GetTaskResultResponse__Output>): grpc.ClientUnaryCall;
  GetTaskResult(argument: _nodepool_GetTaskResultRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetTaskResultResponse__Output>): grpc.ClientUnaryCall;
  GetTaskResult(argument: _nodepool_GetTaskResultRequest, callback: grpc.requestCallback<_nodepool_GetTaskResultResponse__Output>): grpc.ClientUnaryCall;
  getTaskResult(argument: _nodepool_GetTaskResultRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetTaskResultResponse__Output>): grpc.ClientUnaryCall;
  getTaskResult(argument: _nodepool_GetTaskResultRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_GetTaskResultResponse__Output>): grpc.ClientUnaryCall;
  getTaskResult(argument: _nodepool_GetTaskResultRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetTaskResultResponse__Output>): grpc.ClientUnaryCall;
  getTaskResult(argument: _nodepool_GetTaskResultRequest, callback: grpc.requestCallback<_nodepool_GetTaskResultResponse__Output>): grpc.ClientUnaryCall;
  
  PollTaskStatus(argument: _nodepool_PollTaskStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_PollTaskStatusResponse__Output>): grpc.ClientUnaryCall;
  PollTaskStatus(argument: _nodepool_PollTaskStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_PollTaskStatusResponse__Output>): grpc.ClientUnaryCall;
  PollTaskStatus(argument: _nodepool_PollTaskStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_PollTaskStatusResponse__Output>): grpc.ClientUnaryCall;
  PollTaskStatus(argument: _nodepool_PollTaskStatusRequest, callback: grpc.requestCallback<_nodepool_PollTaskStatusResponse__Output>): grpc.ClientUnaryCall;
  pollTaskStatus(argument: _nodepool_PollTaskStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_PollTaskStatusResponse__Output>): grpc.ClientUnaryCall;
  pollTaskStatus(argument: _nodepool_PollTaskStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_PollTaskStatusResponse__Output>): grpc.ClientUnaryCall;
  pollTaskStatus(argument: _nodepool_PollTaskStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_PollTaskStatusResponse__Output>): grpc.ClientUnaryCall;
  pollTaskStatus(argument: _nodepool_PollTaskStatusRequest, callback: grpc.requestCallback<_nodepool_PollTaskStatusResponse__Output>): grpc.ClientUnaryCall;
  
  ReturnTaskResult(argument: _nodepool_ReturnTaskResultRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_ReturnTaskResultResponse__Output>): grpc.ClientUnaryCall;
  ReturnTaskResult(argument: _nodepool_ReturnTaskResultRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_ReturnTaskResultResponse__Output>): grpc.ClientUnaryCall;
  ReturnTaskResult(argument: _nodepool_ReturnTaskResultRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_ReturnTaskResultResponse__Output>): grpc.ClientUnaryCall;
  ReturnTaskResult(argument: _nodepool_ReturnTaskResultRequest, callback: grpc.requestCallback<_nodepool_ReturnTaskResultResponse__Output>): grpc.ClientUnaryCall;
  returnTaskResult(argument: _nodepool_ReturnTaskResultRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_ReturnTaskResultResponse__Output>): grpc.ClientUnaryCall;
  returnTaskResult(argument: _nodepool_ReturnTaskResultRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_ReturnTaskResultResponse__Output>): grpc.ClientUnaryCall;
  returnTaskResult(argument: _nodepool_ReturnTaskResultRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_ReturnTaskResultResponse__Output>): grpc.ClientUnaryCall;
  returnTaskResult(argument: _nodepool_ReturnTaskResultRequest, callback: grpc.requestCallback<_nodepool_ReturnTaskResultResponse__Output>): grpc.ClientUnaryCall;
  
  StopTask(argument: _nodepool_StopTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StopTaskResponse__Output>): grpc.ClientUnaryCall;
  StopTask(argument: _nodepool_StopTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StopTaskResponse__Output>): grpc.ClientUnaryCall;
  StopTask(argument: _nodepool_StopTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StopTaskResponse__Output>): grpc.ClientUnaryCall;
  StopTask(argument: _nodepool_StopTaskRequest, callback: grpc.requestCallback<_nodepool_StopTaskResponse__Output>): grpc.ClientUnaryCall;
  stopTask(argument: _nodepool_StopTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StopTaskResponse__Output>): grpc.ClientUnaryCall;
  stopTask(argument: _nodepool_StopTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StopTaskResponse__Output>): grpc.ClientUnaryCall;
  stopTask(argument: _nodepool_StopTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StopTaskResponse__Output>): grpc.ClientUnaryCall;
  stopTask(argument: _nodepool_StopTaskRequest, callback: grpc.requestCallback<_nodepool_StopTaskResponse__Output>): grpc.ClientUnaryCall;
  
  StoreLogs(argument: _nodepool_StoreLogsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  StoreLogs(argument: _nodepool_StoreLogsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  StoreLogs(argument: _nodepool_StoreLogsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  StoreLogs(argument: _nodepool_StoreLogsRequest, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  storeLogs(argument: _nodepool_StoreLogsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  storeLogs(argument: _nodepool_StoreLogsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  storeLogs(argument: _nodepool_StoreLogsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  storeLogs(argument: _nodepool_StoreLogsRequest, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  StoreOutput(argument: _nodepool_StoreOutputRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  StoreOutput(argument: _nodepool_StoreOutputRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  StoreOutput(argument: _nodepool_StoreOutputRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  StoreOutput(argument: _nodepool_StoreOutputRequest, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  storeOutput(argument: _nodepool_StoreOutputRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  storeOutput(argument: _nodepool_StoreOutputRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  storeOutput(argument: _nodepool_StoreOutputRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  storeOutput(argument: _nodepool_StoreOutputRequest, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  StoreResult(argument: _nodepool_StoreResultRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  StoreResult(argument: _nodepool_StoreResultRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  StoreResult(argument: _nodepool_StoreResultRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  StoreResult(argument: _nodepool_StoreResultRequest, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  storeResult(argument: _nodepool_StoreResultRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  storeResult(argument: _nodepool_StoreResultRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  storeResult(argument: _nodepool_StoreResultRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  storeResult(argument: _nodepool_StoreResultRequest, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  TaskCompleted(argument: _nodepool_TaskCompletedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  TaskCompleted(argument: _nodepool_TaskCompletedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  TaskCompleted(argument: _nodepool_TaskCompletedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  TaskCompleted(argument: _nodepool_TaskCompletedRequest, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  taskCompleted(argument: _nodepool_TaskCompletedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  taskCompleted(argument: _nodepool_TaskCompletedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  taskCompleted(argument: _nodepool_TaskCompletedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  taskCompleted(argument: _nodepool_TaskCompletedRequest, callback: grpc.requestCallback<_nodepool_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  UploadTask(argument: _nodepool_UploadTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_UploadTaskResponse__Output>): grpc.ClientUnaryCall;
  UploadTask(argument: _nodepool_UploadTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_UploadTaskResponse__Output>): grpc.ClientUnaryCall;
  UploadTask(argument: _nodepool_UploadTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_UploadTaskResponse__Output>): grpc.ClientUnaryCall;
  UploadTask(argument: _nodepool_UploadTaskRequest, callback: grpc.requestCallback<_nodepool_UploadTaskResponse__Output>): grpc.ClientUnaryCall;
  uploadTask(argument: _nodepool_UploadTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_UploadTaskResponse__Output>): grpc.ClientUnaryCall;
  uploadTask(argument: _nodepool_UploadTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_UploadTaskResponse__Output>): grpc.ClientUnaryCall;
  uploadTask(argument: _nodepool_UploadTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_UploadTaskResponse__Output>): grpc.ClientUnaryCall;
  uploadTask(argument: _nodepool_UploadTaskRequest, callback: grpc.requestCallback<_nodepool_UploadTaskResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface MasterNodeServiceHandlers extends grpc.UntypedServiceImplementation {
  GetAllTasks: grpc.handleUnaryCall<_nodepool_GetAllTasksRequest__Output, _nodepool_GetAllTasksResponse>;
  
  GetTaskLogs: grpc.handleUnaryCall<_nodepool_GetTaskLogsRequest__Output, _nodepool_GetTaskLogsResponse>;
  
  GetTaskResult: grpc.handleUnaryCall<_nodepool_GetTaskResultRequest__Output, _nodepool_GetTaskResultResponse>;
  
  PollTaskStatus: grpc.handleUnaryCall<_nodepool_PollTaskStatusRequest__Output, _nodepool_PollTaskStatusResponse>;
  
  ReturnTaskResult: grpc.handleUnaryCall<_nodepool_ReturnTaskResultRequest__Output, _nodepool_ReturnTaskResultResponse>;
  
  StopTask: grpc.handleUnaryCall<_nodepool_StopTaskRequest__Output, _nodepool_StopTaskResponse>;
  
  StoreLogs: grpc.handleUnaryCall<_nodepool_StoreLogsRequest__Output, _nodepool_StatusResponse>;
  
  StoreOutput: grpc.handleUnaryCall<_nodepool_StoreOutputRequest__Output, _nodepool_StatusResponse>;
  
  StoreResult: grpc.handleUnaryCall<_nodepool_StoreResultRequest__Output, _nodepool_StatusResponse>;
  
  TaskCompleted: grpc.handleUnaryCall<_nodepool_TaskCompletedRequest__Output, _nodepool_StatusResponse>;
  
  UploadTask: grpc.handleUnaryCall<_nodepool_UploadTaskRequest__Output, _nodepool_UploadTaskResponse>;
  
}

export interface MasterNodeServiceDefinition extends grpc.ServiceDefinition {
  GetAllTasks: MethodDefinition<_nodepool_GetAllTasksRequest, _nodepool_GetAllTasksResponse, _nodepool_GetAllTasksRequest__Output, _nodepool_GetAllTasksResponse__Output>
  GetTaskLogs: MethodDefinition<_nodepool_GetTaskLogsRequest, _nodepool_GetTaskLogsResponse, _nodepool_GetTaskLogsRequest__Output, _nodepool_GetTaskLogsResponse__Output>
  GetTaskResult: MethodDefinition<_nodepool_GetTaskResultRequest, _nodepool_GetTaskResultResponse, _nodepool_GetTaskResultRequest__Output, _nodepool_GetTaskResultResponse__Output>
  PollTaskStatus: MethodDefinition<_nodepool_PollTaskStatusRequest, _nodepool_PollTaskStatusResponse, _nodepool_PollTaskStatusRequest__Output, _nodepool_PollTaskStatusResponse__Output>
  ReturnTaskResult: MethodDefinition<_nodepool_ReturnTaskResultRequest, _nodepool_ReturnTaskResultResponse, _nodepool_ReturnTaskResultRequest__Output, _nodepool_ReturnTaskResultResponse__Output>
  StopTask: MethodDefinition<_nodepool_StopTaskRequest, _nodepool_StopTaskResponse, _nodepool_StopTaskRequest__Output, _nodepool_StopTaskResponse__Output>
  StoreLogs: MethodDefinition<_nodepool_StoreLogsRequest, _nodepool_StatusResponse, _nodepool_StoreLogsRequest__Output, _nodepool_StatusResponse__Output>
  StoreOutput: MethodDefinition<_nodepool_StoreOutputRequest, _nodepool_StatusResponse, _nodepool_StoreOutputRequest__Output, _nodepool_StatusResponse__Output>
  StoreResult: MethodDefinition<_nodepool_StoreResultRequest, _nodepool_StatusResponse, _nodepool_StoreResultRequest__Output, _nodepool_StatusResponse__Output>
  TaskCompleted: MethodDefinition<_nodepool_TaskCompletedRequest, _nodepool_StatusResponse, _nodepool_TaskCompletedRequest__Output, _nodepool_StatusResponse__Output>
  UploadTask: MethodDefinition<_nodepool_UploadTaskRequest, _nodepool_UploadTaskResponse, _nodepool_UploadTaskRequest__Output, _nodepool_UploadTaskResponse__Output>
}
