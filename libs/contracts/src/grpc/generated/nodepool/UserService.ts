// Original file: libs/contracts/proto/nodepool.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetBalanceRequest as _nodepool_GetBalanceRequest, GetBalanceRequest__Output as _nodepool_GetBalanceRequest__Output } from '../nodepool/GetBalanceRequest';
import type { GetBalanceResponse as _nodepool_GetBalanceResponse, GetBalanceResponse__Output as _nodepool_GetBalanceResponse__Output } from '../nodepool/GetBalanceResponse';
import type { LoginRequest as _nodepool_LoginRequest, LoginRequest__Output as _nodepool_LoginRequest__Output } from '../nodepool/LoginRequest';
import type { LoginResponse as _nodepool_LoginResponse, LoginResponse__Output as _nodepool_LoginResponse__Output } from '../nodepool/LoginResponse';
import type { RefreshTokenRequest as _nodepool_RefreshTokenRequest, RefreshTokenRequest__Output as _nodepool_RefreshTokenRequest__Output } from '../nodepool/RefreshTokenRequest';
import type { RegisterRequest as _nodepool_RegisterRequest, RegisterRequest__Output as _nodepool_RegisterRequest__Output } from '../nodepool/RegisterRequest';
import type { RegisterResponse as _nodepool_RegisterResponse, RegisterResponse__Output as _nodepool_RegisterResponse__Output } from '../nodepool/RegisterResponse';
import type { TransferRequest as _nodepool_TransferRequest, TransferRequest__Output as _nodepool_TransferRequest__Output } from '../nodepool/TransferRequest';
import type { TransferResponse as _nodepool_TransferResponse, TransferResponse__Output as _nodepool_TransferResponse__Output } from '../nodepool/TransferResponse';
import type { WhoAmIRequest as _nodepool_WhoAmIRequest, WhoAmIRequest__Output as _nodepool_WhoAmIRequest__Output } from '../nodepool/WhoAmIRequest';
import type { WhoAmIResponse as _nodepool_WhoAmIResponse, WhoAmIResponse__Output as _nodepool_WhoAmIResponse__Output } from '../nodepool/WhoAmIResponse';

export interface UserServiceClient extends grpc.Client {
  GetBalance(argument: _nodepool_GetBalanceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetBalanceResponse__Output>): grpc.ClientUnaryCall;
  GetBalance(argument: _nodepool_GetBalanceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_GetBalanceResponse__Output>): grpc.ClientUnaryCall;
  GetBalance(argument: _nodepool_GetBalanceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetBalanceResponse__Output>): grpc.ClientUnaryCall;
  GetBalance(argument: _nodepool_GetBalanceRequest, callback: grpc.requestCallback<_nodepool_GetBalanceResponse__Output>): grpc.ClientUnaryCall;
  getBalance(argument: _nodepool_GetBalanceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetBalanceResponse__Output>): grpc.ClientUnaryCall;
  getBalance(argument: _nodepool_GetBalanceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_GetBalanceResponse__Output>): grpc.ClientUnaryCall;
  getBalance(argument: _nodepool_GetBalanceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_GetBalanceResponse__Output>): grpc.ClientUnaryCall;
  getBalance(argument: _nodepool_GetBalanceRequest, callback: grpc.requestCallback<_nodepool_GetBalanceResponse__Output>): grpc.ClientUnaryCall;
  
