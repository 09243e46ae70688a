import { ExitWatch, type InspectedState, type WatchedContainer, verdictOf } from './exit-watch';

describe(verdictOf.name, () => {
  it.each<[InspectedState, ReturnType<typeof verdictOf>]>([
    [{ found: true, running: true, status: 'running', exitCode: 0 }, 'running'],
    [{ found: true, running: true, status: 'paused', exitCode: 0 }, 'running'],
    [{ found: true, running: false, status: 'restarting', exitCode: 1 }, 'running'],
    [{ found: true, running: false, status: 'exited', exitCode: 0 }, 'exited'],
    [{ found: true, running: false, status: 'exited', exitCode: 137 }, 'exited'],
    [{ found: true, running: false, status: 'dead', exitCode: 255 }, 'exited'],
    [{ found: true, running: false, status: 'removing', exitCode: 0 }, 'exited'],
    [{ found: true, running: false, status: 'created', exitCode: 0 }, 'exited'],
    [{ found: false }, 'gone'],
  ])('%j → %s', (state, verdict) => {
    expect(verdictOf(state)).toBe(verdict);
  });
});

type Inspection = { State: { Running: boolean; Status: string; ExitCode: number } };

/** A container whose wait and inspections the test scripts. */
class ScriptedContainer implements WatchedContainer {
  inspections = 0;
  waitAnswer: Promise<unknown> = new Promise(() => undefined); // the lost wait: never answers
  next: () => Promise<Inspection> = () => Promise.resolve(state('running'));

  wait(): Promise<unknown> {
    return this.waitAnswer;
  }

  inspect(): Promise<Inspection> {
    this.inspections += 1;
    return this.next();
  }
}

const state = (status: string, exitCode = 0): Inspection => ({
  State: { Running: status === 'running', Status: status, ExitCode: exitCode },
});
const notFound = () => Promise.reject(Object.assign(new Error('no such container'), { statusCode: 404 }));

describe(ExitWatch.name, () => {
  it('resolves from the engine wait when it answers', async () => {
    const c = new ScriptedContainer();
    c.waitAnswer = Promise.resolve({ StatusCode: 3 });
    const watch = new ExitWatch(c, { pollMs: 60_000, inspectTimeoutMs: 1000 });
    await expect(watch.exited).resolves.toEqual({ how: 'wait', exitCode: 3 });
  });

  it('notices an exit the wait never reports by inspecting, and says the wait missed it', async () => {
    const c = new ScriptedContainer();
    let told!: (seen: unknown) => void;
    const missed = new Promise((resolve) => (told = resolve));
    const watch = new ExitWatch(c, {
      pollMs: 5,
      inspectTimeoutMs: 1000,
      waitGraceMs: 10,
      onMissedWait: told,
    });
    c.next = () => Promise.resolve(state('exited', 7));
    await expect(watch.exited).resolves.toEqual({ how: 'inspect', exitCode: 7 });
    await expect(missed).resolves.toEqual({ how: 'inspect', exitCode: 7 });
  });

  it('does not call it a miss when the wait answers just after an inspection', async () => {
    const c = new ScriptedContainer();
    let answer!: (v: unknown) => void;
    c.waitAnswer = new Promise((resolve) => (answer = resolve));
    const told: unknown[] = [];
    const watch = new ExitWatch(c, {
      pollMs: 60_000,
      inspectTimeoutMs: 1000,
      waitGraceMs: 50,
      onMissedWait: (seen) => told.push(seen),
    });
    c.next = () => Promise.resolve(state('exited', 0));
    watch.poke(); // the log stream ended: the inspection answers first
    await expect(watch.exited).resolves.toEqual({ how: 'inspect', exitCode: 0 });
    answer({ StatusCode: 0 });
    await new Promise((r) => setTimeout(r, 100)); // past the grace
    expect(told).toEqual([]);
  });

  it('keeps inspecting while the container runs', async () => {
    const c = new ScriptedContainer();
    const watch = new ExitWatch(c, { pollMs: 5, inspectTimeoutMs: 1000 });
    c.next = () => Promise.resolve(c.inspections < 4 ? state('running') : state('exited', 0));
    await expect(watch.exited).resolves.toEqual({ how: 'inspect', exitCode: 0 });
    expect(c.inspections).toBeGreaterThanOrEqual(4);
  });

  it('inspects at once when the wait fails (its connection broke)', async () => {
    const c = new ScriptedContainer();
    c.waitAnswer = Promise.reject(new Error('socket hang up'));
    c.next = () => Promise.resolve(state('exited', 0));
    let waitError: string | undefined;
    const watch = new ExitWatch(c, {
      pollMs: 60_000,
      inspectTimeoutMs: 1000,
      onMissedWait: (_seen, error) => (waitError = error),
    });
    await expect(watch.exited).resolves.toEqual({ how: 'inspect', exitCode: 0 });
    expect(waitError).toBe('socket hang up');
  });

  it('counts a vanished container as ended', async () => {
    const c = new ScriptedContainer();
    c.next = notFound;
    const watch = new ExitWatch(c, { pollMs: 5, inspectTimeoutMs: 1000 });
    await expect(watch.exited).resolves.toEqual({ how: 'gone' });
  });

  it('looks at once when poked, without waiting for the next poll', async () => {
    const c = new ScriptedContainer();
    const watch = new ExitWatch(c, { pollMs: 60_000, inspectTimeoutMs: 1000 });
    c.next = () => Promise.resolve(state('exited', 0));
    watch.poke();
    await expect(watch.exited).resolves.toEqual({ how: 'inspect', exitCode: 0 });
  });

  it('tries again when an inspection does not answer in time', async () => {
    const c = new ScriptedContainer();
    c.next = () =>
      c.inspections === 1 ? new Promise<Inspection>(() => undefined) : Promise.resolve(state('exited', 0));
    const watch = new ExitWatch(c, { pollMs: 5, inspectTimeoutMs: 20 });
    await expect(watch.exited).resolves.toEqual({ how: 'inspect', exitCode: 0 });
    expect(c.inspections).toBeGreaterThanOrEqual(2);
  });

  it('answers once: the wait answering after an inspection changes nothing', async () => {
    const c = new ScriptedContainer();
    let answer!: (v: unknown) => void;
    c.waitAnswer = new Promise((resolve) => (answer = resolve));
    c.next = () => Promise.resolve(state('exited', 9));
    const watch = new ExitWatch(c, { pollMs: 5, inspectTimeoutMs: 1000 });
    await expect(watch.exited).resolves.toEqual({ how: 'inspect', exitCode: 9 });
    answer({ StatusCode: 1 });
    await expect(watch.exited).resolves.toEqual({ how: 'inspect', exitCode: 9 });
  });
});
