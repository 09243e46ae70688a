import { type Colors } from '../output/output';

/** A log chunk as the REST API and the telemetry socket both give it. */
export interface LogChunk {
  id: number | string;
  shard_index: number;
  stream: string;
  data: string;
}

/**
 * Turns log chunks into whole lines, per shard and stream (a chunk may end mid-line): prefixed
 * `[shard N]` when the task has several shards, stderr in red and the platform's own lines dim.
 */
export class LogPrinter {
  private readonly partial = new Map<string, string>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly c: Colors,
    private readonly sharded: boolean,
  ) {}

  push(chunk: LogChunk): void {
    const key = `${chunk.shard_index}:${chunk.stream}`;
    const text = (this.partial.get(key) ?? '') + chunk.data;
    const lines = text.split('\n');
    this.partial.set(key, lines.pop() ?? '');
    for (const line of lines) this.emit(chunk.shard_index, chunk.stream, line);
  }

  /** The unfinished lines, at the end. */
  flush(): void {
    for (const [key, rest] of this.partial) {
      if (!rest) continue;
      const [shard, stream] = key.split(':');
      this.emit(Number(shard), stream, rest);
    }
    this.partial.clear();
  }

  private emit(shard: number, stream: string, line: string): void {
    const text = line.replace(/\r$/, '');
    const painted = stream === 'stderr' ? this.c.red(text) : stream === 'system' ? this.c.dim(text) : text;
    this.write(this.sharded ? `${this.c.dim(`[shard ${shard}]`)} ${painted}` : painted);
  }
}
