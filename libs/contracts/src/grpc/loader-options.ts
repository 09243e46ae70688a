import type * as protoLoader from '@grpc/proto-loader';

/**
 * The loader options every server and client uses. The generated types assume exactly these
 * (scripts/generate-grpc-types.mjs passes the same flags): snake_case fields, 64-bit integers as
 * strings, enums as names, defaults filled in, oneof names set.
 */
export const GRPC_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};
