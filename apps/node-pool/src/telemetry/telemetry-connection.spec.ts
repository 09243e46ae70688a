import { UserRole } from '@hivemind/contracts';
import { CLOSE_TOO_SLOW, type TelemetrySocket, TelemetryConnection } from './telemetry-connection';

class FakeSocket implements TelemetrySocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: unknown[] = [];
  closedWith?: number;
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 2;
  }
  ping(): void {}
  terminate(): void {
    this.readyState = 3;
  }
}

const LIMITS = { maxBufferedBytes: 1000, maxOutboxBytes: 100, closeAfterCongestedMs: 30_000 };
const user = { id: 'u1', username: 'alice', role: UserRole.User, trustScore: 50 };
const frame = (n: number) => JSON.stringify({ type: 'task', n });

function connection() {
  const socket = new FakeSocket();
  return { socket, connection: new TelemetryConnection(socket, user, 'token', LIMITS) };
}

describe(TelemetryConnection.name, () => {
  it('watches node and task events by default, and says who it is', () => {
    const { connection: c } = connection();
    expect([...c.topics]).toEqual(['node', 'task']);
    expect(c.userId).toBe('u1');
    expect(c.admin).toBe(false);
  });

  it('sends what waits as one JSON array, then nothing until there is more', () => {
    const { socket, connection: c } = connection();
    expect(c.flush()).toBe('idle');
    c.offer(frame(1));
    c.offer(frame(2));
    expect(c.flush()).toBe('sent');
    expect(socket.sent).toEqual([
      [
        { type: 'task', n: 1 },
        { type: 'task', n: 2 },
      ],
    ]);
    expect(c.pending).toBe(false);
    expect(c.flush()).toBe('idle');
    expect(socket.sent).toHaveLength(1);
  });

  it('drops frames past the outbox limit and says how many in the next batch', () => {
    const { socket, connection: c } = connection();
    const accepted = Array.from({ length: 20 }, (_, n) => c.offer(frame(n)));
    const kept = accepted.filter(Boolean).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(20);
    c.flush();
    const [batch] = socket.sent as unknown[][];
    expect(batch?.[0]).toEqual({ type: 'dropped', count: 20 - kept });
    expect(batch).toHaveLength(kept + 1);
  });

  it('drops new frames while the client has not read what it was sent, then catches up', () => {
    const { socket, connection: c } = connection();
    c.offer(frame(1));
    socket.bufferedAmount = 5000;
    expect(c.offer(frame(2))).toBe(false);
    expect(c.flush(0)).toBe('congested');
    expect(socket.sent).toEqual([]);
    socket.bufferedAmount = 0;
    expect(c.flush(100)).toBe('sent');
    expect(socket.sent).toEqual([
      [
        { type: 'dropped', count: 1 },
        { type: 'task', n: 1 },
      ],
    ]);
  });

  it('closes a client that stays behind with 1013', () => {
    const { socket, connection: c } = connection();
    c.offer(frame(1));
    socket.bufferedAmount = 5000;
    expect(c.flush(1000)).toBe('congested');
    expect(c.flush(20_000)).toBe('congested');
    expect(c.flush(31_000)).toBe('closed');
    expect(socket.closedWith).toBe(CLOSE_TOO_SLOW);
    expect(c.pending).toBe(false);
  });

  it('sends nothing on a closed socket', () => {
    const { socket, connection: c } = connection();
    c.offer(frame(1));
    socket.readyState = 3;
    expect(c.flush()).toBe('closed');
    expect(socket.sent).toEqual([]);
  });
});
