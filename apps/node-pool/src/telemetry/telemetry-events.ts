// Live events published to /ws/telemetry (across replicas through Redis pub/sub). Every event says
// who may see it: `userId` set → that user and admins; unset → every logged-in user.

export interface NodeTelemetryEvent {
  type: 'node';
  /** registered | online | offline | draining | heartbeat | updated */
  event: string;
  nodeId: string;
  name: string;
  status: string;
  /** Present on heartbeats (sent at most every few seconds per node). */
  cpuPercent?: number;
  memoryPercent?: number;
  runningAttempts?: number;
  creditScore?: number;
  trustGroup?: string;
  at: string;
  userId?: undefined;
}

export interface TaskTelemetryEvent {
  type: 'task';
  /** submitted | status | shard | attempt | cancelled | finished */
  event: string;
  taskId: string;
  userId: string;
  status: string;
  progress: number;
  shardIndex?: number;
  shardState?: string;
  attemptId?: string;
  attemptState?: string;
  nodeId?: string;
  at: string;
}

export interface LogTelemetryEvent {
  type: 'log';
  taskId: string;
  userId: string;
  /** The log chunk's id (a number, as in REST): GET /api/tasks/:id/logs?after=<id - 1> returns it. */
  id: number;
  shardIndex: number;
  attemptId: string;
  seq: string;
  stream: string;
  data: string;
  at: string;
}

export type TelemetryEvent = NodeTelemetryEvent | TaskTelemetryEvent | LogTelemetryEvent;
