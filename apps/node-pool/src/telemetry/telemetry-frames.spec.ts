import { decodeEvent, decodeEvents, errorFrame, eventFrame, parseOp } from './telemetry-frames';

const TASK = 'C3C3C3C3-0000-4000-8000-000000000003';

describe(eventFrame.name, () => {
  it('renames the fields to snake_case and leaves absent ones out', () => {
    expect(
      eventFrame({
        type: 'node',
        event: 'heartbeat',
        nodeId: 'n1',
        name: 'gpu-box',
        status: 'ONLINE',
        cpuPercent: 12.5,
        runningAttempts: 2,
        memoryPercent: undefined,
        at: '2026-01-01T00:00:00.000Z',
      }),
    ).toEqual({
      type: 'node',
      event: 'heartbeat',
      node_id: 'n1',
      name: 'gpu-box',
      status: 'ONLINE',
      cpu_percent: 12.5,
      running_attempts: 2,
      at: '2026-01-01T00:00:00.000Z',
    });
  });
});

describe(parseOp.name, () => {
  it.each([
    ['{"op":"ping"}', { op: 'ping' }],
    [`{"op":"subscribe","task_id":"${TASK}"}`, { op: 'subscribe', taskId: TASK.toLowerCase() }],
    ['{"op":"unsubscribe","topics":["node"]}', { op: 'unsubscribe', topics: ['node'] }],
    [
      `{"op":"subscribe","task_id":"${TASK}","topics":["task","node"]}`,
      { op: 'subscribe', taskId: TASK.toLowerCase(), topics: ['task', 'node'] },
    ],
  ])('accepts %s', (raw, op) => {
    expect(parseOp(raw)).toEqual({ ok: true, op });
  });

  it.each([
    ['not json', /not JSON/],
    ['[1]', /JSON object/],
    ['null', /JSON object/],
    ['{"op":"drop-tables"}', /"op" must be/],
    ['{"op":"subscribe"}', /needs "task_id" or "topics"/],
    ['{"op":"subscribe","task_id":"1; DROP TABLE tasks"}', /must be a task id/],
    ['{"op":"subscribe","task_id":42}', /must be a task id/],
    ['{"op":"subscribe","topics":"node"}', /"topics" must be a list/],
    ['{"op":"subscribe","topics":["log"]}', /subscribe with "task_id"/],
  ])('refuses %s with an error frame', (raw, message) => {
    const parsed = parseOp(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.error).toMatchObject({ type: 'error', message: expect.stringMatching(message) });
  });

  it('names the op it refuses', () => {
    expect(parseOp('{"op":"unsubscribe"}')).toEqual({
      ok: false,
      error: { type: 'error', op: 'unsubscribe', message: expect.any(String) },
    });
  });
});

describe(errorFrame.name, () => {
  it('carries the op and task it answers', () => {
    expect(errorFrame('no', { op: 'subscribe', taskId: 't' })).toEqual({
      type: 'error',
      message: 'no',
      op: 'subscribe',
      task_id: 't',
    });
  });
});

describe(decodeEvent.name, () => {
  it('reads back a published event', () => {
    const event = {
      type: 'task',
      event: 'status',
      taskId: 't',
      userId: 'u',
      status: 'QUEUED',
      progress: 0,
      at: 'x',
    };
    expect(decodeEvent(JSON.stringify(event))).toEqual(event);
  });

  it.each([
    ['not json', 'nope'],
    ['an unknown type', '{"type":"gossip"}'],
    ['a task event without an owner', '{"type":"task","taskId":"t"}'],
    ['a log line without a task', '{"type":"log","userId":"u"}'],
    ['a node event with an owner', '{"type":"node","userId":"u"}'],
    ['null', 'null'],
  ])('ignores %s', (_, raw) => {
    expect(decodeEvent(raw)).toBeNull();
  });
});

describe(decodeEvents.name, () => {
  const node = { type: 'node', event: 'online', nodeId: 'n', name: 'n', status: 'ONLINE', at: 'x' };
  const task = {
    type: 'task',
    event: 'status',
    taskId: 't',
    userId: 'u',
    status: 'QUEUED',
    progress: 0,
    at: 'x',
  };

  it('reads a batch in order, and a single event as a batch of one', () => {
    expect(decodeEvents(JSON.stringify([node, task]))).toEqual({ events: [node, task], rejected: 0 });
    expect(decodeEvents(JSON.stringify(task))).toEqual({ events: [task], rejected: 0 });
  });

  it('keeps the good events of a batch and counts the others', () => {
    const raw = JSON.stringify([node, { type: 'gossip' }, null, { ...node, userId: 'u' }, task]);
    expect(decodeEvents(raw)).toEqual({ events: [node, task], rejected: 3 });
  });

  it('rejects what is not JSON', () => {
    expect(decodeEvents('[{')).toEqual({ events: [], rejected: 1 });
  });
});
