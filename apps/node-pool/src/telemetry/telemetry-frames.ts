// The /ws/telemetry wire format (docs/telemetry.md): every server message is a JSON array of
// frames with snake_case keys, like the REST API; the client sends one JSON op per message.
import { type TelemetryEvent } from './telemetry-events';
import { TELEMETRY_TOPICS, type TelemetryTopic } from './telemetry-visibility';
import { isUuid } from '../common/ids';

/** One object in a server message's array; `type` says which. */
export type TelemetryFrame = { type: string } & Record<string, unknown>;

/** A client's request, parsed and checked. */
export type TelemetryOp =
  { op: 'subscribe' | 'unsubscribe'; taskId?: string; topics?: TelemetryTopic[] } | { op: 'ping' };

export type ParsedOp = { ok: true; op: TelemetryOp } | { ok: false; error: TelemetryFrame };

const EVENT_TYPES = new Set(['node', 'task', 'log']);

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** An event as clients see it: the same fields in snake_case, absent ones left out. */
export function eventFrame(event: TelemetryEvent): TelemetryFrame {
  const frame: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) if (value !== undefined) frame[snake(key)] = value;
  return frame as TelemetryFrame;
}

/** A refusal of one client message; the connection stays open. */
export function errorFrame(message: string, context: { op?: string; taskId?: string } = {}): TelemetryFrame {
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
 * version): checks what the visibility rules rely on.
 */
export function decodeEvent(raw: string): TelemetryEvent | null {
  try {
    const event = JSON.parse(raw) as Partial<Record<string, unknown>> | null;
    if (typeof event !== 'object' || event === null || !EVENT_TYPES.has(event.type as string)) return null;
    if (event.type === 'node')
      return event.userId === undefined ? (event as unknown as TelemetryEvent) : null;
    return typeof event.userId === 'string' && typeof event.taskId === 'string'
      ? (event as unknown as TelemetryEvent)
      : null;
  } catch {
    return null;
  }
}

function isTopic(value: unknown): value is TelemetryTopic {
  return (TELEMETRY_TOPICS as readonly unknown[]).includes(value);
}

function fail(message: string, op?: string): ParsedOp {
  return { ok: false, error: errorFrame(message, { op }) };
}
