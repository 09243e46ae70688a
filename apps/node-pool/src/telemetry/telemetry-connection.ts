import { UserRole } from '@hivemind/contracts';
import { type AuthUser } from '../accounts/auth-user';
import { DEFAULT_TOPICS, type TelemetryTopic, type TelemetryViewer } from './telemetry-visibility';

/** The part of a `ws` WebSocket a connection uses (a fake one in unit specs). */
export interface TelemetrySocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  ping(): void;
  terminate(): void;
}

export interface OutboxLimits {
  /** Bytes the socket may have unsent before events for it are dropped. */
  maxBufferedBytes: number;
  /** Bytes of frames waiting for the next batch before events are dropped. */
  maxOutboxBytes: number;
  /** A client that stays over maxBufferedBytes this long is closed with 1013. */
  closeAfterCongestedMs: number;
}

export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = {
  maxBufferedBytes: 1024 * 1024,
  maxOutboxBytes: 256 * 1024,
  closeAfterCongestedMs: 30_000,
};

const OPEN = 1;
export const CLOSE_TOO_SLOW = 1013;

export type FlushResult = 'idle' | 'sent' | 'congested' | 'closed';

/**
 * One /ws/telemetry client: who it is, what it watches, and its outbox. Frames wait in the outbox
 * (already JSON) until the next batch goes out as one JSON array; while the client does not read,
 * new frames are dropped and counted, and the next batch starts with `{"type":"dropped","count":N}`.
 */
export class TelemetryConnection implements TelemetryViewer {
  readonly topics = new Set<TelemetryTopic>(DEFAULT_TOPICS);
  readonly logTasks = new Set<string>();
  /** Answered the last ping (heartbeats). */
  alive = true;
  /** When the token was last checked against the database. */
  checkedAt = Date.now();
  /** Client ops waiting for their answer (each may query the database). */
  pendingOps = 0;
  opChain: Promise<void> = Promise.resolve();

  private outbox: string[] = [];
  private outboxBytes = 0;
  private droppedCount = 0;
  private congestedSince?: number;

  constructor(
    readonly socket: TelemetrySocket,
    public user: AuthUser,
    readonly token: string,
    private readonly limits: OutboxLimits = DEFAULT_OUTBOX_LIMITS,
  ) {}

  get userId(): string {
    return this.user.id;
  }

  get admin(): boolean {
    return this.user.role === UserRole.Admin;
  }

  /** Something waits for the next batch. */
  get pending(): boolean {
    return this.outbox.length > 0 || this.droppedCount > 0;
  }

  /** Queues one frame (JSON text); false if the client is too far behind and it was dropped. */
  offer(json: string): boolean {
    if (
      this.socket.bufferedAmount > this.limits.maxBufferedBytes ||
      this.outboxBytes + json.length > this.limits.maxOutboxBytes
    ) {
      this.droppedCount++;
      return false;
    }
    this.outbox.push(json);
    this.outboxBytes += json.length;
    return true;
  }

  /**
   * Sends what waits as one message. 'congested': the client has not read what it was sent, so
   * the batch waits (try again later); closed with 1013 once that lasts closeAfterCongestedMs.
   */
  flush(now = Date.now()): FlushResult {
    if (this.socket.readyState !== OPEN) {
      this.clear();
      return 'closed';
    }
    if (!this.pending) return 'idle';
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.congestedSince ??= now;
      if (now - this.congestedSince < this.limits.closeAfterCongestedMs) return 'congested';
      this.clear();
      this.socket.close(CLOSE_TOO_SLOW, 'too slow: read faster or reconnect later');
      return 'closed';
    }
    this.congestedSince = undefined;
    const frames = this.droppedCount
      ? [JSON.stringify({ type: 'dropped', count: this.droppedCount }), ...this.outbox]
      : this.outbox;
    this.clear();
    this.socket.send(`[${frames.join(',')}]`);
    return 'sent';
  }

  private clear(): void {
    this.outbox = [];
    this.outboxBytes = 0;
    this.droppedCount = 0;
  }
}
