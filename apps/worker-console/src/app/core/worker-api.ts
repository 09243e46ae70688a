import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { type Observable, map } from 'rxjs';
import {
  type ConsoleSessionView,
  type LogLineView,
  type WorkerNodeView,
  type ResourcesView,
  type StatusView,
  type TasksView,
} from '@hivemind/contracts';

/** Lines of a log tail the tasks page shows (the worker keeps up to 500). */
export const LOG_TAIL = 100;

/** The worker's HTTP API, same origin (the worker serves this console). */
@Injectable({ providedIn: 'root' })
export class WorkerApi {
  private readonly http = inject(HttpClient);

  signIn(credentials: { username: string; password: string; otp?: string }): Observable<ConsoleSessionView> {
    return this.http.post<ConsoleSessionView>('/api/session', credentials);
  }

  session(): Observable<ConsoleSessionView> {
    return this.http.get<ConsoleSessionView>('/api/session');
  }

  signOut(): Observable<unknown> {
    return this.http.delete('/api/session');
  }

  node(): Observable<WorkerNodeView> {
    return this.http.get<WorkerNodeView>('/api/node');
  }

  status(): Observable<StatusView> {
    return this.http.get<StatusView>('/api/status');
  }

  resources(): Observable<ResourcesView> {
    return this.http.get<ResourcesView>('/api/resources');
  }

  tasks(): Observable<TasksView> {
    return this.http.get<TasksView>('/api/tasks');
  }

  logs(attemptId: string, tail = LOG_TAIL): Observable<LogLineView[]> {
    return this.http
      .get<{ lines: LogLineView[] }>(`/api/tasks/${encodeURIComponent(attemptId)}/logs`, { params: { tail } })
      .pipe(map((answer) => answer.lines));
  }

  /** The operator's stop: the pool counts it as this node's failure and runs the shard again. */
  stop(attemptId: string): Observable<unknown> {
    return this.http.post(`/api/stop_task/${encodeURIComponent(attemptId)}`, {});
  }
}
