import { ExitCode } from '../exit-codes';
import { run } from '../program';
import { FakePool, send } from '../../test/support/fake-pool';
import { NODE_ID, replicatedTask, TASK_ID, worker } from '../../test/support/views';

describe('task-info and worker (against the tasks and nodes API contract)', () => {
  let pool: FakePool;

  beforeEach(async () => {
    pool = await new FakePool({
      'GET /api/tasks': (_req, res) => send(res, 200, { items: [{ id: TASK_ID }], next_cursor: null }),
      [`GET /api/tasks/${TASK_ID}`]: (_req, res) => send(res, 200, replicatedTask()),
      'GET /api/nodes': (req, res) => {
        // two pages by name: the worker asked for is on the second
        const cursor = new URL(req.url ?? '', 'http://x').searchParams.get('cursor');
        if (!cursor) send(res, 200, { items: [worker({ id: 'x', name: 'alpha' })], next_cursor: 'alpha' });
        else send(res, 200, { items: [worker()], next_cursor: null });
      },
      [`GET /api/nodes/${NODE_ID}`]: (_req, res) => send(res, 200, worker()),
    }).start();
    pool.login();
  });
  afterEach(() => pool.stop());

  it("task-info prints the task, then every shard's attempts with replica, validation and short digest", async () => {
    const io = pool.io();
    expect(await run(['task-info', '4f1c'], io)).toBe(ExitCode.Ok);
    const lines = io.stdout().split('\n');
    expect(lines).toContain(
      'Validation: quorum: 2 matching results of different owners, up to 4 replicas a shard',
    );
    const table = lines.slice(lines.indexOf('') + 1);
    expect(table).toEqual([
      expect.stringMatching(
        /^SHARD\s+ATTEMPT\s+REPLICA\s+NODE\s+STATE\s+VALIDATION\s+EXIT\s+DIGEST\s+OBSERVED\s+REPORTED\s+COST$/,
      ),
      expect.stringMatching(
        /^0 COMPLETED\s+1\s+1\*\s+w1\s+COMPLETED\s+VALID\s+0\s+9f86d081884c\s+1\.3s\s+1\.2s\s+2$/,
      ),
      expect.stringMatching(/^\s+2\s+2\s+rogue\s+COMPLETED\s+INVALID\s+0\s+60303ae22b99\s+5ms\s+30m00s\s+0$/),
      expect.stringMatching(/^\s+3\s+3\s+w3\s+COMPLETED\s+VALID\s+0\s+9f86d081884c\s+1m01s\s+1m01s\s+2$/),
      expect.stringMatching(/^1 VALIDATING\s+1\s+1\s+w1\s+COMPLETED\s+PENDING\s+137 OOM\s+60303ae22b99/),
      expect.stringMatching(/^aggregate QUEUED(\s+-){10}$/),
      "* the canonical result: its output and exit code are the shard's",
      '',
    ]);
    expect(pool.requests.map((r) => r.url)).toEqual([
      '/api/tasks?all=true&limit=500',
      `/api/tasks/${TASK_ID}`,
    ]);
  });

  it('task-info --json prints the task as it came, digests whole', async () => {
    const io = pool.io();
    expect(await run(['--json', 'task-info', TASK_ID], io)).toBe(ExitCode.Ok);
    expect(JSON.parse(io.stdout())).toEqual(replicatedTask());
  });

  it('worker finds a node by name, page by page, and prints its standing', async () => {
    const io = pool.io();
    expect(await run(['worker', 'rogue'], io)).toBe(ExitCode.Ok);
    expect(io.stdout()).toContain('Results:    3 valid, 2 invalid; valid run 0 (on probation)\n');
    expect(io.stdout()).toContain('Faults:     1 (last ');
    expect(pool.requests.map((r) => r.url)).toEqual([
      '/api/nodes?limit=500',
      '/api/nodes?limit=500&cursor=alpha',
    ]);
  });

  it('worker takes an id, and says so when no worker has the name', async () => {
    let io = pool.io();
    expect(await run(['worker', NODE_ID], io)).toBe(ExitCode.Ok);
    expect(io.stdout()).toMatch(/^Worker: {5}rogue online/);
    expect(pool.requests.at(-1)?.url).toBe(`/api/nodes/${NODE_ID}`);
    io = pool.io();
    expect(await run(['worker', 'ghost'], io)).toBe(ExitCode.Failed);
    expect(io.stderr()).toBe('hivemind: no worker named ghost\n');
  });
});
