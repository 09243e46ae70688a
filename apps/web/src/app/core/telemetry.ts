import { Injectable, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import { type LogFrame, type TelemetryFrame, type TelemetryOp } from '@hivemind/contracts';
import { Observable, Subject, filter } from 'rxjs';
import { SessionStore } from './session.store';

const PING_MS = 25_000;
const MAX_BACKOFF_MS = 15_000;

/**
 * One WebSocket to /ws/telemetry (its frames and ops: @hivemind/contracts) for the whole console, opened while something listens. It
 * reconnects with backoff (and re-subscribes the watched tasks; `reconnected` tells pages to
 * re-read over REST what they may have missed); a 4401 close ends the session.
 */
@Injectable({ providedIn: 'root' })
export class Telemetry {
  private readonly session = inject(SessionStore);
  private readonly router = inject(Router);
  private readonly frames = new Subject<TelemetryFrame>();
  private readonly watched = new Map<string, number>();
  private socket?: WebSocket;
  private listeners = 0;
  private failures = 0;
  private retry?: ReturnType<typeof setTimeout>;
  private ping?: ReturnType<typeof setInterval>;
  readonly connected = signal(false);
  /** Emits after a reconnect: live events may have been missed. */
  readonly reconnected = new Subject<void>();

  /** Node and task events (and the logs of watched tasks) while subscribed. */
  events(): Observable<TelemetryFrame> {
    return new Observable<TelemetryFrame>((subscriber) => {
      const subscription = this.frames.subscribe(subscriber);
      this.listeners += 1;
      this.open();
      return () => {
        subscription.unsubscribe();
        this.listeners -= 1;
        if (this.listeners === 0) this.close();
      };
    });
  }

  /** The log lines of one task as they come, while subscribed. */
  logs(taskId: string): Observable<LogFrame> {
    return new Observable<LogFrame>((subscriber) => {
      const subscription = this.events()
        .pipe(filter((f): f is LogFrame => f.type === 'log' && f.task_id === taskId))
        .subscribe(subscriber);
      this.watched.set(taskId, (this.watched.get(taskId) ?? 0) + 1);
      this.send({ op: 'subscribe', task_id: taskId });
      return () => {
        const left = (this.watched.get(taskId) ?? 1) - 1;
        if (left > 0) this.watched.set(taskId, left);
        else {
          this.watched.delete(taskId);
          this.send({ op: 'unsubscribe', task_id: taskId });
        }
        subscription.unsubscribe();
      };
    });
  }

  private open(): void {
    if (this.socket || typeof WebSocket === 'undefined') return;
    const token = this.session.token();
    if (!token) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    // the token travels as a subprotocol, never in the URL; the pool echoes only hivemind.telemetry.v1
    const socket = new WebSocket(`${scheme}://${location.host}/ws/telemetry`, [
      'hivemind.telemetry.v1',
      `hivemind.bearer.${token}`,
    ]);
    this.socket = socket;
    socket.onopen = () => {
      const wasRetry = this.failures > 0;
      this.failures = 0;
      this.connected.set(true);
      for (const taskId of this.watched.keys()) this.send({ op: 'subscribe', task_id: taskId });
      this.ping = setInterval(() => this.send({ op: 'ping' }), PING_MS);
      if (wasRetry) this.reconnected.next();
    };
    socket.onmessage = (message: MessageEvent<string>) => {
      try {
        for (const frame of JSON.parse(message.data) as TelemetryFrame[]) this.frames.next(frame);
      } catch {
        // not a frame array: ignored
      }
    };
    socket.onclose = (event: CloseEvent) => {
      this.connected.set(false);
      clearInterval(this.ping);
      this.socket = undefined;
      if (event.code === 4401) {
        this.session.end();
        void this.router.navigate(['/login'], { queryParams: { returnUrl: this.router.url, expired: 1 } });
        return;
      }
      if (this.listeners > 0) {
        this.failures += 1;
        const ceiling = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.failures);
        this.retry = setTimeout(() => this.open(), ceiling / 2 + Math.random() * (ceiling / 2));
      }
    };
  }

  private close(): void {
    clearTimeout(this.retry);
    clearInterval(this.ping);
    this.socket?.close(1000);
    this.socket = undefined;
    this.connected.set(false);
  }

  private send(op: TelemetryOp): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(op));
  }
}
