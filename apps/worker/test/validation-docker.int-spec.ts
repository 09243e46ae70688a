/* eslint-disable @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- the tests read the REST API JSON loosely */
// Result validation end to end (docs/validation.md): two real worker agents (child processes) of
// two different owners run a third user's 3-shard task in real Docker containers, against a real
// node pool, PostgreSQL and Redis. With `validation: quorum` every shard runs on both nodes, the
// digests the workers report match the pool's own and each other, and the shard keeps one
// canonical result; with `validation: none` every shard runs once, as before validation.
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { BUSYBOX_IMAGE, buildBusyboxImage, imageExists } from '@hivemind/local-stack';
import { canonicalResultText } from '@hivemind/contracts';
import { removeTree, stackInfo, waitFor } from '@hivemind/testing';
import { auditLedger } from '../../node-pool/test/support/ledger-audit';
import { call, loginAs, newUser, type TestUser } from '../../node-pool/test/support/http';
import { startTestNodePool, type TestNodePool } from '../../node-pool/test/support/test-node-pool';
import { watchResultDigests } from '../../node-pool/test/support/result-digests';
import { readZip } from '../../node-pool/test/support/zip';
import { WorkerProcess } from './support/worker-process';

const ADMIN = { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'amber-quartz-lantern-58' };
const docker = new Docker();
const describeDocker = stackInfo().docker ? describe : describe.skip;

const containersOf = async (label: string): Promise<Docker.ContainerInfo[]> =>
  docker.listContainers({ all: true, filters: { label: [label] } });

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** What shard `index` of a simulation split from seed 5 writes (its seed is 5 + index). */
const outputOf = (index: number) => `shard ${index} seed ${5 + index}\n`;
/** The digest of a completed shard's result: exit code 0 and its one output file. */
const digestOf = (index: number) =>
  sha256(canonicalResultText(0, [{ path: 'out.txt', sha256: sha256(outputOf(index)) }]));

interface Attempt {
  id: string;
  node_id: string;
  state: string;
  exit_code: number;
  cost: number;
  reward: number;
  result_digest: string | null;
  validation: string | null;
}