  Login(argument: _nodepool_LoginRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_LoginResponse__Output>): grpc.ClientUnaryCall;
  Login(argument: _nodepool_LoginRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_LoginResponse__Output>): grpc.ClientUnaryCall;
  Login(argument: _nodepool_LoginRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_LoginResponse__Output>): grpc.ClientUnaryCall;
  Login(argument: _nodepool_LoginRequest, callback: grpc.requestCallback<_nodepool_LoginResponse__Output>): grpc.ClientUnaryCall;
  login(argument: _nodepool_LoginRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_LoginResponse__Output>): grpc.ClientUnaryCall;
  login(argument: _nodepool_LoginRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_LoginResponse__Output>): grpc.ClientUnaryCall;
  login(argument: _nodepool_LoginRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_LoginResponse__Output>): grpc.ClientUnaryCall;
  login(argument: _nodepool_LoginRequest, callback: grpc.requestCallback<_nodepool_LoginResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * HiveMind additions
   */
  RefreshToken(argument: _nodepool_RefreshTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_LoginResponse__Output>): grpc.ClientUnaryCall;
  RefreshToken(argument: _nodepool_RefreshTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_LoginResponse__Output>): grpc.ClientUnaryCall;
  RefreshToken(argument: _nodepool_RefreshTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_LoginResponse__Output>): grpc.ClientUnaryCall;
  RefreshToken(argument: _nodepool_RefreshTokenRequest, callback: grpc.requestCallback<_nodepool_LoginResponse__Output>): grpc.ClientUnaryCall;
  /**
   * HiveMind additions
   */
  refreshToken(argument: _nodepool_RefreshTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_LoginResponse__Output>): grpc.ClientUnaryCall;
  refreshToken(argument: _nodepool_RefreshTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_LoginResponse__Output>): grpc.ClientUnaryCall;
  refreshToken(argument: _nodepool_RefreshTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_LoginResponse__Output>): grpc.ClientUnaryCall;
  refreshToken(argument: _nodepool_RefreshTokenRequest, callback: grpc.requestCallback<_nodepool_LoginResponse__Output>): grpc.ClientUnaryCall;
  
  Register(argument: _nodepool_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _nodepool_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _nodepool_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _nodepool_RegisterRequest, callback: grpc.requestCallback<_nodepool_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _nodepool_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _nodepool_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _nodepool_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _nodepool_RegisterRequest, callback: grpc.requestCallback<_nodepool_RegisterResponse__Output>): grpc.ClientUnaryCall;
  
  Transfer(argument: _nodepool_TransferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_TransferResponse__Output>): grpc.ClientUnaryCall;
  Transfer(argument: _nodepool_TransferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_TransferResponse__Output>): grpc.ClientUnaryCall;
  Transfer(argument: _nodepool_TransferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_TransferResponse__Output>): grpc.ClientUnaryCall;
  Transfer(argument: _nodepool_TransferRequest, callback: grpc.requestCallback<_nodepool_TransferResponse__Output>): grpc.ClientUnaryCall;
  transfer(argument: _nodepool_TransferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_TransferResponse__Output>): grpc.ClientUnaryCall;
  transfer(argument: _nodepool_TransferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_TransferResponse__Output>): grpc.ClientUnaryCall;
  transfer(argument: _nodepool_TransferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_TransferResponse__Output>): grpc.ClientUnaryCall;
  transfer(argument: _nodepool_TransferRequest, callback: grpc.requestCallback<_nodepool_TransferResponse__Output>): grpc.ClientUnaryCall;
  
  WhoAmI(argument: _nodepool_WhoAmIRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  WhoAmI(argument: _nodepool_WhoAmIRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  WhoAmI(argument: _nodepool_WhoAmIRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  WhoAmI(argument: _nodepool_WhoAmIRequest, callback: grpc.requestCallback<_nodepool_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  whoAmI(argument: _nodepool_WhoAmIRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  whoAmI(argument: _nodepool_WhoAmIRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_nodepool_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  whoAmI(argument: _nodepool_WhoAmIRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_nodepool_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  whoAmI(argument: _nodepool_WhoAmIRequest, callback: grpc.requestCallback<_nodepool_WhoAmIResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface UserServiceHandlers extends grpc.UntypedServiceImplementation {
  GetBalance: grpc.handleUnaryCall<_nodepool_GetBalanceRequest__Output, _nodepool_GetBalanceResponse>;
  
  Login: grpc.handleUnaryCall<_nodepool_LoginRequest__Output, _nodepool_LoginResponse>;
  
  /**
   * HiveMind additions
   */
  RefreshToken: grpc.handleUnaryCall<_nodepool_RefreshTokenRequest__Output, _nodepool_LoginResponse>;
  
  Register: grpc.handleUnaryCall<_nodepool_RegisterRequest__Output, _nodepool_RegisterResponse>;
  
  Transfer: grpc.handleUnaryCall<_nodepool_TransferRequest__Output, _nodepool_TransferResponse>;
  
  WhoAmI: grpc.handleUnaryCall<_nodepool_WhoAmIRequest__Output, _nodepool_WhoAmIResponse>;
  
}

export interface UserServiceDefinition extends grpc.ServiceDefinition {
  GetBalance: MethodDefinition<_nodepool_GetBalanceRequest, _nodepool_GetBalanceResponse, _nodepool_GetBalanceRequest__Output, _nodepool_GetBalanceResponse__Output>
  Login: MethodDefinition<_nodepool_LoginRequest, _nodepool_LoginResponse, _nodepool_LoginRequest__Output, _nodepool_LoginResponse__Output>
  RefreshToken: MethodDefinition<_nodepool_RefreshTokenRequest, _nodepool_LoginResponse, _nodepool_RefreshTokenRequest__Output, _nodepool_LoginResponse__Output>
  Register: MethodDefinition<_nodepool_RegisterRequest, _nodepool_RegisterResponse, _nodepool_RegisterRequest__Output, _nodepool_RegisterResponse__Output>
  Transfer: MethodDefinition<_nodepool_TransferRequest, _nodepool_TransferResponse, _nodepool_TransferRequest__Output, _nodepool_TransferResponse__Output>
  WhoAmI: MethodDefinition<_nodepool_WhoAmIRequest, _nodepool_WhoAmIResponse, _nodepool_WhoAmIRequest__Output, _nodepool_WhoAmIResponse__Output>
}
