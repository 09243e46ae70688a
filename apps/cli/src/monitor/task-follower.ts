import { type TaskDetailView, type TaskLogsView, type TelemetryFrame } from '@hivemind/contracts';
import { type ApiClient } from '../api/api-client';
import { interrupted } from '../api/errors';
import { type LogChunk } from './log-printer';
import { openTaskSocket, type TaskSocket } from './telemetry-socket';

export const TERMINAL_TASK_STATES = ['COMPLETED', 'FAILED', 'CANCELLED'];

export interface FollowHandlers {
  /** Each log chunk once, in id order as far as the sources allow. */
  onChunk(chunk: LogChunk): void;
  /** The task's progress (% of shards completed), from live task events or polling. */
  onProgress?(progress: number): void;
}

export interface FollowOptions {
  signal?: AbortSignal;
  /** Poll interval without a live connection, and the safety poll with one (ms). */
  pollMs?: number;
  livePollMs?: number;
  /** Live events off: polling only (tests). */
  noSocket?: boolean;
}

const PAGE = 1000;

/**
 * Follows a task until it ends and returns its final state: the log lines so far from
 * GET /api/tasks/:id/logs, then live from /ws/telemetry (subscribed first, so nothing falls in
 * between), polling the REST API with next_after when the socket cannot be opened or closes. The
 * REST API is the truth: a safety poll every few seconds finds what a lost event missed, and the
 * end is confirmed by it.
 */
export async function followTask(
  api: ApiClient,
  taskId: string,
  handlers: FollowHandlers,
  options: FollowOptions = {},
): Promise<TaskDetailView> {
  const { signal } = options;
  const pollMs = options.pollMs ?? 1000;
  const livePollMs = options.livePollMs ?? 5000;
  /** Every chunk up to this id was handed out (REST cursor). */
  let after = 0;
  /** Chunks after `after` already handed out (from the socket). */
  const printed = new Set<number>();
  let live: TaskSocket | undefined;
  let wake: (() => void) | undefined;
  let buffered: LogChunk[] | undefined = [];

  const hand = (chunk: LogChunk) => {
    const id = Number(chunk.id); // a number on both paths; Number() keeps older pools (string ids) working
    if (id <= after || printed.has(id)) return;
    printed.add(id);
    handlers.onChunk({ ...chunk, id });
  };
  const catchUp = async (): Promise<string> => {
    for (;;) {
      const page = await api.request<TaskLogsView>('GET', `/api/tasks/${taskId}/logs`, {
        query: { after, limit: PAGE },
        signal,
      });
      for (const chunk of page.chunks) hand(chunk);
      after = Math.max(after, page.next_after);
      for (const id of printed) if (id <= after) printed.delete(id);
      if (page.chunks.length < PAGE) return page.status;
    }
  };
  const onFrame = (frame: TelemetryFrame) => {
    if (frame.type === 'log' && frame.task_id === taskId) {
      if (buffered) buffered.push(frame);
      else hand(frame);
    } else if (frame.type === 'task' && frame.task_id === taskId) {
      if (frame.progress !== undefined) handlers.onProgress?.(frame.progress);
      if (frame.status && TERMINAL_TASK_STATES.includes(frame.status)) wake?.();
    } else if (frame.type === 'dropped') {
      wake?.();
    }
  };

  const detail = await api.request<TaskDetailView>('GET', `/api/tasks/${taskId}`, { signal });
  handlers.onProgress?.(detail.progress);
  if (!TERMINAL_TASK_STATES.includes(detail.status) && !options.noSocket) {
    try {
      const session = await api.freshSession();
      live = await openTaskSocket(api.server, session.access_token, taskId, undefined, api.ca);
      live.onFrame = onFrame;
      live.onClose = () => {
        live = undefined;
        wake?.();
      };
    } catch {
      live = undefined; // no live events: poll
    }
  }
  const abort = () => wake?.();
  signal?.addEventListener('abort', abort);
  try {
    for (;;) {
      const status = await catchUp();
      if (buffered) {
        for (const chunk of buffered) hand(chunk);
        buffered = undefined;
      }
      if (TERMINAL_TASK_STATES.includes(status)) break;
      if (!live) {
        const polled = await api.request<TaskDetailView>('GET', `/api/tasks/${taskId}`, { signal });
        handlers.onProgress?.(polled.progress);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, live ? livePollMs : pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
      if (signal?.aborted) throw interrupted();
    }
  } finally {
    signal?.removeEventListener('abort', abort);
    live?.close();
  }
  const final = await api.request<TaskDetailView>('GET', `/api/tasks/${taskId}`, { signal });
  handlers.onProgress?.(final.progress);
  return final;
}
