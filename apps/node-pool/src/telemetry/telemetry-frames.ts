// The /ws/telemetry wire format (docs/telemetry.md): every server message is a JSON array of
// frames with snake_case keys, like the REST API; the client sends one JSON op per message.
// The wire's types are @hivemind/contracts' (domain/telemetry.ts); this file builds and reads them.
import {
  type ErrorFrame,
  type EventFrame,
  NODE_EVENTS,
  type PingOp,
  type SubscriptionOp,
  TASK_EVENTS,
  TELEMETRY_TOPICS,
  type TelemetryOp,
  type TelemetryTopic,
} from '@hivemind/contracts';
import { type CamelKeys, type TelemetryEvent } from './telemetry-events';
import { isUuid } from '../common/ids';

/** A client's op, parsed and checked (camelCase, like the pool's events). */
export type ClientOp = CamelKeys<SubscriptionOp> | PingOp;

export type ParsedOp = { ok: true; op: ClientOp } | { ok: false; error: ErrorFrame };

/** The frame an event of type E becomes. */
export type FrameOf<E extends TelemetryEvent> = Extract<EventFrame, { type: E['type'] }>;

/** The event names each event type may carry (log lines carry none). */
const EVENT_NAMES: Record<TelemetryEvent['type'], ReadonlySet<string> | null> = {
  node: new Set(NODE_EVENTS),
  task: new Set(TASK_EVENTS),
  log: null,
};

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * An event as clients see it: the same fields in snake_case, absent ones left out. The event types
 * are the frames' keys in camelCase (telemetry-events.ts), so renaming them back gives the frame.
 */
export function eventFrame<E extends TelemetryEvent>(event: E): FrameOf<E> {
  const frame: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) if (value !== undefined) frame[snake(key)] = value;
  return frame as unknown as FrameOf<E>; // the same keys, renamed: telemetry-contract.spec.ts proves it
}

/** A refusal of one client message; the connection stays open. */
export function errorFrame(
  message: string,
  context: { op?: TelemetryOp['op']; taskId?: string } = {},
): ErrorFrame {
  return {
    type: 'error',
    message,
    ...(context.op ? { op: context.op } : {}),
    ...(context.taskId ? { task_id: context.taskId } : {}),
  };
}

/** Parses one client message; anything else than a known op yields the error frame to answer. */
export function parseOp(raw: string): ParsedOp {
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    return fail('not JSON: send {"op":"subscribe","task_id":"<id>"} or {"op":"subscribe","topics":["node"]}');
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return fail('a message must be a JSON object with an "op"');
  }
  const { op, task_id: taskId, topics } = message as Record<string, unknown>;
  if (op === 'ping') return { ok: true, op: { op } };
  if (op !== 'subscribe' && op !== 'unsubscribe') {
    return fail('"op" must be "subscribe", "unsubscribe" or "ping"');
  }
  if (taskId === undefined && topics === undefined) {
    return fail(`${op} needs "task_id" or "topics"`, op);
  }
  if (taskId !== undefined && (typeof taskId !== 'string' || !isUuid(taskId))) {
    return fail('"task_id" must be a task id (a UUID)', op);
  }
  if (topics !== undefined) {
    if (!Array.isArray(topics) || !topics.every((t): t is TelemetryTopic => isTopic(t))) {
      return fail(
        `"topics" must be a list of ${TELEMETRY_TOPICS.join(', ')} (log lines: subscribe with "task_id")`,
        op,
      );
    }
  }
  return {
    ok: true,
    op: {
      op,
      ...(taskId !== undefined ? { taskId: taskId.toLowerCase() } : {}),
      ...(topics !== undefined ? { topics } : {}),
    },
  };
}

/**
 * An event read back from the Redis channel, or null if it is not one (another publisher, another
 * version): checks its type and event name, and what the visibility rules rely on.
 */
export function decodeEvent(raw: string): TelemetryEvent | null {
  try {
    return checkEvent(JSON.parse(raw));
  } catch {
    return null;
  }
}

/**
 * A message of the Redis channel: a batch (a JSON array of events, as replicas publish them) or
 * one event. The events that pass decodeEvent's checks, and how many did not.
 */
export function decodeEvents(raw: string): { events: TelemetryEvent[]; rejected: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { events: [], rejected: 1 };
  }
  const events: TelemetryEvent[] = [];
  let rejected = 0;
  for (const item of Array.isArray(parsed) ? (parsed as unknown[]) : [parsed]) {
    const event = checkEvent(item);
    if (event) events.push(event);
    else rejected++;
  }
  return { events, rejected };
}

function checkEvent(value: unknown): TelemetryEvent | null {
  const event = value as Partial<Record<string, unknown>> | null;
  if (typeof event !== 'object' || event === null || !isEventType(event.type)) return null;
  const names = EVENT_NAMES[event.type];
  if (names && !(typeof event.event === 'string' && names.has(event.event))) return null;
  if (event.type === 'node') return event.userId === undefined ? (event as unknown as TelemetryEvent) : null;
  return typeof event.userId === 'string' && typeof event.taskId === 'string'
    ? (event as unknown as TelemetryEvent)
    : null;
}

function isEventType(value: unknown): value is TelemetryEvent['type'] {
  return typeof value === 'string' && Object.hasOwn(EVENT_NAMES, value);
}

function isTopic(value: unknown): value is TelemetryTopic {
  return (TELEMETRY_TOPICS as readonly unknown[]).includes(value);
}

function fail(message: string, op?: SubscriptionOp['op']): ParsedOp {
  return { ok: false, error: errorFrame(message, { op }) };
}
