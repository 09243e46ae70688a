// How the console writes a node's figures: pure, shared by the node list and the node page.

/**
 * How long ago the last heartbeat was, from the browser's clock: `just now`, `3 s ago`, `4 min ago`,
 * `2 h ago`, `3 d ago`; `never` before the first heartbeat.
 */
export function heartbeatAge(seenAtMs: number | null, nowMs: number): string {
  if (seenAtMs === null) return 'never';
  const seconds = Math.floor((nowMs - seenAtMs) / 1000);
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

const trim = (value: number, digits: number): string => String(Number(value.toFixed(digits)));

/** 8000 → `8`, 3500 → `3.5`, 250 → `0.25` (cores from millicores). */
export function cores(millicores: number): string {
  return trim(millicores / 1000, 2);
}

/** 512 → `512 MB`, 16384 → `16 GB`, 15900 → `15.5 GB`, 2097152 → `2 TB`. */
export function megabytes(mb: number): string {
  if (mb < 1024) return `${trim(mb, 0)} MB`;
  if (mb < 1024 * 1024) return `${trim(mb / 1024, 1)} GB`;
  return `${trim(mb / 1024 / 1024, 1)} TB`;
}

/** 37.46 → `37 %`; `—` when unknown (the node is not heartbeating). */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${Math.round(value)} %`;
}
