import { type TelemetryFrame, type TelemetryOp } from '@hivemind/contracts';
import WebSocket from 'ws';

export interface TaskSocket {
  /** Called for every frame, in order. */
  onFrame?: (frame: TelemetryFrame) => void;
  /** Called once when the connection ends (not after close()). */
  onClose?: (reason: string) => void;
  close(): void;
}

/**
 * A telemetry connection subscribed to one task's log lines and task events (node events off):
 * resolves once the subscription is confirmed, rejects when the socket cannot be opened or the
 * subscription is refused, so the caller can poll the REST API instead.
 */
export function openTaskSocket(
  server: string,
  token: string,
  taskId: string,
  timeoutMs = 5000,
  ca?: string,
): Promise<TaskSocket> {
  const url = new URL('/ws/telemetry', server.replace(/^http/, 'ws'));
  const ws = new WebSocket(url, {
    headers: { authorization: `Bearer ${token}` },
    handshakeTimeout: timeoutMs,
    ...(ca ? { ca } : {}),
  });
  const socket: TaskSocket = {
    close: () => {
      socket.onClose = undefined;
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
    },
  };
  return new Promise<TaskSocket>((resolve, reject) => {
    let confirmed = false;
    const timer = setTimeout(() => fail(new Error('no answer to the subscription')), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      if (!confirmed) {
        socket.close();
        reject(error);
      } else {
        const onClose = socket.onClose;
        socket.onClose = undefined;
        onClose?.(error.message);
      }
    };
    const send = (op: TelemetryOp) => ws.send(JSON.stringify(op));
    ws.on('open', () => {
      send({ op: 'unsubscribe', topics: ['node'] });
      send({ op: 'subscribe', task_id: taskId });
    });
    ws.on('message', (data: Buffer) => {
      let frames: TelemetryFrame[];
      try {
        frames = JSON.parse(data.toString()) as TelemetryFrame[];
      } catch {
        return;
      }
      for (const frame of frames) {
        if (!confirmed) {
          if (frame.type === 'subscribed' && frame.task_id === taskId) {
            confirmed = true;
            clearTimeout(timer);
            resolve(socket);
          } else if (frame.type === 'error') {
            return fail(new Error(frame.message));
          }
          continue;
        }
        socket.onFrame?.(frame);
      }
    });
    ws.on('error', (error) => fail(error));
    ws.on('close', (code) => fail(new Error(`the connection closed (${code})`)));
  });
}