describeDocker('result validation through real workers and Docker', () => {
  let pool: TestNodePool;
  let adminToken: string;
  let submitter: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  let digests: ReturnType<typeof watchResultDigests>;
  const scratch = mkdtempSync(join(tmpdir(), 'hivemind-validation-docker-'));
  const workers: WorkerProcess[] = [];

  const worker = async (name: string, owner: TestUser) => {
    const w = new WorkerProcess(name, join(scratch, name), {
      NODE_POOL_ADDRESS: pool.grpc,
      HIVEMIND_USERNAME: owner.username,
      HIVEMIND_PASSWORD: owner.password,
      DOCKER_ENABLED: 'true',
      MAX_CONCURRENT_TASKS: '4',
      IMAGE_PULL_TIMEOUT_S: '5',
      RECONNECT_MAX_S: '2',
    });
    workers.push(w);
    await w.start();
    return w;
  };
  const wallet = async (user: TestUser) =>
    (await call(pool, 'GET', '/api/wallet', { token: user.token })).body as { balance: number; held: number };
  const movements = async (user: TestUser, taskId: string) =>
    (
      (await call(pool, 'GET', '/api/wallet/history?limit=100', { token: user.token })).body.items as {
        kind: string;
        amount: number;
        task_id: string | null;
      }[]
    ).filter((m) => m.task_id === taskId);
  /** A 3-shard image task whose shards write distinct outputs (simulation split: seeds 5, 6, 7). */
  const submit = async (validation: Record<string, unknown>) => {
    const res = await call(pool, 'POST', '/api/tasks', {
      token: submitter.token,
      body: {
        name: `validation-${String(validation.validation)}`,
        image: BUSYBOX_IMAGE,
        command: [
          'sh',
          '-c',
          'seed=$(echo "$HIVEMIND_SHARD_PARAMS" | sed \'s/[^0-9]//g\'); ' +
            'echo "shard $HIVEMIND_SHARD_INDEX seed $seed" > /workspace/output/out.txt',
        ],
        shards: 3,
        split: 'simulation',
        split_params: { seed: 5 },
        cpu_cores: 0.25,
        memory_gb: 0.25,
        timeout_s: 120,
        ...validation,
      },
    });
    if (res.status !== 201) throw new Error(`submit: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.task.id as string;
  };
  const ended = (taskId: string) =>
    waitFor(
      `task ${taskId} to end`,
      async () => {
        const task = (await call(pool, 'GET', `/api/tasks/${taskId}`, { token: submitter.token })).body;
        return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(task.status) ? task : undefined;
      },
      120_000,
    );
  const results = async (taskId: string) => {
    const res = await fetch(`${pool.http}/api/tasks/${taskId}/results`, {
      headers: { authorization: `Bearer ${submitter.token}` },
    });
    expect(res.status).toBe(200);
    return readZip(Buffer.from(await res.arrayBuffer()));
  };
  const audit = async () => expect(await auditLedger(pool)).toMatchObject({ ok: true });
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

  beforeAll(async () => {
    if (!(await imageExists(docker, BUSYBOX_IMAGE))) await buildBusyboxImage(docker);
    pool = await startTestNodePool({ ...ADMIN, HEARTBEAT_TIMEOUT_S: '6', SIGNUP_GRANT_CPT: '100000' });
    digests = watchResultDigests(pool);
    adminToken = await loginAs(pool, ADMIN.ADMIN_USERNAME, ADMIN.ADMIN_PASSWORD);
    [alice, bob, submitter] = [
      await newUser(pool, 'alice'),
      await newUser(pool, 'bob'),
      await newUser(pool, 'submitter'),
    ];
    // two nodes of two owners, neither of them the submitter nor an admin
    for (const [name, owner] of [
      ['wt-quorum-alice', alice],
      ['wt-quorum-bob', bob],
    ] as const) {
      const w = await worker(name, owner);
      expect(await w.status()).toMatchObject({ executor: 'docker', docker_available: true });
    }
  }, 600_000);

  afterAll(async () => {
    for (const w of workers) await w.kill('SIGTERM');
    for (const c of await containersOf('hivemind.node')) {
      if (c.Labels['hivemind.node']?.startsWith('wt-quorum-'))
        await docker.getContainer(c.Id).remove({ force: true });
    }
    await pool?.close();
    removeTree(scratch);
  });

  it('validation quorum: each of 3 shards runs on both owners’ nodes and completes with one canonical result', async () => {
    const nodes = (await call(pool, 'GET', '/api/nodes', { token: adminToken })).body.items as {
      id: string;
      name: string;
      owner: string;
    }[];
    const byName = Object.fromEntries(nodes.map((n) => [n.name, n]));
    expect(byName['wt-quorum-alice']).toMatchObject({ owner: alice.username });
    expect(byName['wt-quorum-bob']).toMatchObject({ owner: bob.username });
    const [aliceNode, bobNode] = [byName['wt-quorum-alice'].id, byName['wt-quorum-bob'].id];
    const before = await Promise.all([submitter, alice, bob].map(wallet));

    const taskId = await submit({ validation: 'quorum', quorum: 2 });
    const task = await ended(taskId);
    expect(task).toMatchObject({ status: 'COMPLETED', validation: 'quorum', quorum: 2, progress: 100 });
    expect(task.shards).toHaveLength(3);

    const earned: Record<string, number> = { [aliceNode]: 0, [bobNode]: 0 };
    for (const shard of task.shards) {
      const attempts = shard.attempts as Attempt[];
      expect(shard).toMatchObject({ state: 'COMPLETED', exit_code: 0, has_output: true, quorum: 2 });
      // exactly two replicas, one on each owner's node, both valid, with one digest
      expect(attempts).toHaveLength(2);
      expect(attempts.map((a) => a.node_id).sort()).toEqual([aliceNode, bobNode].sort());
      for (const a of attempts) {
        expect(a).toMatchObject({ state: 'COMPLETED', exit_code: 0, validation: 'VALID' });
        // the digest shown is the pool's own, recomputed from the upload, and the worker reported it
        expect(a.result_digest).toBe(digestOf(shard.index));
        expect(await digests.recomputed(a.id, 0)).toBe(a.result_digest);
        expect(digests.reported.get(a.id)?.resultDigest).toBe(a.result_digest);
        expect(a.cost).toBeGreaterThan(0);
        expect(a.reward).toBeGreaterThan(0);
        earned[a.node_id] += a.reward;
      }
      expect(attempts.map((a) => a.id)).toContain(shard.canonical_attempt_id);
    }

    // one result per shard in the results zip, not one per replica
    expect(await results(taskId)).toEqual({
      'shard-000/out.txt': outputOf(0),
      'shard-001/out.txt': outputOf(1),
      'shard-002/out.txt': outputOf(2),
    });

    // money: the submitter paid for both replicas of every shard; each owner earned for each valid result
    const attempts = task.shards.flatMap((s: { attempts: Attempt[] }) => s.attempts) as Attempt[];
    expect(task.cost).toBe(sum(attempts.map((a) => a.cost)));
    const [submitterAfter, aliceAfter, bobAfter] = await Promise.all([submitter, alice, bob].map(wallet));
    expect(submitterAfter).toMatchObject({ balance: before[0].balance - task.cost, held: 0 });
    // the hold covered max_replicas (4) results per shard; what two replicas did not spend came back
    const held = await movements(submitter, taskId);
    expect(held.map((m) => m.kind).sort()).toEqual(['hold', 'release']);
    expect(sum(held.map((m) => m.amount))).toBe(-task.cost);
    expect(aliceAfter.balance).toBe(before[1].balance + earned[aliceNode]);
    expect(bobAfter.balance).toBe(before[2].balance + earned[bobNode]);
    for (const owner of [alice, bob]) {
      const paid = (await movements(owner, taskId)).filter((m) => m.amount > 0);
      expect(paid).toHaveLength(3); // one reward per valid result, one result per shard
    }
    // trust earned by confirmed results: +2 credit and +1 to the run per valid result
    for (const id of [aliceNode, bobNode]) {
      const node = (await call(pool, 'GET', `/api/nodes/${id}`, { token: adminToken })).body;
      expect(node).toMatchObject({ credit_score: 56, standing: { valid_results: 3, valid_run: 3 } });
    }
    expect(await containersOf(`hivemind.task=${taskId}`)).toEqual([]);
    await audit();
  });

  it('validation none: each of 3 shards runs once and completes, as before validation', async () => {
    const before = await wallet(submitter);
    const taskId = await submit({ validation: 'none' });
    const task = await ended(taskId);
    expect(task).toMatchObject({ status: 'COMPLETED', validation: 'none', progress: 100 });
    expect(task.shards).toHaveLength(3);
    for (const shard of task.shards) {
      const attempts = shard.attempts as Attempt[];
      expect(shard).toMatchObject({ state: 'COMPLETED', exit_code: 0, has_output: true });
      expect(attempts).toHaveLength(1);
      expect(attempts[0]).toMatchObject({
        state: 'COMPLETED',
        exit_code: 0,
        validation: 'ACCEPTED',
        result_digest: digestOf(shard.index),
      });
      expect(shard.canonical_attempt_id).toBe(attempts[0].id);
    }
    expect(await results(taskId)).toEqual({
      'shard-000/out.txt': outputOf(0),
      'shard-001/out.txt': outputOf(1),
      'shard-002/out.txt': outputOf(2),
    });
    const attempts = task.shards.flatMap((s: { attempts: Attempt[] }) => s.attempts) as Attempt[];
    expect(task.cost).toBe(sum(attempts.map((a) => a.cost)));
    expect(await wallet(submitter)).toMatchObject({ balance: before.balance - task.cost, held: 0 });
    expect(await containersOf(`hivemind.task=${taskId}`)).toEqual([]);
    await audit();
  });
});
