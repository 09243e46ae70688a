import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secretMasker } from '@hivemind/contracts';
import { type LogRecord, LogSpool } from './log-spool';

/** A pool stand-in: stores each sequence number once and answers the last one stored. */
class FakePool {
  readonly stored = new Map<number, LogRecord>();
  sends = 0;
  down = false;
  private acked = 0;

  send = (record: LogRecord): Promise<number> => {
    this.sends += 1;
    if (this.down) return Promise.reject(new Error('UNAVAILABLE'));
    if (!this.stored.has(record.seq)) this.stored.set(record.seq, record);
    this.acked = Math.max(this.acked, record.seq);
    return Promise.resolve(this.acked);
  };

  text(stream?: string): string {
    return [...this.stored.values()]
      .sort((a, b) => a.seq - b.seq)
      .filter((r) => !stream || r.stream === stream)
      .map((r) => r.data)
      .join('');
  }
}

describe(LogSpool.name, () => {
  let dir: string;
  let pool: FakePool;
  const open = (extra: Partial<Parameters<typeof LogSpool.open>[1]> = {}) =>
    LogSpool.open(join(dir, 'logs.jsonl'), { send: pool.send, retryDelayMs: () => 5, flushMs: 10, ...extra });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spool-'));
    pool = new FakePool();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('numbers batches per stream change and delivers everything in order before flushed() resolves', async () => {
    const spool = await open();
    spool.write('stdout', Buffer.from('a\n'));
    spool.write('stdout', Buffer.from('b\n'));
    spool.write('stderr', Buffer.from('oops\n'), '2026-11-23T10:00:00.000000001Z');
    spool.system('hivemind: done');
    spool.close();
    await spool.flushed();
    expect([...pool.stored.values()].map((r) => [r.seq, r.stream, r.data])).toEqual([
      [1, 'stdout', 'a\nb\n'],
      [2, 'stderr', 'oops\n'],
      [3, 'system', 'hivemind: done\n'],
    ]);
    expect(spool.ackedSeq).toBe(3);
    expect(spool.lastTs).toBe('2026-11-23T10:00:00.000000001Z');
    spool.stop();
  });

  it('masks secret values before they reach the disk or the pool, also across writes of one batch', async () => {
    const spool = await open({ mask: secretMasker(['hunter22']) });
    spool.write('stdout', Buffer.from('password=hunter22\n'));
    spool.write('stdout', Buffer.from('again: hun'));
    spool.write('stdout', Buffer.from('ter22\n'));
    spool.system('hivemind: hunter22 in a system line');
    spool.close();
    await spool.flushed();
    expect(pool.text()).toBe('password=********\nagain: ********\nhivemind: ******** in a system line\n');
    expect(readFileSync(join(dir, 'logs.jsonl'), 'utf8')).not.toContain('hunter22');
    spool.stop();
  });

  it('keeps a character split across two reads whole', async () => {
    const spool = await open();
    const snowman = Buffer.from('☃\n');
    spool.write('stdout', snowman.subarray(0, 1));
    spool.write('stdout', snowman.subarray(1));
    spool.close();
    await spool.flushed();
    expect(pool.text()).toBe('☃\n');
    spool.stop();
  });

  it('cuts batches at batchBytes', async () => {
    const spool = await open({ batchBytes: 1024 });
    spool.write('stdout', Buffer.alloc(4096, 'x'));
    for (let i = 0; i < 3; i++) spool.write('stdout', Buffer.alloc(600, 'y'));
    spool.close();
    await spool.flushed();
    expect(pool.stored.size).toBeGreaterThanOrEqual(2);
    expect(pool.text()).toBe('x'.repeat(4096) + 'y'.repeat(1800));
    spool.stop();
  });

  it('retries while the pool is away and loses nothing', async () => {
    pool.down = true;
    const spool = await open();
    spool.write('stdout', Buffer.from('while away\n'));
    await new Promise((r) => setTimeout(r, 60));
    expect(pool.stored.size).toBe(0);
    expect(pool.sends).toBeGreaterThan(1);
    pool.down = false;
    spool.close();
    await spool.flushed();
    expect(pool.text()).toBe('while away\n');
    spool.stop();
  });

  it('after a restart resends what was not acknowledged, numbering on from the last batch', async () => {
    pool.down = true;
    const first = await open();
    first.write('stdout', Buffer.from('one\n'));
    first.system('two');
    await new Promise((r) => setTimeout(r, 40));
    first.stop(); // the worker dies here
    pool.down = false;
    const second = await open();
    second.write('stdout', Buffer.from('three\n'));
    second.close();
    await second.flushed();
    expect([...pool.stored.keys()]).toEqual([1, 2, 3]);
    expect(pool.text()).toBe('one\ntwo\nthree\n');
    second.stop();
  });

  it('drops a record cut short by a crash and numbers on from the last whole one', async () => {
    const first = await open();
    first.write('stdout', Buffer.from('whole\n'));
    first.close();
    await first.flushed();
    first.stop();
    const file = join(dir, 'logs.jsonl');
    appendFileSync(file, '{"seq":2,"stream":"stdout","da');
    const second = await open();
    second.write('stdout', Buffer.from('after\n'));
    second.close();
    await second.flushed();
    expect(pool.stored.get(2)?.data).toBe('after\n');
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    second.stop();
  });

  it('reports saturated while too much is unsent, and drains once the pool takes it', async () => {
    pool.down = true;
    const spool = await open({ maxUnsentBytes: 1000 });
    spool.write('stdout', Buffer.alloc(3000, 'z'));
    spool.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(spool.saturated).toBe(true);
    const drained = spool.waitDrain();
    pool.down = false;
    await drained;
    expect(spool.saturated).toBe(false);
    await spool.flushed();
    spool.stop();
  });

  it('keeps at most maxTotalBytes of output and says so once', async () => {
    const spool = await open({ maxTotalBytes: 100 });
    for (let i = 0; i < 10; i++) spool.write('stdout', Buffer.alloc(30, 'q'));
    spool.close();
    await spool.flushed();
    expect(pool.text('stdout')).toBe('q'.repeat(90));
    expect(pool.text('system')).toMatch(/output beyond .* dropped/);
    spool.stop();
  });

  it('stops for good on a fatal answer (the attempt was fenced off)', async () => {
    const fatal = jest.fn();
    const spool = await open({
      send: () => Promise.reject(new Error('fenced')),
      isFatal: () => true,
      onFatal: fatal,
    });
    spool.write('stdout', Buffer.from('x\n'));
    spool.close();
    await spool.flushed();
    expect(fatal).toHaveBeenCalledWith(expect.objectContaining({ message: 'fenced' }));
  });
});
