// What the worker console shows of attempts beyond the running ones: the last finished attempts and
// the tail of each one's output, in memory and bounded (a restart forgets them; the pool keeps the
// full record).
import { type FinishedAttemptView, type LogLineView } from '@hivemind/contracts';

/** One finished attempt, as GET /api/tasks lists it under `history`. */
export type FinishedAttempt = FinishedAttemptView;

/** One line of an attempt's output. */
export type LogLine = LogLineView;

export const HISTORY_SIZE = 50;
export const TAIL_LINES = 500;
/** Characters kept of one line (a task may print megabytes without a newline). */
export const LINE_CHARS = 2_048;
/** Characters kept per attempt, whatever the line count. */
export const TAIL_CHARS = 128 * 1024;

/** The last lines of one attempt's output, fed batch by batch as the log spool writes them. */
export class LogTail {
  private readonly lines: LogLine[] = [];
  private chars = 0;
  /** The last line has not ended yet: the next batch of the same stream continues it. */
  private open = false;

  add(stream: string, data: string, at: string): void {
    const pieces = data.split('\n');
    const ended = pieces[pieces.length - 1] === '';
    if (ended) pieces.pop();
    pieces.forEach((piece, i) => {
      const last = this.lines[this.lines.length - 1];
      if (i === 0 && this.open && last && last.stream === stream) {
        const text = (last.text + piece).slice(0, LINE_CHARS);
        this.chars += text.length - last.text.length;
        last.text = text;
      } else {
        const text = piece.slice(0, LINE_CHARS);
        this.lines.push({ stream, text, at });
        this.chars += text.length;
      }
    });
    this.open = !ended && pieces.length > 0;
    while (this.lines.length > TAIL_LINES || (this.chars > TAIL_CHARS && this.lines.length > 1))
      this.chars -= this.lines.shift()!.text.length;
  }

  last(n: number): LogLine[] {
    return this.lines.slice(-n).map((l) => ({ ...l }));
  }
}

/**
 * The last HISTORY_SIZE finished attempts and the output tails of those and of the running ones.
 * An attempt's tail goes when the attempt leaves the history.
 */
export class AttemptHistory {
  private readonly finished: FinishedAttempt[] = [];
  private readonly tails = new Map<string, { taskId: string; tail: LogTail }>();

  constructor(private readonly size = HISTORY_SIZE) {}

  /** The tail an attempt's output goes to (made on first use). */
  tailOf(attemptId: string, taskId: string): LogTail {
    let entry = this.tails.get(attemptId);
    if (!entry) {
      entry = { taskId, tail: new LogTail() };
      this.tails.set(attemptId, entry);
    }
    return entry.tail;
  }

  finish(attempt: FinishedAttempt): void {
    this.finished.push(attempt);
    while (this.finished.length > this.size) {
      const gone = this.finished.shift()!;
      if (!this.finished.some((f) => f.attempt_id === gone.attempt_id)) this.tails.delete(gone.attempt_id);
    }
  }

  /** Most recent first. */
  list(): FinishedAttempt[] {
    return [...this.finished].reverse();
  }

  /**
   * The last `n` lines of an attempt, by its id or its task's (the task's latest attempt here);
   * undefined when this worker has no such attempt (any more).
   */
  lines(id: string, n: number): LogLine[] | undefined {
    const byAttempt = this.tails.get(id);
    if (byAttempt) return byAttempt.tail.last(n);
    let latest: LogTail | undefined;
    for (const entry of this.tails.values()) if (entry.taskId === id) latest = entry.tail;
    return latest?.last(n);
  }
}
