import { type Exit, type RunningProcess } from './child-process';
import { type RestartPolicy, Supervisor } from './supervisor';

/** A process the test ends by hand: `crash()` is its exit, `stop()` records that it was stopped. */
class FakeProcess implements RunningProcess {
  stopped = false;
  readonly exited: Promise<Exit>;
  private end!: (exit: Exit) => void;

  constructor(readonly pid: number) {
    this.exited = new Promise((resolve) => (this.end = resolve));
  }

  crash(exit: Exit = { code: null, signal: 'SIGKILL' }): void {
    this.end(exit);
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.end({ code: 0, signal: null });
    return Promise.resolve();
  }
}

const POLICY: RestartPolicy = { firstDelayMs: 10, maxDelayMs: 40, stableMs: 150, maxRestarts: 3 };
const until = async (check: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

function harness(startFails: (n: number) => boolean = () => false) {
  const lines: string[] = [];
  const gaveUp: string[] = [];
  const started: FakeProcess[] = [];
  const supervisor = new Supervisor<FakeProcess>(
    {
      name: 'worker',
      start: () => {
        const n = started.length + 1;
        if (startFails(n)) {
          started.push(new FakeProcess(-n)); // counted, never running
          return Promise.reject(new Error(`port 5000 is in use`));
        }
        const process = new FakeProcess(1000 + n);
        started.push(process);
        return Promise.resolve(process);
      },
    },
    (line) => lines.push(line),
    (line) => gaveUp.push(line),
    POLICY,
  );
  return { supervisor, lines, gaveUp, started, last: () => started[started.length - 1] };
}

describe(Supervisor.name, () => {
  it('restarts a process that crashed, saying which, how it ended and when the next try is', async () => {
    const h = harness();
    await h.supervisor.start();
    h.last().crash({ code: null, signal: 'SIGKILL' });
    await until(() => h.started.length === 2, 'the restart');
    expect(h.lines).toEqual([
      'worker is up (pid 1001)',
      expect.stringMatching(
        /^worker \(pid 1001\) was killed by SIGKILL after \d+ ms; restarting it in 10 ms$/,
      ),
      'worker restarted (pid 1002)',
    ]);
    expect(h.supervisor.running).toBe(h.started[1]);
    expect(h.supervisor.pids).toEqual([1001, 1002]);
    await h.supervisor.stop();
    expect(h.started[1].stopped).toBe(true);
    expect(h.gaveUp).toEqual([]);
  });

  it('backs off exponentially on a crash loop and gives up after maxRestarts with one line', async () => {
    const h = harness();
    await h.supervisor.start();
    h.last().crash({ code: 1, signal: null });
    // every restart crashes at once
    for (let n = 2; n <= 4; n++) {
      await until(() => h.started.length === n, `restart ${n - 1}`);
      h.last().crash({ code: 1, signal: null });
    }
    await until(() => h.gaveUp.length === 1, 'giving up');
    expect(h.started).toHaveLength(4); // the first start and maxRestarts (3) restarts
    const retries = h.lines.filter((l) => l.includes('next try in'));
    expect(retries).toEqual([
      expect.stringMatching(
        /^worker \(pid 1002\) exited with code 1 \d+ ms after its restart; next try in 20 ms \(restart 2 of 3\)$/,
      ),
      expect.stringMatching(
        /^worker \(pid 1003\) exited with code 1 .*; next try in 40 ms \(restart 3 of 3\)$/,
      ),
    ]);
    expect(h.gaveUp[0]).toMatch(
      /^worker crashed 3 times in a row, each within 150 ms of its restart \(last: worker \(pid 1004\) exited with code 1 .* after its restart\): giving up on it$/,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.started).toHaveLength(4); // and nothing more
  });

  it('counts a restart that stayed up for stableMs as healed: the next crash starts the count over', async () => {
    const h = harness();
    await h.supervisor.start();
    // five crashes, more than maxRestarts, each after a stable run
    for (let n = 2; n <= 6; n++) {
      h.last().crash();
      await until(() => h.started.length === n, `restart ${n - 1}`);
      await new Promise((resolve) => setTimeout(resolve, POLICY.stableMs + 30));
    }
    expect(h.gaveUp).toEqual([]);
    expect(h.lines.filter((l) => l.includes('next try in'))).toEqual([]);
    await h.supervisor.stop();
  });

  it('counts a restart that does not start as a crash, naming why', async () => {
    const h = harness((n) => n === 2);
    await h.supervisor.start();
    h.last().crash();
    await until(() => h.started.length === 3, 'the second try');
    expect(h.lines).toContainEqual(
      'worker did not start again: port 5000 is in use; next try in 20 ms (restart 2 of 3)',
    );
    expect(h.lines[h.lines.length - 1]).toBe('worker restarted (pid 1003)');
    await h.supervisor.stop();
  });

  it('restarts nothing once stopped, even during the wait before a restart', async () => {
    const h = harness();
    const slow = new Supervisor<FakeProcess>(
      { name: 'worker', start: () => Promise.resolve(h.started[h.started.push(new FakeProcess(7)) - 1]) },
      (line) => h.lines.push(line),
      (line) => h.gaveUp.push(line),
      { ...POLICY, firstDelayMs: 60000 },
    );
    await slow.start();
    h.last().crash();
    await until(() => h.lines.some((l) => l.includes('restarting it in 60 s')), 'the crash line');
    const before = Date.now();
    await slow.stop();
    expect(Date.now() - before).toBeLessThan(1000);
    expect(h.started).toHaveLength(1);
    expect(h.gaveUp).toEqual([]);
  });
});
