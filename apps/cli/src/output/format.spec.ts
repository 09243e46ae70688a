import { createColors } from 'picocolors';
import { type NodeView, type QueueView, type SystemStatusView, type TaskView } from '@hivemind/contracts';
import {
  ago,
  auditRow,
  fileRow,
  millis,
  num,
  paintState,
  policyLine,
  queueRow,
  shardAttemptRows,
  systemStatusLines,
  taskDetailLines,
  taskRow,
  walletLine,
  workerDetailLines,
  workerRow,
} from './format';
import { colorEnabled, Output, renderTable } from './output';
import { shortBytes, shortDuration, transferStats } from './progress';
import { attempt, replicatedTask, TASK_ID, worker } from '../../test/support/views';

const plain = createColors(false);
const NOW = Date.parse('2026-05-01T10:00:00.000Z');

describe(auditRow.name, () => {
  const event = {
    id: '7',
    at: '2026-05-01T09:59:58.123Z',
    action: 'auth.login' as const,
    outcome: 'ok' as const,
    actor_id: 'a1b2c3d4-0000-4000-8000-000000000001',
    actor_username: 'alice',
    address: '203.0.113.9',
    request_id: 'req-1',
    target_type: 'user' as const,
    target_id: 'a1b2c3d4-0000-4000-8000-000000000001',
    detail: {},
  };

  it.each([
    [
      'a login',
      event,
      ['2026-05-01 09:59:58', 'auth.login', 'ok', 'alice', '203.0.113.9', 'user:a1b2c3d4', 'req-1'],
    ],
    [
      'a refused login names the username tried',
      {
        ...event,
        outcome: 'refused' as const,
        actor_id: null,
        actor_username: null,
        target_type: null,
        target_id: null,
        detail: { username: 'bob' },
      },
      ['2026-05-01 09:59:58', 'auth.login', 'refused', '(bob)', '203.0.113.9', '-', 'req-1'],
    ],
    [
      'no address, no request id, a target that is no UUID',
      {
        ...event,
        address: null,
        request_id: null,
        target_type: 'ledger_transaction' as const,
        target_id: '42',
      },
      ['2026-05-01 09:59:58', 'auth.login', 'ok', 'alice', '-', 'ledger_transaction:42', '-'],
    ],
  ])('%s', (_case, e, row) => {
    expect(auditRow(e, plain)).toEqual(row);
  });
});

describe('output helpers', () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [true, { TERM: 'dumb' }, false],
    [false, { FORCE_COLOR: '1' }, true],
    [false, { FORCE_COLOR: '1', NO_COLOR: '1' }, false],
  ])('colour on a TTY=%s with %j: %s', (tty, env, on) => {
    expect(colorEnabled(tty, env)).toBe(on);
  });

  it('colours states only when colour is on', () => {
    expect(paintState('FAILED', plain)).toBe('FAILED');
    expect(paintState('FAILED', createColors(true))).toBe('\x1b[31mFAILED\x1b[39m');
  });

  it.each([
    ['VALIDATING', '\x1b[36m'],
    ['PENDING', '\x1b[36m'],
    ['VALID', '\x1b[32m'],
    ['ACCEPTED', '\x1b[32m'],
    ['INVALID', '\x1b[31m'],
    ['INCONCLUSIVE', '\x1b[33m'],
  ])('colours the shard state or validation %s', (state, colour) => {
    expect(paintState(state, createColors(true)).startsWith(colour)).toBe(true);
  });

  it.each([
    [null, '-'],
    [5, '5ms'],
    [1250, '1.3s'],
    [59_940, '59.9s'],
    [61_000, '1m01s'],
    [1_800_000, '30m00s'],
  ])('millis(%s) = %s', (ms, text) => {
    expect(millis(ms)).toBe(text);
  });

  it('renders a borderless table with aligned columns', () => {
    expect(
      renderTable(
        ['NAME', 'N'],
        [
          ['alpha', 1],
          ['b', 22],
        ],
        plain,
      ),
    ).toBe(['NAME   N', 'alpha  1', 'b      22'].join('\n'));
  });

  it('an empty list prints its empty message; JSON is one document', () => {
    let text = '';
    const out = new Output((t) => (text += t), true, false);
    out.table(['A'], [], 'No tasks.');
    out.document({ items: [] });
    expect(text).toBe('No tasks.\n{\n  "items": []\n}\n');
  });

  it.each([
    ['2026-05-01T09:59:55.000Z', '5s ago'],
    ['2026-05-01T09:55:00.000Z', '5m ago'],
    ['2026-05-01T07:00:00.000Z', '3h ago'],
    ['2026-04-28T10:00:00.000Z', '3d ago'],
    [null, '-'],
  ])('%s is %s', (iso, text) => {
    expect(ago(iso, NOW)).toBe(text);
  });

  it('rounds numbers to two decimals', () => {
    expect([num(1), num(0.25), num(1 / 3), num(7.999)]).toEqual(['1', '0.25', '0.33', '8']);
  });

  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [5 * 1024 * 1024, '5.0 MiB'],
  ])('shortBytes(%d) = %s', (n, text) => {
    expect(shortBytes(n)).toBe(text);
  });

  it.each([
    [5, '5s'],
    [75, '1m15s'],
    [3725, '1h02m'],
  ])('shortDuration(%d) = %s', (s, text) => {
    expect(shortDuration(s)).toBe(text);
  });

  it('a transfer has its speed and time left', () => {
    expect(transferStats(1024 * 1024, 4 * 1024 * 1024, 2000)).toEqual({
      done: '1.0 MiB',
      size: '4.0 MiB',
      speed: '512.0 KiB/s',
      eta: '6s',
    });
    expect(transferStats(10, undefined, 0)).toEqual({ done: '10 B', size: '?', speed: '0 B/s', eta: '?' });
    expect(transferStats(4, 4, 1000).eta).toBe('0s');
  });
});

