// Original file: libs/contracts/proto/nodepool.proto


export interface GetNodeListRequest {
}

export interface GetNodeListRequest__Output {
}
