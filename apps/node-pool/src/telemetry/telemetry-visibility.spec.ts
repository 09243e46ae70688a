import { type TelemetryEvent } from './telemetry-events';
import { type TelemetryTopic, type TelemetryViewer, canSee, mayWatchTask } from './telemetry-visibility';

const ALICE = 'a1a1a1a1-0000-4000-8000-000000000001';
const BOB = 'b2b2b2b2-0000-4000-8000-000000000002';
const TASK = 'c3c3c3c3-0000-4000-8000-000000000003';
const at = '2026-01-01T00:00:00.000Z';

const node: TelemetryEvent = {
  type: 'node',
  event: 'online',
  nodeId: 'n1',
  name: 'n1',
  status: 'ONLINE',
  at,
};
const aliceTask: TelemetryEvent = {
  type: 'task',
  event: 'status',
  taskId: TASK,
  userId: ALICE,
  status: 'RUNNING',
  progress: 50,
  at,
};
const aliceLog: TelemetryEvent = {
  type: 'log',
  taskId: TASK,
  userId: ALICE,
  id: 7,
  shardIndex: 0,
  attemptId: 'x',
  seq: '1',
  stream: 'stdout',
  data: 'hello\n',
  at,
};

function viewer(
  userId: string,
  options: { admin?: boolean; topics?: TelemetryTopic[]; logTasks?: string[] } = {},
): TelemetryViewer {
  return {
    userId,
    admin: options.admin ?? false,
    topics: new Set(options.topics ?? ['node', 'task']),
    logTasks: new Set(options.logTasks ?? []),
  };
}

describe(canSee.name, () => {
  it.each<[string, TelemetryViewer, TelemetryEvent, boolean]>([
    ['a node event goes to any user', viewer(BOB), node, true],
    ['a node event goes to an admin', viewer(BOB, { admin: true }), node, true],
    ['not with the node topic off', viewer(BOB, { topics: ['task'] }), node, false],
    ['a task event goes to its owner', viewer(ALICE), aliceTask, true],
    ['not to another user', viewer(BOB), aliceTask, false],
    ['to an admin', viewer(BOB, { admin: true }), aliceTask, true],
    ['not to the owner with the task topic off', viewer(ALICE, { topics: ['node'] }), aliceTask, false],
    ['not to an admin with the task topic off', viewer(BOB, { admin: true, topics: [] }), aliceTask, false],
    ['a log line not without a subscription', viewer(ALICE), aliceLog, false],
    ['a log line to the subscribed owner', viewer(ALICE, { logTasks: [TASK] }), aliceLog, true],
    ['topics do not matter for log lines', viewer(ALICE, { topics: [], logTasks: [TASK] }), aliceLog, true],
    ['a log line to a subscribed admin', viewer(BOB, { admin: true, logTasks: [TASK] }), aliceLog, true],
    ['not to a subscribed other user', viewer(BOB, { logTasks: [TASK] }), aliceLog, false],
    [
      'not for another task',
      viewer(ALICE, { logTasks: ['d4d4d4d4-0000-4000-8000-000000000004'] }),
      aliceLog,
      false,
    ],
  ])('%s', (_, who, event, expected) => {
    expect(canSee(who, event)).toBe(expected);
  });
});

describe(mayWatchTask.name, () => {
  it.each<[string, { userId: string; admin: boolean }, string | null, boolean]>([
    ['the owner', { userId: ALICE, admin: false }, ALICE, true],
    ['another user', { userId: BOB, admin: false }, ALICE, false],
    ['an admin', { userId: BOB, admin: true }, ALICE, true],
    ['nobody, when there is no such task', { userId: BOB, admin: true }, null, false],
  ])('%s', (_, who, owner, expected) => {
    expect(mayWatchTask(who, owner)).toBe(expected);
  });
});
