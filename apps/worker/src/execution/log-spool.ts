import { createReadStream } from 'node:fs';
import { appendFile, open, readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import type { LogSink, LogStream } from './executor';

/** One numbered batch of an attempt's output, as spooled on disk and sent to the pool. */
export interface LogRecord {
  seq: number;
  stream: LogStream | 'system';
  data: string;
  /** The engine's timestamp of the last piece in this batch (re-attach resumes after it). */
  ts?: string;
}

export interface LogSpoolOptions {
  /** Sends one batch; answers the pool's last stored sequence number. Throws to retry later. */
  send(record: LogRecord): Promise<number>;
  /** Called when sending failed; the spool waits this long before trying again. */
  retryDelayMs?: (failures: number) => number;
  /** A batch is cut at this many bytes (the pool takes at most 1 MiB). */
  batchBytes?: number;
  /** ... or after this long. */
  flushMs?: number;
  /** Unsent bytes above which the spool reports `saturated` (the executor pauses its source). */
  maxUnsentBytes?: number;
  /** Output kept per attempt; beyond it the rest is dropped with one system line saying so. */
  maxTotalBytes?: number;
  /**
   * Rewrites each batch's text before it is spooled (the task's secret values masked), so what the
   * disk keeps and the pool receives never holds them. A value cut across two batches escapes it.
   */
  mask?(text: string): string;
  /**
   * Sees each batch as it is spooled (masked), and each batch a restarted worker finds on disk: the
   * worker console's tail of the attempt's output.
   */
  observe?(record: LogRecord): void;
  /** Non-retryable send failure (the attempt was fenced off): the spool stops sending. */
  onFatal?(error: Error): void;
  isFatal?(error: unknown): boolean;
}

interface Indexed {
  seq: number;
  offset: number;
  length: number;
}

const defaultDelay = (failures: number): number => Math.min(5000, 200 * 2 ** Math.min(failures, 5));

/**
 * An attempt's output on its way to the pool: cut into numbered batches, appended to a file
 * (`logs.jsonl`, one JSON record per line) and sent from there in order, one batch in flight. The
 * pool acknowledges the last number it stored; after a reconnect or a worker restart the spool
 * resends from there and the pool stores a resent number once, so no line is lost or stored twice.
 * Memory holds one batch being cut per stream and an index of offsets; the bytes live on disk.
 */
export class LogSpool implements LogSink {
  private readonly batchBytes: number;
  private readonly flushMs: number;
  private readonly maxUnsent: number;
  private readonly maxTotal: number;
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private pending?: { stream: LogStream; parts: string[]; bytes: number; ts?: string };
  private flushTimer?: NodeJS.Timeout;
  private readonly index: Indexed[] = [];
  private fileSize = 0;
  private lastSeq = 0;
  private acked = 0;
  private unsentBytes = 0;
  private totalBytes = 0;
  private truncated = false;
  private writes: Promise<void> = Promise.resolve();
  /** The last write of the acknowledged number (awaited by flushed(), so nothing writes after it). */
  private ackWrite: Promise<void> = Promise.resolve();
  private sending = false;
  private closed = false;
  private stopped = false;
  private failures = 0;
  private drainWaiters: (() => void)[] = [];
  private flushedWaiters: (() => void)[] = [];
  private wakeSender?: () => void;
  /** The engine timestamp of the last piece written (for re-attaching after a restart). */
  lastTs?: string;

  private constructor(
    private readonly file: string,
    private readonly opts: LogSpoolOptions,
  ) {
    this.batchBytes = opts.batchBytes ?? 64 * 1024;
    this.flushMs = opts.flushMs ?? 200;
    this.maxUnsent = opts.maxUnsentBytes ?? 8 * 1024 * 1024;
    this.maxTotal = opts.maxTotalBytes ?? 256 * 1024 * 1024;
  }

  /** Opens (or, after a restart, re-reads) the spool in `file`; `ackedFile` keeps the acked number. */
  static async open(file: string, opts: LogSpoolOptions): Promise<LogSpool> {
    const spool = new LogSpool(file, opts);
    await spool.load();
    spool.loop();
    return spool;
  }

  get ackedSeq(): number {
    return this.acked;
  }

  get saturated(): boolean {
    return this.unsentBytes > this.maxUnsent;
  }

  waitDrain(): Promise<void> {
    if (!this.saturated || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  write(stream: LogStream, data: Buffer, ts?: string): void {
    if (this.closed) return;
    const text = this.decoders[stream].write(data);
    if (ts) this.lastTs = ts;
    if (!text) return;
    this.add(stream, text, ts);
  }

  /** A line from the worker itself about this attempt (stream `system`), sent in order. */
  system(line: string): void {
    if (this.closed) return;
    this.cut();
    this.append({ seq: ++this.lastSeq, stream: 'system', data: line.endsWith('\n') ? line : `${line}\n` });
  }

  /** No more output: cuts the last batch. `flushed()` then tells when the pool has all of it. */
  close(): void {
    if (this.closed) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.decoders[stream].end();
      if (rest) this.add(stream, rest);
    }
    this.cut();
    this.closed = true;
  }

  /** Resolves once every batch written so far is acknowledged (or the spool was stopped). */
  async flushed(): Promise<void> {
    await this.writes;
    if (this.acked < this.lastSeq && !this.stopped)
      await new Promise<void>((resolve) => this.flushedWaiters.push(resolve));
    await this.ackWrite;
  }

  /** Stops sending for good (the attempt is over for this node). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.flushTimer);
    this.wakeSender?.();
    for (const wake of [...this.drainWaiters.splice(0), ...this.flushedWaiters.splice(0)]) wake();
  }

  private add(stream: LogStream, text: string, ts?: string): void {
    if (this.pending && this.pending.stream !== stream) this.cut();
    const bytes = Buffer.byteLength(text);
    if (this.totalBytes + bytes > this.maxTotal) {
      if (!this.truncated) {
        this.truncated = true;
        this.cut();
        this.system(`hivemind: output beyond ${Math.round(this.maxTotal / 1048576)} MiB dropped`);
      }
      return;
    }
    this.totalBytes += bytes;
    this.pending ??= { stream, parts: [], bytes: 0 };
    this.pending.parts.push(text);
    this.pending.bytes += bytes;
    if (ts) this.pending.ts = ts;
    if (this.pending.bytes >= this.batchBytes) this.cut();
    else this.flushTimer ??= setTimeout(() => this.cut(), this.flushMs);
  }

  private cut(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.pending;
    this.pending = undefined;
    if (!batch) return;
    this.append({ seq: ++this.lastSeq, stream: batch.stream, data: batch.parts.join(''), ts: batch.ts });
  }

  private append(record: LogRecord): void {
    if (this.opts.mask) record = { ...record, data: this.opts.mask(record.data) };
    this.opts.observe?.(record);
    const line = `${JSON.stringify(record)}\n`;
    const length = Buffer.byteLength(line);
    const entry = { seq: record.seq, offset: this.fileSize, length };
    this.fileSize += length;
    this.unsentBytes += length;
    this.writes = this.writes
      .then(() => appendFile(this.file, line))
      .then(() => {
        this.index.push(entry);
        this.wakeSender?.();
      });
  }

  private async load(): Promise<void> {
    this.acked = await readFile(`${this.file}.acked`, 'utf8').then(
      (text) => Number(text.trim()) || 0,
      () => 0,
    );
    let offset = 0;
    try {
      const lines = createInterface({ input: createReadStream(this.file), crlfDelay: Infinity });
      for await (const line of lines) {
        const length = Buffer.byteLength(line) + 1;
        try {
          const record = JSON.parse(line) as LogRecord;
          this.lastSeq = record.seq;
          if (record.ts) this.lastTs = record.ts;
          this.totalBytes += Buffer.byteLength(record.data);
          this.opts.observe?.(record);
          if (record.seq > this.acked) {
            this.index.push({ seq: record.seq, offset, length });
            this.unsentBytes += length;
          }
        } catch {
          // a line cut short by a crash: everything after it is dropped and rewritten
          break;
        }
        offset += length;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    this.fileSize = offset;
    await writeFile(this.file, '', { flag: 'a' });
    const handle = await open(this.file, 'r+');
    try {
      await handle.truncate(offset);
    } finally {
      await handle.close();
    }
  }

  private async readRecord(entry: Indexed): Promise<LogRecord> {
    const handle = await open(this.file, 'r');
    try {
      const buffer = Buffer.alloc(entry.length);
      await handle.read(buffer, 0, entry.length, entry.offset);
      return JSON.parse(buffer.toString('utf8')) as LogRecord;
    } finally {
      await handle.close();
    }
  }

  private loop(): void {
    if (this.sending) return;
    this.sending = true;
    void (async () => {
      while (!this.stopped) {
        const next = this.index[0];
        if (!next) {
          if (this.acked >= this.lastSeq) for (const wake of this.flushedWaiters.splice(0)) wake();
          await new Promise<void>((resolve) => (this.wakeSender = resolve));
          continue;
        }
        try {
          const acked = await this.opts.send(await this.readRecord(next));
          this.failures = 0;
          this.acknowledge(Math.max(acked, next.seq));
        } catch (error) {
          if (this.opts.isFatal?.(error)) {
            this.stop();
            this.opts.onFatal?.(error as Error);
            break;
          }
          this.failures += 1;
          const delay = (this.opts.retryDelayMs ?? defaultDelay)(this.failures);
          await new Promise<void>((resolve) => {
            this.wakeSender = resolve;
            setTimeout(resolve, delay);
          });
        }
      }
      this.sending = false;
    })();
  }

  private acknowledge(acked: number): void {
    while (this.index[0] && this.index[0].seq <= acked) {
      this.unsentBytes -= this.index.shift()!.length;
    }
    if (acked <= this.acked) return;
    this.acked = acked;
    this.ackWrite = this.ackWrite
      .then(() => writeFile(`${this.file}.acked`, String(acked)))
      .catch(() => undefined);
    if (this.unsentBytes <= this.maxUnsent / 2) for (const wake of this.drainWaiters.splice(0)) wake();
  }
}