describe('rows', () => {
  it('a task: id, name, coloured status, shards with failures, image, cost of max, age', () => {
    const task = {
      id: 't-1',
      name: '',
      status: 'RUNNING',
      progress: 50,
      image: null,
      shards_total: 4,
      shards_completed: 2,
      shards_failed: 1,
      cost: 3,
      max_cost: 40,
      created_at: '2026-05-01T09:59:00.000Z',
    } as TaskView;
    expect(taskRow(task, plain, NOW)).toEqual([
      't-1',
      '-',
      'RUNNING',
      '2/4 (50%) 1 failed',
      '(zip)',
      '3/40',
      '1m ago',
    ]);
  });

  it('a worker: free and total resources in cores and GB', () => {
    const res = (cpu: number, mem: number) => ({
      cpu_millicores: cpu,
      memory_mb: mem,
      storage_mb: 0,
      cpu_score: 0,
      gpu_score: 0,
      gpu_memory_mb: 0,
    });
    const node = {
      name: 'w1',
      status: 'online',
      owner: 'bob',
      trust_group: 'normal',
      credit_score: 50,
      total: res(4000, 8192),
      available: res(2500, 6144),
      running_attempts: 1,
      max_concurrent: 4,
      heartbeat_age_s: 2,
      gpu_name: '',
    } as unknown as NodeView;
    expect(workerRow(node, plain)).toEqual([
      'w1',
      'online',
      'bob',
      'normal (50)',
      '2.5/4 cores',
      '6/8 GB',
      '-',
      '1/4',
      '2s ago',
    ]);
  });

  it('a queued shard says why it waits', () => {
    const head: QueueView['head'][number] = {
      task_id: 't',
      task_name: 'n',
      owner: 'o',
      shard_index: 2,
      priority: 0,
      queued_at: '2026-05-01T09:58:00.000Z',
      wait_reason: 'no online node has 8 cores free',
    };
    expect(queueRow(head, plain, NOW)).toEqual([
      't',
      'n',
      'o',
      '2',
      '0',
      '2m ago',
      'no online node has 8 cores free',
    ]);
  });

  it('a file: its size via formatBytes', () => {
    expect(
      fileRow(
        {
          id: 'f',
          task_id: 't',
          shard_index: null,
          kind: 'result',
          attempt_id: null,
          canonical: false,
          name: 'results.zip',
          sha256: 'x',
          size_bytes: 2048,
          content_type: null,
          created_at: '2026-05-01T09:00:00.000Z',
        },
        plain,
        NOW,
      ),
    ).toEqual(['results.zip', 'result', 't', '-', '2 KiB (2048 bytes)', '1h ago']);
  });

  it('an output that is its shard’s result says canonical; another replica’s does not', () => {
    const output = {
      id: 'f',
      task_id: 't',
      shard_index: 0,
      kind: 'output' as const,
      attempt_id: 'a1',
      canonical: true,
      name: 'output.zip',
      sha256: 'x',
      size_bytes: 10,
      content_type: null,
      created_at: '2026-05-01T09:00:00.000Z',
    };
    expect(fileRow(output, plain, NOW)[1]).toBe('output (canonical)');
    expect(fileRow({ ...output, attempt_id: 'a2', canonical: false }, plain, NOW)[1]).toBe('output');
  });

  it('the pool at a glance and the wallet', () => {
    const status: SystemStatusView = {
      status: 'ok',
      postgres: 'up',
      redis: 'up',
      replicas: [
        {
          id: 'r1',
          hostname: 'pool-a',
          pid: 7,
          http_port: 8080,
          grpc_port: 50051,
          started_at: '2026-05-01T09:00:00.000Z',
          last_seen: '2026-05-01T10:00:00.000Z',
        },
      ],
      replica_id: 'r1',
      nodes: { online: 2, offline: 1, draining: 0, by_trust_group: { high: 0, normal: 2, low: 0 } },
      tasks: { QUEUED: 1, RUNNING: 2, COMPLETED: 3, FAILED: 0, CANCELLED: 0 },
      shards: { queued: 1, assigned: 0, running: 2 },
      scheduler: { strategy: 'round_robin', heartbeat_timeout_s: 30 },
      time: '2026-05-01T10:00:00.000Z',
    };
    expect(systemStatusLines(status, plain)).toEqual([
      'Pool:     ok (1 replica, scheduler round_robin, heartbeat timeout 30s)',
      'Workers:  2 online, 0 draining, 1 offline (trust: 0 high, 2 normal, 0 low)',
      'Tasks:    1 queued, 2 running, 3 completed, 0 failed, 0 cancelled',
      'Queue:    1 shards queued, 0 assigned, 2 running',
    ]);
    expect(walletLine({ balance: 100, held: 30, available: 70 })).toBe(
      'Balance: 100 CPT (available 70, held in escrow 30)',
    );
  });

  it('the validation policy in one line', () => {
    expect(policyLine({ validation: 'none', quorum: 1, max_replicas: 1 })).toBe(
      'none: results taken as reported',
    );
    expect(policyLine({ validation: 'quorum', quorum: 3, max_replicas: 5 })).toBe(
      'quorum: 3 matching results of different owners, up to 5 replicas a shard',
    );
    expect(policyLine({ validation: 'adaptive', quorum: 2, max_replicas: 4 })).toBe(
      'adaptive: trusted nodes alone (spot-checked), others 2 matching results of different owners; up to 4 replicas a shard',
    );
  });
});

