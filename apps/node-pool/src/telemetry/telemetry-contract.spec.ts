// The pool's events and the frames it builds from them against the wire contract
// (@hivemind/contracts, domain/telemetry.ts): at compile time (the typecheck fails if they drift
// apart) and at run time, for every event type and every event name.
import {
  type LogFrame,
  NODE_EVENTS,
  type NodeFrame,
  TASK_EVENTS,
  type TaskFrame,
  type TelemetryFrame,
} from '@hivemind/contracts';
import {
  type LogTelemetryEvent,
  type NodeTelemetryEvent,
  type TaskTelemetryEvent,
  type TelemetryEvent,
} from './telemetry-events';
import { decodeEvent, eventFrame } from './telemetry-frames';

// ---- compile time -------------------------------------------------------------------------------

/** `shardIndex` → `shard_index`, as eventFrame renames at run time. */
type SnakeCase<S extends string> = S extends `${infer C}${infer Rest}`
  ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${SnakeCase<Rest>}`
  : S;
type SnakeKeys<T> = { [K in keyof T as K extends string ? SnakeCase<K> : K]: T[K] };
type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
const same = <X, Y>(proof: Equal<X, Y>) => proof;

// each event, its keys renamed as eventFrame renames them, is exactly its frame (an owner-less
// node event's `userId` is never set, so never sent)
same<SnakeKeys<Omit<NodeTelemetryEvent, 'userId'>>, NodeFrame>(true);
same<SnakeKeys<TaskTelemetryEvent>, TaskFrame>(true);
same<SnakeKeys<LogTelemetryEvent>, LogFrame>(true);

const AT = '2026-01-01T00:00:00.000Z';

const nodeEvent = (event: NodeTelemetryEvent['event']): NodeTelemetryEvent => ({
  type: 'node',
  event,
  nodeId: 'n1',
  name: 'gpu-box',
  status: 'online',
  cpuPercent: 12.5,
  memoryPercent: 40,
  runningAttempts: 2,
  creditScore: 80,
  trustGroup: 'normal',
  at: AT,
});

const taskEvent = (event: TaskTelemetryEvent['event']): TaskTelemetryEvent => ({
  type: 'task',
  event,
  taskId: 't1',
  userId: 'u1',
  status: 'RUNNING',
  progress: 50,
  shardIndex: 3,
  shardState: 'RUNNING',
  attemptId: 'a1',
  attemptState: 'RUNNING',
  nodeId: 'n1',
  at: AT,
});

const logEvent: LogTelemetryEvent = {
  type: 'log',
  taskId: 't1',
  userId: 'u1',
  id: 7,
  shardIndex: 3,
  attemptId: 'a1',
  seq: '12',
  stream: 'stdout',
  data: 'hello\n',
  at: AT,
};

// a wrong event name, or an event name on the wrong type, does not compile
const _badNode: TelemetryEvent = {
  ...nodeEvent('online'),
  // @ts-expect-error 'rebooted' is no node event
  event: 'rebooted',
};
const _wrongType: TelemetryEvent = {
  ...taskEvent('status'),
  // @ts-expect-error 'heartbeat' is a node event, not a task event
  event: 'heartbeat',
};

describe('the frames eventFrame builds', () => {
  it.each(NODE_EVENTS)('node %s: every field of the contract, nothing else', (event) => {
    expect(eventFrame(nodeEvent(event)) satisfies NodeFrame).toEqual({
      type: 'node',
      event,
      node_id: 'n1',
      name: 'gpu-box',
      status: 'online',
      cpu_percent: 12.5,
      memory_percent: 40,
      running_attempts: 2,
      credit_score: 80,
      trust_group: 'normal',
      at: AT,
    } satisfies NodeFrame);
  });

  it.each(TASK_EVENTS)('task %s: every field of the contract, nothing else', (event) => {
    expect(eventFrame(taskEvent(event)) satisfies TaskFrame).toEqual({
      type: 'task',
      event,
      task_id: 't1',
      user_id: 'u1',
      status: 'RUNNING',
      progress: 50,
      shard_index: 3,
      shard_state: 'RUNNING',
      attempt_id: 'a1',
      attempt_state: 'RUNNING',
      node_id: 'n1',
      at: AT,
    } satisfies TaskFrame);
  });

  it('log: every field of the contract, nothing else', () => {
    expect(eventFrame(logEvent) satisfies LogFrame).toEqual({
      type: 'log',
      task_id: 't1',
      user_id: 'u1',
      id: 7,
      shard_index: 3,
      attempt_id: 'a1',
      seq: '12',
      stream: 'stdout',
      data: 'hello\n',
      at: AT,
    } satisfies LogFrame);
  });

  it('is a server frame as the clients type it', () => {
    const frames: TelemetryFrame[] = [eventFrame(nodeEvent('online')), eventFrame(logEvent)];
    expect(frames.map((f) => f.type)).toEqual(['node', 'log']);
  });
});

describe('reading events back from Redis (decodeEvent)', () => {
  const roundTrip = (event: TelemetryEvent) => decodeEvent(JSON.stringify(event));

  it.each(NODE_EVENTS)('accepts the node event %s', (event) => {
    expect(roundTrip(nodeEvent(event))).toEqual(nodeEvent(event));
  });

  it.each(TASK_EVENTS)('accepts the task event %s', (event) => {
    expect(roundTrip(taskEvent(event))).toEqual(taskEvent(event));
  });

  it('accepts a log line (log lines carry no event name)', () => {
    expect(roundTrip(logEvent)).toEqual(logEvent);
  });

  it.each([
    ['a node event of an unknown name', { ...nodeEvent('online'), event: 'rebooted' }],
    ['a node event with a task event name', { ...nodeEvent('online'), event: 'submitted' }],
    ['a task event with a node event name', { ...taskEvent('status'), event: 'heartbeat' }],
    ['a node event without a name', { ...nodeEvent('online'), event: undefined }],
    ['a task event whose name is not a string', { ...taskEvent('status'), event: 7 }],
    ['an event type that is an inherited key', { ...taskEvent('status'), type: 'toString' }],
  ])('ignores %s', (_, event) => {
    expect(decodeEvent(JSON.stringify(event))).toBeNull();
  });
});
