// A task's log as the page keeps it: chunks from REST pages and live frames, each chunk once, in
// chunk id order (the order the pool stored them), split into lines, at most `maxLines` of the
// latest. Pure.

/** What the REST chunks (LogChunkView) and the live frames (LogFrame) both carry. */
export interface LogChunk {
  id: number;
  shard_index: number;
  stream: string;
  data: string;
}

export interface LogLine {
  /** Unique: chunk id and line number in the chunk. */
  key: string;
  chunkId: number;
  shard: number;
  stream: string;
  text: string;
}

export const MAX_LOG_LINES = 5000;

export class LogBuffer {
  private lines: LogLine[] = [];
  /** Ids of the chunks kept (and of any chunk above `floor`). */
  private readonly seen = new Set<number>();
  /** Chunks up to this id were dropped to stay within maxLines: a late copy is ignored. */
  private floor = 0;
  private highest = 0;
  /** Lines dropped from the front so far. */
  dropped = 0;

  constructor(readonly maxLines = MAX_LOG_LINES) {}

  /** The highest chunk id held: where a REST read resumes (`after`). */
  get lastId(): number {
    return this.highest;
  }

  /** A copy of the lines, oldest first. */
  snapshot(): readonly LogLine[] {
    return this.lines.slice();
  }

  /** Adds chunks in any order; a chunk already held is ignored. Answers whether any line changed. */
  add(chunks: readonly LogChunk[]): boolean {
    let changed = false;
    for (const chunk of chunks) {
      if (chunk.id <= this.floor || this.seen.has(chunk.id)) continue;
      this.seen.add(chunk.id);
      this.highest = Math.max(this.highest, chunk.id);
      const lines = splitLines(chunk);
      if (lines.length === 0) continue;
      changed = true;
      const last = this.lines[this.lines.length - 1];
      if (!last || last.chunkId < chunk.id) this.lines.push(...lines);
      else this.lines.splice(this.insertionIndex(chunk.id), 0, ...lines);
    }
    if (this.lines.length > this.maxLines) this.trim();
    return changed;
  }

  /** The first line of a chunk with a higher id (lines are sorted by chunk id). */
  private insertionIndex(id: number): number {
    let low = 0;
    let high = this.lines.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.lines[mid].chunkId < id) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private trim(): void {
    const excess = this.lines.length - this.maxLines;
    // the chunk of the last line dropped is held (in part) or gone: either way, done with
    this.floor = Math.max(this.floor, this.lines[excess - 1].chunkId);
    this.lines = this.lines.slice(excess);
    this.dropped += excess;
    for (const id of this.seen) if (id <= this.floor) this.seen.delete(id);
  }
}

/** A chunk's text as lines: a trailing newline ends the last line, \r\n counts as one. */
export function splitLines(chunk: LogChunk): LogLine[] {
  if (!chunk.data) return [];
  const texts = chunk.data.replace(/\r\n/g, '\n').split('\n');
  if (texts[texts.length - 1] === '') texts.pop();
  return texts.map((text, i) => ({
    key: `${chunk.id}:${i}`,
    chunkId: chunk.id,
    shard: chunk.shard_index,
    stream: chunk.stream,
    text,
  }));
}