describe('one task, one worker', () => {
  it('a task: its summary with the validation policy and why it waits', () => {
    expect(taskDetailLines(replicatedTask(), plain, NOW)).toEqual([
      `Task:       ${TASK_ID} (render) RUNNING`,
      'Owner:      alice, created 2m ago',
      'Image:      alpine:3',
      'Shards:     1/2 completed (50%)',
      'Cost:       4 of up to 544 CPT',
      'Validation: quorum: 2 matching results of different owners, up to 4 replicas a shard',
      'Waiting:    replica 2 of 2: a replica needs a node of another owner',
    ]);
  });

  it('the validator’s runs say so in the replica column', () => {
    const [validated] = replicatedTask().shards;
    const withValidator = {
      ...validated,
      attempts: [...validated.attempts, attempt({ id: 'v1', number: 4, replica: 0, purpose: 'validate' })],
    };
    expect(shardAttemptRows(withValidator, plain)[3][2]).toBe('0 validator');
  });

  it("a shard's attempts: replica (the canonical one marked), validation, short digest, observed and reported time", () => {
    const [validated, validating, aggregate] = replicatedTask().shards;
    expect(shardAttemptRows(validated, plain)).toEqual([
      ['0 COMPLETED', '1', '1*', 'w1', 'COMPLETED', 'VALID', '0', '9f86d081884c', '1.3s', '1.2s', '2'],
      ['', '2', '2', 'rogue', 'COMPLETED', 'INVALID', '0', '60303ae22b99', '5ms', '30m00s', '0'],
      ['', '3', '3', 'w3', 'COMPLETED', 'VALID', '0', '9f86d081884c', '1m01s', '1m01s', '2'],
    ]);
    expect(shardAttemptRows(validating, plain)).toEqual([
      [
        '1 VALIDATING',
        '1',
        '1',
        'w1',
        'COMPLETED',
        'PENDING',
        '137 OOM',
        '60303ae22b99',
        '1.3s',
        '1.2s',
        '2',
      ],
    ]);
    expect(shardAttemptRows(aggregate, plain)).toEqual([
      ['aggregate QUEUED', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-'],
    ]);
  });

  it('a worker: what it offers, its validated and invalid results, run, probation and faults', () => {
    expect(workerDetailLines(worker(), plain, NOW)).toEqual([
      'Worker:     rogue online (id 7a2e0000-0000-4000-8000-000000000002, owner mallory)',
      'Trust:      low (25), docker enabled',
      'Resources:  2.5/4 cores, 6/8 GB free; GPU -; tasks 1/4; heartbeat 2s ago',
      'Results:    3 valid, 2 invalid; valid run 0 (on probation)',
      'Faults:     1 (last 5m ago), 1 disproved claim',
    ]);
    const operator = worker({
      standing: {
        ...worker().standing,
        operator: true,
        probation: false,
        invalid_results: 0,
        disproved_claims: 0,
        last_fault_at: null,
        valid_run: 12,
      },
    });
    expect(workerDetailLines(operator, plain, NOW).slice(3)).toEqual([
      "Results:    3 valid, 0 invalid; valid run 12 (the operator's node)",
      'Faults:     1 (last never), 0 disproved claims',
    ]);
  });
});
