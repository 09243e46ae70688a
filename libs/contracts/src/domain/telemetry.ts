// The /ws/telemetry wire (docs/telemetry.md), the one definition the node pool, the console and the
// CLI share: the frames the server sends (a JSON array of them per message, snake_case keys, absent
// optional fields left out) and the ops a client sends (one JSON object per message). Every type
// is a discriminated union on `type` (frames) or `op` (ops), and every `event` a union of the names
// it can carry, so a misspelled event fails to compile wherever it is published or read.
import { type UserRole } from './states';

/**
 * What happens to a node: `heartbeat` carries its figures (at most every few seconds per node).
 * `updated` is reserved: clients accept it, this version of the pool does not send it.
 */
export const NODE_EVENTS = ['registered', 'online', 'offline', 'draining', 'heartbeat', 'updated'] as const;
export type NodeEvent = (typeof NODE_EVENTS)[number];

/**
 * What happens to a task, its shards and its attempts. `status` and `shard` are reserved: clients
 * accept them, this version of the pool does not send them (an attempt's change is `attempt`).
 */
export const TASK_EVENTS = ['submitted', 'status', 'shard', 'attempt', 'cancelled', 'finished'] as const;
export type TaskEvent = (typeof TASK_EVENTS)[number];

/** The event types a client may turn on and off; log lines come only per subscribed task. */
export const TELEMETRY_TOPICS = ['node', 'task'] as const;
export type TelemetryTopic = (typeof TELEMETRY_TOPICS)[number];

// ---- server → client ----------------------------------------------------------------------------

/** A node's change, or its heartbeat's figures; seen by every logged-in user. */
export interface NodeFrame {
  type: 'node';
  event: NodeEvent;
  node_id: string;
  name: string;
  /** A NodeStatus value; a client shows what it does not know as it is. */
  status: string;
  cpu_percent?: number;
  memory_percent?: number;
  running_attempts?: number;
  credit_score?: number;
  /** A TrustGroup value. */
  trust_group?: string;
  at: string;
}

/** A change of a user's task (its status and progress after it); seen by that user and admins. */
export interface TaskFrame {
  type: 'task';
  event: TaskEvent;
  task_id: string;
  user_id: string;
  /** A TaskStatus value. */
  status: string;
  /** Percent of the shards completed. */
  progress: number;
  shard_index?: number;
  shard_state?: string;
  attempt_id?: string;
  attempt_state?: string;
  node_id?: string;
  at: string;
}

/** A log chunk as it is stored, to the connections that subscribed to its task. */
export interface LogFrame {
  type: 'log';
  task_id: string;
  user_id: string;
  /** The chunk's id, as in REST: GET /api/tasks/:id/logs?after=<id - 1> returns it. */
  id: number;
  shard_index: number;
  attempt_id: string;
  /** The worker's sequence number of the chunk (a 64-bit integer, in decimal). */
  seq: string;
  stream: string;
  data: string;
  at: string;
}

/** The frames that carry an event (the others answer the client or describe its connection). */
export type EventFrame = NodeFrame | TaskFrame | LogFrame;

/** The first frame of every connection. */
export interface WelcomeFrame {
  type: 'welcome';
  user_id: string;
  username: string;
  role: UserRole;
  topics: TelemetryTopic[];
  batch_ms: number;
}

/** The answer to a subscribe / unsubscribe op: the connection's state after it. */
export interface SubscriptionFrame {
  type: 'subscribed' | 'unsubscribed';
  /** The op's task, if it had one. */
  task_id?: string;
  topics: TelemetryTopic[];
  task_ids: string[];
}

/** The refusal of one client message; the connection stays open. */
export interface ErrorFrame {
  type: 'error';
  message: string;
  /** The op it answers, when the message was one. */
  op?: TelemetryOp['op'];
  task_id?: string;
}

/** Events this connection missed because it did not read fast enough (first in the next batch). */
export interface DroppedFrame {
  type: 'dropped';
  count: number;
}

/** The answer to a ping op. */
export interface PongFrame {
  type: 'pong';
}

export type TelemetryFrame =
  EventFrame | WelcomeFrame | SubscriptionFrame | ErrorFrame | DroppedFrame | PongFrame;

// ---- client → server ----------------------------------------------------------------------------

/** Turns a task's log lines and/or event types on or off; at least one of the two is given. */
export interface SubscriptionOp {
  op: 'subscribe' | 'unsubscribe';
  task_id?: string;
  topics?: TelemetryTopic[];
}

/** Answered with a pong frame (browsers cannot send WebSocket pings). */
export interface PingOp {
  op: 'ping';
}

export type TelemetryOp = SubscriptionOp | PingOp;
