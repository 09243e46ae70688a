import { ExitCode } from '../exit-codes';
import { type FileView } from '@hivemind/contracts';
import { run } from '../program';
import { FakePool, send } from '../../test/support/fake-pool';

const TASK = '4f1c0000-0000-4000-8000-000000000001';
const file = (patch: Partial<FileView>): FileView => ({
  id: 'f1',
  task_id: TASK,
  shard_index: 0,
  kind: 'output',
  attempt_id: null,
  canonical: false,
  name: 'output.zip',
  sha256: 'ab',
  size_bytes: 2048,
  content_type: 'application/zip',
  created_at: new Date(Date.now() - 120_000).toISOString(),
  ...patch,
});

describe('files and task-files (against the files API contract)', () => {
  let pool: FakePool;

  beforeEach(async () => {
    pool = await new FakePool({
      'GET /api/files': (req, res) => {
        const query = new URL(req.url ?? '', 'http://x').searchParams;
        if (query.get('user') && query.get('user') !== 'alice')
          return send(res, 403, {
            statusCode: 403,
            error: 'Forbidden',
            message: 'only admins may list the files of another user',
          });
        send(res, 200, {
          items: [
            file({}),
            file({
              id: 'f2',
              task_id: null,
              shard_index: null,
              kind: 'input',
              name: 'job.zip',
              size_bytes: 10,
            }),
          ],
          next_cursor: null,
        });
      },
      [`GET /api/tasks/${TASK}/files`]: (_req, res) =>
        send(res, 200, {
          items: [
            file({ kind: 'result', name: 'results.zip', shard_index: null, size_bytes: 3 * 1024 * 1024 }),
          ],
        }),
      'GET /api/tasks': (_req, res) => send(res, 200, { items: [{ id: TASK }], next_cursor: null }),
    }).start();
    pool.login();
  });
  afterEach(() => pool.stop());

  it('files prints a table: name, kind, task, shard, size, age', async () => {
    const io = pool.io();
    expect(await run(['files'], io)).toBe(ExitCode.Ok);
    expect(io.stdout().split('\n')).toEqual([
      expect.stringMatching(/^NAME\s+KIND\s+TASK\s+SHARD\s+SIZE\s+CREATED$/),
      expect.stringMatching(
        new RegExp(`^output\\.zip\\s+output\\s+${TASK}\\s+0\\s+2 KiB \\(2048 bytes\\)\\s+2m ago$`),
      ),
      expect.stringMatching(/^job\.zip\s+input\s+-\s+-\s+10 bytes\s+2m ago$/),
      '',
    ]);
    expect(pool.requests[0]).toMatchObject({ url: '/api/files?limit=50', authorization: 'Bearer access-1' });
  });

  it("files <user> asks for that user's files; a refusal is one line, exit 1", async () => {
    const io = pool.io();
    expect(await run(['files', 'bob'], io)).toBe(ExitCode.Failed);
    expect(io.stderr()).toBe('hivemind: only admins may list the files of another user\n');
    expect(pool.requests[0].url).toBe('/api/files?user=bob&limit=50');
  });

  it('--json prints the answer as it came', async () => {
    const io = pool.io();
    expect(await run(['--json', 'files'], io)).toBe(ExitCode.Ok);
    expect(JSON.parse(io.stdout())).toMatchObject({ items: [{ id: 'f1' }, { id: 'f2' }], next_cursor: null });
  });

  it('task-files takes a unique start of the id and prints the task files without a task column', async () => {
    const io = pool.io();
    expect(await run(['task-files', '4f1c'], io)).toBe(ExitCode.Ok);
    expect(io.stdout().split('\n')).toEqual([
      expect.stringMatching(/^NAME\s+KIND\s+SHARD\s+SIZE\s+CREATED$/),
      expect.stringMatching(/^results\.zip\s+result\s+-\s+3 MiB \(3145728 bytes\)\s+2m ago$/),
      '',
    ]);
    expect(pool.requests.map((r) => r.url)).toEqual([
      '/api/tasks?all=true&limit=500',
      `/api/tasks/${TASK}/files`,
    ]);
  });
});
