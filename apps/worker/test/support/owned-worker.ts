import { join } from 'node:path';
import { type SessionView } from '@hivemind/contracts';
import { stackInfo } from '@hivemind/testing';
import { call, STRONG_PASSWORD } from '../../../node-pool/test/support/http';
import { type TestNodePool } from '../../../node-pool/test/support/test-node-pool';
import { WorkerProcess } from './worker-process';

/**
 * Registers `owner` on the pool and starts a real worker for that account (Docker when the test
 * stack has an engine, else the process executor), its files under `scratch/worker`. With
 * `operatorToken` (an admin's), the owner is made an admin first: the worker is then the operator's
 * own machine, which needs no probation and whose results adaptive validation accepts alone
 * (docs/validation.md).
 */
export async function startOwnedWorker(
  pool: TestNodePool,
  options: {
    name: string;
    owner: string;
    scratch: string;
    runtimeImage: string;
    maxConcurrent: number;
    operatorToken?: string;
  },
): Promise<WorkerProcess> {
  const owner = await call<SessionView>(pool, 'POST', '/api/auth/register', {
    body: { username: options.owner, password: STRONG_PASSWORD },
  });
  if (owner.status !== 201) throw new Error(`registering ${options.owner} answered ${owner.status}`);
  if (options.operatorToken) {
    const promoted = await call(pool, 'PATCH', `/api/admin/users/${owner.body.user.id}`, {
      token: options.operatorToken,
      body: { role: 'admin' },
    });
    if (promoted.status !== 200)
      throw new Error(`making ${options.owner} an admin answered ${promoted.status}`);
  }
  const worker = new WorkerProcess(options.name, join(options.scratch, 'worker'), {
    NODE_POOL_ADDRESS: pool.grpc,
    ...(pool.pki ? { NODE_POOL_CA_FILE: pool.pki.caFile } : {}),
    HIVEMIND_USERNAME: options.owner,
    HIVEMIND_PASSWORD: STRONG_PASSWORD,
    DOCKER_ENABLED: stackInfo().docker ? 'true' : 'false',
    RUNTIME_IMAGE: options.runtimeImage,
    MAX_CONCURRENT_TASKS: String(options.maxConcurrent),
  });
  await worker.start();
  return worker;
}
