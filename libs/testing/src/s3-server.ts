import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The part of s3rver (which ships no types) the harness uses. */
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rverServer;

/** s3rver's one account: every request must be signed with it. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface TestS3Server {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  bucket: string;
  /** The folder s3rver keeps buckets and objects in. */
  directory: string;
  /** The node pool's settings for STORAGE_BACKEND=s3 on this server's bucket. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A real S3 API (s3rver: the S3 REST protocol over a folder, signatures checked) on a free
 * 127.0.0.1 port, with `buckets` made and a throw-away folder; for the S3 blob store's tests.
 */
export async function startTestS3Server(buckets: string[] = ['hivemind-test']): Promise<TestS3Server> {
  const S3rver = createRequire(__filename)('s3rver') as S3rverClass;
  const directory = await mkdtemp(join(tmpdir(), 'hivemind-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const bucket = buckets[0] ?? '';
  return {
    endpoint,
    bucket,
    directory,
    env: {
      STORAGE_BACKEND: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    },
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
