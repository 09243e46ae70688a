import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ConnectRequest as _nodepool_ConnectRequest, ConnectRequest__Output as _nodepool_ConnectRequest__Output } from './nodepool/ConnectRequest';
import type { CreateVpnPeerRequest as _nodepool_CreateVpnPeerRequest, CreateVpnPeerRequest__Output as _nodepool_CreateVpnPeerRequest__Output } from './nodepool/CreateVpnPeerRequest';
import type { CreateVpnPeerResponse as _nodepool_CreateVpnPeerResponse, CreateVpnPeerResponse__Output as _nodepool_CreateVpnPeerResponse__Output } from './nodepool/CreateVpnPeerResponse';
import type { DownloadInputRequest as _nodepool_DownloadInputRequest, DownloadInputRequest__Output as _nodepool_DownloadInputRequest__Output } from './nodepool/DownloadInputRequest';
import type { ExecuteTaskRequest as _nodepool_ExecuteTaskRequest, ExecuteTaskRequest__Output as _nodepool_ExecuteTaskRequest__Output } from './nodepool/ExecuteTaskRequest';
import type { ExecuteTaskResponse as _nodepool_ExecuteTaskResponse, ExecuteTaskResponse__Output as _nodepool_ExecuteTaskResponse__Output } from './nodepool/ExecuteTaskResponse';
import type { FileChunk as _nodepool_FileChunk, FileChunk__Output as _nodepool_FileChunk__Output } from './nodepool/FileChunk';
import type { GetAllTasksRequest as _nodepool_GetAllTasksRequest, GetAllTasksRequest__Output as _nodepool_GetAllTasksRequest__Output } from './nodepool/GetAllTasksRequest';
import type { GetAllTasksResponse as _nodepool_GetAllTasksResponse, GetAllTasksResponse__Output as _nodepool_GetAllTasksResponse__Output } from './nodepool/GetAllTasksResponse';
import type { GetBalanceRequest as _nodepool_GetBalanceRequest, GetBalanceRequest__Output as _nodepool_GetBalanceRequest__Output } from './nodepool/GetBalanceRequest';
import type { GetBalanceResponse as _nodepool_GetBalanceResponse, GetBalanceResponse__Output as _nodepool_GetBalanceResponse__Output } from './nodepool/GetBalanceResponse';
import type { GetNodeListRequest as _nodepool_GetNodeListRequest, GetNodeListRequest__Output as _nodepool_GetNodeListRequest__Output } from './nodepool/GetNodeListRequest';
import type { GetNodeListResponse as _nodepool_GetNodeListResponse, GetNodeListResponse__Output as _nodepool_GetNodeListResponse__Output } from './nodepool/GetNodeListResponse';
import type { GetTaskLogsRequest as _nodepool_GetTaskLogsRequest, GetTaskLogsRequest__Output as _nodepool_GetTaskLogsRequest__Output } from './nodepool/GetTaskLogsRequest';
import type { GetTaskLogsResponse as _nodepool_GetTaskLogsResponse, GetTaskLogsResponse__Output as _nodepool_GetTaskLogsResponse__Output } from './nodepool/GetTaskLogsResponse';
import type { GetTaskResultRequest as _nodepool_GetTaskResultRequest, GetTaskResultRequest__Output as _nodepool_GetTaskResultRequest__Output } from './nodepool/GetTaskResultRequest';
import type { GetTaskResultResponse as _nodepool_GetTaskResultResponse, GetTaskResultResponse__Output as _nodepool_GetTaskResultResponse__Output } from './nodepool/GetTaskResultResponse';
import type { GetVpnPeerConfigRequest as _nodepool_GetVpnPeerConfigRequest, GetVpnPeerConfigRequest__Output as _nodepool_GetVpnPeerConfigRequest__Output } from './nodepool/GetVpnPeerConfigRequest';
import type { GetVpnPeerConfigResponse as _nodepool_GetVpnPeerConfigResponse, GetVpnPeerConfigResponse__Output as _nodepool_GetVpnPeerConfigResponse__Output } from './nodepool/GetVpnPeerConfigResponse';
import type { HealthCheckRequest as _nodepool_HealthCheckRequest, HealthCheckRequest__Output as _nodepool_HealthCheckRequest__Output } from './nodepool/HealthCheckRequest';
import type { HealthCheckResponse as _nodepool_HealthCheckResponse, HealthCheckResponse__Output as _nodepool_HealthCheckResponse__Output } from './nodepool/HealthCheckResponse';
import type { ListVpnPeersRequest as _nodepool_ListVpnPeersRequest, ListVpnPeersRequest__Output as _nodepool_ListVpnPeersRequest__Output } from './nodepool/ListVpnPeersRequest';
import type { ListVpnPeersResponse as _nodepool_ListVpnPeersResponse, ListVpnPeersResponse__Output as _nodepool_ListVpnPeersResponse__Output } from './nodepool/ListVpnPeersResponse';
import type { LogChunk as _nodepool_LogChunk, LogChunk__Output as _nodepool_LogChunk__Output } from './nodepool/LogChunk';
import type { LoginRequest as _nodepool_LoginRequest, LoginRequest__Output as _nodepool_LoginRequest__Output } from './nodepool/LoginRequest';
import type { LoginResponse as _nodepool_LoginResponse, LoginResponse__Output as _nodepool_LoginResponse__Output } from './nodepool/LoginResponse';
import type { MasterNodeServiceClient as _nodepool_MasterNodeServiceClient, MasterNodeServiceDefinition as _nodepool_MasterNodeServiceDefinition } from './nodepool/MasterNodeService';
import type { NodeManagerServiceClient as _nodepool_NodeManagerServiceClient, NodeManagerServiceDefinition as _nodepool_NodeManagerServiceDefinition } from './nodepool/NodeManagerService';
import type { OutputHeader as _nodepool_OutputHeader, OutputHeader__Output as _nodepool_OutputHeader__Output } from './nodepool/OutputHeader';
import type { PollTaskStatusRequest as _nodepool_PollTaskStatusRequest, PollTaskStatusRequest__Output as _nodepool_PollTaskStatusRequest__Output } from './nodepool/PollTaskStatusRequest';
import type { PollTaskStatusResponse as _nodepool_PollTaskStatusResponse, PollTaskStatusResponse__Output as _nodepool_PollTaskStatusResponse__Output } from './nodepool/PollTaskStatusResponse';
import type { RefreshTokenRequest as _nodepool_RefreshTokenRequest, RefreshTokenRequest__Output as _nodepool_RefreshTokenRequest__Output } from './nodepool/RefreshTokenRequest';
import type { RegisterRequest as _nodepool_RegisterRequest, RegisterRequest__Output as _nodepool_RegisterRequest__Output } from './nodepool/RegisterRequest';
import type { RegisterResponse as _nodepool_RegisterResponse, RegisterResponse__Output as _nodepool_RegisterResponse__Output } from './nodepool/RegisterResponse';
import type { RegisterWorkerNodeRequest as _nodepool_RegisterWorkerNodeRequest, RegisterWorkerNodeRequest__Output as _nodepool_RegisterWorkerNodeRequest__Output } from './nodepool/RegisterWorkerNodeRequest';
import type { RenewNodeCertificateRequest as _nodepool_RenewNodeCertificateRequest, RenewNodeCertificateRequest__Output as _nodepool_RenewNodeCertificateRequest__Output } from './nodepool/RenewNodeCertificateRequest';
import type { ReportOutputRequest as _nodepool_ReportOutputRequest, ReportOutputRequest__Output as _nodepool_ReportOutputRequest__Output } from './nodepool/ReportOutputRequest';
import type { ReportStatusRequest as _nodepool_ReportStatusRequest, ReportStatusRequest__Output as _nodepool_ReportStatusRequest__Output } from './nodepool/ReportStatusRequest';
import type { ReturnTaskResultRequest as _nodepool_ReturnTaskResultRequest, ReturnTaskResultRequest__Output as _nodepool_ReturnTaskResultRequest__Output } from './nodepool/ReturnTaskResultRequest';
import type { ReturnTaskResultResponse as _nodepool_ReturnTaskResultResponse, ReturnTaskResultResponse__Output as _nodepool_ReturnTaskResultResponse__Output } from './nodepool/ReturnTaskResultResponse';
import type { RevokeVpnPeerRequest as _nodepool_RevokeVpnPeerRequest, RevokeVpnPeerRequest__Output as _nodepool_RevokeVpnPeerRequest__Output } from './nodepool/RevokeVpnPeerRequest';
import type { RevokeVpnPeerResponse as _nodepool_RevokeVpnPeerResponse, RevokeVpnPeerResponse__Output as _nodepool_RevokeVpnPeerResponse__Output } from './nodepool/RevokeVpnPeerResponse';
import type { RunningStatusRequest as _nodepool_RunningStatusRequest, RunningStatusRequest__Output as _nodepool_RunningStatusRequest__Output } from './nodepool/RunningStatusRequest';
import type { RunningStatusResponse as _nodepool_RunningStatusResponse, RunningStatusResponse__Output as _nodepool_RunningStatusResponse__Output } from './nodepool/RunningStatusResponse';
import type { StatusResponse as _nodepool_StatusResponse, StatusResponse__Output as _nodepool_StatusResponse__Output } from './nodepool/StatusResponse';
import type { StopTaskExecutionRequest as _nodepool_StopTaskExecutionRequest, StopTaskExecutionRequest__Output as _nodepool_StopTaskExecutionRequest__Output } from './nodepool/StopTaskExecutionRequest';
import type { StopTaskExecutionResponse as _nodepool_StopTaskExecutionResponse, StopTaskExecutionResponse__Output as _nodepool_StopTaskExecutionResponse__Output } from './nodepool/StopTaskExecutionResponse';
import type { StopTaskRequest as _nodepool_StopTaskRequest, StopTaskRequest__Output as _nodepool_StopTaskRequest__Output } from './nodepool/StopTaskRequest';
import type { StopTaskResponse as _nodepool_StopTaskResponse, StopTaskResponse__Output as _nodepool_StopTaskResponse__Output } from './nodepool/StopTaskResponse';
import type { StoreLogsRequest as _nodepool_StoreLogsRequest, StoreLogsRequest__Output as _nodepool_StoreLogsRequest__Output } from './nodepool/StoreLogsRequest';
import type { StoreOutputRequest as _nodepool_StoreOutputRequest, StoreOutputRequest__Output as _nodepool_StoreOutputRequest__Output } from './nodepool/StoreOutputRequest';
import type { StoreResultRequest as _nodepool_StoreResultRequest, StoreResultRequest__Output as _nodepool_StoreResultRequest__Output } from './nodepool/StoreResultRequest';
import type { TaskCompletedRequest as _nodepool_TaskCompletedRequest, TaskCompletedRequest__Output as _nodepool_TaskCompletedRequest__Output } from './nodepool/TaskCompletedRequest';
import type { TaskStatus as _nodepool_TaskStatus, TaskStatus__Output as _nodepool_TaskStatus__Output } from './nodepool/TaskStatus';
import type { TransferRequest as _nodepool_TransferRequest, TransferRequest__Output as _nodepool_TransferRequest__Output } from './nodepool/TransferRequest';
import type { TransferResponse as _nodepool_TransferResponse, TransferResponse__Output as _nodepool_TransferResponse__Output } from './nodepool/TransferResponse';
import type { UploadOutputRequest as _nodepool_UploadOutputRequest, UploadOutputRequest__Output as _nodepool_UploadOutputRequest__Output } from './nodepool/UploadOutputRequest';
import type { UploadOutputResponse as _nodepool_UploadOutputResponse, UploadOutputResponse__Output as _nodepool_UploadOutputResponse__Output } from './nodepool/UploadOutputResponse';
import type { UploadTaskRequest as _nodepool_UploadTaskRequest, UploadTaskRequest__Output as _nodepool_UploadTaskRequest__Output } from './nodepool/UploadTaskRequest';
import type { UploadTaskResponse as _nodepool_UploadTaskResponse, UploadTaskResponse__Output as _nodepool_UploadTaskResponse__Output } from './nodepool/UploadTaskResponse';
import type { UserInfo as _nodepool_UserInfo, UserInfo__Output as _nodepool_UserInfo__Output } from './nodepool/UserInfo';
import type { UserServiceClient as _nodepool_UserServiceClient, UserServiceDefinition as _nodepool_UserServiceDefinition } from './nodepool/UserService';
import type { VpnPeer as _nodepool_VpnPeer, VpnPeer__Output as _nodepool_VpnPeer__Output } from './nodepool/VpnPeer';
import type { VpnServiceClient as _nodepool_VpnServiceClient, VpnServiceDefinition as _nodepool_VpnServiceDefinition } from './nodepool/VpnService';
import type { WhoAmIRequest as _nodepool_WhoAmIRequest, WhoAmIRequest__Output as _nodepool_WhoAmIRequest__Output } from './nodepool/WhoAmIRequest';
import type { WhoAmIResponse as _nodepool_WhoAmIResponse, WhoAmIResponse__Output as _nodepool_WhoAmIResponse__Output } from './nodepool/WhoAmIResponse';
import type { WorkerCommand as _nodepool_WorkerCommand, WorkerCommand__Output as _nodepool_WorkerCommand__Output } from './nodepool/WorkerCommand';
import type { WorkerNodeInfo as _nodepool_WorkerNodeInfo, WorkerNodeInfo__Output as _nodepool_WorkerNodeInfo__Output } from './nodepool/WorkerNodeInfo';
import type { WorkerNodeServiceClient as _nodepool_WorkerNodeServiceClient, WorkerNodeServiceDefinition as _nodepool_WorkerNodeServiceDefinition } from './nodepool/WorkerNodeService';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  nodepool: {
    ConnectRequest: MessageTypeDefinition<_nodepool_ConnectRequest, _nodepool_ConnectRequest__Output>
    CreateVpnPeerRequest: MessageTypeDefinition<_nodepool_CreateVpnPeerRequest, _nodepool_CreateVpnPeerRequest__Output>
    CreateVpnPeerResponse: MessageTypeDefinition<_nodepool_CreateVpnPeerResponse, _nodepool_CreateVpnPeerResponse__Output>
    DownloadInputRequest: MessageTypeDefinition<_nodepool_DownloadInputRequest, _nodepool_DownloadInputRequest__Output>
    ExecuteTaskRequest: MessageTypeDefinition<_nodepool_ExecuteTaskRequest, _nodepool_ExecuteTaskRequest__Output>
    ExecuteTaskResponse: MessageTypeDefinition<_nodepool_ExecuteTaskResponse, _nodepool_ExecuteTaskResponse__Output>
    FileChunk: MessageTypeDefinition<_nodepool_FileChunk, _nodepool_FileChunk__Output>
    GetAllTasksRequest: MessageTypeDefinition<_nodepool_GetAllTasksRequest, _nodepool_GetAllTasksRequest__Output>
    GetAllTasksResponse: MessageTypeDefinition<_nodepool_GetAllTasksResponse, _nodepool_GetAllTasksResponse__Output>
    GetBalanceRequest: MessageTypeDefinition<_nodepool_GetBalanceRequest, _nodepool_GetBalanceRequest__Output>
    GetBalanceResponse: MessageTypeDefinition<_nodepool_GetBalanceResponse, _nodepool_GetBalanceResponse__Output>
    GetNodeListRequest: MessageTypeDefinition<_nodepool_GetNodeListRequest, _nodepool_GetNodeListRequest__Output>
    GetNodeListResponse: MessageTypeDefinition<_nodepool_GetNodeListResponse, _nodepool_GetNodeListResponse__Output>
    GetTaskLogsRequest: MessageTypeDefinition<_nodepool_GetTaskLogsRequest, _nodepool_GetTaskLogsRequest__Output>
    GetTaskLogsResponse: MessageTypeDefinition<_nodepool_GetTaskLogsResponse, _nodepool_GetTaskLogsResponse__Output>
    GetTaskResultRequest: MessageTypeDefinition<_nodepool_GetTaskResultRequest, _nodepool_GetTaskResultRequest__Output>
    GetTaskResultResponse: MessageTypeDefinition<_nodepool_GetTaskResultResponse, _nodepool_GetTaskResultResponse__Output>
    GetVpnPeerConfigRequest: MessageTypeDefinition<_nodepool_GetVpnPeerConfigRequest, _nodepool_GetVpnPeerConfigRequest__Output>
    GetVpnPeerConfigResponse: MessageTypeDefinition<_nodepool_GetVpnPeerConfigResponse, _nodepool_GetVpnPeerConfigResponse__Output>
    HealthCheckRequest: MessageTypeDefinition<_nodepool_HealthCheckRequest, _nodepool_HealthCheckRequest__Output>
    HealthCheckResponse: MessageTypeDefinition<_nodepool_HealthCheckResponse, _nodepool_HealthCheckResponse__Output>
    ListVpnPeersRequest: MessageTypeDefinition<_nodepool_ListVpnPeersRequest, _nodepool_ListVpnPeersRequest__Output>
    ListVpnPeersResponse: MessageTypeDefinition<_nodepool_ListVpnPeersResponse, _nodepool_ListVpnPeersResponse__Output>
    LogChunk: MessageTypeDefinition<_nodepool_LogChunk, _nodepool_LogChunk__Output>
    LoginRequest: MessageTypeDefinition<_nodepool_LoginRequest, _nodepool_LoginRequest__Output>
    LoginResponse: MessageTypeDefinition<_nodepool_LoginResponse, _nodepool_LoginResponse__Output>
    MasterNodeService: SubtypeConstructor<typeof grpc.Client, _nodepool_MasterNodeServiceClient> & { service: _nodepool_MasterNodeServiceDefinition }
    NodeManagerService: SubtypeConstructor<typeof grpc.Client, _nodepool_NodeManagerServiceClient> & { service: _nodepool_NodeManagerServiceDefinition }
    OutputHeader: MessageTypeDefinition<_nodepool_OutputHeader, _nodepool_OutputHeader__Output>
    PollTaskStatusRequest: MessageTypeDefinition<_nodepool_PollTaskStatusRequest, _nodepool_PollTaskStatusRequest__Output>
    PollTaskStatusResponse: MessageTypeDefinition<_nodepool_PollTaskStatusResponse, _nodepool_PollTaskStatusResponse__Output>
    RefreshTokenRequest: MessageTypeDefinition<_nodepool_RefreshTokenRequest, _nodepool_RefreshTokenRequest__Output>
    RegisterRequest: MessageTypeDefinition<_nodepool_RegisterRequest, _nodepool_RegisterRequest__Output>
    RegisterResponse: MessageTypeDefinition<_nodepool_RegisterResponse, _nodepool_RegisterResponse__Output>
    RegisterWorkerNodeRequest: MessageTypeDefinition<_nodepool_RegisterWorkerNodeRequest, _nodepool_RegisterWorkerNodeRequest__Output>
    RenewNodeCertificateRequest: MessageTypeDefinition<_nodepool_RenewNodeCertificateRequest, _nodepool_RenewNodeCertificateRequest__Output>
    ReportOutputRequest: MessageTypeDefinition<_nodepool_ReportOutputRequest, _nodepool_ReportOutputRequest__Output>
    ReportStatusRequest: MessageTypeDefinition<_nodepool_ReportStatusRequest, _nodepool_ReportStatusRequest__Output>
    ReturnTaskResultRequest: MessageTypeDefinition<_nodepool_ReturnTaskResultRequest, _nodepool_ReturnTaskResultRequest__Output>
    ReturnTaskResultResponse: MessageTypeDefinition<_nodepool_ReturnTaskResultResponse, _nodepool_ReturnTaskResultResponse__Output>
    RevokeVpnPeerRequest: MessageTypeDefinition<_nodepool_RevokeVpnPeerRequest, _nodepool_RevokeVpnPeerRequest__Output>
    RevokeVpnPeerResponse: MessageTypeDefinition<_nodepool_RevokeVpnPeerResponse, _nodepool_RevokeVpnPeerResponse__Output>
    RunningStatusRequest: MessageTypeDefinition<_nodepool_RunningStatusRequest, _nodepool_RunningStatusRequest__Output>
    RunningStatusResponse: MessageTypeDefinition<_nodepool_RunningStatusResponse, _nodepool_RunningStatusResponse__Output>
    StatusResponse: MessageTypeDefinition<_nodepool_StatusResponse, _nodepool_StatusResponse__Output>
    StopTaskExecutionRequest: MessageTypeDefinition<_nodepool_StopTaskExecutionRequest, _nodepool_StopTaskExecutionRequest__Output>
    StopTaskExecutionResponse: MessageTypeDefinition<_nodepool_StopTaskExecutionResponse, _nodepool_StopTaskExecutionResponse__Output>
    StopTaskRequest: MessageTypeDefinition<_nodepool_StopTaskRequest, _nodepool_StopTaskRequest__Output>
    StopTaskResponse: MessageTypeDefinition<_nodepool_StopTaskResponse, _nodepool_StopTaskResponse__Output>
    StoreLogsRequest: MessageTypeDefinition<_nodepool_StoreLogsRequest, _nodepool_StoreLogsRequest__Output>
    StoreOutputRequest: MessageTypeDefinition<_nodepool_StoreOutputRequest, _nodepool_StoreOutputRequest__Output>
    StoreResultRequest: MessageTypeDefinition<_nodepool_StoreResultRequest, _nodepool_StoreResultRequest__Output>
    TaskCompletedRequest: MessageTypeDefinition<_nodepool_TaskCompletedRequest, _nodepool_TaskCompletedRequest__Output>
    TaskStatus: MessageTypeDefinition<_nodepool_TaskStatus, _nodepool_TaskStatus__Output>
    TransferRequest: MessageTypeDefinition<_nodepool_TransferRequest, _nodepool_TransferRequest__Output>
    TransferResponse: MessageTypeDefinition<_nodepool_TransferResponse, _nodepool_TransferResponse__Output>
    UploadOutputRequest: MessageTypeDefinition<_nodepool_UploadOutputRequest, _nodepool_UploadOutputRequest__Output>
    UploadOutputResponse: MessageTypeDefinition<_nodepool_UploadOutputResponse, _nodepool_UploadOutputResponse__Output>
    UploadTaskRequest: MessageTypeDefinition<_nodepool_UploadTaskRequest, _nodepool_UploadTaskRequest__Output>
    UploadTaskResponse: MessageTypeDefinition<_nodepool_UploadTaskResponse, _nodepool_UploadTaskResponse__Output>
    UserInfo: MessageTypeDefinition<_nodepool_UserInfo, _nodepool_UserInfo__Output>
    UserService: SubtypeConstructor<typeof grpc.Client, _nodepool_UserServiceClient> & { service: _nodepool_UserServiceDefinition }
    VpnPeer: MessageTypeDefinition<_nodepool_VpnPeer, _nodepool_VpnPeer__Output>
    VpnService: SubtypeConstructor<typeof grpc.Client, _nodepool_VpnServiceClient> & { service: _nodepool_VpnServiceDefinition }
    WhoAmIRequest: MessageTypeDefinition<_nodepool_WhoAmIRequest, _nodepool_WhoAmIRequest__Output>
    WhoAmIResponse: MessageTypeDefinition<_nodepool_WhoAmIResponse, _nodepool_WhoAmIResponse__Output>
    WorkerCommand: MessageTypeDefinition<_nodepool_WorkerCommand, _nodepool_WorkerCommand__Output>
    WorkerNodeInfo: MessageTypeDefinition<_nodepool_WorkerNodeInfo, _nodepool_WorkerNodeInfo__Output>
    WorkerNodeService: SubtypeConstructor<typeof grpc.Client, _nodepool_WorkerNodeServiceClient> & { service: _nodepool_WorkerNodeServiceDefinition }
  }
}

