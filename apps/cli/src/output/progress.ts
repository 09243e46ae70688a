import { MultiBar, Presets, SingleBar } from 'cli-progress';

/** 1536 → "1.5 KiB": short, for a progress bar. */
export function shortBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** 75 → "1m15s". */
export function shortDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The figures of a transfer bar: bytes done and total, speed, and time left (when the total is known). */
export function transferStats(
  done: number,
  total: number | undefined,
  elapsedMs: number,
): { done: string; size: string; speed: string; eta: string } {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  let eta = '?';
  if (total !== undefined && done >= total) eta = '0s';
  else if (total !== undefined && rate > 0) eta = shortDuration((total - done) / rate);
  return {
    done: shortBytes(done),
    size: total === undefined ? '?' : shortBytes(total),
    speed: `${shortBytes(Math.round(rate))}/s`,
    eta,
  };
}

export interface TransferProgress {
  update(done: number): void;
  stop(): void;
}

const NO_PROGRESS: TransferProgress = { update: () => undefined, stop: () => undefined };

/**
 * A bar for an upload or download of `total` bytes (unknown: no bar, the figures only) with its
 * speed and ETA, on `stream` (a terminal); nothing when `stream` is undefined.
 */
export function transferBar(
  stream: NodeJS.WriteStream | undefined,
  label: string,
  total: number | undefined,
): TransferProgress {
  if (!stream) return NO_PROGRESS;
  const started = Date.now();
  const format =
    total === undefined
      ? `${label} {done} | {speed}`
      : `${label} [{bar}] {percentage}% | {done}/{size} | {speed} | ETA {eta_text}`;
  const bar = new SingleBar(
    { format, stream, fps: 10, hideCursor: true, clearOnComplete: false, etaBuffer: 50 },
    Presets.shades_classic,
  );
  const payload = (done: number) => {
    const s = transferStats(done, total, Date.now() - started);
    return { done: s.done, size: s.size, speed: s.speed, eta_text: s.eta };
  };
  bar.start(total ?? 1, 0, payload(0));
  return {
    update: (done) => bar.update(total === undefined ? 0 : Math.min(done, total), payload(done)),
    stop: () => bar.stop(),
  };
}

export interface ShardProgress {
  update(completed: number, failed: number): void;
  /** A line printed above the bar. */
  log(line: string): void;
  stop(): void;
}

/** A bar of a sharded task's completed shards, with log lines printed above it. */
export function shardBar(stream: NodeJS.WriteStream, total: number): ShardProgress {
  const multi = new MultiBar(
    {
      format: 'shards [{bar}] {value}/{total} completed{failed} | {duration_formatted}',
      stream,
      fps: 10,
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  const bar = multi.create(total, 0, { failed: '' });
  return {
    update: (completed, failed) => bar.update(completed, { failed: failed ? `, ${failed} failed` : '' }),
    log: (line) => multi.log(line.endsWith('\n') ? line : `${line}\n`),
    stop: () => multi.stop(),
  };
}
