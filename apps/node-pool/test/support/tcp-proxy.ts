import { type Server, type Socket, createConnection, createServer } from 'node:net';

/**
 * A TCP proxy on a free loopback port in front of a real server, that a test can cut (every
 * connection reset, new ones refused: the server looks down) and restore — an outage of
 * PostgreSQL without stopping the run's shared PostgreSQL.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  port = 0;
  /** Every byte that crossed the proxy, both ways, while `recording` (what a wiretap sees). */
  recording = false;
  readonly seen: Buffer[] = [];

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await proxy.listen(0);
    return proxy;
  }

  /** Resets every connection and stops listening: connects are refused until restore(). */
  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  /** Listens again on the same port (if it is not listening). */
  async restore(): Promise<void> {
    if (!this.server) await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.cut();
  }

  private listen(port: number): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection(this.targetPort, this.targetHost);
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ]) {
        this.sockets.add(a);
        a.on('error', () => b.destroy());
        a.on('close', () => {
          this.sockets.delete(a);
          b.destroy();
        });
        a.on('data', (chunk: Buffer) => {
          if (this.recording) this.seen.push(Buffer.from(chunk));
        });
        a.pipe(b);
      }
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }
}
